#!/usr/bin/env python3
"""Prints N log lines for `systemd-cat`, cycling through the Loghub 2k samples
(../shared/datasets/loghub-2k, Loghub terms: research use with citation) with a syslog
priority prefix (<3>..<6>), then one line "end of benchmark input"."""
import glob, os, sys

count = int(sys.argv[1])
root = sys.argv[2]
messages = []
for path in sorted(glob.glob(os.path.join(root, "*", "*_2k.log"))):
    with open(path, "rb") as f:
        messages += [line.rstrip(b"\r\n") for line in f if line.strip()]
if not messages:
    sys.exit(f"no *_2k.log under {root}")
out = sys.stdout.buffer
chunk = []
for i in range(count):
    chunk.append(b"<%d>%s\n" % (3 + i % 4, messages[i % len(messages)]))
    if len(chunk) == 10000:
        out.write(b"".join(chunk))
        chunk = []
out.write(b"".join(chunk))
out.write(b"<6>end of benchmark input\n")
