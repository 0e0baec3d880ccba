"""The command-line runner the CPython corpus peers share (re_bench.py,
collections_bench.py): `main(workloads, doc)` reads NAME CORPUS [REPS] from
argv, builds workloads[NAME](text) into a run function, repeats it until a
batch takes MIN_SECONDS and prints one line per repetition:
"seconds check (xN per run)"."""
import sys
import time

MIN_SECONDS = 0.2  # a shorter run is repeated (BENCH.md)


def timed_batch(run, inner):
    """Seconds for `inner` calls of run(), and the last check."""
    t0 = time.perf_counter()
    for _ in range(inner):
        check = run()
    return time.perf_counter() - t0, check


def main(workloads, doc):
    if len(sys.argv) < 3 or sys.argv[1] not in workloads:
        sys.exit(doc)
    with open(sys.argv[2], encoding="utf-8") as f:
        text = f.read()
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    run = workloads[sys.argv[1]](text)
    inner = 1
    while timed_batch(run, inner)[0] < MIN_SECONDS:  # calibrate
        inner *= 2
    for _ in range(reps):
        seconds, check = timed_batch(run, inner)
        print("%.6f %s (x%d per run)" % (seconds / inner, check, inner),
              flush=True)
