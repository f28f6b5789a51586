# Helpers for the journald scenarios (sourced). Every wait is bounded; a timeout fails the
# scenario with a message naming what it waited for.

# wait_lines FILE N SECONDS: until FILE has at least N complete lines.
wait_lines() {
    local file="$1" want="$2" limit="$3" i
    for ((i = 0; i < limit * 20; i++)); do
        if [ -f "$file" ] && [ "$(wc -l < "$file")" -ge "$want" ]; then return 0; fi
        sleep 0.05
    done
    echo "timed out waiting for $want lines in $file (have $(wc -l < "$file" 2>/dev/null || echo 0))" >&2
    return 1
}

# wait_text FILE TEXT SECONDS: until FILE contains TEXT.
wait_text() {
    local file="$1" text="$2" limit="$3" i
    for ((i = 0; i < limit * 20; i++)); do
        if grep -qF -- "$text" "$file" 2>/dev/null; then return 0; fi
        sleep 0.05
    done
    echo "timed out waiting for '$text' in $file" >&2
    return 1
}

# wait_journal IDENTIFIER N SECONDS: until the journal holds N entries from IDENTIFIER.
wait_journal() {
    local id="$1" want="$2" limit="$3" i
    for ((i = 0; i < limit * 20; i++)); do
        if [ "$(journalctl -q -D "$JOURNAL_DIR" -t "$id" -o cat 2>/dev/null | wc -l)" -ge "$want" ]; then return 0; fi
        sleep 0.05
    done
    echo "timed out waiting for $want journal entries from $id" >&2
    return 1
}
