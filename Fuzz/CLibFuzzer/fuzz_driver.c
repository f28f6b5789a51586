#include "fuzz_driver.h"

// Provided by libclang_rt.fuzzer (linked by -sanitize=fuzzer).
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

int rationd_fuzz_main(int argc, char **argv, rationd_fuzz_callback callback) {
    return LLVMFuzzerRunDriver(&argc, &argv, callback);
}
