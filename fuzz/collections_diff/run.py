#!/usr/bin/env python3
"""Differential runner: python3 run.py START COUNT [--min]

For each seed, generate a scenario (gen.py), write out/s<seed>.py and
out/s<seed>.lua, run both (timeout 20 each, one at a time) and compare their
output line by line. A Lua run that dies of a signal, hangs, exits non-zero or
writes to stderr is a finding too (so is a Python run writing to stderr: a
generator bug). A disagreement is re-run once, then (with --min) minimised by
deleting operations and emptying the objects' initial contents while it stays,
leaving out/s<seed>_min.{py,lua}. Results: out/results.jsonl, one record per
seed (`first`: the first differing line of each side).
"""
import copy
import json
import re
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(HERE, "out")
sys.path.insert(0, HERE)
import gen  # noqa: E402

LUA_ROOT = os.path.abspath(os.environ.get("PYSTD_ROOT", ROOT))
ENV = dict(os.environ, LUA_PATH="./?.lua;./?/init.lua;;", LUA_CPATH="./?.so;;")


def run1(cmd):
    p = subprocess.run(["timeout", "20"] + cmd, cwd=LUA_ROOT, env=ENV,
                       capture_output=True, text=True, errors="replace")
    out = p.stdout
    if p.returncode == 124:
        out += "HANG (timeout 20)\n"
    elif p.returncode < 0 or p.returncode > 128:
        out += "SIGNAL %d\n" % (-p.returncode if p.returncode < 0 else p.returncode - 128)
    elif p.returncode != 0:
        out += "EXIT %d\n" % p.returncode
    if p.stderr:
        out += "STDERR " + p.stderr.strip().replace("\n", " / ")[:500] + "\n"
    return out


def run_scn(scn, tag):
    py, lua = gen.emit(scn)
    pf = os.path.join(OUT, tag + ".py")
    lf = os.path.join(OUT, tag + ".lua")
    with open(pf, "w") as f:
        f.write(py)
    with open(lf, "w") as f:
        f.write(lua)
    return run1(["python3", pf]), run1(["lua5.4", lf])


def first_diff(po, lo):
    pl, ll = po.splitlines(), lo.splitlines()
    for n in range(max(len(pl), len(ll))):
        a = pl[n] if n < len(pl) else "<none>"
        b = ll[n] if n < len(ll) else "<none>"
        if a != b:
            return a, b
    return None


STR_COUNT = re.compile(r"Counter\(\{.*: '")
FLOAT_COUNT = re.compile(r"Counter\(\{.*: -?\d+\.0[,}]")


def classify(first):
    """a suggested class for a first differing pair of lines (README.md);
    every minimised case is still read by hand"""
    if first is None:
        return None
    py, lua = first
    if py.startswith("<none>") or lua.startswith("<none>") or "SIGNAL" in lua \
            or "HANG" in lua or "STDERR" in lua or "EXIT" in lua:
        return "crash-or-stderr"
    if STR_COUNT.search(py) or STR_COUNT.search(lua):
        return "non-number-count"
    if ".elements: raise TypeError" in py and FLOAT_COUNT.search(py):
        return "float-count-elements"
    if ".itermut: [" in py and "raise RuntimeError: OrderedDict mutated" in lua:
        return "od-iter-after-last-key"  # fixed: see README.md
    return "unclassified"


def differs(scn, tag):
    po, lo = run_scn(scn, tag)
    if "STDERR" in po or "EXIT" in po:
        return None, po, lo
    return po != lo, po, lo


def minimize(scn, tag):
    best = copy.deepcopy(scn)
    changed = True
    while changed:
        changed = False
        # chunks first, then single operations
        n = len(best["ops"])
        size = max(1, n // 2)
        while size >= 1 and not changed:
            for s in range(0, len(best["ops"]), size):
                cand = copy.deepcopy(best)
                del cand["ops"][s:s + size]
                if differs(cand, tag)[0]:
                    best = cand
                    changed = True
                    break
            size //= 2
        if changed:
            continue
        for oi, ob in enumerate(best["objs"]):
            if ob.get("init"):
                cand = copy.deepcopy(best)
                cand["objs"][oi]["init"] = "" if isinstance(ob["init"], str) else []
                if differs(cand, tag)[0]:
                    best = cand
                    changed = True
                    break
                # drop one element of the initial contents
                for e in range(len(ob["init"])):
                    cand = copy.deepcopy(best)
                    init = cand["objs"][oi]["init"]
                    cand["objs"][oi]["init"] = init[:e] + init[e + 1:]
                    if differs(cand, tag)[0]:
                        best = cand
                        changed = True
                        break
                if changed:
                    break
    return best


def main():
    start, count = int(sys.argv[1]), int(sys.argv[2])
    do_min = "--min" in sys.argv
    os.makedirs(OUT, exist_ok=True)
    res = open(os.path.join(OUT, "results.jsonl"), "a")
    ndiff = nops = 0
    classes = {}
    for seed in range(start, start + count):
        scn = gen.Gen(seed).scenario()
        nops += len(scn["ops"])
        tag = "s%d" % seed
        d, po, lo = differs(scn, tag)
        rec = {"seed": seed, "ops": len(scn["ops"]), "diff": d}
        if d:
            d2 = differs(scn, tag)[0]
            rec["stable"] = bool(d2)
            rec["first"] = first_diff(po, lo)
            if d2:
                ndiff += 1
                if do_min:
                    m = minimize(scn, tag + "_min")
                    rec["min"] = m
                    _, mpo, mlo = differs(m, tag + "_min")
                    rec["min_first"] = first_diff(mpo, mlo)
                    rec["min_py"], rec["min_lua"] = mpo, mlo
        elif d is None:
            rec["pyerr"] = po[-2000:]
        if d:
            rec["class"] = classify(rec.get("min_first") or rec.get("first"))
            classes[rec["class"]] = classes.get(rec["class"], 0) + 1
        res.write(json.dumps(rec, ensure_ascii=False) + "\n")
        res.flush()
        print(seed, {True: "DIFF", False: "ok", None: "GENBUG"}[d], rec.get("class", ""),
              rec.get("first", ""), flush=True)
    print("scenarios: %d operations: %d diffs: %d" % (count, nops, ndiff), classes)


if __name__ == "__main__":
    main()
