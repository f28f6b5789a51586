#!/bin/bash
# A journald namespace instance (systemd-journald NAMESPACE) beside the default one: the
# reader opened with --namespace sees the namespace's entries only, the one opened with
# --journal (the local journal) the default namespace's only.
set -euo pipefail
. "$(dirname "$0")/scenario-lib.sh"
/lib/systemd/systemd-journald rtestns </dev/null >"$WORK/ns.journald" 2>&1 &
ns=$!
trap 'kill $ns 2>/dev/null || true; wait $ns 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -S /run/systemd/journal.rtestns/dev-log ] && break; sleep 0.05; done
for i in $(seq 1 50); do logger -u /run/systemd/journal.rtestns/dev-log -t rtest-ns "ns $i"; done
seq -f "default %g" 1 50 | systemd-cat -t rtest-ns
wait_journal rtest-ns 50 20
for _ in $(seq 1 100); do
    [ "$(journalctl -q --namespace rtestns -t rtest-ns -o cat 2>/dev/null | wc -l)" -ge 50 ] && break
    sleep 0.05
done
"$RATIOND" tap --namespace rtestns --identifier rtest-ns --read-from head --exit-when-idle 1 --format jsonl \
    >"$WORK/ns.out" 2>"$WORK/ns.err"
"$RATIOND" tap --journal --identifier rtest-ns --read-from head --exit-when-idle 1 --format jsonl \
    >"$WORK/local.out" 2>"$WORK/local.err"
ls -R /run/log/journal /var/log/journal >"$WORK/ns.ls" 2>&1
