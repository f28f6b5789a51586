#!/bin/bash
# kill -9 the reader at random points while a writer keeps writing, seven times (one
# rotation in between), then let a last reader drain everything and exit when idle.
# Run k writes kill.out.K and leaves the checkpoint it committed in kill.ckpt.K.
set -euo pipefail
. "$(dirname "$0")/scenario-lib.sh"
total=20000
# One slow stream (journald interleaves concurrent streams, which would reorder the numbering).
(
    for ((c = 0; c < 40; c++)); do
        seq -f "kill %g" $((c * 500 + 1)) $((c * 500 + 500))
        sleep 0.1
    done
) | systemd-cat -t rtest-kill &
writer=$!
# An array, not a function: a backgrounded function is a subshell, and kill -9 must hit rationd.
tap=("$RATIOND" tap --journal-directory "$JOURNAL_DIR" --identifier rtest-kill --read-from head --format jsonl
     --batch-size 100 --checkpoint "$WORK/kill.ckpt")
for ((k = 1; k <= 7; k++)); do
    "${tap[@]}" >"$WORK/kill.out.$k" 2>"$WORK/kill.err.$k" &
    reader=$!
    sleep "0.$((RANDOM % 7 + 2))"
    if [ "$k" = 4 ]; then journalctl --rotate; fi
    kill -9 "$reader"
    wait "$reader" 2>/dev/null || true
    cp "$WORK/kill.ckpt" "$WORK/kill.ckpt.$k" 2>/dev/null || true
done
wait "$writer"
wait_journal rtest-kill "$total" 30
"${tap[@]}" --exit-when-idle 2 >"$WORK/kill.out.final" 2>"$WORK/kill.err.final"
cp "$WORK/kill.ckpt" "$WORK/kill.ckpt.final"
