#!/usr/bin/env python3
"""Generate spec/re_infix/cases.lua: patterns that hold a literal at a
bounded distance from the start of every match (what pystd.re's search by
infix scans for first: csrc/re/pattern.c, required_infix), run by CPython's
`re` over subjects with non-ASCII characters (which make pystd use its UTF
code, the one that searches by infix) and many false occurrences of the
literal.

Run from the repository root with CPython 3.11:

    python3 spec/re_infix/generate.py

(`-` as the only argument writes to standard output).  The draw is seeded,
so the file regenerates byte for byte.

Each case records, in the Lua conventions of API.md sections 1-2 (1-based
inclusive byte positions): the spans of `finditer`, the result and count
of `sub` with a template, and the span of `search` from a random
pos/endpos window (false for no match).
"""

import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "re_cases"))
from conv import search_case, write_cases  # noqa: E402

SEED = 8536
COUNT = 400

# items before the literal: bounded width, some of them multi-byte
PREFIX = [r"\d", r"\w", ".", "[a-zé]", "[^-]", "é", "x", r"\s", "(?:ab|c)",
          r"(é|x\d)", r"\b", r"(?=\w)", r"(?<=[a-z])", r"(?<!\d)", "^", "ß",
          r"\D", "[😀é]"]
ZERO_WIDTH = {r"\b", r"(?=\w)", r"(?<=[a-z])", r"(?<!\d)", "^"}
QUANT = ["", "", "", "?", "{1,3}", "{2}", "{0,2}?", "{,2}", "?+"]
# the literal: one byte, several bytes, multi-byte characters
LITERAL = ["-", ":", "@", "é", "→", "--", "a-b", "😀", r"\.", "/", "ß", "x:"]
# after it, anything (unbounded too)
SUFFIX = [r"\d+", r"\w*", "(x|y)", ".", r"\b", "$", "é?", "[^@]+?", ""]
FLAGS = [(), (), ("I",), ("M",), ("S",), ("A",), ("I", "M")]
ALPHABET = "ab cxyé-:@→9012 \nßÉX😀./kK"


def draw_pattern(rng):
    parts = []
    for _ in range(rng.randint(0, 3)):
        item = rng.choice(PREFIX)
        parts.append(item if item in ZERO_WIDTH else item + rng.choice(QUANT))
    parts.append(rng.choice(LITERAL))
    parts += [rng.choice(SUFFIX) for _ in range(rng.randint(0, 2))]
    pattern = "".join(parts)
    if rng.random() < 0.1:  # a top-level branch: no infix, same answers
        pattern += "|" + rng.choice(LITERAL)
    return pattern


def draw_subject(rng, pattern):
    literal = next((lit for lit in LITERAL if lit in pattern), "-")
    literal = literal.replace("\\", "")
    out = []
    for _ in range(rng.randint(3, 60)):
        r = rng.random()
        if r < 0.25:
            out.append(literal)
        elif r < 0.35:
            out.append(rng.choice(["2024-11-07", "é:9", "ab@x", "x→y"]))
        else:
            out.append(rng.choice(ALPHABET))
    if rng.random() < 0.9:  # non-ASCII: pystd searches with its UTF code
        out.insert(rng.randint(0, len(out)), "é")
    return "".join(out)


def case_of(rng):
    pattern = draw_pattern(rng)
    flags = rng.choice(FLAGS)
    s = draw_subject(rng, pattern)
    return search_case(rng, pattern, flags, s)


def main():
    rng = random.Random(SEED)
    write_cases("spec/re_infix/generate.py", [case_of(rng) for _ in range(COUNT)],
                os.path.join(os.path.dirname(__file__), "cases.lua"),
                sys.argv[1:] == ["-"])


if __name__ == "__main__":
    main()
