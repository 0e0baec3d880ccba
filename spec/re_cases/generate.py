#!/usr/bin/env python3
"""Generate spec/re_cases/cases.lua: pystd.re test cases whose expected
results come from CPython's own `re` module.

Run from the repository root (CPython 3.11 or later):

    python3 spec/re_cases/generate.py > spec/re_cases/cases.lua

Each case is a Lua table with a `kind`, the pattern, symbolic flags
({"I", "M"}), the subject and the expected result, already converted to the
conventions of docs/API.md §1-2:

- positions are 1-based byte positions, end inclusive: Python's character
  span (s, e) becomes (byte(s) + 1, byte(e)); an empty match at p spans
  p, p - 1;
- `pos` arguments become byte(pos) + 1, `endpos` becomes byte(endpos);
- an unmatched group inside an array is `false` (split) or "" (findall);
- error positions become byte(pos) + 1 in the pattern (or the template).

Strings are emitted as Lua literals with every byte outside printable ASCII
written as a three-digit decimal escape, so the file is plain ASCII.
"""

import re
import sys
import warnings

from conv import byte_offset, lua_span, lua_value

# "[[]" is a FutureWarning (possible nested set), and fine
warnings.simplefilter("ignore", FutureWarning)

FLAG_BITS = [("I", re.I), ("M", re.M), ("S", re.S), ("X", re.X),
             ("A", re.A), ("U", re.U)]


# {====== conversion to the Lua conventions ======

def flag_names(flags):
    return [name for name, bit in FLAG_BITS if flags & bit]


# }======

# {====== Lua literals ======

KEY_ORDER = ["kind", "desc", "pattern", "flags", "subject", "repl", "count",
             "maxsplit", "pos", "endpos", "expect"]



# }======

# {====== case builders ======

CASES = []


def py_flags(flags):
    names = ["re." + n for n in flags]
    return "|".join(names)


def compile_flags(names, is_bytes):
    """The bit set of symbolic flag names (bytes patterns need no flag)."""
    bits = 0
    for n in names:
        bits |= dict(FLAG_BITS)[n]
    return bits


def with_bytes_flag(names, subject):
    return names + (["BYTES"] if isinstance(subject, bytes) else [])


def match_result(m, s):
    """The expected shape of a Match: spans and texts per group, lastindex,
    lastgroup, groupdict, pos/endpos."""
    if m is None:
        return False
    n = m.re.groups
    spans, texts = [], []
    for g in range(n + 1):
        spans.append(lua_span(s, m.span(g)))
        t = m.group(g)
        texts.append(False if t is None else t)
    names = {}
    for name, index in m.re.groupindex.items():
        names[name] = index
    groupdict = {k: v for k, v in m.groupdict().items() if v is not None}
    return {
        "spans": spans,
        "texts": texts,
        "lastindex": m.lastindex,
        "lastgroup": m.lastgroup,
        "groupindex": names,
        "groupdict": groupdict,
        "pos": byte_offset(s, m.pos) + 1,
        "endpos": byte_offset(s, m.endpos),
    }


def add_match(kind, pattern, subject, flags=(), pos=None, endpos=None):
    flags = list(flags)
    p = re.compile(pattern, compile_flags(flags, isinstance(subject, bytes)))
    args = [subject]
    if pos is not None:
        args.append(pos)
        if endpos is not None:
            args.append(endpos)
    m = getattr(p, kind)(*args)
    if pos is None:
        desc = "re.%s(%r, %r%s)" % (kind, pattern, subject,
                                    ", " + py_flags(flags) if flags else "")
    else:
        desc = "re.compile(%r%s).%s(%s)" % (
            pattern, ", " + py_flags(flags) if flags else "", kind,
            ", ".join(repr(a) for a in args))
    case = {
        "kind": kind,
        "desc": desc,
        "pattern": pattern,
        "flags": with_bytes_flag(flags, subject),
        "subject": subject,
        "expect": match_result(m, subject),
    }
    if pos is not None:
        case["pos"] = byte_offset(subject, pos) + 1
        if endpos is not None:
            case["endpos"] = byte_offset(subject, endpos)
    CASES.append(case)


def add_smf(pattern, subject, flags=()):
    """search, match and fullmatch of one pattern on one subject."""
    for kind in ("search", "match", "fullmatch"):
        add_match(kind, pattern, subject, flags)


def add_findall(pattern, subject, flags=(), pos=None, endpos=None):
    flags = list(flags)
    p = re.compile(pattern, compile_flags(flags, isinstance(subject, bytes)))
    args = [subject]
    if pos is not None:
        args.append(pos)
        if endpos is not None:
            args.append(endpos)
    result = p.findall(*args)
    expect = [list(x) if isinstance(x, tuple) else x for x in result]
    if pos is None:
        desc = "re.findall(%r, %r%s)" % (pattern, subject,
                                         ", " + py_flags(flags) if flags else "")
    else:
        desc = "re.compile(%r).findall(%s)" % (
            pattern, ", ".join(repr(a) for a in args))
    case = {"kind": "findall", "desc": desc, "pattern": pattern,
            "flags": with_bytes_flag(flags, subject), "subject": subject,
            "expect": expect}
    if pos is not None:
        case["pos"] = byte_offset(subject, pos) + 1
        if endpos is not None:
            case["endpos"] = byte_offset(subject, endpos)
    CASES.append(case)


def add_finditer(pattern, subject, flags=()):
    flags = list(flags)
    p = re.compile(pattern, compile_flags(flags, isinstance(subject, bytes)))
    expect = []
    for m in p.finditer(subject):
        expect.append([lua_span(subject, m.span(g))
                       for g in range(p.groups + 1)])
    CASES.append({
        "kind": "finditer",
        "desc": "re.finditer(%r, %r%s)" % (pattern, subject,
                                           ", " + py_flags(flags) if flags else ""),
        "pattern": pattern, "flags": with_bytes_flag(flags, subject),
        "subject": subject, "expect": expect})


def add_sub(pattern, repl, subject, count=0, flags=(), kind="sub"):
    flags = list(flags)
    result, n = re.subn(pattern, repl, subject, count=count,
                        flags=compile_flags(flags, isinstance(subject, bytes)))
    extra = ""
    if count:
        extra += ", count=%d" % count
    if flags:
        extra += ", flags=" + py_flags(flags)
    CASES.append({
        "kind": kind,
        "desc": "re.%s(%r, %r, %r%s)" % (kind, pattern, repl, subject, extra),
        "pattern": pattern, "flags": with_bytes_flag(flags, subject),
        "subject": subject, "repl": repl, "count": count,
        "expect": [result, n]})


def add_split(pattern, subject, maxsplit=0, flags=()):
    flags = list(flags)
    result = re.split(pattern, subject, maxsplit=maxsplit,
                      flags=compile_flags(flags, isinstance(subject, bytes)))
    extra = ""
    if maxsplit:
        extra += ", maxsplit=%d" % maxsplit
    if flags:
        extra += ", flags=" + py_flags(flags)
    CASES.append({
        "kind": "split",
        "desc": "re.split(%r, %r%s)" % (pattern, subject, extra),
        "pattern": pattern, "flags": with_bytes_flag(flags, subject),
        "subject": subject, "maxsplit": maxsplit,
        "expect": [False if x is None else x for x in result]})


def add_escape(subject):
    CASES.append({"kind": "escape", "desc": "re.escape(%r)" % subject,
                  "subject": subject, "expect": re.escape(subject)})


def error_result(e):
    """Expected error object: type, msg, pos (1-based byte offset in the
    pattern, or the template for sub errors, when CPython knows it)."""
    if isinstance(e, re.error):
        result = {"type": "re.error", "msg": e.msg}
        if e.pos is not None:
            result["pos"] = byte_offset(e.pattern, e.pos) + 1
        return result
    return {"type": type(e).__name__, "msg": str(e)}


def add_error(pattern, flags=()):
    flags = list(flags)
    try:
        re.compile(pattern, compile_flags(flags, False))
    except (re.error, ValueError) as e:
        expect = error_result(e)
    else:
        raise SystemExit("pattern compiles: %r" % pattern)
    CASES.append({
        "kind": "error",
        "desc": "re.compile(%r%s)" % (pattern, ", " + py_flags(flags)
                                      if flags else ""),
        "pattern": pattern, "flags": flags, "expect": expect})


def add_sub_error(pattern, repl, subject):
    try:
        re.sub(pattern, repl, subject)
    except (re.error, IndexError) as e:
        expect = error_result(e)
    else:
        raise SystemExit("template works: %r" % repl)
    CASES.append({
        "kind": "sub_error",
        "desc": "re.sub(%r, %r, %r)" % (pattern, repl, subject),
        "pattern": pattern, "flags": [], "subject": subject, "repl": repl,
        "expect": expect})


def add_compile(pattern, flags=()):
    flags = list(flags)
    p = re.compile(pattern, compile_flags(flags, False))
    CASES.append({
        "kind": "compile",
        "desc": "re.compile(%r%s)" % (pattern, ", " + py_flags(flags)
                                      if flags else ""),
        "pattern": pattern, "flags": flags,
        "expect": {"groups": p.groups, "groupindex": dict(p.groupindex)}})

# }======

# {====== the cases ======


def search_family():
    # literals, classes, anchors (the tour's own examples first)
    add_smf("a.*a", "alphabet")
    add_smf("h.*t", "alphabet")
    add_smf("a.*z", "alphabet")
    add_smf("l(.*)e", "alphabet")
    add_smf("the", "To where it bent in the undergrowth;")
    add_smf("", "")
    add_smf("", "abc")
    add_smf("abc", "abc")
    add_smf("abc", "xabcx")
    add_smf("a|b|c", "zzc")
    add_smf("[a-c]+", "xxbcay")
    add_smf("[^a-c]+", "abcxyzabc")
    add_smf(r"[\]\-]+", "a]-]b")
    add_smf("[]a]+", "]a]b")
    add_smf(r"[\b]", "a\bb")
    add_smf(r"\d+", "abc 12345 def")
    add_smf(r"\D+", "12ab34")
    add_smf(r"\w+", "  hello_world42  ")
    add_smf(r"\W+", "abc, def")
    add_smf(r"\s+", "a \t\n b")
    add_smf(r"\S+", "   xyz  ")
    add_smf(r"\bfoo\b", "a foo b")
    add_smf(r"\bfoo\b", "afoob")
    add_smf(r"\Bfoo\B", "afoob")
    add_smf(r"^abc$", "abc")
    add_smf(r"^abc$", "abc\n")
    add_smf(r"abc\Z", "abc\n")
    add_smf(r"abc\Z", "xabc")
    add_smf(r"\Aabc", "abc")
    add_smf(r"\Aabc", "xabc")
    add_smf(r"a$", "a\nb")
    add_smf(r"^b", "a\nb")
    add_smf(r"^b", "a\nb", ["M"])
    add_smf(r"a$", "a\nb", ["M"])
    add_smf(r"a.c", "a\nc")
    add_smf(r"a.c", "a\nc", ["S"])
    add_smf(r"(?s)a.c", "a\nc")
    add_smf(r"a.c", "a\rc")
    add_smf(r"ABC", "xabcx", ["I"])
    add_smf(r"(?i)abc", "ABC")
    add_smf(r"a(?i:b)c", "aBc")
    add_smf(r"a(?i:b)c", "aBC")
    add_smf(r"(?i)a(?-i:b)c", "AbC")
    add_smf(r"(?i)a(?-i:b)c", "ABC")
    add_smf(r"\x41\101\u0042", "xAAB")
    add_smf(r"\t\n", "a\t\nb")
    add_smf(r"a\.b", "a.b")
    add_smf(r"a\.b", "axb")
    add_smf(r"\$\^\*", "x$^*")
    # quantifiers
    add_smf(r"ab*", "abbbc")
    add_smf(r"ab+", "ac")
    add_smf(r"ab?c", "abc")
    add_smf(r"a{3}", "aaaa")
    add_smf(r"a{2,3}", "aaaa")
    add_smf(r"a{2,}", "aaaaa")
    add_smf(r"a{,2}", "aaaa")
    add_smf(r"xa{,2}", "xaaaa")
    add_smf(r"a{,}", "aaa")
    add_smf(r"a{", "a{")
    add_smf(r"a{x}", "a{x}")
    add_smf(r"a{1,2", "a{1,2")
    add_smf(r"a{}", "a{}")
    add_smf(r"x{0}y", "xy")
    # non-greedy
    add_smf(r"<.*>", "<a><b>")
    add_smf(r"<.*?>", "<a><b>")
    add_smf(r"a+?", "aaa")
    add_smf(r"a??b", "ab")
    add_smf(r"a{2,3}?", "aaaa")
    add_smf(r"a{,3}?b", "aab")
    add_smf(r"(a+?)(a*)", "aaaa")
    # possessive and atomic
    add_smf(r"a*+a", "aaa")
    add_smf(r"a++b", "aaab")
    add_smf(r"a?+a", "a")
    add_smf(r"a{1,3}+a", "aaaa")
    add_smf(r"(?>a+)a", "aaa")
    add_smf(r"(?>a+)b", "aab")
    add_smf(r"(?>x|xy)z", "xyz")
    add_smf(r"\d++\.", "123.")
    # groups
    add_smf(r"(a)(b)?", "ac")
    add_smf(r"(a)|(b)", "b")
    add_smf(r"(a|b)*", "abab")
    add_smf(r"((a)(b))", "ab")
    add_smf(r"(a)(?:b)(c)", "abc")
    add_smf(r"(?P<first>\w+) (?P<last>\w+)", "Jane Doe")
    add_smf(r"(?P<y>\d{4})-(?P<m>\d\d)(?:-(?P<d>\d\d))?", "on 2024-11 ok")
    add_smf(r"(?P<a>x)|(?P<b>y)", "y")
    add_smf(r"(a)(?P<n>b)(c)", "abc")
    add_smf(r"(a)((b)|c)", "ac")
    add_smf(r"()", "x")
    add_smf(r"(x*)", "")
    # back references
    add_smf(r"(a)\1", "aa")
    add_smf(r"(a)\1", "ab")
    add_smf(r"(\w+) \1", "hello hello world")
    add_smf(r"(?P<w>\w+) (?P=w)", "bye bye now")
    add_smf(r"(?i)(a)\1", "aA")
    add_smf(r"(['\"]).*?\1", "say \"hi\" 'x'")
    add_smf(r"(a)|\1b", "b")
    add_smf(r"(?:(a)|b)\1?c", "bc")
    # conditionals
    add_smf(r"(<)?\w+(?(1)>)", "<abc>")
    add_smf(r"(<)?\w+(?(1)>|$)", "abc")
    add_smf(r"(?P<q>\")?\w+(?(q)\")", "\"abc\"")
    # lookarounds
    add_smf(r"foo(?=bar)", "foobaz foobar")
    add_smf(r"foo(?!bar)", "foobar foobaz")
    add_smf(r"(?<=\$)\d+", "cost $42")
    add_smf(r"(?<!\$)\b\d+", "$42 17")
    add_smf(r"(?<=ab|cd)x", "cdx")
    add_smf(r"(?<=é)x", "éx")
    add_smf(r"\w+(?=,)", "one, two")
    add_smf(r"(?=(\w+))\w", "abc")
    add_smf(r"^(?!.*bad).*$", "good line")
    add_smf(r"^(?!.*bad).*$", "a bad line")
    # alternation order and empty alternatives
    add_smf(r"a|ab", "ab")
    add_smf(r"ab|a", "ab")
    add_smf(r"a|", "b")
    add_smf(r"|a", "a")
    add_smf(r"(?:a|b)+c", "ababc")
    # verbose mode
    add_smf(r"""\d+  # digits
               \s*  # spaces
               [a z]  # a class keeps its space""", "12  z", ["X"])
    add_smf(r"(?x) a b c", "abc")
    add_smf(r"(?x)a\ b", "a b")
    add_smf(r"a(?#comment)b", "ab")
    add_smf(r"a #x", "a #x")
    add_smf(r"a #x", "a", ["X"])
    # comments and flags combined
    add_smf(r"^B.*$", "a\nbcd\ne", ["I", "M"])
    add_smf(r"a.+z", "A\nZ", ["I", "S"])
    add_smf(r"(?ms)^x.y$", "w\nx\ny\nz")
    # Unicode text: accents, CJK, emoji; positions are byte positions
    add_smf(r"é+", "cafééé!")
    add_smf(r"caf.", "café")
    add_smf(r"..", "日本語")
    add_smf(r"本", "日本語")
    add_smf(r"\w+", "¡Olá, señor!")
    add_smf(r"\w+", "日本語 text")
    add_smf(r"\d+", "x٣٤٥y")
    add_smf(r"[à-ÿ]+", "voilà déjà")
    add_smf(r"[\u00e0-\u00ff]+", "voilà")
    add_smf(r"\u00e9", "café")
    add_smf(r"\U0001F600", "smile 😀!")
    add_smf(r".", "😀")
    add_smf(r"[😀-😂]+", "a😁😀b")
    add_smf(r"\bnaïve\b", "a naïve idea")
    add_smf(r"\w\b", "añ b")
    add_smf(r"ÉCOLE", "école", ["I"])
    add_smf(r"straße", "STRASSE", ["I"])
    add_smf(r"ß", "ẞ", ["I"])
    add_smf(r"σ+", "ΣσςΣ", ["I"])
    add_smf(r"Σ", "ς", ["I"])
    add_smf(r"k", "\u212a", ["I"])
    add_smf(r"s", "ſ", ["I"])
    add_smf(r"[a-z]+", "ÀBc", ["I"])
    add_smf(r"é", "É", ["I", "A"])
    add_smf(r"e", "E", ["I", "A"])
    add_smf(r"\w+", "naïve", ["A"])
    add_smf(r"\d", "٣", ["A"])
    add_smf(r"(?a)\w+", "çava")
    add_smf(r"\s+", "a\u00a0\u2003b")
    add_smf(r"\s+", "a\u00a0b", ["A"])
    add_smf(r"(?u)\w+", "ñu")
    # bytes patterns (re.BYTES): raw bytes, ASCII classes
    add_smf(rb"\xff+", b"a\xff\xffb")
    add_smf(rb"\w+", b"caf\xc3\xa9")
    add_smf(rb"(?i)\xe9", b"\xc9")
    add_smf(rb"a.b", b"a\x00b")
    # pos / endpos on compiled patterns
    add_match("search", r"\w+", "one two three", pos=4)
    add_match("search", r"\w+", "one two three", pos=4, endpos=6)
    add_match("match", r"\w+", "one two three", pos=4)
    add_match("match", r"two", "one two three", pos=3)
    add_match("fullmatch", r"two", "one two three", pos=4, endpos=7)
    add_match("search", r"^two", "one two", pos=4)
    add_match("search", r"two$", "one two three", endpos=7, pos=0)
    add_match("search", r"(?<=e)t", "one two", pos=4)
    add_match("search", r"\btw", "onetwo", pos=3)
    add_match("search", r"é.", "éaé日", pos=1)
    add_match("search", r".$", "éaé日", pos=0, endpos=3)
    add_match("match", r"", "abc", pos=3)


def findall_cases():
    add_findall(r"[A-Za-z]+", "The quick, brown fox!")
    add_findall(r"\d+", "1 22 333 x")
    add_findall(r"(\d)(\w)", "1a 2b 3")
    add_findall(r"(\d)\w", "1a 2b 3c")
    add_findall(r"(a)|(b)", "abc")
    add_findall(r"(a)(x)?", "aa")
    add_findall(r"", "abc")
    add_findall(r"x*", "axxb")
    add_findall(r"\b", "ab cd")
    add_findall(r"a|", "bab")
    add_findall(r"(?m)^", "a\nb\n")
    add_findall(r"(?m)$", "a\nb\n")
    add_findall(r"(?m)^\w", "ab\ncd\n\nef")
    add_findall(r"$", "a\n")
    add_findall(r".", "日本")
    add_findall(r"\w+", "Ça va, très bien")
    add_findall(r"(?i)straße", "STRASSE Straße straẞe")
    add_findall(r"(?P<k>\w+)=(?P<v>\w*)", "a=1 b= c=3")
    add_findall(r"<.*?>", "<a><bb><>")
    add_findall(r"(\d{4})-(\d{2})-(\d{2})", "on 2024-11-07 and 1999-01-31")
    add_findall(r"(?:ab)+", "ababxab")
    add_findall(r"((a)b)", "abab")
    add_findall(r"(a*)", "aab")
    add_findall(r"\w+(?=!)", "hi! yo no!")
    add_findall(r"(?<=-)\w+", "a-b c-dd")
    add_findall(r"[\u4e00-\u9fff]+", "Hello 世界 and 日本")
    add_findall(r"\S+", "  a bb\tccc\n")
    add_findall(r"x", "")
    add_findall(r"a", "AaA", ["I"])
    add_findall(r"^\w+", "one\ntwo\nthree", ["M"])
    add_findall(r".+", "a\nb", ["S"])
    add_findall(r"\w+", "über ñ x", ["A"])
    add_findall(r"[^\W\d]+", "ab12cd_3")
    add_findall(r"(?x) \d+ (?: \. \d+ )?", "1.5 and 22 and 3.")
    add_findall(rb"[\x80-\xff]+", b"a\xc3\xa9b\xffc")
    add_findall(rb"\w+", b"ab \xe9t\xe9")
    add_findall(r"\w+", "one two three four", pos=4, endpos=13)
    add_findall(r"^\w", "ab cd", pos=3)
    add_findall(r"\w$", "ab cd", endpos=2)


def finditer_cases():
    add_finditer(r"\w+", "ab cd  e")
    add_finditer(r"(\d)(x)?", "1x2")
    add_finditer(r"", "ab")
    add_finditer(r"x*", "axxb")
    add_finditer(r"\b", "é b")
    add_finditer(r"(?P<w>[^ ]+)", "日本 語")
    add_finditer(r"(\d{4})-(\d{2})-(\d{2})", "2024-11-07,1990-01-02")
    add_finditer(r"a??", "aa")
    add_finditer(r"(?m)^$", "a\n\nb\n")
    add_finditer(r"(a)|b", "ab")


def sub_cases():
    add_sub("the", "---", "Then took the other, as just as fair,\t\n")
    add_sub(r"\bthe\b", "---", "the other then the end")
    add_sub(r"x*", "-", "abxd")
    add_sub(r"a|", "-", "bab")
    add_sub(r"", "-", "abc")
    add_sub(r"", "-", "")
    add_sub(r"\b", "|", "ab cd")
    add_sub(r"(?m)^", "> ", "a\nb\n")
    add_sub(r"(?m)$", ";", "a\nb\n")
    add_sub(r"(\w+) (\w+)", r"\2 \1", "hello world, big apple")
    add_sub(r"(\w+) (\w+)", r"\g<2> \g<1>", "hello world")
    add_sub(r"(?P<first>\w+) (?P<last>\w+)", r"\g<last>, \g<first>",
            "Jane Doe")
    add_sub(r"\d+", r"<\g<0>>", "a1b22c333")
    add_sub(r"(a)(b)?", r"[\2]", "ab a")
    add_sub(r"(a)(b)?", r"[\g<2>]", "a")
    add_sub(r"x", r"\n\t\\", "axb")
    add_sub(r"x", r"\-", "axb")
    add_sub(r"(x)", r"\g<1>0", "axb")
    add_sub(r"a", "b", "aaaa", count=2)
    add_sub(r"a", "b", "aaaa", count=1)
    add_sub(r"a", "b", "xyz")
    add_sub(r"A", "b", "aAa", flags=["I"])
    add_sub(r"^", "#", "x\ny", flags=["M"])
    add_sub(r".", "*", "a\nb", flags=["S"])
    add_sub(r"é", "e", "café édition")
    add_sub(r"(\w)(\w*)", r"\2\1ay", "ünd ßo 日本")
    add_sub(r"\s+", " ", "a  \t b\n\nc")
    add_sub(r"(?<=a)", "-", "aaa")
    add_sub(r"a*", "-", "baaac")
    add_sub(r"(a)|b", r"[\1]", "ab")
    add_sub(r"(\d{4})-(\d{2})-(\d{2})", r"\3/\2/\1", "2024-11-07")
    add_sub(r"[aeiou]", "", "education")
    add_sub(r"x*?", "-", "axb")
    add_sub(r"\w+", "W", "one two three", count=2)
    add_sub(rb"\xff", b"\x00", b"a\xffb")
    add_sub(rb"(\w+)", rb"<\1>", b"ab \xe9")
    add_sub(r"a", r"\g<0>\g<0>", "banana")
    add_sub(r"(?P<n>a)", r"\g<n>!", "aa", count=1)
    add_sub(r"a++", "X", "aaab")
    add_sub("the", "---", "the the", kind="subn")
    add_sub(r"x*", "-", "abxd", kind="subn")
    add_sub(r"\d", "#", "a1b2c3", count=2, kind="subn")
    add_sub(r"z", "#", "abc", kind="subn")
    add_sub(r"(?i)σ", "s", "ΣσςΣ", kind="subn")
    add_sub(r"", "-", "日本", kind="subn")


def split_cases():
    add_split(r"\W+", "Words, words, words.")
    add_split(r"(\W+)", "Words, words, words.")
    add_split(r"\W+", "Words, words, words.", maxsplit=1)
    add_split(r"[a-f]+", "0a3B9", flags=["I"])
    add_split(r"(a)|(b)", "xaybz")
    add_split(r"x*", "axbc")
    add_split(r"\b", "ab cd")
    add_split(r"", "abc")
    add_split(r"(?m)^$", "a\n\nb\n")
    add_split(r"(\s)?,", "a,b ,c")
    add_split(r",", ",a,,b,")
    add_split(r",", "")
    add_split(r"x", "abc")
    add_split(r"\s+", " a b  c ", maxsplit=2)
    add_split(r"(,)", "a,b,c", maxsplit=1)
    add_split(r"、", "日本、中国、韓国")
    add_split(r"(?<=,)", "a,b,c")
    add_split(r"\d", "a1b2c3d", maxsplit=0)
    add_split(r"a*", "baaac")
    add_split(r"(x)?y", "aybxyc")
    add_split(r"\n", "l1\nl2\n")
    add_split(rb"\x00", b"a\x00b\x00")
    add_split(r"(?P<sep>[;:])", "a;b:c")
    add_split(r"[\s,]+", "a, b ,c,,d")
    add_split(r"(?:ab)+", "xababyabz")


def error_cases():
    for pattern in [
        "(", "(ab", "ab(c", ")", "ab)", "a)b", "[", "[a", "[a-", "[z-a]",
        "*", "+a", "?", "a**", "a++*", "x{2}{3}", "a{3,2}", "\\", "a\\",
        "\\q", "\\y", "[\\q]", "(?P<1a>x)", "(?P<a>x)(?P<a>y)", "(?P=nope)",
        "(?P<>x)", "(?<a", "(?P<a", "(?Px)", "(?z)", "(?", "(?<",
        "(a)\\2", "(?(2)a)", "(?(x)a)", "\\u12", "\\U1234",
        "\\x1", "[a-\\d]", "(?i", "(?#abc", "a{1,2}{3}", "(?i:a",
        "é(", "日本)", "[é", "\\u00e9*?+", "x|*",
    ]:
        add_error(pattern)
    add_error("a", ["A", "U"])
    add_error("(?au)x")


def template_error_cases():
    add_sub_error("a", r"\q", "a")
    add_sub_error("a", r"x\g<foo>", "a")
    add_sub_error("(a)", r"\2", "a")
    add_sub_error("(a)", r"\g<2>", "a")
    add_sub_error("(a)", r"\g<1", "a")
    add_sub_error("(a)", r"\g<>", "a")
    add_sub_error("(a)", r"\g<1x>", "a")
    add_sub_error("(a)", "\\g", "a")
    add_sub_error("a", "é\\z", "a")
    add_sub_error("a", "\\", "a")
    add_sub_error("(x)", r"\10", "axb")


def misc_cases():
    for s in ["a.b", "1+1=2", "日本 [x]", "tab\there", "a-b_c", "(?P<n>)",
              "\\ $^"]:
        add_escape(s)
    add_compile(r"(a)(?P<x>b)(?:c)(?P<y>d)?")
    add_compile(r"abc")
    add_compile(r"((a)(b))")
    add_compile(r"(?P<name>x)(?P=name)")


def edge_cases():
    """Harder corners: repeated captures, lastindex, fullmatch backtracking,
    windows (pos/endpos) seen by assertions, more folding, more errors."""
    # a repeated group keeps its last iteration; lastindex is the group
    # closed last
    add_smf(r"(a|b)*", "abba")
    add_smf(r"(?:(a)|b)*", "ab")
    add_smf(r"(?:(a)|(b))*", "ab")
    add_smf(r"(a*)*", "b")
    add_smf(r"(a*)+", "aab")
    add_smf(r"(a)((b)c)", "abc")
    add_smf(r"((a)|(b))+", "ab")
    add_smf(r"(?P<n>a)|(?P<m>b)", "b")
    add_smf(r"(?P<outer>x(?P<inner>y))", "xy")
    # fullmatch must backtrack into the alternatives
    add_smf(r"a|ab", "ab")
    add_smf(r"a*?", "aaa")
    add_smf(r"(a+?)(b*?)", "aabb")
    add_smf(r"\w+?\d??", "ab12")
    add_match("fullmatch", r"a|ab", "abc", pos=0, endpos=2)
    add_match("fullmatch", r"b+", "abbc", pos=1, endpos=3)
    add_match("fullmatch", r"b+$", "abbc", pos=1, endpos=3)
    # the window: assertions see the text before pos but nothing after endpos
    add_match("match", r"(?<=a)b", "ab", pos=1)
    add_match("search", r"a(?=b)", "ab", pos=0, endpos=1)
    add_match("search", r"a$", "ab", pos=0, endpos=1)
    add_match("search", r"a\b", "ab", pos=0, endpos=1)
    add_match("search", r"\Ba", "ba", pos=1)
    add_match("search", r"\Aa", "ba", pos=1)
    add_match("search", r"(?m)^a", "b\na", pos=1)
    add_match("search", r"a\Z", "aab", pos=0, endpos=2)
    add_match("search", r"", "abc", pos=3, endpos=3)
    add_match("search", r"x", "abc", pos=2, endpos=1)
    add_match("match", r"日", "本日", pos=1)
    add_findall(r"(?<=a)b", "abab", pos=1)
    add_findall(r"\w*", "ab cd")
    add_findall(r"(\w)(\w)?", "abc")
    add_findall(r"\w*", "ab cd", pos=1, endpos=4)
    # more classes
    add_smf(r"[[]", "[")
    add_smf(r"[^]]+", "ab]")
    add_smf(r"[\w-]+", "a-b_c d")
    add_smf(r"[\s\d]+", "x 1\t2y")
    add_smf(r"[^\W\d_]+", "_1abc2")
    add_smf(r"[.*+?]+", "a.*+?b")
    add_smf(r"\\", "a\\b")
    add_smf(r"\0", "a\0b")
    add_smf(r"\012", "a\nb")
    add_smf(r"[\x00-\x1f]+", "ab\t\n\x01c")
    add_smf(r"\u00e9\U000000e9", "éé")
    # verbose corners
    add_smf(r"(?x) [#] x", "#x")
    add_smf(r"(?x) \# x", "#x")
    add_smf(r"(?x) a{2} # two", "aa")
    add_smf(r"(?xi) A B", "ab")
    add_smf(r"(?s:.)(.)", "\n\n")
    # Unicode folding
    add_smf(r"\u01c5", "\u01c6", ["I"])
    add_smf(r"\u01c4+", "\u01c5\u01c6\u01c4", ["I"])
    add_smf(r"[a-z]", "\u212a", ["I"])
    add_smf(r"[σ]+", "ςΣσ", ["I"])
    add_smf(r"(σ)\1", "σΣ", ["I"])
    add_smf(r"ǅ", "ǆ")
    add_smf(r"[ä-ö]+", "ÄÖäö", ["I"])
    add_smf(r"Ω", "ω", ["I"])
    add_smf(r"\w+", "ﬁne")
    add_smf(r"ﬁ", "FI", ["I"])
    add_findall(r"\b\w+\b", "naïve café", ["A"])
    add_findall(r"[a-z]+", "ÉtÉ été", ["I", "A"])
    add_findall(r"\d", "1٢3", ["A"])
    # empty matches with counts and splits
    add_sub(r"", "-", "abc", count=2, kind="subn")
    add_sub(r"x*", "-", "axxb", count=3, kind="subn")
    add_sub(r"\b", "|", "日本 語")
    add_sub(r"(?=b)", "^", "abab")
    add_split(r"(\b)", "a b", maxsplit=2)
    add_split(r"x*", "axxbc", maxsplit=2)
    add_split(r"(?=b)", "abab")
    add_split(r"(a)(b)?", "xayabz", maxsplit=1)
    # found by differential fuzzing against CPython (see the report of the
    # commit that added them): PCRE2 10.42 auto-possessifies [^a]+ before
    # an optional possessive/atomic group; its JIT keeps a capture from a
    # failed start position under a possessive group repeat; lastindex
    # when a group inside a lookahead ends after the match
    add_smf(r"[^a]{2,}(?:a)?+[^\s]", "bb x")
    add_smf(r"[^a]+(?>(?:a)?)x", "bb x")
    add_finditer(r"[^a]{2,}(?:a+É?+)?+[^\s]", "bb ς1ΣAς")
    add_smf(r"$|(a*)*+c", "A\n")
    add_finditer(r"$|(b*)*+c", "ab\nab")
    add_split(r"(x*)++y|\n", "ab\nc")
    add_smf(r"(?=(\w+))(a)", "ab")
    add_smf(r"(?=(?P<ahead>\w+))(?P<here>a)", "ab")
    # templates
    add_sub(r"(?P<a>\w)(?P<b>\w)", r"\g<b>\g<a>", "abcd")
    add_sub(r"(\w+)", r"\g<1>\g<0>\\1", "hi")
    add_sub(r"(a)|(b)", r"<\1|\2>", "ab")
    add_sub(r"x", r"\a\f\v\r", "x")
    add_sub(r"x", "\\\n", "x")
    # errors at the end, inside, across lines
    for pattern in ["(?=a", "(?<=a", "(?:a", "(?P<n>a", "(?P<n>a)(?P=n",
                    "(?P=1)", "[\\d-z]", "a|b)", "(a))", "a\\", "[a-]]+*",
                    "(?x)a\n(b", "(?x)\n  *", "((a)", "a{2,1}?",
                    "\\8", "(?i)(?i", "é{3,2}", "ab\\u00"]:
        add_error(pattern)
    add_sub_error("(a)", r"\g<-1>", "a")
    add_sub_error("(a)", r"\g<a b>", "a")
    add_sub_error("(?P<x>a)", r"\g<y>", "a")


def prefix_cases():
    """Patterns every match of which starts with a literal (searched for
    first, with \\b / \\B decided outside PCRE2 when they are all the
    rest): word and non-word neighbours, ends of the subject, pos/endpos
    windows, non-ASCII neighbours under Unicode and ASCII rules, bytes."""
    subjects = ["the", "the end", "then the", "bathe the", "other_the the_",
                "the9 9the the", "xthe the", "the\u00e9 \u00e9the the",
                "\u00e9the\u00e9 the", "th the", "\u65e5the \u65e5 the",
                "thethe the", ""]
    patterns = [r"\bthe\b", r"\Bthe\b", r"\bthe\B", r"\Bthe\B",
                r"\bthe", r"the\b", r"\b\bthe\b\b", r"\bthe\w*",
                r"\bthe+", r"the?n", r"\bthe\s", r"th\b", r"\bthe(n)?\b",
                r"\b\u00e9the\b", r"the\u00e9\b"]
    for pattern in patterns:
        for subject in subjects:
            add_match("search", pattern, subject)
            add_findall(pattern, subject)
        add_findall(pattern, "the end", flags=["A"])
        add_findall(pattern, "\u00e9the\u00e9 the", flags=["A"])
        add_findall(pattern, "x the the", pos=2, endpos=5)
        add_findall(pattern, "the then", pos=1, endpos=7)
        add_match("search", pattern, "bathe the", pos=2)
        add_match("search", pattern, "the there", pos=1, endpos=3)
    for pattern in [rb"\bthe\b", rb"\Bthe\b"]:
        for subject in [b"the", b"\xe9the the", b"the\xff", b"xthe"]:
            add_findall(pattern, subject)
    add_sub(r"\bthe\b", "---", "the other, then the; bathe the")
    add_sub(r"\bthe\b", "---", "\u00e9the the\u00e9 the")
    add_split(r"\bthe\b", "a the b the")


def main():
    search_family()
    findall_cases()
    finditer_cases()
    sub_cases()
    split_cases()
    error_cases()
    template_error_cases()
    misc_cases()
    edge_cases()
    prefix_cases()
    out = sys.stdout
    out.write("-- Generated by spec/re_cases/generate.py from CPython %s's re.\n"
              % sys.version.split()[0])
    out.write("-- Do not edit: change the generator and run it again:\n")
    out.write("--   python3 spec/re_cases/generate.py > "
              "spec/re_cases/cases.lua\n")
    out.write("-- %d cases; positions already converted to 1-based inclusive "
              "byte positions.\n" % len(CASES))
    out.write("-- luacheck: no max line length\n")
    out.write("return {\n")
    for case in CASES:
        out.write("  " + lua_value(case, KEY_ORDER) + ",\n")
    out.write("}\n")


if __name__ == "__main__":
    main()
