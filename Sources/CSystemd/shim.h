#ifndef RATIOND_CSYSTEMD_SHIM_H
#define RATIOND_CSYSTEMD_SHIM_H
#include <systemd/sd-journal.h>
#include <systemd/sd-daemon.h>
#endif
