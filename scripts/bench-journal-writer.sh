#!/bin/bash
# Inside journald-sandbox.sh (persistent storage): writes BENCH_ENTRIES Loghub lines through
# one systemd-cat stream and waits until journald has stored the last one.
set -euo pipefail
journalctl --flush   # journald writes to /run until asked to use /var/log/journal
python3 "$(dirname "$0")/make-bench-journal.py" "$BENCH_ENTRIES" "$BENCH_DATASETS" | systemd-cat -t bench
for _ in $(seq 1 480); do
    if journalctl -q -D "$JOURNAL_DIR" -t bench -n 1 -o cat 2>/dev/null | grep -q "end of benchmark input"; then
        journalctl --rotate   # archive the file: offline, complete, stable to read
        exit 0
    fi
    sleep 0.25
done
echo "journald did not store the benchmark input in time" >&2
exit 1
