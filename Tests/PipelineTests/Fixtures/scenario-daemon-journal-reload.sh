#!/bin/bash
# `rationd run` on a real journald (run inside IngestTests' journald-sandbox.sh), its journal
# matches changed by SIGHUP: units narrowed to one that logs nothing, then widened again.
# Writes "<step> <records read from the journal>" lines to $WORK/records for the test.
# Needs RATIOND, RATIONCTL, WORK.
set -euo pipefail
config() {
  cat > "$WORK/rationd.toml" <<TOML
[daemon]
state_directory = "$WORK/state"
shutdown_timeout = "5s"
[sources]
files = []
[sources.journal]
start_at = "beginning"
units = $1
[reasoning]
enabled = false
[control]
socket = "$WORK/io.rationd"
TOML
}
records() {
  "$RATIONCTL" status --json --socket "$WORK/io.rationd" | python3 -c 'import json, sys
print(sum(s["records"] for s in json.load(sys.stdin)["sources"] if s["name"] == "journal"))'
}
# until_records N: waits (10 s at most) until the daemon has read N journal records.
until_records() {
  for _ in $(seq 100); do [ "$(records)" -ge "$1" ] && return 0; sleep 0.1; done
  return 1
}
config '[]'
"$RATIOND" run --config "$WORK/rationd.toml" > "$WORK/rationd.log" 2>&1 &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -S "$WORK/io.rationd" ] && break; sleep 0.1; done
for i in $(seq 20); do echo "app line $i"; done | systemd-cat -t app
until_records 20
sleep 1
start=$(records)
echo "start $start" >> "$WORK/records"

config '["nothing.service"]'
kill -HUP "$pid"
for _ in $(seq 100); do grep -q "source reopened" "$WORK/rationd.log" && break; sleep 0.1; done
for i in $(seq 5); do echo "app filtered $i"; done | systemd-cat -t app
sleep 2
echo "narrowed $(records)" >> "$WORK/records"

config '[]'
kill -HUP "$pid"
for i in $(seq 3); do echo "app widened $i"; done | systemd-cat -t app
until_records $((start + 8)) || true
sleep 1
echo "widened $(records)" >> "$WORK/records"
kill -TERM "$pid"
wait "$pid"
echo "exit $?" >> "$WORK/records"
trap - EXIT
