#!/bin/bash
# The saved entry is vacuumed before the reader restarts: the restarted reader must deliver
# the first entry after it, not skip it.
set -euo pipefail
. "$(dirname "$0")/scenario-lib.sh"
tap() {
    "$RATIOND" tap --journal-directory "$JOURNAL_DIR" --identifier rtest-vac --read-from head --format jsonl \
        --checkpoint "$WORK/vac.ckpt" --exit-when-idle 1 "$@"
}
seq -f "vac %g" 1 100 | systemd-cat -t rtest-vac
wait_journal rtest-vac 100 20
tap >"$WORK/vac.out.1" 2>"$WORK/vac.err.1"
journalctl --rotate
seq -f "vac %g" 101 200 | systemd-cat -t rtest-vac
wait_journal rtest-vac 200 20
journalctl --vacuum-files=1 >"$WORK/vac.vacuum" 2>&1
tap >"$WORK/vac.out.2" 2>"$WORK/vac.err.2"
