#!/usr/bin/env python3
"""Differential runner: python3 run.py START COUNT [--min]

For each seed, generate a scenario (gen.py), write out/<seed>.py and out/<seed>.lua,
run both (timeout 20 each, one at a time) and compare the logs. Lines printed after
the main task finished ("post: ", the cancellation of leftover tasks by run(), whose
order CPython leaves to a WeakSet) are compared as a multiset. A disagreement is
re-run once to rule out flakiness, then (with --min) minimised by deleting/unwrapping
statements while the disagreement stays. Results go to out/results.jsonl.
"""
import copy
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(HERE, "out")
sys.path.insert(0, HERE)
import gen  # noqa: E402

# The Lua side runs from LUA_ROOT: the repository root, or a built tree
# given by PYSTD_ROOT (a snapshot, while the working tree is being edited).
LUA_ROOT = os.path.abspath(os.environ.get("PYSTD_ROOT", ROOT))
ENV = dict(os.environ, LUA_PATH="./?.lua;./?/init.lua;;", LUA_CPATH="./?.so;;")


def run1(cmd):
    try:
        p = subprocess.run(["timeout", "20"] + cmd, cwd=LUA_ROOT, env=ENV, capture_output=True, text=True)
    except Exception as e:  # pragma: no cover
        return "RUNNER-ERROR %s" % e, ""
    out = p.stdout
    if p.returncode == 124:
        out += "HANG (timeout 20)\n"
    elif p.returncode != 0 and "run raised" not in out:
        out += "EXIT %d\n" % p.returncode
    return out, p.stderr


def norm(out):
    main, post = [], []
    for line in out.splitlines():
        (post if line.startswith("post: ") else main).append(line)
    return main + sorted(post)


def run_scn(scn, tag):
    py, lua = gen.emit(scn)
    pf = os.path.join(OUT, tag + ".py")
    lf = os.path.join(OUT, tag + ".lua")
    open(pf, "w").write(py)
    open(lf, "w").write(lua)
    po, pe = run1(["python3", pf])
    lo, le = run1(["lua5.4", lf])
    return po, lo, pe, le


def differs(scn, tag):
    po, lo, pe, le = run_scn(scn, tag)
    if "Traceback" in pe and "run raised" not in po and "run ->" not in po:
        return None, po, lo, pe, le  # generator bug on the python side
    return norm(po) != norm(lo), po, lo, pe, le


BODY_IDX = {"spawn": 2, "tgspawn": 3, "try": 1, "timeout": 2, "taskgroup": 2, "lock": 1, "sem": 1}


def nodes(stmts, path=()):
    """yield paths to every statement list element"""
    for i, s in enumerate(stmts):
        yield path + (i,)
        for j, x in enumerate(s):
            if BODY_IDX.get(s[0]) == j:
                yield from nodes(x, path + (i, j))
            if s[0] == "gather" and j == 1:
                for gi, it in enumerate(x):
                    if it[0] == "coro":
                        yield from nodes(it[1], path + (i, 1, gi, 1))
            if s[0] == "wait_for" and j == 1 and x[0] == "coro":
                yield from nodes(x[1], path + (i, 1, 1))


def get_list(stmts, path):
    cur = stmts
    for p in path[:-1]:
        cur = cur[p]
    return cur, path[-1]


def minimize(scn, tag):
    best = copy.deepcopy(scn)
    changed = True
    while changed:
        changed = False
        for path in sorted(nodes(best["main"]), key=len, reverse=True):
            for mode in ("delete", "unwrap", "sleep0"):
                cand = copy.deepcopy(best)
                try:
                    lst, i = get_list(cand["main"], path)
                    s = lst[i]
                except (IndexError, TypeError, KeyError):
                    continue
                if mode == "delete":
                    del lst[i]
                elif mode == "unwrap":
                    if s[0] not in BODY_IDX or s[0] in ("spawn", "tgspawn"):
                        continue
                    lst[i:i + 1] = s[BODY_IDX[s[0]]]
                else:
                    if s[0] != "sleep" or s[1] == 0:
                        continue
                    lst[i] = ["sleep", 0]
                d = differs(cand, tag)[0]
                if d:
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
    ndiff = 0
    for seed in range(start, start + count):
        scn = gen.Gen(seed).scenario()
        tag = "s%d" % seed
        d, po, lo, pe, le = differs(scn, tag)
        rec = {"seed": seed, "diff": d}
        if d:
            d2 = differs(scn, tag)[0]
            rec["stable"] = bool(d2)
            if d2:
                ndiff += 1
                if do_min:
                    m = minimize(scn, tag + "_min")
                    rec["min"] = m
                    _, po, lo, _, _ = differs(m, tag + "_min")
            rec["py"] = po
            rec["lua"] = lo
        elif d is None:
            rec["pyerr"] = pe[-2000:]
        res.write(json.dumps(rec) + "\n")
        res.flush()
        print(seed, {True: "DIFF", False: "ok", None: "GENBUG"}[d], rec.get("stable", ""), flush=True)
    print("diffs:", ndiff)


if __name__ == "__main__":
    main()
