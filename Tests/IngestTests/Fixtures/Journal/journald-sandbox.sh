#!/bin/bash
# Runs a real systemd-journald in a private mount namespace and a scenario beside it.
# Usage (as root): unshare --mount --propagation private --pid --fork --kill-child --mount-proc \
#                   journald-sandbox.sh SCENARIO [ARGS...]
# (the PID namespace ends every process the scenario leaves behind).
# Fresh tmpfs on /run and /var/log; volatile storage in /run/log/journal (or, with
# JOURNAL_PERSISTENT_DIR set, persistent storage in that directory); no rate limit; nothing
# forwarded. /dev/log is never created (it is shared with the host).
# The scenario runs with JOURNAL_DIR set to the machine's journal directory and
# JOURNALD_PID to the daemon; every process it starts must end before it returns.
set -euo pipefail
scenario="$1"; shift
mount -t tmpfs -o mode=0755 tmpfs /run
# /var/log too, so that /var/log/journal is created inside the namespace, never on the host.
mount -t tmpfs -o mode=0755 tmpfs /var/log
mkdir -p /var/log/journal
if [ -n "${JOURNAL_PERSISTENT_DIR:-}" ]; then
    # Persistent storage in a directory of the caller's (benchmarks build big files there).
    mount --bind "$JOURNAL_PERSISTENT_DIR" /var/log/journal
    storage="Storage=persistent
SystemMaxUse=8G
SystemKeepFree=1M
SystemMaxFileSize=4G"
else
    storage="Storage=volatile"
fi
mkdir -p /run/systemd/journald.conf.d /run/log/journal
cat > /run/systemd/journald.conf.d/50-test.conf <<CONF
[Journal]
$storage
ReadKMsg=no
RateLimitBurst=0
ForwardToSyslog=no
ForwardToWall=no
ForwardToConsole=no
SystemMaxFiles=100
RuntimeMaxFiles=100
CONF
/lib/systemd/systemd-journald </dev/null >/run/journald.out 2>&1 &
JOURNALD_PID=$!
cleanup() {
    kill "$JOURNALD_PID" 2>/dev/null || true
    wait "$JOURNALD_PID" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 100); do
    [ -S /run/systemd/journal/stdout ] && break
    sleep 0.05
done
[ -S /run/systemd/journal/stdout ] || { echo "journald did not start" >&2; cat /run/journald.out >&2; exit 1; }
if [ -n "${JOURNAL_PERSISTENT_DIR:-}" ]; then
    JOURNAL_DIR="/var/log/journal/$(cat /etc/machine-id)"
else
    JOURNAL_DIR="/run/log/journal/$(cat /etc/machine-id)"
fi
export JOURNAL_DIR JOURNALD_PID
"$scenario" "$@"
