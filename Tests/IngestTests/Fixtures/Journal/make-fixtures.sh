#!/bin/bash
# Rebuilds the fixture journals (needs python3, systemd-journal-remote, zstd). The files are
# generated, not captured: every entry is synthetic.
#   units.journal       30 entries over three units (nginx/sshd/cron), priorities 0-7, and
#                       one 100 KiB message (full-length fields).
#   sequence.journal    200 entries "seq N" from identifier seqtest.
#   corrupt.journal     200 entries "corrupt N"; the data object of entry 100's MESSAGE has
#                       a garbage object header.
#   truncated.journal   200 entries "truncated N", cut to 16 KiB.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
boot = "0123456789abcdef0123456789abcdef"
def entry(out, t, fields):
    out.write(f"__REALTIME_TIMESTAMP={t}\n__MONOTONIC_TIMESTAMP={t - 1700000000000000}\n_BOOT_ID={boot}\n".encode())
    for k, v in fields:
        if "\n" in v:
            data = v.encode()
            out.write(k.encode() + b"\n" + len(data).to_bytes(8, "little") + data + b"\n")
        else:
            out.write(f"{k}={v}\n".encode())
    out.write(b"\n")
with open(f"{work}/units.export", "wb") as out:
    units = ["nginx.service", "sshd.service", "cron.service"]
    for i in range(30):
        u = units[i % 3]
        entry(out, 1700000000000000 + i * 1000, [("MESSAGE", f"entry {i} from {u}"), ("PRIORITY", str(i % 8)),
              ("_SYSTEMD_UNIT", u), ("SYSLOG_IDENTIFIER", u.split(".")[0]), ("_PID", str(100 + i)),
              ("_HOSTNAME", "fixture-host")])
    big = "".join(chr(ord("a") + (i % 26)) for i in range(100 * 1024))
    entry(out, 1700000000000000 + 30 * 1000, [("MESSAGE", big), ("PRIORITY", "6"), ("_SYSTEMD_UNIT", "big.service"),
          ("SYSLOG_IDENTIFIER", "big"), ("_PID", "999"), ("_HOSTNAME", "fixture-host")])
for name, start in (("sequence", 1700001000000000), ("corrupt", 1700002000000000), ("truncated", 1700003000000000)):
    with open(f"{work}/{name}.export", "wb") as out:
        ident = "seqtest" if name == "sequence" else name
        word = "seq" if name == "sequence" else name
        for i in range(1, 201):
            entry(out, start + i * 1000, [("MESSAGE", f"{word} {i}"), ("PRIORITY", "6"), ("SYSLOG_IDENTIFIER", ident),
                  ("_PID", "42"), ("_HOSTNAME", "fixture-host")])
PY
for name in units sequence corrupt truncated; do
    rm -f "$work/$name.journal"
    /lib/systemd/systemd-journal-remote -o "$work/$name.journal" "$work/$name.export" 2>/dev/null
done
python3 - "$work/corrupt.journal" <<'PY'
import sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
at = data.find(b"corrupt 100")
assert at > 0
header = at - len(b"MESSAGE=") - 72           # DATA object: 72-byte header before the payload (v252)
data[header] = 0x7f                           # unknown object type
data[header + 8:header + 16] = (0xffffffff).to_bytes(8, "little")  # absurd size
open(path, "wb").write(data)
PY
truncate -s 16384 "$work/truncated.journal"
for name in units sequence corrupt truncated; do
    zstd -q -19 -f "$work/$name.journal" -o "$name.journal.zst"
done
ls -l *.zst
