#!/bin/bash
# `rationd run` on a real journald (run inside IngestTests' journald-sandbox.sh): normal
# entries, a burst of errors, kill -9, restart. Leaves JSON answers in $WORK for the test.
# Needs RATIOND, RATIONCTL, WORK, SCENARIO_LIB (IngestTests' scenario-lib.sh).
set -euo pipefail
. "$SCENARIO_LIB"
cfg="$WORK/rationd.toml"
cat > "$cfg" <<TOML
[daemon]
state_directory = "$WORK/state"
shutdown_timeout = "5s"
[sources.journal]
start_at = "beginning"
max_priority = "info"
[[sources.files]]
name = "none"
path = "$WORK/none.log"
[sessionizer]
journal_key_field = "SYSLOG_IDENTIFIER"
idle_gap = "1s"
max_events = 10
[miner]
snapshot_interval = "1s"
[triage]
warmup_windows = 5
snapshot_interval = "1s"
[reasoning]
endpoints = ["http://127.0.0.1:1/v1"]
request_timeout = "2s"
[control]
socket = "$WORK/io.rationd"
TOML
ctl() { "$RATIONCTL" "$@" --socket "$WORK/io.rationd"; }
# until SECONDS COMMAND...: retries COMMAND every 0.1 s.
until_ok() {
    local limit="$1" i; shift
    for ((i = 0; i < limit * 10; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
    echo "timed out waiting for: $*" >&2
    return 1
}
# journal_records_at_least N: the journal source has read N entries (journald logs its own too).
journal_records_at_least() {
    ctl status --json | python3 -c 'import json, sys
s = json.load(sys.stdin)
sys.exit(0 if any(x["name"] == "journal" and x["records"] >= int(sys.argv[1]) for x in s["sources"]) else 1)' "$1"
}
# has_app_alert: an alert on the "app" session (journald's own start-up entries may raise one too).
has_app_alert() {
    ctl alerts list --json | python3 -c 'import json, sys
sys.exit(0 if any(a["sessionKey"] == "app" for a in json.load(sys.stdin)) else 1)'
}

for i in $(seq 1 100); do echo "worker $((i % 7)) processed request id=$i in $((i * 3)) ms"; done | systemd-cat -t app -p info
wait_journal app 100 10

"$RATIOND" run --config "$cfg" > "$WORK/first.log" 2>&1 &
pid=$!
until_ok 20 journal_records_at_least 100 || { cat "$WORK/first.log" >&2; exit 1; }
ctl alerts list --json > "$WORK/before.json"

for i in $(seq 1 10); do echo "disk sda$i failure: I/O error at sector $((i * 977)), filesystem remounted read-only"; done \
    | systemd-cat -t app -p err
until_ok 20 has_app_alert || { cat "$WORK/first.log" >&2; exit 1; }
ctl alerts list --json > "$WORK/alerts.json"
# The alert's own journal entry (priority err, "alert N: journal app: …") is in the journal
# now; the source must skip it rather than mine it (and alert on it).
until_ok 20 sh -c "journalctl -t rationd -o cat | grep -q 'alert '"
sleep 2
ctl templates --json > "$WORK/templates.json"
# Every window is closed and stored: the committed cursor reaches the burst's last entry
# (waited for, not slept on: on a loaded machine the commit can lag the alert).
last_seqnum=$(journalctl -t app -n 1 -o export | python3 -c 'import re, sys
print(int(re.search(r"^__CURSOR=.*?;i=([0-9a-f]+)", sys.stdin.read(), re.M).group(1), 16))')
checkpoint_covers() {
    python3 -c 'import re, sys
m = re.search(r";i=([0-9a-f]+)", open(sys.argv[1]).read())
sys.exit(0 if m and int(m.group(1), 16) >= int(sys.argv[2]) else 1)' "$WORK/state/checkpoints.json" "$1"
}
until_ok 30 checkpoint_covers "$last_seqnum" || { echo "the checkpoint never reached entry $last_seqnum" >&2; cat "$WORK/first.log" >&2; exit 1; }
until_ok 20 test -s "$WORK/state/triage.snapshot"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true

"$RATIOND" run --config "$cfg" > "$WORK/second.log" 2>&1 &
pid=$!
until_ok 20 test -S "$WORK/io.rationd"
sleep 2
ctl status --json > "$WORK/status-after.json"
ctl alerts list --json > "$WORK/alerts-after.json"
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
echo "$status" > "$WORK/exit-status"
