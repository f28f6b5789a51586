// SIGBUS guard in the spirit of systemd 255's src/basic/sigbus.c.
#define _GNU_SOURCE
#include "sigbus_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define RING 64
#define PATH_SLOT 512

static atomic_int installed;
static struct sigaction previous_action;
static uintptr_t page_mask;
static atomic_uint_fast64_t fault_count;
static _Atomic uintptr_t fault_ring[RING];
static char fault_paths[RING][PATH_SLOT];

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// Handles one /proc/self/maps line ("start-end perms offset dev inode   path"): copies the
// path into `out` when the range holds `address`. Async-signal-safe (no allocation).
static int match_line(const char *line, size_t length, uintptr_t address, char *out) {
    size_t i = 0;
    uintptr_t start = 0, end = 0;
    int v;
    while (i < length && (v = hex_value(line[i])) >= 0) { start = start * 16 + (uintptr_t)v; i++; }
    if (i >= length || line[i] != '-') return 0;
    i++;
    while (i < length && (v = hex_value(line[i])) >= 0) { end = end * 16 + (uintptr_t)v; i++; }
    if (address < start || address >= end) return 0;
    for (int field = 0; field < 4; field++) {            // perms offset dev inode
        while (i < length && line[i] == ' ') i++;
        while (i < length && line[i] != ' ') i++;
    }
    while (i < length && line[i] == ' ') i++;
    size_t n = 0;
    while (i < length && n + 1 < PATH_SLOT) out[n++] = line[i++];
    out[n] = 0;
    return 1;
}

// Names the file mapped at `address` (before it is replaced) by scanning /proc/self/maps
// with open/read only, both async-signal-safe.
static void record_path(uintptr_t address, char *out) {
    out[0] = 0;
    int saved_errno = errno;
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0) { errno = saved_errno; return; }
    char buffer[4096];
    char line[PATH_SLOT + 128];
    size_t used = 0;
    ssize_t n;
    int found = 0;
    while (!found && (n = read(fd, buffer, sizeof buffer)) > 0) {
        for (ssize_t k = 0; k < n && !found; k++) {
            if (buffer[k] == '\n') {
                found = match_line(line, used, address, out);
                used = 0;
            } else if (used < sizeof line) {
                line[used++] = buffer[k];
            }
        }
    }
    close(fd);
    errno = saved_errno;
}

static void sigbus_handler(int signo, siginfo_t *info, void *context) {
    (void)context;
    if (signo != SIGBUS || info == NULL || info->si_code != BUS_ADRERR || info->si_addr == NULL) {
        // Not a truncated mapping: restore the previous disposition and let the fault recur
        // under it (a synchronous fault re-executes the instruction).
        sigaction(SIGBUS, &previous_action, NULL);
        return;
    }
    uintptr_t page = (uintptr_t)info->si_addr & page_mask;
    uint_fast64_t slot = atomic_load(&fault_count) % RING;
    record_path(page, fault_paths[slot]);
    void *replaced = mmap((void *)page, (size_t)(~page_mask + 1), PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (replaced == MAP_FAILED) {
        sigaction(SIGBUS, &previous_action, NULL);
        return;
    }
    atomic_store(&fault_ring[slot], page);
    atomic_fetch_add(&fault_count, 1);
}

int rationd_sigbus_guard_install(void) {
    int expected = 0;
    if (!atomic_compare_exchange_strong(&installed, &expected, 1)) return 0;
    long size = sysconf(_SC_PAGESIZE);
    if (size <= 0) size = 4096;
    page_mask = ~((uintptr_t)size - 1);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = sigbus_handler;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGBUS, &action, &previous_action) != 0) {
        int e = errno;
        atomic_store(&installed, 0);
        return -e;
    }
    return 0;
}

uint64_t rationd_sigbus_fault_count(void) {
    return (uint64_t)atomic_load(&fault_count);
}

uintptr_t rationd_sigbus_fault_address(uint64_t index) {
    uint64_t count = (uint64_t)atomic_load(&fault_count);
    if (index >= count || count - index > RING) return 0;
    return atomic_load(&fault_ring[index % RING]);
}

int rationd_sigbus_fault_path(uint64_t index, char *buffer, size_t size) {
    uint64_t count = (uint64_t)atomic_load(&fault_count);
    if (size == 0 || index >= count || count - index > RING) return 0;
    const char *path = fault_paths[index % RING];
    size_t n = strnlen(path, PATH_SLOT);
    if (n == 0) return 0;
    if (n >= size) n = size - 1;
    memcpy(buffer, path, n);
    buffer[n] = 0;
    return 1;
}
