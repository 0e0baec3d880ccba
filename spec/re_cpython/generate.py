#!/usr/bin/env python3
"""Generate spec/re_cpython/cases.lua from CPython's own regression table,
Lib/test/re_tests.py, evaluated by CPython's `re` the way
Lib/test/test_re.py's test_re_tests does.

Run from the repository root with CPython 3.11:

    python3 spec/re_cpython/generate.py

(it writes spec/re_cpython/cases.lua; `-` as the only argument writes to
standard output instead).

For every (pattern, subject, outcome[, expression, expected]) tuple of
`tests`:

- SYNTAX_ERROR: CPython's re.compile raises re.error; the case records its
  msg and pos (1-based byte position in the pattern, as API.md section 2).
- FAIL: re.compile(pattern).search(subject) is None.
- SUCCEED: the search matches; the case records the span of every group
  (1-based byte positions, end inclusive, API.md section 1; `false` for an
  unmatched group), their texts (`false` = unmatched, which pystd's
  m:group gives as nil, API.md section 2), the variables the expression
  uses (`found`, `g1`..`g99`, group names) with CPython's values in the
  same shape ({raises = "IndexError"} for a group number beyond the
  pattern's, which the harness writes as the string 'Error'), the
  expression itself translated to Lua (`+` becomes `..`), and what CPython
  evaluates it to (always equal to the table's expected value; the
  generator checks).

  test_re_tests also searches in four variants, each only asserted to
  match; the case records CPython's span for each (false if CPython finds
  nothing, nil if the variant does not apply):
  - `bytes`: pattern and subject as bytes (ASCII cases only): re.BYTES;
  - `range`: obj.search(s, start, end + 1), skipped for patterns that begin
    or end with \\B; converted to p:search(s, pos, endpos);
  - `icase`: compiled with re.IGNORECASE;
  - `unicode`: compiled with re.UNICODE.

Skipped: no case of the table needs skipping (every pattern and subject is
a str; every one is UTF-8-representable). The harness's "locale-sensitive
match" variant (re.LOCALE on the bytes form) is left out for every case:
pystd has no re.LOCALE (docs/re.md: it raises ValueError), and CPython only
prints a message when it fails.
"""

import ast
import os
import re
import sys
import sysconfig
import warnings

warnings.simplefilter("ignore", FutureWarning)
warnings.simplefilter("ignore", DeprecationWarning)

# Lib/test of the running CPython (3.11.7 here: .../lib/python3.11/test)
sys.path.insert(0, sysconfig.get_paths()["stdlib"])
from test.re_tests import tests, SUCCEED, FAIL, SYNTAX_ERROR  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "re_cases"))
from conv import byte_offset, lua_span, lua_string, lua_value  # noqa: E402

OUTCOME = {SUCCEED: "SUCCEED", FAIL: "FAIL", SYNTAX_ERROR: "SYNTAX_ERROR"}


# {====== conversion to the Lua conventions ======

# }======

# {====== Lua literals ======

KEY_ORDER = ["n", "pattern", "subject", "outcome", "compiles", "error",
             "matches", "spans", "texts", "expr_py", "expr", "vars", "value",
             "expected", "variants"]




# }======

# {====== the expression ======

def expr_to_lua(expr):
    """The harness's expression (names, string constants and +) as Lua;
    also returns the names it uses."""
    names = []

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return walk(node.left) + " .. " + walk(node.right)
        if isinstance(node, ast.Name):
            if node.id not in names:
                names.append(node.id)
            return node.id
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return lua_string(node.value)
        raise SystemExit("unsupported expression %r" % expr)

    return walk(ast.parse(expr, mode="eval")), names


def harness_group(m, g):
    """m.group(g) as test_re_tests writes it: "None", "Error" or the text."""
    try:
        gi = m.group(g)
    except IndexError:
        return "Error"
    return "None" if gi is None else gi


def harness_vars(m):
    """test_re_tests's vardict, exactly."""
    vardict = {"found": m.group(0), "groups": m.group(),
               "flags": m.re.flags}
    for i in range(1, 100):
        vardict["g%d" % i] = harness_group(m, i)
    for name in m.re.groupindex.keys():
        vardict[name] = harness_group(m, name)
    return vardict


def var_value(m, name):
    """The value of the harness variable `name` in pystd's shape: the text,
    False for an unmatched group, {raises = "IndexError"} for a bad one."""
    if name == "found":
        return m.group(0)
    if re.fullmatch(r"g\d+", name):
        key = int(name[1:])
    elif name in m.re.groupindex:
        key = name
    else:
        raise SystemExit("unknown variable %r" % name)
    try:
        value = m.group(key)
    except IndexError:
        return {"raises": "IndexError"}
    return False if value is None else value


# }======

CASES = []
NOTES = []


def variant_span(pattern, subject, flags=0, pos=None, endpos=None):
    p = re.compile(pattern, flags)
    m = p.search(subject) if pos is None else p.search(subject, pos, endpos)
    return lua_span(subject, m.span()) if m else False


def convert(index, t):
    if len(t) == 5:
        pattern, s, outcome, expr, expected = t
    elif len(t) == 3:
        (pattern, s, outcome), expr, expected = t, None, None
    else:
        raise SystemExit("bad tuple %r" % (t,))
    case = {"n": index, "pattern": pattern, "subject": s,
            "outcome": OUTCOME[outcome]}
    try:
        obj = re.compile(pattern)
    except re.error as e:
        case["compiles"] = False
        case["error"] = {"msg": e.msg,
                         "pos": None if e.pos is None
                         else byte_offset(pattern, e.pos) + 1}
        if outcome != SYNTAX_ERROR:
            NOTES.append("case %d: CPython raises but the table says %s"
                         % (index, OUTCOME[outcome]))
        return case
    case["compiles"] = True
    if outcome == SYNTAX_ERROR:
        NOTES.append("case %d: CPython compiles a SYNTAX_ERROR case" % index)
    result = obj.search(s)
    case["matches"] = result is not None
    if outcome == FAIL:
        if result is not None:
            NOTES.append("case %d: CPython matches a FAIL case" % index)
        return case
    if result is None:
        NOTES.append("case %d: CPython does not match a SUCCEED case" % index)
        return case
    n = obj.groups
    case["spans"] = [lua_span(s, result.span(g)) for g in range(n + 1)]
    case["texts"] = [False if result.group(g) is None else result.group(g)
                     for g in range(n + 1)]
    lua_expr, names = expr_to_lua(expr)
    case["expr_py"] = expr
    case["expr"] = lua_expr
    case["vars"] = {name: var_value(result, name) for name in names}
    value = eval(expr, harness_vars(result))
    case["value"] = value
    if value != expected:
        NOTES.append("case %d: CPython evaluates %r to %r, the table "
                     "expects %r" % (index, expr, value, expected))
    case["expected"] = expected
    # the variants of test_re_tests (each asserted to match)
    variants = {}
    start, end = result.span(0)
    try:
        bpat, bs = bytes(pattern, "ascii"), bytes(s, "ascii")
    except UnicodeEncodeError:
        pass
    else:
        variants["bytes"] = variant_span(bpat, bs)
    if pattern[:2] != r"\B" and pattern[-2:] != r"\B":
        endpos = min(end + 1, len(s))
        variants["range"] = variant_span(pattern, s, 0, start, end + 1)
        variants["range_pos"] = byte_offset(s, start) + 1
        variants["range_endpos"] = byte_offset(s, endpos)
    variants["icase"] = variant_span(pattern, s, re.IGNORECASE)
    variants["unicode"] = variant_span(pattern, s, re.UNICODE)
    case["variants"] = variants
    return case


def main():
    for index, t in enumerate(tests, 1):
        CASES.append(convert(index, t))
    path = "spec/re_cpython/cases.lua"
    out = sys.stdout if sys.argv[1:] == ["-"] else open(path, "w")
    counts = {}
    for c in CASES:
        counts[c["outcome"]] = counts.get(c["outcome"], 0) + 1
    out.write("-- luacheck: no max line length\n")
    out.write("-- Generated by spec/re_cpython/generate.py from CPython %s's\n"
              "-- Lib/test/re_tests.py (`tests`), evaluated by CPython's re "
              "as\n-- Lib/test/test_re.py's test_re_tests does.\n"
              % sys.version.split()[0])
    out.write("-- Do not edit: change the generator and run it again:\n"
              "--   python3 spec/re_cpython/generate.py\n")
    out.write("-- %d cases (%s); positions converted to 1-based inclusive "
              "byte positions.\n" % (len(CASES), ", ".join(
                  "%d %s" % (v, k) for k, v in sorted(counts.items()))))
    out.write("-- Skipped: no case (all %d are str patterns and subjects, "
              "all UTF-8-representable).\n" % len(tests))
    out.write("-- Left out of every case: the harness's 'locale-sensitive "
              "match' variant\n-- (re.LOCALE on the bytes form): pystd has "
              "no re.LOCALE (it raises ValueError),\n-- and CPython's harness "
              "only prints a message when that variant fails.\n")
    out.write("-- Fields: n (1-based index in `tests`), pattern, subject, "
              "outcome, compiles,\n-- error {msg, pos} (compile errors), "
              "matches, spans/texts (group 0..n; false =\n-- unmatched), "
              "expr_py (the table's expression), expr (the same in Lua),\n"
              "-- vars (the values it uses: text, false = unmatched group, "
              "{raises =\n-- \"IndexError\"} = no such group), value (CPython's "
              "result), expected (the\n-- table's), variants {bytes, range "
              "(+ range_pos, range_endpos), icase, unicode}\n-- (CPython's "
              "span of each variant search, false = no match).\n")
    for note in NOTES:
        out.write("-- NOTE: %s\n" % note)
    out.write("return {\n")
    for case in CASES:
        out.write("  " + lua_value(case, KEY_ORDER) + ",\n")
    out.write("}\n")
    if out is not sys.stdout:
        out.close()
        print("wrote %s: %d cases" % (path, len(CASES)), file=sys.stderr)


if __name__ == "__main__":
    main()
