#!/usr/bin/env python3
"""CPython `re` peer of bench/re.lua (BENCH.md R1-R5).

Usage: python3 bench/peers/re_bench.py R1|R2|R3|R4|R5 CORPUS [REPS]

Prints one line per repetition (REPS, default 5): "seconds check", where
seconds is the time of one run of the workload (a run shorter than 0.2 s is
repeated until the batch takes 0.2 s, and the batch time divided) and check
is a count that shows the work matches the other systems'.
"""

import re

import corpus_runner


def r1(text):
    lines = text.splitlines()
    pattern = re.compile("the")
    search = pattern.search

    def run():
        count = 0
        for line in lines:
            if search(line):
                count += 1
        return count
    return run


def r2(text):
    pattern = re.compile(r"\bthe\b")

    def run():
        result, n = pattern.subn("---", text)
        return "%d/%d" % (n, len(result))
    return run


def r3(text):
    pattern = re.compile("[A-Za-z]+")

    def run():
        return len(pattern.findall(text))
    return run


def r4(text):
    pattern = re.compile(r"(\d{4})-(\d{2})-(\d{2})")

    def run():
        total = 0
        for m in pattern.finditer(text):
            total += int(m.group(1))
        return total
    return run


def r5(text):
    search = re.search

    def run():
        count = 0
        for _ in range(1000000):
            if search("h.*t", "alphabet"):
                count += 1
        return count
    return run


WORKLOADS = {"R1": r1, "R2": r2, "R3": r3, "R4": r4, "R5": r5}


if __name__ == "__main__":
    corpus_runner.main(WORKLOADS, __doc__)
