#ifndef RATIOND_MALLOC_ARENA_H
#define RATIOND_MALLOC_ARENA_H

/// Whether the process allocates from glibc's main arena alone (set before `main` runs by
/// a constructor in this module, for the executables that link it).
int rationd_one_malloc_arena(void);

#endif
