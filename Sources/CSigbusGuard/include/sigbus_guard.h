#ifndef RATIOND_SIGBUS_GUARD_H
#define RATIOND_SIGBUS_GUARD_H
#include <stddef.h>
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

/// The file that was mapped at fault `index` (as /proc/self/maps named it when the fault
/// happened), copied NUL-terminated into `buffer`; returns 1, or 0 when unknown.
int rationd_sigbus_fault_path(uint64_t index, char *buffer, size_t size);

#endif
