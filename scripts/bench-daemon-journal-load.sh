#!/usr/bin/env bash
# Inside journald-sandbox.sh: starts `rationd run`, writes RATE lines/s for DURATION s through
# systemd-cat (batches every 100 ms, Loghub HDFS lines, 1 in 50 at warning), waits until the
# daemon has read them all, and prints the daemon's CPU and peak RSS (see bench-daemon-journal).
# With RATE=0 (scripts/bench-idle) it writes nothing and reports the idle figures instead.
set -euo pipefail
cat > "$WORK/rationd.toml" <<TOML
[daemon]
state_directory = "$WORK/state"
[[sources.files]]
name = "app"
path = "$WORK/app.log"
[reasoning]
endpoints = ["http://127.0.0.1:1/v1"]
request_timeout = "2s"
max_calls_per_minute = 30
[control]
socket = "$WORK/io.rationd"
TOML
: > "$WORK/app.log"
"$RATIOND" run --config "$WORK/rationd.toml" > "$WORK/rationd.log" 2>&1 &
pid=$!
stop() { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
trap stop EXIT
for _ in $(seq 200); do [ -S "$WORK/io.rationd" ] && break; sleep 0.05; done
[ -S "$WORK/io.rationd" ] || { cat "$WORK/rationd.log" >&2; exit 1; }
records() {
  "$RATIONCTL" status --json --socket "$WORK/io.rationd" | python3 -c 'import json, sys
print(sum(s["records"] for s in json.load(sys.stdin)["sources"] if s["name"] == "journal"))'
}
sleep 2
before=$(records)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
if [ "$RATE" = 0 ]; then
  cpu0=$(ticks "$pid"); sleep "$DURATION"; cpu1=$(ticks "$pid")
  kill -0 "$pid" || { cat "$WORK/rationd.log" >&2; echo "bench-idle: the daemon died" >&2; exit 1; }
  awk -v s="$cpu0" -v e="$cpu1" -v hz="$(getconf CLK_TCK)" -v d="$DURATION" -v r="$(records)" \
      -v p="$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")" -v n="$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")" \
      -v a="$(awk '/RssAnon/ {print $2}' "/proc/$pid/status")" -v f="$(awk '/RssFile/ {print $2}' "/proc/$pid/status")" \
      -v sh="$(awk '/RssShmem/ {print $2}' "/proc/$pid/status")" 'BEGIN {
    cpu = (e - s) / hz
    ok = cpu <= 0.2 && p / 1024 <= 40
    printf "bench-idle: rationd run (journal + file source, reasoning budgeted) over %d s idle: CPU %.2f s (limit 0.20), RSS %.1f MiB now (anonymous %.1f, file-mapped %.1f, shmem %.1f), %.1f MiB peak (limit 40), journal records %d -> %s\n",
      d, cpu, n / 1024, a / 1024, f / 1024, sh / 1024, p / 1024, r, ok ? "met" : "NOT met"
    exit !ok
  }'
  exit
fi
cpu0=$(ticks "$pid"); jcpu0=$(ticks "$JOURNALD_PID"); t0=$(date +%s.%N)
# Samples the resident pages by kind every 0.5 s: their peaks say what the peak RSS is made of.
( while kill -0 "$pid" 2>/dev/null; do
    awk '/RssAnon|RssFile|RssShmem/ {printf "%s ", $2} END {print ""}' "/proc/$pid/status"; sleep 0.5
  done ) > "$WORK/rss-samples" 2>/dev/null &
sampler=$!
python3 - "$INPUT" "$RATE" "$DURATION" > "$WORK/writer.out" <<'PY'
import subprocess, sys, time
lines = [l.rstrip("\n") for l in open(sys.argv[1])]
rate, duration = int(sys.argv[2]), int(sys.argv[3])
per_tick = rate // 10
cat = subprocess.Popen(["systemd-cat", "-t", "bench"], stdin=subprocess.PIPE)
start = time.monotonic(); sent = 0
for tick in range(duration * 10):
    deadline = start + tick / 10
    pause = deadline - time.monotonic()
    if pause > 0:
        time.sleep(pause)
    batch = []
    for _ in range(per_tick):
        prefix = "<4>" if sent % 50 == 0 else "<6>"
        batch.append(prefix + lines[sent % len(lines)] + "\n")
        sent += 1
    cat.stdin.write("".join(batch).encode())
    cat.stdin.flush()
cat.stdin.close(); cat.wait()
elapsed = time.monotonic() - start
print(sent, f"{elapsed:.3f}")
PY
t1=$(date +%s.%N)
read -r sent elapsed < "$WORK/writer.out"
# The daemon has kept up when it has read every line within 10 s of the writer's end.
caught=-1
for i in $(seq 100); do
  [ "$(( $(records) - before ))" -ge "$sent" ] && { caught=$(python3 -c "print(f'{$(date +%s.%N) - $t1:.1f}')"); break; }
  sleep 0.1
done
cpu1=$(ticks "$pid"); jcpu1=$(ticks "$JOURNALD_PID"); t2=$(date +%s.%N)
read_records=$(( $(records) - before ))
peak_kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
peak_parts=$(awk 'NF == 3 { for (i = 1; i <= 3; i++) if ($i > m[i]) m[i] = $i } END {printf "%.1f %.1f %.1f", m[1] / 1024, m[2] / 1024, m[3] / 1024}' "$WORK/rss-samples")
# What the resident pages are: anonymous (the daemon's heap and stacks), file-mapped (binary and
# libraries) and shmem (journal files mapped by sd-journal, which live on tmpfs here).
rss_parts=$(awk '/RssAnon|RssFile|RssShmem/ {printf "%s%.1f", sep, $2 / 1024; sep = " "}' "/proc/$pid/status")
kill -0 "$pid" || { cat "$WORK/rationd.log" >&2; echo "bench-daemon-journal: the daemon died" >&2; exit 1; }
python3 - "$sent" "$elapsed" "$read_records" "$caught" "$cpu0" "$cpu1" "$jcpu0" "$jcpu1" "$t0" "$t2" "$(getconf CLK_TCK)" "$peak_kb" "$RATE" "$rss_parts" "$peak_parts" <<'PY'
import sys
sent, elapsed, read, caught = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
c0, c1, j0, j1 = map(int, sys.argv[5:9]); t0, t2 = float(sys.argv[9]), float(sys.argv[10])
hz, peak_kb, target = int(sys.argv[11]), int(sys.argv[12]), int(sys.argv[13])
wall = t2 - t0
# CPU spent from the first line until the last was read, per second of input (the writer's
# time): the catch-up after the writer ends counts against the figure, never for it.
cpu = (c1 - c0) / hz / elapsed * 100
jcpu = (j1 - j0) / hz / elapsed * 100
rss = peak_kb / 1024
anon, mapped, shmem = sys.argv[14].split()
peak_anon, peak_mapped, peak_shmem = sys.argv[15].split()
kept = caught >= 0
# The issue's limit under load is CPU (10 % of a core); its 40 MB limit is for the idle daemon
# (scripts/bench-idle), so the RSS here is reported, not judged.
ok = kept and cpu <= 10
print(f"bench-daemon-journal: {sent} lines in {elapsed:.1f} s = {sent / elapsed:.0f} lines/s (target {target}); "
      f"daemon read {read} ({'kept up, ' + str(caught) + ' s after the writer' if kept else 'DID NOT keep up'})")
print(f"bench-daemon-journal: rationd CPU {cpu:.1f} % of one core ({(c1 - c0) / hz:.2f} CPU-s over {wall:.1f} s for {elapsed:.1f} s of input; limit 10 %), "
      f"peak RSS {rss:.1f} MiB (no limit under load; sampled peaks: anonymous {peak_anon}, file-mapped {peak_mapped}, "
      f"shmem (journal files) {peak_shmem} MiB; at the end {anon}, {mapped}, {shmem}); journald itself {jcpu:.1f} % -> {'met' if ok else 'NOT met'}")
sys.exit(0 if ok else 1)
PY
