#!/usr/bin/env python3
"""Generate spec/re_prefix/cases.lua: patterns whose every match starts
with a literal of two bytes or more, after any \\b (what pystd.re's search
by prefix scans for first: csrc/re/pattern.c, required_prefix, and the
neighbour sieve of find_literal), run by CPython's `re` over long subjects
(the 16-byte scan steps) full of occurrences of the literal whose
neighbours are word and non-word characters, ASCII and not.

Run from the repository root with CPython 3.11:

    python3 spec/re_prefix/generate.py

(`-` as the only argument writes to standard output).  The draw is seeded,
so the file regenerates byte for byte.

Each case records, in the Lua conventions of API.md sections 1-2 (1-based
inclusive byte positions): the spans of `finditer`, the result and count
of `sub` with a template, and the span of `search` from a random
pos/endpos window (false for no match).
"""

import os
import random
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "re_cases"))
from conv import search_case, write_cases  # noqa: E402

SEED = 2024
COUNT = 300

# the literal: word and non-word bytes at either end, multi-byte characters
LITERAL = ["the", "th", "ab", "-x", "x-", "--", "_1", "9a", "aé", "éa",
           "a b", "x.y", "ß_", "→a"]
BEFORE = [r"\b", r"\b", r"\b", "", r"\b\b", r"\B"]
AFTER = [r"\b", r"\b", r"\b", "", r"\b\b", r"\B"]
SUFFIX = ["", "", "", r"\w*", r"\d", "s?", "(x|-)", r"\b\w"]
FLAGS = [(), (), (), ("A",), ("M",), ("I",), ("A", "M")]
# neighbours: ASCII word and non-word, non-ASCII letters (word characters
# under Unicode rules only) and a non-ASCII non-word character
ALPHABET = ["a", "b", "x", "e", "t", "h", "_", "1", "9", " ", "-", ".",
            "\n", "é", "ß", "É", "→", "·"]


def draw_pattern(rng):
    literal = rng.choice(LITERAL)
    pattern = (rng.choice(BEFORE) + re.escape(literal) + rng.choice(AFTER)
               + rng.choice(SUFFIX))
    return pattern, literal


def draw_subject(rng, literal):
    out = []
    ascii_only = rng.random() < 0.5
    alphabet = [c for c in ALPHABET if not ascii_only or c < "\x80"]
    for _ in range(rng.randint(10, 120)):
        r = rng.random()
        if r < 0.3:
            out.append(literal)
        else:
            out.append(rng.choice(alphabet))
    return "".join(out)


def case_of(rng):
    pattern, literal = draw_pattern(rng)
    flags = rng.choice(FLAGS)
    s = draw_subject(rng, literal)
    return search_case(rng, pattern, flags, s)


def main():
    rng = random.Random(SEED)
    write_cases("spec/re_prefix/generate.py", [case_of(rng) for _ in range(COUNT)],
                os.path.join(os.path.dirname(__file__), "cases.lua"),
                sys.argv[1:] == ["-"])


if __name__ == "__main__":
    main()
