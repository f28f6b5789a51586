// SIGBUS guard in the spirit of systemd 255's src/basic/sigbus.c.
#define _GNU_SOURCE
#include "sigbus_guard.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define RING 64

static atomic_int installed;
static struct sigaction previous_action;
static uintptr_t page_mask;
static atomic_uint_fast64_t fault_count;
static _Atomic uintptr_t fault_ring[RING];

static void sigbus_handler(int signo, siginfo_t *info, void *context) {
    (void)context;
    if (signo != SIGBUS || info == NULL || info->si_code != BUS_ADRERR || info->si_addr == NULL) {
        // Not a truncated mapping: restore the previous disposition and let the fault recur
        // under it (a synchronous fault re-executes the instruction).
        sigaction(SIGBUS, &previous_action, NULL);
        return;
    }
    uintptr_t page = (uintptr_t)info->si_addr & page_mask;
    void *replaced = mmap((void *)page, (size_t)(~page_mask + 1), PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (replaced == MAP_FAILED) {
        sigaction(SIGBUS, &previous_action, NULL);
        return;
    }
    uint_fast64_t n = atomic_fetch_add(&fault_count, 1);
    atomic_store(&fault_ring[n % RING], page);
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
