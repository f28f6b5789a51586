#ifndef RATIOND_SIGBUS_GUARD_H
#define RATIOND_SIGBUS_GUARD_H
#include <stdint.h>

/// Installs a process-wide SIGBUS handler (idempotent). A bus error on a mapped file that
/// shrank under the reader (journald truncating a journal file; libsystemd < 255 has no
/// guard of its own) is answered by mapping anonymous zero pages over the faulting page, so
/// the read continues and sees zeros, which sd-journal rejects as a corrupt object. Any other
/// SIGBUS keeps its previous disposition. Returns 0, or a negative errno.
int rationd_sigbus_guard_install(void);

/// How many bus errors the guard has absorbed since the process started.
uint64_t rationd_sigbus_fault_count(void);

/// The page address of absorbed fault number `index` (0-based), or 0 when that fault is
/// older than the last 64 (or has not happened).
uintptr_t rationd_sigbus_fault_address(uint64_t index);

#endif
