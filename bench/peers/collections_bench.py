#!/usr/bin/env python3
"""CPython `collections` peer of bench/collections.lua (BENCH.md C1-C6).

Usage: python3 bench/peers/collections_bench.py C1|...|C6 CORPUS [REPS]

Prints one line per repetition (REPS, default 5): "seconds check", where
seconds is the time of one run of the workload (a run shorter than 0.2 s is
repeated until the batch takes 0.2 s, and the batch time divided) and check
shows the work matches the other systems'.
"""

from collections import Counter, defaultdict, deque

import corpus_runner


def c1(text):
    # Written as a user writes it: attribute calls on a local deque, no
    # pre-bound methods -- the same work as d:append(i) / d:popleft() in Lua.
    def run():
        d = deque(range(1, 1001))
        for i in range(1, 5_000_001):
            d.append(i)
            d.popleft()
        return "%d/%d" % (len(d), d[0])
    return run


def c2(text):
    def run():
        d = deque(range(1, 1001))
        for _ in range(1_000_000):
            d.rotate(1)
        return "%d" % d[0]
    return run


def c3(text):
    words = text.split()

    def run():
        c = Counter(words)
        return "%d/%d" % (len(c), c["the"])
    return run


def c4(text):
    def run():
        c = Counter(text)
        return "%d/%d" % (len(c), c["e"])
    return run


def c5(text):
    def run():
        groups = defaultdict(list)
        for i in range(2_000_000):
            groups[i % 1000].append(i)
        return "%d/%d" % (len(groups), len(groups[7]))
    return run


def c6(text):
    c = Counter()
    for i in range(1, 100_001):
        c["k%d" % i] = (i * 7919) % 1000 + 1

    def run():
        for _ in range(100):
            top = c.most_common(10)
        return "%s:%d/%s:%d" % (top[0] + top[-1])
    return run


WORKLOADS = {"C1": c1, "C2": c2, "C3": c3, "C4": c4, "C5": c5, "C6": c6}


if __name__ == "__main__":
    corpus_runner.main(WORKLOADS, __doc__)
