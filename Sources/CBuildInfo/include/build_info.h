#ifndef RATIOND_BUILD_INFO_H
#define RATIOND_BUILD_INFO_H

/// The version this build was made from: `make` passes `git describe` as
/// -DRATIOND_VERSION (scripts/version); a plain `swift build` says "unknown".
const char *rationd_build_version(void);

#endif
