#!/usr/bin/env python3
"""Group the MISMATCH lines of fuzz/re_diff/out/r*.txt into classes.

    python3 fuzz/re_diff/triage.py [fuzz/re_diff/out/r*.txt] [-v]

Mismatches that docs/re.md lists as differences from CPython are counted
under "documented" and left out of the classes:
- "Errors CPython reports without a position (look-behind requires
  fixed-width pattern) carry the position PCRE2 gives."
- "A look-behind must have a fixed length per alternative (PCRE2's rule);
  CPython requires one length for the whole look-behind, so pystd accepts
  a few look-behinds that CPython rejects."
- "With `endpos` before `pos` nothing matches; CPython's `match` alone still
  matches an empty pattern there."
A class is (kind, op, error type or message family); for each the shortest
example (pattern + subject) is printed.
"""

import collections
import glob
import re
import sys


def unquote(s):
    """The pattern as a result line shows it ("..." with \\ddd escapes)"""
    s = s[1:-1] if s[:1] == '"' and s[-1:] == '"' else s
    return re.sub(r"\\(\d{3})", lambda m: chr(int(m.group(1))), s)


def lookbehind_has_alternatives(pat):
    """Has a look-behind of the pattern (as serialised in the result line)
    alternatives at its top level?  Only those are accepted by pystd's
    per-alternative rule; a look-behind without them that pystd accepts
    and CPython refuses is no documented difference."""
    p = unquote(pat)
    i = 0
    while True:
        i = p.find("(?<", i)
        if i < 0:
            return False
        escaped = (i - len(p[:i].rstrip("\\"))) % 2   # after an odd run of \\
        if p[i + 3:i + 4] not in ("=", "!") or escaped:
            i += 3
            continue
        j, depth, cls = i + 4, 1, False
        while j < len(p) and depth:
            c = p[j]
            if c == "\\":
                j += 2
                continue
            if cls:
                if c == "]":
                    cls = False
            elif c == "[":
                cls = True
                j += 1
                if p[j:j + 1] == "^":
                    j += 1
                if p[j:j + 1] == "]":   # a literal ']' first in a class
                    j += 1
                continue
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            elif c == "|" and depth == 1:
                return True
            j += 1
        i += 3


def documented(f):
    kind, op, want, got, extra = f["kind"], f["op"], f["want"], f["got"], \
        f["extra"]
    if kind == "pos" and op == "compile" and want == "nil" and \
            "look-behind requires fixed-width" in extra:
        return "lookbehind-pos"
    if kind == "outcome" and op == "compile" and want == "ERR:re.error" and \
            got.startswith("OK") and "look-behind requires fixed-width" in extra \
            and lookbehind_has_alternatives(f["pat"]):
        return "lookbehind-accept"
    # "With `endpos` before `pos` nothing matches; CPython's `match` alone
    # still matches an empty pattern there"
    m = re.search(r"pos=(\d+) endpos=(\d+)", f["args"])
    if op == "pmatch" and got == "nil" and m and int(m.group(1)) > int(m.group(2)) + 1:
        return "endpos-before-pos"
    return None


def signature(f):
    kind, op = f["kind"], f["op"]
    if kind in ("outcome", "pos", "msg"):
        m = re.search(r'(?:py)?msg="([^"]*)', f["extra"])
        fam = re.sub(r"\\\d{3}|'[^']*'|\d+", "#", m.group(1))[:40] if m else ""
        return (kind, op, f["want"][:20], f["got"][:20], fam)
    if kind == "luaerror":
        return (kind, op, re.sub(r"\d+", "#", f["got"])[:60])
    return (kind, op)


def parse(line):
    parts = line.rstrip("\n").split("\t")
    if len(parts) < 10:
        return None
    return {"kind": parts[1], "op": parts[2], "id": parts[3],
            "pat": parts[4], "flags": parts[5], "subj": parts[6],
            "args": parts[7], "want": parts[8][5:], "got": parts[9][4:],
            "extra": parts[10] if len(parts) > 10 else "", "line": line}


def main():
    files = [a for a in sys.argv[1:] if not a.startswith("-")] or \
        sorted(glob.glob("fuzz/re_diff/out/r*.txt"))
    verbose = "-v" in sys.argv
    classes = collections.defaultdict(list)
    doc = collections.Counter()
    totals = collections.Counter()
    ncases = nlimit = 0
    for fn in files:
        with open(fn, encoding="latin-1") as fh:
            for line in fh:
                if line.startswith("COUNTS"):
                    for kv in line.split()[1:]:
                        k, v = kv.split("=")
                        if k == "cases":
                            ncases += int(v)
                        elif k == "matchlimit":
                            nlimit += int(v)
                        elif k != "mismatches":
                            totals[k] += int(v)
                    continue
                f = parse(line)
                if not f:
                    continue
                d = documented(f)
                if d:
                    doc[d] += 1
                    continue
                classes[signature(f)].append(f)
    print("cases %d, match-limit errors %d" % (ncases, nlimit))
    print("per op:", " ".join("%s=%d" % kv for kv in sorted(totals.items())))
    print("documented:", dict(doc))
    for sig, fs in sorted(classes.items(), key=lambda kv: -len(kv[1])):
        best = min(fs, key=lambda f: len(f["pat"]) + len(f["subj"]))
        print("\n== %d x %s" % (len(fs), sig))
        print(best["line"].rstrip("\n"))
        if verbose:
            for f in fs[:5]:
                print("   ", f["line"].rstrip("\n")[:300])


if __name__ == "__main__":
    main()
