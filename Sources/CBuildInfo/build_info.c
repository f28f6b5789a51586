#include "build_info.h"

#ifndef RATIOND_VERSION
#define RATIOND_VERSION "unknown"
#endif

const char *rationd_build_version(void) { return RATIOND_VERSION; }
