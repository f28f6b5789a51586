#include "malloc_arena.h"

#if defined(__linux__)
#include <malloc.h>
#endif

// A batch tool does its work on one thread of Swift's pool, not the main thread. glibc gives
// such a thread an arena of its own, and an arena other than the main one grows a page at a
// time, one mprotect each (about 4,000 for `rationlab parse` on 100,000 never-repeating
// lines). With one arena the heap grows the main heap's way, in large steps. The limit must
// be set before any thread allocates: Swift's async entry point already runs on a pool thread,
// hence a constructor.
static int one_arena = 0;

__attribute__((constructor)) static void rationd_limit_malloc_arenas(void) {
#if defined(__GLIBC__) && defined(M_ARENA_MAX)
    one_arena = mallopt(M_ARENA_MAX, 1);
#endif
}

int rationd_one_malloc_arena(void) {
    return one_arena;
}
