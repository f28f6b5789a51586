#ifndef RATIOND_FUZZ_DRIVER_H
#define RATIOND_FUZZ_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/// One fuzz input; returns 0 (libFuzzer reserves other values).
typedef int (*rationd_fuzz_callback)(const uint8_t *data, size_t size);

/// Runs libFuzzer's driver with the process's arguments and `callback` as the target.
/// SwiftPM gives every executable its own renamed main, so libFuzzer's main cannot be used;
/// this enters libFuzzer from the executable's own entry point instead.
int rationd_fuzz_main(int argc, char **argv, rationd_fuzz_callback callback);

#endif
