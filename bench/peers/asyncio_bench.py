"""CPython asyncio peer for bench/asyncio.lua (BENCH.md E1-E4).

Usage: python3 bench/peers/asyncio_bench.py E1|E2|E3|E4 [reps]
Prints one line "seconds check rss_kb=N xI" per repetition (a fresh event loop
each run): seconds per run, N the peak RSS of the process so far, I how many
runs a repetition made (a run under 0.2 s is repeated; not when reps is 1).
"""
import asyncio
import resource
import sys
import time

SWITCH_TASKS, SWITCHES = 1000, 1000          # E1
SLEEPERS = 100_000                           # E2
SPAWNS, BATCH = 1_000_000, 1000              # E3
ITEMS, QUEUE_SIZE = 1_000_000, 100           # E4
MIN_SECONDS = 0.2  # a shorter run is repeated (BENCH.md)


def spread_delay(i):
    """E2's sleep for task i: spread over [0, 1) seconds."""
    return (i * 7919 % 1000) / 1000


async def e1():
    count = 0

    async def switcher():
        nonlocal count
        for _ in range(SWITCHES):
            await asyncio.sleep(0)
            count += 1

    await asyncio.gather(*(switcher() for _ in range(SWITCH_TASKS)))
    return count


async def e2():
    async def sleeper(i):
        await asyncio.sleep(spread_delay(i))
        return 1

    tasks = [asyncio.create_task(sleeper(i)) for i in range(SLEEPERS)]
    done = 0
    for t in tasks:
        done += await t
    return done


async def e3():
    async def trivial(i):
        return i

    total = 0
    for base in range(0, SPAWNS, BATCH):
        results = await asyncio.gather(
            *(asyncio.create_task(trivial(base + k)) for k in range(BATCH)))
        total += sum(results)
    return total


async def e4():
    queue = asyncio.Queue(QUEUE_SIZE)

    async def producer():
        for i in range(1, ITEMS + 1):
            await queue.put(i)

    async def consumer():
        total = 0
        for _ in range(ITEMS):
            total += await queue.get()
        return total

    _, total = await asyncio.gather(producer(), consumer())
    return total


WORKLOADS = {"E1": e1, "E2": e2, "E3": e3, "E4": e4}


def timed_runs(workload, inner):
    """Run `workload` `inner` times; return seconds per run and the check."""
    t0 = time.perf_counter()
    for _ in range(inner):
        check = asyncio.run(workload())
    return (time.perf_counter() - t0) / inner, check


def main():
    workload = WORKLOADS[sys.argv[1]]
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    inner = 1
    while reps > 1:  # repeat a short workload until a run takes MIN_SECONDS
        seconds, _ = timed_runs(workload, inner)
        if seconds * inner >= MIN_SECONDS:
            break
        inner *= 2
    for _ in range(reps):
        seconds, check = timed_runs(workload, inner)
        rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"{seconds:.6f} {check} rss_kb={rss_kb} x{inner}", flush=True)

if __name__ == "__main__":
    main()
