#!/usr/bin/env python3
"""Random differential tester for pystd.re: the generator and CPython oracle.

    python3 fuzz/re_diff/gen.py --seed 7 --count 2000 --out /tmp/b7.lua

writes a Lua file `return { case, case, ... }` whose cases carry a random
Python-syntax pattern, flags, a subject, the operation arguments and, per
operation, CPython's result already converted to pystd's conventions
(API.md §1-2: 1-based inclusive byte positions, nil/false for unmatched
groups, ...) and serialised to a canonical string.  fuzz/re_diff/run.lua
runs the same operations through pystd.re, serialises its results the same
way and reports every difference.

The conversion rules are the ones of spec/re_cases/generate.py (copied, not
imported): a Python character span (s, e) becomes (byte(s) + 1, byte(e));
pos -> byte(pos) + 1, endpos -> byte(endpos); error positions ->
byte(pos) + 1 in the pattern (or template).

Module use (for minimize.py): `oracle(case)` fills case["exp"] for a case
dict with keys p (str or bytes), flags (string of letters), s, r, c, ms,
pos, endpos.
"""

import argparse
import os
import random
import re
import signal
import sys
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "spec", "re_cases"))
from conv import byte_offset as bo, lua_value  # noqa: E402

warnings.simplefilter("ignore")

FLAG_BITS = {"I": re.I, "M": re.M, "S": re.S, "X": re.X, "A": re.A,
             "U": re.U, "L": re.L}

# {====== conversion and serialisation (shared format with run.lua) ======


def q(v):
    if v is None:
        return "nil"
    b = v if isinstance(v, bytes) else v.encode("utf-8", "surrogatepass")
    out = []
    for x in b:
        if x < 32 or x == 34 or x == 92 or x >= 127:
            out.append("\\%03d" % x)
        else:
            out.append(chr(x))
    return '"' + "".join(out) + '"'


def ser_match(m, s):
    if m is None:
        return "nil"
    parts = []
    for g in range(m.re.groups + 1):
        a, e = m.span(g)
        if a < 0:
            parts.append("-:nil")
        else:
            parts.append("%d,%d:%s" % (bo(s, a) + 1, bo(s, e), q(m.group(g))))
    return ";".join(parts) + " pos=%d endpos=%d" % (bo(s, m.pos) + 1,
                                                    bo(s, m.endpos))


def ser_li(m):
    if m is None:
        return "nil"
    return "li=%s lg=%s" % ("nil" if m.lastindex is None else m.lastindex,
                            q(m.lastgroup))


def ser_gd(m):
    if m is None:
        return "nil"
    gs = ",".join(q(x) for x in m.groups())
    gd = ",".join("%s=%s" % (q(k), q(v))
                  for k, v in sorted(m.groupdict().items(),
                                     key=lambda kv: kv[0].encode("utf-8"))
                  if v is not None)
    return "groups=[%s] dict={%s}" % (gs, gd)


def ser_findall(lst):
    items = []
    for x in lst:
        if isinstance(x, tuple):
            items.append("(" + ",".join(q(y) for y in x) + ")")
        else:
            items.append(q(x))
    return "[" + ",".join(items) + "]"


def ser_finditer(p, s):
    ms = []
    for m in p.finditer(s):
        sp = []
        for g in range(p.groups + 1):
            a, e = m.span(g)
            sp.append("-" if a < 0 else "%d,%d" % (bo(s, a) + 1, bo(s, e)))
        ms.append(",".join(sp))
    return "[" + ";".join(ms) + "]"


def ser_split(lst):
    return "[" + ",".join("false" if x is None else q(x) for x in lst) + "]"


def ser_compile(p):
    idx = ",".join("%s:%d" % (k, v) for k, v in
                   sorted(p.groupindex.items(),
                          key=lambda kv: kv[0].encode("utf-8")))
    return "OK groups=%d idx={%s}" % (p.groups, idx)


def err_info(e, source):
    """(canonical string, 1-based byte pos or None, msg)"""
    if isinstance(e, re.error):
        pos = None
        if e.pos is not None:
            pos = bo(e.pattern, e.pos) + 1
        return "ERR:re.error", pos, e.msg
    name = type(e).__name__
    return "ERR:" + name, None, str(e)

# }======

# {====== Lua literals ======



# }======

# {====== pattern generator ======


MULTI = ("éÉßẞİıKſσΣςωΩµΜμ中文😀ǅǄǆﬀ²½٣\u0301‿ⅧÅåθϑϴᲀвﬅ")
ASCII_LIT = "abcxyzABCXkKsSiIfF019_ ,-!@%&'<>=\"/;:~`#"
META = set(".^$*+?{}[]\\|()")
SUBJ_EXTRA = (" \n\r\t\x0b\x0c\x1c\x1f\x85\xa0\u2028\u3000" "0123456789"
              ".,;-_" + MULTI)
BYTES_EXTRA = "".join(chr(i) for i in (0x80, 0x85, 0xa0, 0xc3, 0xa9, 0xe9,
                                       0xff, 0xfe, 0xdf, 0xc9, 0xb5, 0x00))
NAMES = ["a", "b", "n1", "_x", "grp", "é", "Ab"]

# Known disagreement classes the generator can steer around (--avoid), so
# that long runs surface new ones:
#   posbrace     counted possessive repeats X{n,m}+ of a backtracking X
#   endpos       match() with endpos < pos
#   commentquant a quantifier right after a (?#...) comment
#   vbscomment   a verbose-mode comment ending in a backslash
#   dotless      İ/ı in case-insensitive cases
AVOID = set()


class Gen:
    def __init__(self, rng, mode, verbose):
        self.r = rng
        self.mode = mode            # "str" or "bytes"
        self.verbose = verbose
        self.ngroups = 0
        self.closed = []            # closed group numbers
        self.names = {}             # name -> number
        self.closed_names = []
        self.used_i = False         # an inline flag group turned i on
        self.fixed_w = {}           # group number -> width, for groups
                                    # gen_fixed made

    # ---- helpers
    def chance(self, p):
        return self.r.random() < p

    def pick(self, seq):
        return seq[self.r.randrange(len(seq))]

    def lit_char(self):
        r = self.r.random()
        if self.mode == "bytes":
            if r < 0.9:
                c = self.pick("abcxyzABCkKsSiI019_,-!@%&'<>=/;:~")
            else:
                c = self.pick("\xe9\xc9\xdf\xff\x80\xb5")
        else:
            c = self.pick(ASCII_LIT) if r < 0.75 else self.pick(MULTI)
        return c

    def ws(self):
        """whitespace/comments for verbose mode"""
        if not self.verbose or not self.chance(0.3):
            return ""
        return self.pick([" ", "  ", "\n", "\t", " # c\n", "#x\n"])

    # ---- samplers get a context dict {group number: text}
    def gen_regex(self, depth):
        n = 1
        if self.chance(0.25):
            n += self.r.randint(1, 2)
        alts = [self.gen_seq(depth) for _ in range(n)]
        text = "|".join(a[0] for a in alts)
        samplers = [a[1] for a in alts]
        r = self.r

        def samp(ctx):
            return r.choice(samplers)(ctx)
        return text, samp

    def gen_seq(self, depth):
        n = self.pick([0, 1, 1, 2, 2, 2, 3, 3, 4])
        items = [self.gen_item(depth) for _ in range(n)]
        text = "".join(self.ws() + t for t, _ in items)

        def samp(ctx):
            return "".join(s(ctx) for _, s in items)
        return text, samp

    def gen_item(self, depth):
        text, samp, quant = self.gen_atom(depth)
        if (quant and self.chance(0.3)) or (
                not quant and self.chance(0.01) and not (
                    "commentquant" in AVOID and text.startswith("(?#"))):
            qt, lo, hi = self.gen_quant()
            r = self.r

            def qsamp(ctx, samp=samp, lo=lo, hi=hi):
                k = r.randint(lo, min(hi, lo + 3))
                return "".join(samp(ctx) for _ in range(k))
            return text + self.ws() + qt, qsamp
        return text, samp

    def gen_quant(self):
        r = self.r
        kind = self.pick("***+++???{{{{")
        if kind == "*":
            qt, lo, hi = "*", 0, 99
        elif kind == "+":
            qt, lo, hi = "+", 1, 99
        elif kind == "?":
            qt, lo, hi = "?", 0, 1
        else:
            a = r.randint(0, 3)
            b = a + r.randint(0, 2)
            form = r.randrange(5)
            if form == 4:
                qt, lo, hi = "{,}", 0, 99
            elif form == 0:
                qt, lo, hi = "{%d}" % a, a, a
            elif form == 1:
                qt, lo, hi = "{%d,}" % a, a, 99
            elif form == 2:
                qt, lo, hi = "{,%d}" % b, 0, b
            else:
                qt, lo, hi = "{%d,%d}" % (a, b), a, b
        suffix = self.pick(["", "", "", "", "", "?", "?", "+"])
        if suffix == "+" and kind == "{" and "posbrace" in AVOID:
            suffix = ""
        return qt + suffix, lo, hi

    def char_sampler(self, c):
        r = self.r

        def samp(ctx):
            if r.random() < 0.15:
                return c.swapcase() if len(c.swapcase()) == 1 else c
            return c
        return samp

    def escaped_lit(self, c):
        if c in META or (self.verbose and c in " #\t\n"):
            return "\\" + c
        return c

    def gen_atom(self, depth):
        """-> (text, sampler, quantifiable)"""
        r = self.r
        w = r.random()
        if depth <= 0:
            w = w * 0.55        # only simple atoms
        if w < 0.30:
            c = self.lit_char()
            return self.escaped_lit(c), self.char_sampler(c), True
        if w < 0.34:
            return ".", lambda ctx: r.choice(self.subject_chars()), True
        if w < 0.42:
            return self.gen_escape()
        if w < 0.46:
            return self.gen_anchor()
        if w < 0.47:
            # braces CPython reads as literals, not as a repeat
            t = self.pick(["{", "}", "{}", "{a}", "{1,x}", "{,", "{1",
                           "{x,1}", "{1 }", "{-1}"])
            return t, (lambda ctx: t), True
        if w < 0.55:
            t, s = self.gen_class()
            return t, s, True
        # groups and friends
        return self.gen_group(depth - 1)

    def subject_chars(self):
        if self.mode == "bytes":
            return "abcxyz019 \n-_" + BYTES_EXTRA
        return "abcxyz019 \n-_" + SUBJ_EXTRA

    def gen_escape(self):
        r = self.r
        w = r.random()
        if w < 0.45:
            e = self.pick("dDwWsS")
            pools = {"d": "0123456789٣", "w": "aZ_9é中ǅ²\u0301", "s":
                     " \t\n\x0b\x0c\r\x1c\x85\xa0\u2028\u3000",
                     "D": "a -é", "W": " -.!\n€", "S": "a9-é"}
            pool = pools[e]
            if self.mode == "bytes":
                pool = "".join(c for c in pool if ord(c) < 256)
            return "\\" + e, lambda ctx: r.choice(pool), True
        if w < 0.55:
            c = self.pick(".*+?()[]{}|^$\\-#/ ")
            return "\\" + c, lambda ctx: c, True
        choices = [("\\n", "\n"), ("\\t", "\t"), ("\\r", "\r"), ("\\f", "\f"),
                   ("\\v", "\v"), ("\\a", "\a"), ("\\x41", "A"),
                   ("\\x61", "a"), ("\\x7f", "\x7f"), ("\\0", "\0"),
                   ("\\07", "\x07"), ("\\101", "A"), ("\\141", "a"),
                   ("\\012", "\n"), ("\\xe9", "\xe9"), ("\\xdf", "\xdf"),
                   ("\\377", "\xff")]
        if self.mode == "str" or self.chance(0.05):
            choices += [("\\u00e9", "é"), ("\\u212a", "\u212a"),
                        ("\\U0001F600", "😀"), ("\\u4e2d", "中"),
                        ("\\u0130", "İ"), ("\\u017f", "ſ"), ("\\U00000041", "A")]
        t, c = self.pick(choices)
        return t, self.char_sampler(c), True

    def gen_anchor(self):
        r = self.r
        t = self.pick(["^", "$", "\\A", "\\Z", "\\b", "\\B", "^", "$", "\\b"])
        if t in ("^", "$"):
            return t, lambda ctx: r.choice(["", "", "\n"]), False
        return t, lambda ctx: "", False

    def gen_class(self):
        r = self.r
        items = []
        samplers = []
        neg = self.chance(0.25)
        if self.chance(0.1):
            items.append("]")
            samplers.append(lambda ctx: "]")
        if self.chance(0.1):
            items.append("-")
            samplers.append(lambda ctx: "-")
        for _ in range(r.randint(1, 3)):
            w = r.random()
            if w < 0.35:
                c = self.lit_char()
                if c in "]\\[" or (c == "^" and not items):
                    t = "\\" + c
                else:
                    t = c
                if c == "-":
                    t = "\\-"
                items.append(t)
                samplers.append(self.char_sampler(c))
            elif w < 0.65:
                if self.mode == "bytes":
                    pairs = ["az", "AZ", "09", "af", "xz", "!/", "\x80\xff",
                             "\xc0\xdf", "Z_"]
                else:
                    pairs = ["az", "AZ", "09", "af", "xz", "!/", "éü",
                             "αω", "ΑΩ", "一龥", "Z_", "\u2000\u206f",
                             "\u0100\u017f", "ǄǍ", "Jk"]
                p = self.pick(pairs)
                lo, hi = p[0], p[1]
                if self.chance(0.03):
                    lo, hi = hi, lo     # bad range
                if self.chance(0.25):
                    # endpoints written as escapes
                    esc = [("\\x00", "\x00"), ("\\t", "\t"),
                           ("\\r", "\r"), ("\\x1f", "\x1f"),
                           ("\\x41", "A"), ("\\x5a", "Z"), ("\\x60", "`"),
                           ("\\x7b", "{"), ("\\x7f", "\x7f"),
                           ("\\101", "A"), ("\\132", "Z"), ("\\0", "\0"),
                           ("\\x80", "\x80"), ("\\xff", "\xff"),
                           ("\\xc0", "\xc0")]
                    if self.mode == "str":
                        esc += [("\\u00e0", "\xe0"), ("\\u0100", "\u0100"),
                                ("\\u017f", "\u017f"), ("\\u212a", "\u212a"),
                                ("\\u212b", "\u212b"), ("\\u0391", "\u0391"),
                                ("\\u03c9", "\u03c9"), ("\\U0001F600", "\U0001F600")]
                    (ta, lo), (tb, hi) = self.pick(esc), self.pick(esc)
                    if ord(lo) > ord(hi) and self.chance(0.9):
                        (ta, lo), (tb, hi) = (tb, hi), (ta, lo)
                    items.append(ta + "-" + tb)
                else:
                    items.append(self.cls_lit(lo) + "-" + self.cls_lit(hi))

                def rs(ctx, lo=lo, hi=hi):
                    a, b = sorted((ord(lo), ord(hi)))
                    c = r.randint(a, b)
                    return lo if 0xd800 <= c < 0xe000 else chr(c)
                samplers.append(rs)
            elif w < 0.85:
                e = self.pick("dwsDWS")
                items.append("\\" + e)
                samplers.append(lambda ctx, e=e: r.choice(
                    {"d": "05", "w": "a_é", "s": " \n", "D": "a-",
                     "W": " -", "S": "a9"}[e]))
            else:
                t, c = self.pick([("\\n", "\n"), ("\\t", "\t"),
                                  ("\\x41", "A"), ("\\]", "]"), ("\\-", "-"),
                                  ("\\\\", "\\"), ("\\b", "\b"), ("\\0", "\0"),
                                  ("\\101", "A"), ("\\u00e9", "é"),
                                  ("\\U0001F600", "😀"), ("^", "^"),
                                  ("[", "["), ("\\.", "."), ("\\^", "^")])
                items.append(t)
                samplers.append(lambda ctx, c=c: c)
        if self.chance(0.08):
            items.append("-")
            samplers.append(lambda ctx: "-")
        text = "[" + ("^" if neg else "") + "".join(items) + "]"
        chars = self.subject_chars()

        def samp(ctx):
            if neg:
                return r.choice(chars)
            return r.choice(samplers)(ctx)
        return text, samp

    def cls_lit(self, c):
        if c in "]\\[-^":
            return "\\" + c
        return c

    def gen_flags_letters(self, allow_off=True):
        on = "".join(sorted(set(self.pick(["i", "s", "m", "x", "is", "im",
                                           "i", "s", "a", "u", "ix", "L"])
                                for _ in range(self.r.randint(1, 2)))))
        if "i" in on:
            self.used_i = True
        off = ""
        if allow_off and self.chance(0.3):
            off = "-" + self.pick(["i", "s", "m", "x", "is", "a"])
        return on, off

    def gen_group(self, depth):
        r = self.r
        w = r.random()
        if w < 0.30:
            # capturing / named
            self.ngroups += 1
            num = self.ngroups
            name = None
            if self.chance(0.3):
                name = self.pick(NAMES if self.mode == "str" else
                                 [n for n in NAMES if n.isascii()])
                self.names.setdefault(name, num)
            inner, samp = self.gen_regex(depth)
            self.closed.append(num)
            if name:
                self.closed_names.append(name)
                text = "(?P<%s>%s)" % (name, inner)
            else:
                text = "(%s)" % inner

            def gsamp(ctx):
                s = samp(ctx)
                ctx[num] = s
                return s
            return text, gsamp, True
        if w < 0.42:
            inner, samp = self.gen_regex(depth)
            return "(?:%s)" % inner, samp, True
        if w < 0.47:
            inner, samp = self.gen_regex(depth)
            return "(?>%s)" % inner, samp, True
        if w < 0.55:
            inner, samp = self.gen_regex(depth)
            kind = self.pick(["?=", "?!"])
            if kind == "?=":
                return "(%s%s)" % (kind, inner), lambda ctx: "", True
            return "(%s%s)" % (kind, inner), lambda ctx: "", True
        if w < 0.63:
            inner = self.gen_fixed(r.randint(0, 3), depth)
            kind = self.pick(["?<=", "?<!"])
            return "(%s%s)" % (kind, inner), lambda ctx: "", True
        if w < 0.73:
            # back reference to a closed group (or sometimes an open one)
            if not self.closed and not self.chance(0.1):
                c = self.lit_char()
                return self.escaped_lit(c), self.char_sampler(c), True
            if self.closed and self.chance(0.9):
                num = self.pick(self.closed)
            else:
                num = self.ngroups + 1 if self.chance(0.5) else max(
                    1, self.ngroups)
            if self.closed_names and self.chance(0.3):
                name = self.pick(self.closed_names)
                text = "(?P=%s)" % name
                num = self.names[name]
            else:
                text = "\\%d" % num
                if self.chance(0.5) and num < 10:
                    text = "(?:\\%d)" % num     # avoid \1 followed by digit
            return text, lambda ctx: ctx.get(num, ""), True
        if w < 0.80:
            # conditional
            # mostly closed groups: a conditional inside the repeated group
            # it refers to is a documented difference (docs/re.md)
            if self.closed and self.chance(0.85):
                num = self.pick(self.closed)
            else:
                num = self.r.randint(1, self.ngroups + 1)
            ref = str(num)
            if self.names and self.chance(0.3):
                ref = self.pick(list(self.names))
                num = self.names[ref]
            yes, ys = self.gen_regex_noalt(depth)
            if self.chance(0.7):
                no, ns = self.gen_regex_noalt(depth)
                text = "(?(%s)%s|%s)" % (ref, yes, no)
            else:
                no, ns = "", (lambda ctx: "")
                text = "(?(%s)%s)" % (ref, yes)

            def csamp(ctx):
                return ys(ctx) if num in ctx else ns(ctx)
            return text, csamp, True
        if w < 0.92:
            on, off = self.gen_flags_letters()
            saved = self.verbose
            if "x" in on:
                self.verbose = True
            if "x" in off:
                self.verbose = False
            inner, samp = self.gen_regex(depth)
            self.verbose = saved
            return "(?%s%s:%s)" % (on, off, inner), samp, True
        if w < 0.95:
            return "(?#%s)" % self.pick(["", "c", "a b", "x)"[:1]]), \
                (lambda ctx: ""), False
        inner, samp = self.gen_regex(depth)
        return "(%s)" % inner if False else "(?:%s)" % inner, samp, True

    def gen_regex_noalt(self, depth):
        return self.gen_seq(depth)

    def gen_fixed(self, width, depth):
        """a pattern of fixed width `width` (for look-behinds), sometimes
        deliberately not fixed"""
        r = self.r
        if self.chance(0.05):
            return self.pick(["a*", "ab|c", "a+", "x?", "(a|bc)", "\\d{1,2}",
                              "a|", "(?:ab|c)d"])
        parts = []
        left = width
        while left > 0:
            w = r.random()
            if w < 0.4:
                parts.append(self.escaped_lit(self.lit_char()))
                left -= 1
            elif w < 0.55:
                parts.append(self.pick([".", "\\d", "\\w", "\\s", "\\W"]))
                left -= 1
            elif w < 0.65:
                parts.append(self.gen_class()[0])
                left -= 1
            elif w < 0.75 and left >= 2:
                k = r.randint(2, left)
                parts.append(self.escaped_lit(self.lit_char()) + "{%d}" % k)
                left -= k
            elif w < 0.85 and depth > 0:
                k = r.randint(1, left)
                alts = [self.gen_fixed(k, depth - 1)
                        for _ in range(r.randint(1, 2))]
                if self.chance(0.5):
                    self.ngroups += 1
                    num = self.ngroups
                    parts.append("(" + "|".join(alts) + ")")
                    self.closed.append(num)
                    self.fixed_w[num] = k
                else:
                    parts.append("(?:" + "|".join(alts) + ")")
                left -= k
            elif w < 0.87 or (w < 0.95 and self.fixed_w):
                # a back reference to, or a conditional on, a group of
                # known width (CPython takes both in a look-behind)
                fit = [n for n, k in self.fixed_w.items() if k <= left
                       and n in self.closed]
                if fit and (self.chance(0.6) or depth <= 0):
                    n = self.pick(fit)
                    parts.append("(?:\\%d)" % n)
                    left -= self.fixed_w[n]
                elif self.closed and depth > 0:
                    n = self.pick(self.closed)
                    k = r.randint(0, left)
                    yes = self.gen_fixed(k, depth - 1)
                    if self.chance(0.3):
                        # no "no" branch: fixed width only when k is 0
                        parts.append("(?(%d)%s)" % (n, yes))
                    else:
                        no = self.gen_fixed(k, depth - 1)
                        parts.append("(?(%d)%s|%s)" % (n, yes, no))
                    left -= k
            elif w < 0.9:
                parts.append(self.pick(["\\b", "\\B", "^", "$", "(?=a)",
                                        "(?!b)"]))
            else:
                parts.append(self.escaped_lit(self.lit_char()))
                left -= 1
        return "".join(parts)


BAD_SNIPPETS = ["\\q", "\\e", "\\z",
                "[z-a]", "*a", "a**", "a{3,2}", "(?P<1>x)", "(?P<a-b>x)",
                "(?P<>x)", "(?P=zz)", "\\9", "(?<=a+)", "(?<=a|bc)",
                "(?(5)a|b)", "(?Z)", "(?", "(?P", "(?<", "\\x4", "\\u12",
                "\\U1234", "\\400", "[a", ")", "a{1,2}{3}", "(?i", "(?#abc",
                "(?P<a>x)(?P<a>y)", "(?a)(?u)", "(?i)", "(?L)", "(?-i)",
                "(?i-i:a)", "(?-a:a)", "(?u:a)", "(?(a)b|c|d)", "(?(0)a)",
                "(?P>a)", "(?<a>x)", "x(?P=a)", "(a)(?<=\\1)", "\\k<a>",
                "a|*", "(?:", "[]", "[^]", "^*", "\\b+", "\\8", "\\10",
                "(?(1a)x)", "(?P<a>a)(?(b)x)", "\\c", "\\g<1>",
                "[\\d-z]", "[a-\\d]", "(?x)#(", "{1}", "a{,}{", "(?P<é1>x)",
                "(?<!a*b)", "(?<=(?P<a>x)|y)"]


def mutate_invalid(rng, pat, mode):
    w = rng.random()
    if w < 0.25 and pat:
        return pat[:rng.randrange(len(pat))]
    if w < 0.5:
        i = rng.randint(0, len(pat))
        return pat[:i] + rng.choice("()[]{}*+?|\\") + pat[i:]
    i = rng.randint(0, len(pat))
    snip = rng.choice(BAD_SNIPPETS)
    if mode == "bytes" and not snip.isascii():
        snip = "\\q"
    return pat[:i] + snip + pat[i:]


def gen_pattern(rng, mode, flags):
    verbose = "X" in flags
    g = Gen(rng, mode, verbose)
    prefix = ""
    if rng.random() < 0.12:
        on = rng.choice(["i", "s", "m", "x", "a", "ims", "ix", "u", "is",
                         "sx", "L"])
        prefix = "(?%s)" % on
        if "i" in on:
            g.used_i = True
        if "x" in on:
            g.verbose = True
    text, samp = g.gen_regex(rng.choice([1, 2, 2, 3]))
    pat = prefix + text
    if rng.random() < 0.1:
        pat = mutate_invalid(rng, pat, mode)
    if "vbscomment" in AVOID:
        pat = pat.replace("\\\n", "\\n")
    return pat, samp, g


def gen_subject(rng, mode, pat, samp):
    lits = [c for c in pat if c.isalnum() or ord(c) > 127]
    alpha = list("abcxyz019 \n-_") + lits + [c.swapcase() for c in lits
                                             if len(c.swapcase()) == 1]
    if mode == "bytes":
        alpha += list(BYTES_EXTRA)
    else:
        alpha += list(SUBJ_EXTRA)

    def rnd(n):
        return "".join(rng.choice(alpha) for _ in range(n))
    w = rng.random()
    if w < 0.7:
        s = rnd(rng.choice([0, 0, 1, 2, 5]))
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            try:
                s += samp({})
            except RecursionError:
                pass
            s += rnd(rng.choice([0, 0, 1, 3]))
        # mutations
        if s and rng.random() < 0.3:
            i = rng.randrange(len(s))
            s = s[:i] + rnd(rng.randint(0, 2)) + s[i + 1:]
    else:
        s = rnd(rng.randint(0, 20))
    s = s[:40]
    if mode == "bytes":
        b = s.encode("latin-1", "replace") if all(
            ord(c) < 256 for c in s) else s.encode("utf-8")
        if rng.random() < 0.2:
            b += "é".encode("utf-8")
        return b
    return s


def gen_template(rng, g, mode):
    parts = []
    for _ in range(rng.randint(0, 4)):
        w = rng.random()
        if w < 0.3:
            parts.append(rng.choice(["x", "-", "<", ">", "é", " ", "ab"]))
        elif w < 0.55 and g.ngroups:
            n = rng.randint(1, g.ngroups)
            parts.append(rng.choice(["\\%d" % n, "\\g<%d>" % n]))
        elif w < 0.65 and g.names:
            parts.append("\\g<%s>" % rng.choice(list(g.names)))
        elif w < 0.8:
            parts.append(rng.choice(["\\g<0>", "\\g<0>", "\\n", "\\t",
                                     "\\\\", "\\0", "\\012", "\\a", "\\-"]))
        elif w < 0.85:
            parts.append(rng.choice(["\\q", "\\g<", "\\g<zz>", "\\g<-1>",
                                     "\\%d" % (g.ngroups + 1), "\\",
                                     "\\g<%d>" % (g.ngroups + 1), "\\g<1x>",
                                     "\\g", "\\g<>"]))
        else:
            parts.append("[\\g<0>]")
    t = "".join(parts)
    if mode == "bytes":
        t = t.encode("utf-8")
    return t


def to_mode(pat, mode):
    if mode == "bytes":
        try:
            return pat.encode("latin-1")
        except UnicodeEncodeError:
            return pat.encode("utf-8")
    return pat


def make_case(rng, cid):
    mode = "bytes" if rng.random() < 0.15 else "str"
    letters = "IMSX" + ("A" if mode == "str" else "")
    flags = "".join(c for c in letters if rng.random() < 0.18)
    if mode == "str" and rng.random() < 0.02:
        flags += "U"
    if mode == "bytes" and rng.random() < 0.05:
        flags += "L"
    pat, samp, g = gen_pattern(rng, mode, flags)
    subj = gen_subject(rng, mode, pat, samp)
    if "dotless" in AVOID and mode == "str" and (
            "I" in flags or re.search(r"\(\?[aiLmsux]*i", pat)):
        # (an older docs/re.md listed CPython's folding of İ (U+0130) and
        # ı (U+0131) with i and I as a difference; --avoid dotless keeps
        # them out of case-insensitive cases)
        pat = (pat.replace("İ", "é").replace("ı", "é")
               .replace("\\u0130", "\\u00e9").replace("\u0100-\u017f", "\u0100-\u012f"))
        subj = subj.replace("İ", "é").replace("ı", "é")
    n = len(subj)
    case = {"id": cid, "p": to_mode(pat, mode), "flags": flags,
            "b": mode == "bytes", "s": subj,
            "r": gen_template(rng, g, mode), "c": rng.choice([0, 0, 1, 2]),
            "ms": rng.choice([0, 1, 2]),
            "pos": rng.randint(0, n), "endpos": rng.randint(0, n)}
    if (rng.random() < 0.6 or "endpos" in AVOID) and \
            case["endpos"] < case["pos"]:
        case["pos"], case["endpos"] = case["endpos"], case["pos"]
    return case

# }======

# {====== the oracle ======


class Timeout(Exception):
    pass


def _alarm(*_):
    raise Timeout()


def flag_bits(flags):
    b = 0
    for c in flags:
        b |= FLAG_BITS[c]
    return b


def oracle(case, limit=1.0):
    """Fill case['exp'] (op -> canonical string), case['epos'] (op -> error
    pos) and case['emsg'].  Returns False when CPython timed out."""
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        _oracle(case)
        return True
    except Timeout:
        return False
    except Exception as e:      # CPython's own internal errors
        case["cpython_error"] = "%s: %s" % (type(e).__name__, e)
        return False
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _run(exp, epos, emsg, op, fn, source=None):
    try:
        exp[op] = fn()
    except Timeout:
        raise
    except (re.error, IndexError, ValueError, TypeError, OverflowError) as e:
        exp[op], pos, msg = err_info(e, source)
        if pos is not None:
            epos[op] = pos
        emsg[op] = msg


def _oracle(case):
    exp, epos, emsg = {}, {}, {}
    case["exp"], case["epos"], case["emsg"] = exp, epos, emsg
    pat, s, flags = case["p"], case["s"], flag_bits(case["flags"])
    try:
        p = re.compile(pat, flags)
    except Timeout:
        raise
    except (re.error, ValueError, OverflowError, RecursionError,
            TypeError) as e:
        exp["compile"], pos, msg = err_info(e, pat)
        if pos is not None:
            epos["compile"] = pos
        emsg["compile"] = msg
        return
    exp["compile"] = ser_compile(p)
    m = p.search(s)
    exp["search"] = ser_match(m, s)
    exp["search.li"] = ser_li(m)
    exp["search.gd"] = ser_gd(m)
    if m is not None:
        _run(exp, epos, emsg, "expand", lambda: q(m.expand(case["r"])))
    exp["match"] = ser_match(p.match(s), s)
    exp["fullmatch"] = ser_match(p.fullmatch(s), s)
    pos, endpos = case["pos"], case["endpos"]
    case["lpos"] = bo(s, pos) + 1
    case["lendpos"] = bo(s, endpos)
    mp = p.search(s, pos, endpos)
    exp["psearch"] = ser_match(mp, s)
    exp["psearch.li"] = ser_li(mp)
    exp["pmatch"] = ser_match(p.match(s, pos, endpos), s)
    exp["pfullmatch"] = ser_match(p.fullmatch(s, pos, endpos), s)
    exp["pfindall"] = ser_findall(p.findall(s, pos, endpos))
    exp["findall"] = ser_findall(p.findall(s))
    exp["finditer"] = ser_finditer(p, s)
    r, c = case["r"], case["c"]

    def subn(count):
        res, n = p.subn(r, s, count)
        return "%s#%d" % (q(res), n)
    _run(exp, epos, emsg, "sub", lambda: subn(c), r)
    _run(exp, epos, emsg, "subn", lambda: subn(0), r)
    exp["split"] = ser_split(p.split(s))
    exp["splitmax"] = ser_split(p.split(s, case["ms"]))

# }======


def write_cases(cases, out):
    out.write("return {\n")
    for c in cases:
        d = {"id": c["id"], "p": c["p"], "flags": c["flags"],
             "b": c["b"] or None, "s": c["s"], "r": c["r"], "c": c["c"],
             "ms": c["ms"], "pos": c.get("lpos"), "endpos": c.get("lendpos"),
             "ppos": c["pos"], "pendpos": c["endpos"], "exp": c["exp"],
             "epos": c["epos"] or None, "emsg": c["emsg"] or None}
        out.write(lua_value(d, compact=True) + ",\n")
    out.write("}\n")


def one_case(args):
    """A single hand-written case (for minimising): --pattern etc. are
    Python literals, e.g. --pattern "r'a(?#x)*'" --subject "'aa'"."""
    import ast
    p = ast.literal_eval(args.pattern)
    s = ast.literal_eval(args.subject)
    r = ast.literal_eval(args.repl)
    if isinstance(p, bytes) and isinstance(r, str):
        r = r.encode("utf-8")
    n = len(s)
    case = {"id": "one", "p": p, "flags": args.flags,
            "b": isinstance(p, bytes), "s": s, "r": r, "c": args.subcount,
            "ms": args.maxsplit,
            "pos": n if args.pos is None else args.pos,
            "endpos": n if args.endpos is None else args.endpos}
    if args.pos is None:
        case["pos"] = 0
    return case


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--out", default="-")
    ap.add_argument("--avoid", default="",
                    help="comma-separated known classes to steer around")
    ap.add_argument("--pattern")
    ap.add_argument("--subject", default="''")
    ap.add_argument("--flags", default="")
    ap.add_argument("--repl", default="''")
    ap.add_argument("--subcount", type=int, default=0)
    ap.add_argument("--maxsplit", type=int, default=0)
    ap.add_argument("--pos", type=int)
    ap.add_argument("--endpos", type=int)
    args = ap.parse_args()
    AVOID.update(a for a in args.avoid.split(",") if a)
    if args.pattern is not None:
        case = one_case(args)
        oracle(case, 10)
        out = sys.stdout if args.out == "-" else open(args.out, "w")
        write_cases([case], out)
        return
    rng = random.Random(args.seed)
    cases = []
    skipped = crashed = 0
    for i in range(args.count):
        cid = "%d:%d" % (args.seed, i)
        case = make_case(rng, cid)
        if oracle(case):
            cases.append(case)
        elif "cpython_error" in case:
            sys.stderr.write("CPYTHON-ERROR %s %r flags=%s subject=%r: %s\n" % (
                cid, case["p"], case["flags"], case["s"], case["cpython_error"]))
            crashed += 1
        else:
            skipped += 1
    out = sys.stdout if args.out == "-" else open(args.out, "w")
    write_cases(cases, out)
    if out is not sys.stdout:
        out.close()
    sys.stderr.write("seed %d: %d cases, %d CPython timeouts, %d CPython "
                     "internal errors\n"
                     % (args.seed, len(cases), skipped, crashed))


if __name__ == "__main__":
    sys.setrecursionlimit(10000)
    main()
