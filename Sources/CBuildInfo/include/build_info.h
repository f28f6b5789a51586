#ifndef RATIOND_BUILD_INFO_H
#define RATIOND_BUILD_INFO_H

/// The version this build was made from: `make install` and `make deb` write it from
/// `git describe` (scripts/version --write-header); a plain `swift build` says "unknown".
const char *rationd_build_version(void);

#endif
