#!/usr/bin/env python3
"""Minimise one mismatch per (case, kind) from result files; prints each
minimised case.  python3 fuzz/re_diff/minimize_all.py KIND OP-REGEX FILES...
Mismatches triage.py counts as documented are skipped."""
import re
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import triage  # noqa: E402

kind, opre, files = sys.argv[1], re.compile(sys.argv[2]), sys.argv[3:]
seen = set()
for fn in files:
    for line in open(fn, encoding="latin-1"):
        f = line.split("\t")
        if f[0] != "MISMATCH" or f[1] != kind or not opre.fullmatch(f[2]):
            continue
        if f[3] in seen or triage.documented(triage.parse(line)):
            continue
        seen.add(f[3])
        r = subprocess.run([sys.executable, "fuzz/re_diff/minimize.py", "-"],
                           input=line.encode("latin-1"), capture_output=True,
                           timeout=900)
        print("#", f[3], f[2], flush=True)
        print(r.stdout.decode("utf-8", "replace"), flush=True)
