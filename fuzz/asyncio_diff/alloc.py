#!/usr/bin/env python3
"""Allocation-failure runs of the random scenarios:

    python3 alloc.py START COUNT [RUNS_PER_SEED]      (from this folder)

For each seed, the Lua script of gen.py's scenario runs RUNS_PER_SEED times
(default 4) under the sanitizer build (build/asan, which `make check-asan`
makes), with spec/failalloc.c refusing the n-th allocation inside
asyncio.run and every later one, n drawn at random below the allocations a
whole run makes.  Then, with memory to spare, the script checks that no
libuv handle is left and that a fresh run works.  A crash, a sanitizer
report, a hang (60 s) or a failed check is a finding: it goes to
out/alloc_failures.log with the seed and n.  Rerun one with the command the
log line gives.
"""
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(HERE, "out")
# PYSTD_ROOT: a built tree to test in place of the repository root
# (a snapshot, while the working tree is being edited)
BUILT = os.path.abspath(os.environ.get("PYSTD_ROOT", ROOT))
ASAN = os.path.join(BUILT, "build", "asan")
sys.path.insert(0, HERE)
import gen  # noqa: E402

RUN_LINE = "local ok, r = pcall(asyncio.run, main)\n"
CHECKED_RUN = """local faults = require "spec.failalloc"
local uv = require "luv"
faults.fail_after(tonumber(os.getenv("FAIL_AT")))
local ok, r = pcall(asyncio.run, main)
local refused, granted = faults.stop()
assert(not uv.loop_alive(), "a libuv handle is left")
assert(asyncio.run(function() asyncio.sleep(0.001) return 42 end) == 42,
       "a fresh run fails")
print("REFUSED " .. refused .. " GRANTED " .. granted)
"""


def cc_file(name):
    return subprocess.run(["cc", "-print-file-name=" + name], text=True,
                          capture_output=True).stdout.strip()


ENV = dict(os.environ,
           LUA_PATH="%s/?.lua;%s/?/init.lua;./?.lua;;" % (ASAN, ASAN),
           LUA_CPATH="%s/?.so;;" % ASAN,
           PYSTD_INSTRUMENTED="asan",
           LD_PRELOAD="%s %s" % (cc_file("libasan.so"), cc_file("libubsan.so")),
           ASAN_OPTIONS="detect_leaks=1:abort_on_error=1",
           LSAN_OPTIONS="suppressions=%s" % os.path.join(BUILT, "spec", "lsan.supp"),
           UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")

SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:")


def script_for(seed):
    _, lua = gen.emit(gen.Gen(seed).scenario())
    assert RUN_LINE in lua, "gen.py's last lines changed"
    path = os.path.join(OUT, "a%d.lua" % seed)
    with open(path, "w") as f:
        f.write(lua.replace(RUN_LINE, CHECKED_RUN))
    return path


def run(path, n):
    """((refused, granted) or None, what went wrong or None)"""
    env = dict(ENV, FAIL_AT=str(n))
    try:
        p = subprocess.run(["lua5.4", path], cwd=BUILT, env=env, text=True,
                           capture_output=True, timeout=60,
                           errors="replace")
    except subprocess.TimeoutExpired:
        return None, "hang"
    marks = [m for m in SANITIZER_MARKS if m in p.stderr]
    refused = [line for line in p.stdout.splitlines()
               if line.startswith("REFUSED ")]
    if p.returncode != 0 or marks or not refused:
        why = "exit %d %s: %s" % (p.returncode, ",".join(marks),
                                  p.stderr.strip().splitlines()[-1:])
        return None, why
    words = refused[0].split()
    return (int(words[1]), int(words[3])), None


def report(seed, n, why, path):
    line = "seed %d n %s: %s (rerun: FAIL_AT=%s with the env of alloc.py, " \
           "lua5.4 %s)" % (seed, n, why, n, path)
    print(line, flush=True)
    with open(os.path.join(OUT, "alloc_failures.log"), "a") as f:
        f.write(line + "\n")


def main():
    start, count = int(sys.argv[1]), int(sys.argv[2])
    per_seed = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    if not os.path.exists(os.path.join(ASAN, "pystd", "asyncio.so")):
        sys.exit("build/asan is missing: run `make check-asan` once")
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(start)
    runs = findings = 0
    for seed in range(start, start + count):
        path = script_for(seed)
        whole = 10 ** 12  # refuses nothing: counts the run's allocations
        counts, why = run(path, whole)
        runs += 1
        if why is not None:
            findings += 1
            report(seed, whole, why, path)
            continue
        made, tried = counts[1], []
        for _ in range(per_seed):
            n = rng.randrange(max(made, 1))
            counts, why = run(path, n)
            runs += 1
            if why is not None:
                findings += 1
                report(seed, n, why, path)
            else:
                tried.append("%d:%d" % (n, counts[0]))
        print(seed, "allocations", made, "n:refused", " ".join(tried),
              flush=True)
    print("%d runs, %d findings" % (runs, findings))


if __name__ == "__main__":
    main()
