#!/usr/bin/env python3
"""The minimal reproduction of every disagreement class the random runs
found, re-checked against the current build.

    python3 fuzz/re_diff/repros.py        (from the repository root)

For each entry: CPython's converted result and pystd's, for the named
operation, or "agree" when the class no longer reproduces.
"""

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402

# (class, pattern, flags, subject, op, extra case fields)
REPROS = [
    ("atomic group + lazy quantifier", r"(?>.+?)x", "", "abx", "search", {}),
    ("atomic group + alternation", r"(?>x*|1x)c", "", "x1xc", "search", {}),
    ("atomic group + alternation (empty branch)", rb"(?>z*9|)(?<=z)", "",
     b"z9", "search", {}),
    ("{0} of a group ending in an anchor alternative", r"(?:x|^){0}a", "",
     "ba", "search", {}),
    ("{0} of a group ending in a look-ahead alternative", r"(?:a|(?=W)){0}x",
     "", "ax", "search", {}),
    ("empty alternative, star, then the same literal", r"(?:a|)b*a", "",
     "a", "search", {}),
    ("empty alternative, star, then \\b (later matches lost)",
     r"(?:!|)x*\b", "", "a!", "findall", {}),
    ("verbose comment ending in backslash", "#\\\na", "X", "a", "search",
     {}),
    ("backslash inside (?#...)", r"(?#\))a", "", "a", "compile", {}),
    ("possessive quantifier after a comment", r"a(?#x)*+", "", "aa",
     "compile", {}),
    ("ValueError (A|U) before unbalanced parenthesis", ")", "AU", "",
     "compile", {}),
    ("ValueError (A|U) before invalid conditional reference", "(?(1)a)",
     "AU", "", "compile", {}),
    ("(fixed during the run) look-behind group reference (same look-behind)", r"(?<=(a)\1)", "",
     "", "compile", {}),
    ("(fixed during the run) look-behind conditional on an open group", r"(a(?<=(?(1)b)))", "",
     "", "compile", {}),
    ("first invalid conditional reference", r"(?(1)a)(?(2)b)", "", "",
     "compile", {}),
    ("zero-width optional group in a look-behind", r"(?<=()?)", "", "",
     "compile", {}),
    ("class range: bad escape at the end checked first", r"[\W-\q]", "", "",
     "compile", {}),
    ("class range: escaped non-ASCII endpoint", "[\\Ω-+]", "", "",
     "compile", {}),
    ("class range: non-ASCII start, octal end", "[é-\\10]", "", "",
     "compile", {}),
    ("message: unknown extension with non-ASCII", "(?<É)", "", "",
     "compile", {}),
    ("message: unknown extension with escape", r"(?<\b)", "", "",
     "compile", {}),
    ("message: non-ASCII non-letter after inline flag", "(?i²)", "", "",
     "compile", {}),
    ("message: bytes pattern", b"[\xff-\x80]", "", b"", "compile", {}),
    ("message: repr of non-printable characters", "(?(\u2000)a)", "", "",
     "compile", {}),
    ("match() with endpos < pos", r"", "", "ab", "pmatch",
     {"pos": 2, "endpos": 1}),
    ("unbounded repeat continues after an empty iteration", r"(()|.)+?", "",
     "a", "fullmatch", {}),
    ("unbounded repeat continues after an empty iteration (cond)",
     r"(?(1)a|())+", "", "a", "search", {}),
    ("(?L) in a BYTES pattern: negated class of 2+ items under I",
     rb"(?L)[^xy]", "I", b"X", "search", {}),
    ("(fixed during the run) bytes template with a non-ASCII group name", rb"x", "", b"x", "sub",
     {"r": b"\\g<\xa9>"}),
    ("CPython bug: counted possessive repeat", r"(?:a+){2}+", "", "aaa",
     "search", {}),
    ("CPython bug: possessive repeat keeps a failed capture", r"(()ϑ|)++",
     "", "ϑ", "search", {}),
    ("CPython bug: scoped (?u:) ignored by search's prefix check",
     r"(?u:\w)", "A", "é", "search", {}),
    ("documented: back reference folding", r"(S)\1", "I", "ſS", "search",
     {}),
    ("documented: finite repeat of an empty-able group", r"(|I){,4}", "",
     "I", "fullmatch", {}),
    ("star after a group of branches of several lengths", r"(?:ab|a)x*b", "",
     "ab", "search", {}),
    ("repeated look-behind inside a look-behind", r"(?<=(?<=(a))?b)c", "",
     "abc", "search", {}),
    ("(?a) with (?L) in a BYTES pattern", rb"(?a)(?L)", "", b"", "compile",
     {}),
    ("CPython bug: a conditional sees a capture of an abandoned branch",
     r"((|(?(1)a)))", "", "a", "fullmatch", {}),
    ("CPython bug: a conditional sees a capture of an abandoned lazy try",
     r"((x)*?(?(1),))y", "", "xxy", "search", {}),
    ("CPython bug: a conditional sees the mark of a possessive repeat's "
     "abandoned branch", r"(?:.(a)|.(?(1)x))*+.", "", "xab", "search", {}),
    ("documented: lastindex after a loop matched groups out of order",
     r'(?:I("?)|()y)+', "", "yI", "search.li", {}),
    ("documented: a conditional inside the repeated group it refers to",
     r"(?:x((?(1)!|i)))*", "", "xix!", "match", {}),
    ("(fixed) look-behind with a one-branch conditional of varying width "
     "(refused now, as by CPython, at PCRE2's position)",
     r"(b)?x(?<=(?(1)b)x)", "", "x", "compile", {}),
    ("CPython bug: a class range past U+FFFF folds by Unicode under "
     "re.A|re.I (RANGE_UNI_IGNORE)", "[\u0100-\U00010000]", "AI", "\xff",
     "search", {}),
]


def main():
    cases = []
    for i, (name, p, flags, s, op, extra) in enumerate(REPROS):
        case = {"id": str(i), "p": p, "flags": flags,
                "b": isinstance(p, bytes), "s": s,
                "r": b"" if isinstance(p, bytes) else "", "c": 0, "ms": 0,
                "pos": 0, "endpos": len(s)}
        case.update(extra)
        gen.oracle(case, 5)
        cases.append(case)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        gen.write_cases(cases, fh)
        name = fh.name
    env = dict(os.environ, LUA_PATH="./?.lua;./?/init.lua;;",
               LUA_CPATH="./?.so;;")
    run = os.path.join(os.path.dirname(os.path.abspath(__file__)), "run.lua")
    out = subprocess.run(["lua5.4", run, name], env=env,
                         capture_output=True).stdout.decode("utf-8", "replace")
    os.unlink(name)
    found = {}
    for line in out.splitlines():
        f = line.split("\t")
        if f[0] == "MISMATCH":
            found.setdefault(int(f[3]), []).append(f)
    for i, (name, p, flags, s, op, extra) in enumerate(REPROS):
        hits = [f for f in found.get(i, []) if f[2] == op]
        args = ", ".join("%s=%r" % kv for kv in extra.items())
        print("%2d. %s\n    %r flags=%r subject=%r op=%s %s" % (
            i + 1, name, p, flags, s, op, args))
        if not hits:
            print("    agree")
        for f in hits:
            print("    [%s] CPython %s | pystd %s %s" % (
                f[1], f[8][5:], f[9][4:], f[10] if len(f) > 10 else ""))


if __name__ == "__main__":
    main()
