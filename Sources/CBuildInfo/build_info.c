#include "build_info.h"

// Written by `scripts/version --write-header` (make install, make deb); ignored by git.
#if __has_include("generated/rationd_version.h")
#include "generated/rationd_version.h"
#endif

#ifndef RATIOND_VERSION
#define RATIOND_VERSION "unknown"
#endif

const char *rationd_build_version(void) { return RATIOND_VERSION; }
