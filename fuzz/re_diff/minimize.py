#!/usr/bin/env python3
"""Shrink one disagreement found by run.lua.

    python3 fuzz/re_diff/minimize.py 'MISMATCH<TAB>value<TAB>search<TAB>...'
    grep ... fuzz/re_diff/out/r5.txt | head -1 | python3 fuzz/re_diff/minimize.py -

Repeatedly deletes chunks of the pattern, the subject and the template
(and zeroes count/maxsplit), re-asks CPython for every candidate, runs all
candidates of a round through pystd in one lua5.4 process, and keeps the
first candidate that still shows a mismatch of the same kind on the same
operation.  Prints the smallest case found.  Run from the repository root.
"""

import os
import re as pyre
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402

ENV = dict(os.environ, LUA_PATH="./?.lua;./?/init.lua;;",
           LUA_CPATH="./?.so;;")
RUN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "run.lua")


def unq(s):
    """Inverse of the q() serialisation: "..." with \\ddd escapes -> bytes"""
    assert s[0] == '"' and s[-1] == '"', s
    s = s[1:-1]
    out = bytearray()
    i = 0
    while i < len(s):
        if s[i] == "\\":
            out.append(int(s[i + 1:i + 4]))
            i += 4
        else:
            out.append(ord(s[i]))
            i += 1
    return bytes(out)


def parse(line):
    f = line.rstrip("\n").split("\t")
    kind, op = f[1], f[2]
    flags = f[5][len("flags="):]
    isbytes = flags.endswith("B")
    flags = flags.rstrip("B")
    p, s = unq(f[4]), unq(f[6])
    m = pyre.match(r'repl=(".*") count=(-?\d+) maxsplit=(-?\d+) .*\(py (\d+),(\d+)\)',
                   f[7])
    r = unq(m.group(1))
    if not isbytes:
        p, s, r = p.decode(), s.decode(), r.decode()
    case = {"p": p, "flags": flags, "b": isbytes, "s": s, "r": r,
            "c": int(m.group(2)), "ms": int(m.group(3)),
            "pos": int(m.group(4)), "endpos": int(m.group(5))}
    return kind, op, case


def clone(case, **kw):
    c = dict(case)
    c.update(kw)
    n = len(c["s"])
    c["pos"] = min(c["pos"], n)
    c["endpos"] = min(c["endpos"], n)
    return c


def deletions(seq):
    n = len(seq)
    size = n
    seen = set()
    while size >= 1:
        for i in range(0, n - size + 1):
            cand = seq[:i] + seq[i + size:]
            if cand not in seen:
                seen.add(cand)
                yield cand
        size //= 2


def candidates(case):
    for key in ("p", "s", "r"):
        for v in deletions(case[key]):
            yield clone(case, **{key: v})
    if case["c"]:
        yield clone(case, c=0)
    if case["ms"]:
        yield clone(case, ms=0)
    if case["flags"]:
        for i in range(len(case["flags"])):
            yield clone(case, flags=case["flags"][:i] + case["flags"][i + 1:])
    if case["endpos"] != len(case["s"]):
        yield clone(case, endpos=len(case["s"]))
    if case["pos"]:
        yield clone(case, pos=0)


def mismatches(cases):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        gen.write_cases(cases, fh)
        name = fh.name
    try:
        out = subprocess.run(["lua5.4", RUN, name], env=ENV,
                             capture_output=True, timeout=600).stdout
    finally:
        os.unlink(name)
    found = {}
    for line in out.decode("latin-1").splitlines():
        f = line.split("\t")
        if f[0] == "MISMATCH":
            found.setdefault(f[3], []).append((f[1], f[2], line))
    return found


def size(c):
    return len(c["p"]) + len(c["s"]) + len(c["r"]) + len(c["flags"]) + \
        (c["c"] != 0) + (c["ms"] != 0)


def main():
    line = sys.stdin.readline() if sys.argv[1] == "-" else sys.argv[1]
    kind, op, case = parse(line)
    case["id"] = "0"
    while True:
        cands = []
        for i, c in enumerate(candidates(case)):
            c["id"] = str(i)
            if gen.oracle(c, 2):
                cands.append(c)
        if not cands:
            break
        found = mismatches(cands)
        best = None
        for c in cands:
            for k, o, l in found.get(c["id"], []):
                if k == kind and o == op:
                    if best is None or size(c) < size(best[0]):
                        best = (c, l)
        if best is None or size(best[0]) >= size(case):
            break
        case, last = best
        sys.stderr.write("size %d\n" % size(case))
    final = dict(case, id="min")
    gen.oracle(final, 2)
    found = mismatches([final])
    print("pattern=%r flags=%r subject=%r repl=%r count=%d maxsplit=%d "
          "pos=%d endpos=%d" % (case["p"], case["flags"] + ("B" if case["b"] else ""),
                                case["s"], case["r"], case["c"], case["ms"],
                                case["pos"], case["endpos"]))
    for k, o, l in found.get("min", []):
        f = l.split("\t")
        print("  %s %s: %s | %s %s" % (k, o, f[8], f[9], f[10] if len(f) > 10 else ""))


if __name__ == "__main__":
    main()
