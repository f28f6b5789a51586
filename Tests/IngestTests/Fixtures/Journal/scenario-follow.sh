#!/bin/bash
# Follows 20,000 entries written with systemd-cat across `journalctl --rotate` (while the
# reader lags) and `journalctl --vacuum-files=1` (once it has caught up).
# One systemd-cat stream carries every entry: journald interleaves concurrent streams, so
# separate writers would make the journal's own order differ from the numbering.
# Needs RATIOND (the rationd executable) and WORK (an output directory).
set -euo pipefail
. "$(dirname "$0")/scenario-lib.sh"
"$RATIOND" tap --journal-directory "$JOURNAL_DIR" --identifier rtest-follow --read-from head --format jsonl \
    --batch-size 500 --checkpoint "$WORK/follow.ckpt" >"$WORK/follow.out" 2>"$WORK/follow.err" &
tap=$!
trap 'kill -9 $tap 2>/dev/null || true' EXIT
wait_text "$WORK/follow.err" "reading journal directory" 20
{
    seq -f "follow %g" 1 8000
    journalctl --rotate >&2
    seq -f "follow %g" 8001 14000
    wait_lines "$WORK/follow.out" 14000 60
    journalctl --rotate >&2
    journalctl --vacuum-files=1 >"$WORK/follow.vacuum" 2>&1
    seq -f "follow %g" 14001 20000
} | systemd-cat -t rtest-follow
wait_lines "$WORK/follow.out" 20000 60
kill -TERM $tap
rc=0; wait $tap || rc=$?
echo "$rc" >"$WORK/follow.rc"
