#!/usr/bin/env python3
"""Random scenario generator for the pystd.collections <-> CPython collections
differential tester.

A scenario (plain lists and dicts, JSON-serialisable) is a few objects (deque,
Counter, OrderedDict, defaultdict) and a list of operations on them. emit(scn)
translates it to a Python script and a Lua script that print the same line per
operation: `<n> <op>: <result> | <repr of the object>`, or
`<n> <op>: raise <Type>[: message] | <repr>` when the operation raises.
`python3 gen.py SEED` prints the scenario; `python3 gen.py SEED py|lua` prints
one of the scripts.

Translation rules (docs/collections.md, API.md section 1):
- positions: Python's 0-based indexes become 1-based (negative ones stay),
  `index(x, start, stop)`'s half-open stop becomes an inclusive one, and the
  returned position is printed 1-based on both sides;
- reading `d[len(d)]` raises IndexError in CPython and gives nil in pystd
  (documented, so that `ipairs` stops): both sides print a marker there, the
  Lua side only if it really read nil;
- Python's `del m[k]` on an OrderedDict / defaultdict becomes `m.pop(k, None)`
  (pystd's `m[k] = nil` ignores a missing key), `od[k]` becomes `od.get(k)`;
- map literals with more than one key are passed to Lua as an OrderedDict
  (a plain table would be copied in `next` order), one-key maps as plain tables;
- a defaultdict's repr is written as pystd writes it: `defaultdict(<function>,
  {...})`, an empty list value `{}` (an empty Lua table is written `{}`);
- results: None/nil -> nil, booleans true/false, tuples and lists -> [a, b].
"""
import json
import random
import sys

STRS = ["a", "b", "c", "ab", "", "é", "日"]
SKEYS = ["a", "b", "c", "d", "é", "日"]
TEXT_CHARS = "aabbcde é日ß"

KINDS = ["deque", "Counter", "OrderedDict", "defaultdict"]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.floats = self.r.random() < 0.3
        self.v2 = seed >= 2000  # eqcopy; the seeds before keep their scenarios
        self.v3 = seed >= 10000  # bulk operations: rings that grow and shrink,
        # maps with swept orders, most_common over more than 32 keys

    def val(self):
        r = self.r
        x = r.random()
        if self.floats and x < 0.1:
            return r.choice([2.0, -1.0, 0.0])
        if x < 0.65:
            return r.randint(-2, 4)
        return r.choice(STRS)

    def key(self):
        r = self.r
        if r.random() < 0.25:
            return r.choice([0, 1, 2, -1])
        return r.choice(SKEYS)

    def skey(self):
        return self.r.choice(SKEYS)

    def count(self):
        return self.r.randint(-2, 4)

    def arr(self, lo=0, hi=5, f=None):
        return [(f or self.val)() for _ in range(self.r.randint(lo, hi))]

    def cmap(self, lo=0, hi=4):
        ks = self.r.sample(SKEYS, self.r.randint(lo, hi))
        return [[k, self.count()] for k in ks]

    def text(self):
        return "".join(self.r.choice(TEXT_CHARS) for _ in range(self.r.randint(0, 8)))

    def obj(self, kind):
        r = self.r
        if kind == "deque":
            return {"kind": kind, "init": self.arr(0, 6),
                    "maxlen": r.choice([None, None, None, 0, 1, 2, 3, 5])}
        if kind == "Counter":
            how = r.choice(["none", "array", "array", "string", "map"])
            if how == "array":
                init = self.arr(0, 7, self.key)
            elif how == "string":
                init = self.text()
            elif how == "map":
                init = self.cmap()
            else:
                init = None
            return {"kind": kind, "how": how, "init": init}
        if kind == "OrderedDict":
            n = r.randint(0, 5)
            return {"kind": kind, "init": [[self.key(), self.val()] for _ in range(n)]}
        fac = r.choice(["list", "int", "const"])
        ks = r.sample(SKEYS, r.randint(0, 3))
        return {"kind": kind, "factory": fac,
                "init": [[k, self.ddval(fac)] for k in ks]}

    def ddval(self, fac):
        if fac == "list":
            return self.arr(0, 2, lambda: self.r.randint(-2, 4))
        if fac == "int":
            return self.count()
        return self.val()

    def scenario(self):
        r = self.r
        n = r.randint(2, 4)
        if r.random() < 0.5:
            k = r.choice(KINDS)
            kinds = [k] * n
            if r.random() < 0.5:
                kinds[-1] = r.choice(KINDS)
        else:
            kinds = [r.choice(KINDS) for _ in range(n)]
        objs = [self.obj(k) for k in kinds]
        self.objs = objs
        ops = [self.op() for _ in range(r.randint(20, 80))]
        return {"floats": self.floats, "objs": objs, "ops": ops}

    def other(self, i, kinds=None, nolist=False):
        cand = [j for j, o in enumerate(self.objs)
                if (kinds is None or o["kind"] in kinds)
                and not (nolist and o["kind"] == "defaultdict" and o["factory"] == "list")]
        return self.r.choice(cand) if cand else None

    def op(self):
        r = self.r
        i = r.randrange(len(self.objs))
        o = self.objs[i]
        kind = o["kind"]
        if kind == "deque":
            return [i] + self.deque_op(i)
        if kind == "Counter":
            return [i] + self.counter_op(i)
        if kind == "OrderedDict":
            return [i] + self.od_op(i)
        return [i] + self.dd_op(i, o["factory"])

    def pos(self):
        r = self.r
        if r.random() < 0.1:
            return r.choice([100, -100, 7, -7])
        return r.randint(-5, 6)

    def deque_op(self, i):
        r = self.r
        ks = ["append", "append", "appendleft", "appendleft", "pop", "popleft",
              "extend", "extendleft", "rotate", "rotate", "clear", "copy",
              "count", "index", "index", "insert", "insert", "remove", "reverse",
              "get", "get", "set", "len", "eq", "lt", "le", "maxlen", "fromdeque",
              "iter", "pairs", "counter", "itermut"]
        if self.v3:
            ks += ["bulkextend", "bulkextend", "popn", "popn"]
        k = r.choice(ks)
        if k == "bulkextend":
            return [r.choice(["extend", "extendleft"]),
                    [r.randint(-2, 9) for _ in range(r.randint(5, 40))]]
        if k == "popn":
            return [k, r.randint(2, 30), r.random() < 0.5]
        if k in ("append", "appendleft", "count", "remove"):
            return [k, self.val()]
        if k in ("extend", "extendleft"):
            if r.random() < 0.3:
                return [k + "_obj", self.other(i, ["deque"])]
            return [k, self.arr(0, 4)]
        if k == "rotate":
            return [k, r.choice([None, 0, 1, -1, 2, -2, 3, -3, 5, -6, 1000003, -999999,
                                 2 ** 40 + 1])]
        if k == "index":
            args = []
            if r.random() < 0.6:
                args.append(self.pos())
                if r.random() < 0.6:
                    args.append(self.pos())
            return [k, self.val(), args]
        if k == "insert":
            return [k, self.pos(), self.val()]
        if k == "get":
            return [k, self.pos()]
        if k == "set":
            return [k, self.pos(), self.val()]
        if k in ("eq",):
            return [k, self.other(i)]
        if k in ("lt", "le"):
            return [k, self.other(i, ["deque"])]
        if k == "fromdeque":
            return [k, r.choice([None, 0, 1, 2, 4])]
        if k == "itermut":
            m = r.choice(["append", "appendleft", "pop", "popleft", "rotate", "reverse",
                          "set", "clear", "extend"])
            how = r.choice(["iter", "pairs"])
            if m in ("append", "appendleft", "set"):
                return [k, how, m, self.val()]
            if m == "rotate":
                return [k, how, m, r.choice([0, 1, -1, 2, 3])]
            if m == "extend":
                return [k, how, m, self.arr(0, 2)]
            return [k, how, m]
        return [k]

    def src(self, i):
        """a source for Counter.update / subtract (and the constructor)"""
        r = self.r
        how = r.choice(["array", "array", "string", "map", "map", "obj", "obj", "none"])
        if how == "array":
            return ["array", self.arr(0, 6, self.key)]
        if how == "string":
            return ["string", self.text()]
        if how == "map":
            return ["map", self.cmap(1, 4)]
        if how == "obj":
            j = self.other(None, nolist=True)
            return ["obj", j]
        return ["none"]

    def counter_op(self, i):
        r = self.r
        ks = ["get", "get", "set", "del", "incr", "incr", "update", "update",
              "subtract", "subtract", "most_common", "most_common", "elements",
              "total", "keys", "values", "items", "len", "pairs", "binop", "binop",
              "binop", "neg", "eq", "eq", "cmp", "has", "itermut"]
        if self.v2:
            ks += ["eqcopy", "eqcopy"]
        if self.v3:
            ks += ["bulkset", "bulkset", "bulkdel"]
        k = r.choice(ks)
        if k in ("bulkset", "bulkdel"):
            return self.bulk(k, self.count)
        if k == "eqcopy":
            return self.eqcopy(lambda: self.r.randint(-1, 2))
        if k in ("get", "del", "has"):
            return [k, self.key()]
        if k in ("set", "incr"):
            return [k, self.key(), self.count()]
        if k in ("update", "subtract"):
            return [k, self.src(i)]
        if k == "itermut":
            return self.map_itermut("Counter")
        if k == "most_common":
            return [k, r.choice([None, None, 0, -1, 1, 2, 3, 10])]
        if k == "binop":
            return [k, r.choice(["+", "-", "&", "|"]), self.other(i, ["Counter"])]
        if k == "eq":
            return [k, self.other(i, nolist=True)]
        if k == "cmp":
            return [k, r.choice(["<", "<="]), self.other(i, ["Counter"])]
        return [k]

    def od_op(self, i):
        r = self.r
        ks = ["set", "set", "set", "del", "get", "move_to_end", "move_to_end",
              "popitem", "popitem", "keys", "values", "items", "len", "pairs",
              "eq", "eq", "has", "itermut"]
        if self.v2:
            ks += ["eqcopy", "eqcopy"]
        if self.v3:
            ks += ["bulkset", "bulkset", "bulkdel"]
        k = r.choice(ks)
        if k in ("bulkset", "bulkdel"):
            return self.bulk(k, self.val)
        if k == "eqcopy":
            return self.eqcopy(self.val)
        if k in ("del", "get", "has"):
            return [k, self.key()]
        if k == "set":
            return [k, self.key(), self.val()]
        if k == "move_to_end":
            return [k, self.key(), r.choice([None, True, False])]
        if k == "itermut":
            return self.map_itermut("OrderedDict")
        if k == "popitem":
            return [k, r.choice([None, True, False])]
        if k == "eq":
            return [k, self.other(i, nolist=True)]
        return [k]

    def dd_op(self, i, fac):
        r = self.r
        ks = ["get", "get", "get", "set", "del", "len", "keys", "values", "items", "pairs",
              "factory", "has", "itermut"]
        if fac == "list":
            ks += ["append", "append"]
        else:
            ks += ["eq"]
        if fac == "int":
            ks += ["incr", "incr"]
        if self.v2 and fac != "list":
            ks += ["eqcopy", "eqcopy"]
        if self.v3:
            ks += ["bulkset", "bulkset", "bulkdel"]
        k = r.choice(ks)
        if k in ("bulkset", "bulkdel"):
            return self.bulk(k, lambda: self.ddval(fac))
        if k == "eqcopy":
            return self.eqcopy(lambda: self.ddval(fac))
        if k in ("get", "del", "has"):
            return [k, self.key()]
        if k == "set":
            return [k, self.key(), self.ddval(fac)]
        if k == "append":
            return [k, self.key(), r.randint(-2, 4)]
        if k == "incr":
            return [k, self.key(), self.count()]
        if k == "eq":
            return [k, self.other(i, nolist=True)]
        if k == "itermut":
            return self.map_itermut("defaultdict", fac)
        return [k]

    def bulk(self, k, val):
        """set or delete many keys k0..k59 (and a few others) in one step"""
        r = self.r
        keys = ["k%d" % n for n in r.sample(range(60), r.randint(5, 40))]
        if r.random() < 0.3:
            keys.append(self.key())
        if k == "bulkset":
            return [k, [[key, val()] for key in keys]]
        return [k, keys]

    def eqcopy(self, val):
        """compare with a plain copy (dict(m) / a table filled by pairs),
        maybe with one key set or deleted; either side of =="""
        r = self.r
        tweak = r.choice(["none", "none", "set", "del"])
        flip = r.random() < 0.5
        if tweak == "set":
            return ["eqcopy", flip, tweak, self.key(), val()]
        if tweak == "del":
            return ["eqcopy", flip, tweak, self.key()]
        return ["eqcopy", flip, tweak]

    def map_itermut(self, kind, fac=None):
        """iterate with pairs / items, changing the map at the first step"""
        r = self.r
        how = r.choice(["pairs", "items"])
        ms = ["set", "set", "read"]
        if kind == "OrderedDict":
            ms += ["move", "move"]
        m = r.choice(ms)
        if m == "set":
            v = self.ddval(fac) if kind == "defaultdict" else (
                self.count() if kind == "Counter" else self.val())
            return ["itermut", how, m, self.key(), v]
        if m == "move":
            return ["itermut", how, m, self.key(), r.choice([None, True, False])]
        return ["itermut", how, m, self.key()]


# ------------------------------------------------------------------ emission

def py_lit(v):
    if v is None:
        return "None"
    if isinstance(v, list):
        return "[" + ", ".join(py_lit(x) for x in v) + "]"
    return repr(v)


def lua_lit(v):
    if v is None:
        return "nil"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, list):
        return "{" + ", ".join(lua_lit(x) for x in v) + "}"
    return str(v)


def py_map(pairs):
    return "{" + ", ".join("%s: %s" % (py_lit(k), py_lit(v)) for k, v in pairs) + "}"


def lua_map(pairs):
    if len(pairs) <= 1:
        return "{" + ", ".join("[%s] = %s" % (lua_lit(k), lua_lit(v)) for k, v in pairs) + "}"
    return "OD{" + ", ".join("{%s, %s}" % (lua_lit(k), lua_lit(v)) for k, v in pairs) + "}"


PY_PRELUDE = r'''
from collections import deque, Counter, OrderedDict, defaultdict
import sys
F_list = list
F_int = int
def F_const():
    return 'x'
def RV(v):
    if isinstance(v, list):
        return '[' + ', '.join(RV(x) for x in v) + ']' if v else '{}'
    return repr(v)
def R(o):
    if isinstance(o, defaultdict):
        return 'defaultdict(<function>, {' + ', '.join(
            RV(k) + ': ' + RV(v) for k, v in o.items()) + '})'
    return repr(o)
def fmt(v):
    if v is None:
        return 'nil'
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, (int, float, str)):
        return repr(v)
    if isinstance(v, (list, tuple)):
        return '[' + ', '.join(fmt(x) for x in v) + ']'
    return R(v)
def SR(o):
    try:
        return R(o)
    except Exception as e:
        return 'REPR-RAISES ' + type(e).__name__
def P(n, name, r, o):
    print('%d %s: %s | %s' % (n, name, fmt(r), SR(o)))
def E(n, name, e, o, mode):
    s = 'raise ' + type(e).__name__
    if mode == 'str':
        s += ': ' + str(e)
    elif mode == 'arg0':
        s += ': ' + str(e.args[0])
    elif mode == 'keyrepr':
        s += ': ' + repr(e.args[0])
    print('%d %s: %s | %s' % (n, name, s, SR(o)))
'''

LUA_PRELUDE = r'''
local C = require "pystd.collections"
local deque, Counter, OD, DD = C.deque, C.Counter, C.OrderedDict, C.defaultdict
local F_list = function() return {} end
local F_int = function() return 0 end
local F_const = function() return 'x' end
local AT_END = '<d[len(d)]: nil in pystd, IndexError in CPython>'
local function fmt(v)
  local t = type(v)
  if t == 'nil' then return 'nil' end
  if t == 'boolean' then return tostring(v) end
  if t == 'number' or t == 'string' then return C.repr(v) end
  if t == 'table' and getmetatable(v) == nil then
    local parts = {}
    for i = 1, #v do parts[i] = fmt(v[i]) end
    return '[' .. table.concat(parts, ', ') .. ']'
  end
  return tostring(v)
end
local function SR(o)
  local ok, s = pcall(tostring, o)
  if ok then return s end
  return 'REPR-RAISES ' .. (type(s) == 'table' and tostring(s.type) or tostring(s))
end
local function P(n, name, r, o)
  print(string.format('%d %s: %s | %s', n, name, fmt(r), SR(o)))
end
local function E(n, name, e, o, mode)
  local s
  if type(e) == 'table' and e.type then
    s = 'raise ' .. e.type
    if mode then s = s .. ': ' .. tostring(e.message) end
  else
    s = 'raise LUA-ERROR ' .. tostring(e)
  end
  print(string.format('%d %s: %s | %s', n, name, s, SR(o)))
end
'''

FACT = {"list": "F_list", "int": "F_int", "const": "F_const"}


def src_code(s, names):
    """(python, lua) expressions of a Counter source"""
    how = s[0]
    if how == "array":
        return py_lit(s[1]), lua_lit(s[1])
    if how == "string":
        return py_lit(s[1]), lua_lit(s[1])
    if how == "map":
        return py_map(s[1]), lua_map(s[1])
    if how == "obj":
        return names[s[1]], names[s[1]]
    return None, None


def items_lua(o, fn):
    return ("local t = {} for k, v in %s(%s) do t[#t + 1] = {k, v} end return t" % (fn, o))


def op_code(op, scn, names):
    """-> (python statements (list) setting r, lua body (str) returning r, message mode)"""
    i, name = op[0], op[1]
    a = op[2:]
    o = names[i]
    kind = scn["objs"][i]["kind"]
    cls = {"Counter": "Counter", "OrderedDict": "OD", "defaultdict": "DD"}.get(kind)
    V = lambda v: (py_lit(v), lua_lit(v))  # noqa: E731
    if kind == "deque":
        if name in ("append", "appendleft", "remove", "count"):
            p, l = V(a[0])
            return (["r = %s.%s(%s)" % (o, name, p)], "return %s:%s(%s)" % (o, name, l),
                    "str" if name == "remove" else None)
        if name in ("pop", "popleft"):
            return ["r = %s.%s()" % (o, name)], "return %s:%s()" % (o, name), "str"
        if name in ("extend", "extendleft"):
            p, l = V(a[0])
            return ["r = %s.%s(%s)" % (o, name, p)], "return %s:%s(%s)" % (o, name, l), None
        if name in ("extend_obj", "extendleft_obj"):
            m = name[:-4]
            j = names[a[0]]
            return ["r = %s.%s(%s)" % (o, m, j)], "return %s:%s(%s)" % (o, m, j), None
        if name == "rotate":
            if a[0] is None:
                return ["r = %s.rotate()" % o], "return %s:rotate()" % o, None
            return (["r = %s.rotate(%d)" % (o, a[0])], "return %s:rotate(%d)" % (o, a[0]),
                    None)
        if name in ("clear", "copy", "reverse"):
            return ["r = %s.%s()" % (o, name)], "return %s:%s()" % (o, name), None
        if name == "index":
            p, l = V(a[0])
            args = a[1]
            pargs = "".join(", %d" % x for x in args)
            largs = ""
            if len(args) >= 1:
                largs += ", %d" % (args[0] + 1 if args[0] >= 0 else args[0])
            if len(args) >= 2:
                largs += ", %d" % (args[1] if args[1] >= 0 else args[1] - 1)
            return (["r = %s.index(%s%s) + 1" % (o, p, pargs)],
                    "return %s:index(%s%s)" % (o, l, largs), "str")
        if name == "insert":
            p, l = V(a[1])
            li = a[0] + 1 if a[0] >= 0 else a[0]
            return (["r = %s.insert(%d, %s)" % (o, a[0], p)],
                    "return %s:insert(%d, %s)" % (o, li, l), "str")
        if name == "get":
            li = a[0] + 1 if a[0] >= 0 else a[0]
            return ([
                "if %d == len(%s):" % (a[0], o),
                "    r = %r" % LUA_AT_END,
                "else:",
                "    r = %s[%d]" % (o, a[0])],
                "local v = %s[%d] if v == nil and %d == #%s + 1 then return AT_END end "
                "return v" % (o, li, li, o), "str")
        if name == "set":
            li = a[0] + 1 if a[0] >= 0 else a[0]
            p, l = V(a[1])
            return ["%s[%d] = %s; r = None" % (o, a[0], p)], "%s[%d] = %s" % (o, li, l), "str"
        if name == "len":
            return ["r = len(%s)" % o], "return #%s" % o, None
        if name == "eq":
            j = names[a[0]]
            return ["r = %s == %s" % (o, j)], "return %s == %s" % (o, j), None
        if name in ("lt", "le"):
            j = names[a[0]]
            sym = {"lt": "<", "le": "<="}[name]
            return ["r = %s %s %s" % (o, sym, j)], "return %s %s %s" % (o, sym, j), None
        if name == "maxlen":
            return ["r = %s.maxlen" % o], "return %s.maxlen" % o, None
        if name == "fromdeque":
            if a[0] is None:
                return ["r = deque(%s)" % o], "return deque(%s)" % o, None
            return (["r = deque(%s, %d)" % (o, a[0])], "return deque(%s, %d)" % (o, a[0]),
                    None)
        if name == "iter":
            return (["r = list(%s)" % o],
                    "local t = {} for v in %s:iter() do t[#t + 1] = v end return t" % o, None)
        if name == "pairs":
            return (["r = [[n + 1, v] for n, v in enumerate(%s)]" % o],
                    "local t = {} for n, v in pairs(%s) do t[#t + 1] = {n, v} end return t"
                    % o, None)
        if name == "counter":
            return ["r = Counter(%s)" % o], "return Counter(%s)" % o, None
        if name == "popn":
            m = "popleft" if a[1] else "pop"
            return (["r = [%s.%s() for _ in range(%d)]" % (o, m, a[0])],
                    "local t = {} for i = 1, %d do t[i] = %s:%s() end return t"
                    % (a[0], o, m), "str")
        if name == "itermut":
            how, m = a[0], a[1]
            if m in ("append", "appendleft", "extend"):
                pm, lm = "%s.%s(%s)" % (o, m, py_lit(a[2])), "%s:%s(%s)" % (o, m, lua_lit(a[2]))
            elif m == "rotate":
                pm, lm = "%s.rotate(%d)" % (o, a[2]), "%s:rotate(%d)" % (o, a[2])
            elif m == "set":
                pm, lm = "%s[0] = %s" % (o, py_lit(a[2])), "%s[1] = %s" % (o, lua_lit(a[2]))
            else:
                pm, lm = "%s.%s()" % (o, m), "%s:%s()" % (o, m)
            lloop = "v in %s:iter()" % o if how == "iter" else "_, v in pairs(%s)" % o
            return ([
                "r = []",
                "for v in %s:" % o,
                "    r.append(v)",
                "    if len(r) == 1:",
                "        " + pm],
                "local t = {} for %s do t[#t + 1] = v if #t == 1 then %s end end return t"
                % (lloop, lm), "str")
        raise ValueError(name)
    # maps
    if name == "get":
        p, l = V(a[0])
        if kind == "OrderedDict":
            return ["r = %s.get(%s)" % (o, p)], "return %s[%s]" % (o, l), None
        return ["r = %s[%s]" % (o, p)], "return %s[%s]" % (o, l), None
    if name == "has":
        p, l = V(a[0])
        return ["r = %s in %s" % (p, o)], "return rawget(%s, %s) ~= nil" % (o, l), None
    if name == "set":
        p, l = V(a[0])
        pv, lv = V(a[1])
        return ["%s[%s] = %s; r = None" % (o, p, pv)], "%s[%s] = %s" % (o, l, lv), None
    if name == "del":
        p, l = V(a[0])
        if kind == "Counter":
            return ["del %s[%s]; r = None" % (o, p)], "%s[%s] = nil" % (o, l), None
        return ["%s.pop(%s, None); r = None" % (o, p)], "%s[%s] = nil" % (o, l), None
    if name == "incr":
        p, l = V(a[0])
        return (["%s[%s] += %d; r = None" % (o, p, a[1])],
                "%s[%s] = %s[%s] + %d" % (o, l, o, l, a[1]), None)
    if name == "append":
        p, l = V(a[0])
        return (["%s[%s].append(%d); r = None" % (o, p, a[1])],
                "table.insert(%s[%s], %d)" % (o, l, a[1]), None)
    if name in ("update", "subtract"):
        ps, ls = src_code(a[0], names)
        if ps is None:
            return ["r = %s.%s()" % (o, name)], "return Counter.%s(%s)" % (name, o), None
        return (["r = %s.%s(%s)" % (o, name, ps)],
                "return Counter.%s(%s, %s)" % (name, o, ls), None)
    if name == "most_common":
        if a[0] is None:
            return ["r = %s.most_common()" % o], "return Counter.most_common(%s)" % o, None
        return (["r = %s.most_common(%d)" % (o, a[0])],
                "return Counter.most_common(%s, %d)" % (o, a[0]), None)
    if name in ("elements", "keys", "values"):
        return (["r = list(%s.%s())" % (o, name)],
                "local t = {} for v in %s.%s(%s) do t[#t + 1] = v end return t"
                % (cls, name, o), None)
    if name == "items":
        return ["r = list(%s.items())" % o], items_lua(o, cls + ".items"), None
    if name == "pairs":
        return ["r = list(%s.items())" % o], items_lua(o, "pairs"), None
    if name == "total":
        return ["r = %s.total()" % o], "return Counter.total(%s)" % o, None
    if name == "len":
        return ["r = len(%s)" % o], "return %s.len(%s)" % (cls, o), None
    if name == "binop":
        j = names[a[1]]
        return ["r = %s %s %s" % (o, a[0], j)], "return %s %s %s" % (o, a[0], j), None
    if name == "neg":
        return ["r = -%s" % o], "return -%s" % o, None
    if name == "eq":
        j = names[a[0]]
        return ["r = %s == %s" % (o, j)], "return %s == %s" % (o, j), None
    if name == "cmp":
        j = names[a[1]]
        return ["r = %s %s %s" % (o, a[0], j)], "return %s %s %s" % (o, a[0], j), None
    if name == "move_to_end":
        p, l = V(a[0])
        if a[1] is None:
            return (["r = %s.move_to_end(%s)" % (o, p)],
                    "return OD.move_to_end(%s, %s)" % (o, l), "keyrepr")
        return (["r = %s.move_to_end(%s, %s)" % (o, p, a[1])],
                "return OD.move_to_end(%s, %s, %s)" % (o, l, lua_lit(a[1])), "keyrepr")
    if name == "popitem":
        if a[0] is None:
            return ["r = list(%s.popitem())" % o], "return {OD.popitem(%s)}" % o, "arg0"
        return (["r = list(%s.popitem(%s))" % (o, a[0])],
                "return {OD.popitem(%s, %s)}" % (o, lua_lit(a[0])), "arg0")
    if name == "itermut":
        how, m = a[0], a[1]
        p, l = V(a[2])
        if m == "set":
            pv, lv = V(a[3])
            if isinstance(a[3], list):
                pv, lv = py_lit(a[3]), lua_lit(a[3])
            pm, lm = "%s[%s] = %s" % (o, p, pv), "%s[%s] = %s" % (o, l, lv)
        elif m == "read":
            pm, lm = "%s[%s]" % (o, p), "local _ = %s[%s]" % (o, l)
            if kind == "OrderedDict":
                pm = "%s.get(%s)" % (o, p)
        else:
            if a[3] is None:
                pm, lm = "%s.move_to_end(%s)" % (o, p), "OD.move_to_end(%s, %s)" % (o, l)
            else:
                pm = "%s.move_to_end(%s, %s)" % (o, p, a[3])
                lm = "OD.move_to_end(%s, %s, %s)" % (o, l, lua_lit(a[3]))
        lit = "k, v in pairs(%s)" % o if how == "pairs" else "k, v in %s.items(%s)" % (cls, o)
        return ([
            "r = []",
            "for k, v in %s.items():" % o,
            "    r.append([k, v])",
            "    if len(r) == 1:",
            "        " + pm],
            "local t = {} for %s do t[#t + 1] = {k, v} if #t == 1 then %s end end return t"
            % (lit, lm), "str")
    if name == "bulkset":
        return (["r = None"] + ["%s[%s] = %s" % (o, py_lit(k), py_lit(v)) for k, v in a[0]],
                " ".join("%s[%s] = %s" % (o, lua_lit(k), lua_lit(v)) for k, v in a[0]), None)
    if name == "bulkdel":
        if kind == "Counter":
            pd = ["del %s[%s]" % (o, py_lit(k)) for k in a[0]]
        else:
            pd = ["%s.pop(%s, None)" % (o, py_lit(k)) for k in a[0]]
        return (["r = None"] + pd,
                " ".join("%s[%s] = nil" % (o, lua_lit(k)) for k in a[0]), None)
    if name == "eqcopy":
        flip, tweak = a[0], a[1]
        pl = ["t = dict(%s)" % o]
        ll = "local t = {} for k, v in pairs(%s) do t[k] = v end " % o
        if tweak == "set":
            pl.append("t[%s] = %s" % (py_lit(a[2]), py_lit(a[3])))
            ll += "t[%s] = %s " % (lua_lit(a[2]), lua_lit(a[3]))
        elif tweak == "del":
            pl.append("t.pop(%s, None)" % py_lit(a[2]))
            ll += "t[%s] = nil " % lua_lit(a[2])
        if flip:
            return pl + ["r = t == %s" % o], ll + "return t == %s" % o, None
        return pl + ["r = %s == t" % o], ll + "return %s == t" % o, None
    if name == "factory":
        f = FACT[scn["objs"][i]["factory"]]
        return (["r = %s.default_factory is %s" % (o, f)],
                "return DD.default_factory(%s) == %s" % (o, f), None)
    raise ValueError(name)


LUA_AT_END = "<d[len(d)]: nil in pystd, IndexError in CPython>"


def obj_code(ob):
    k = ob["kind"]
    if k == "deque":
        if ob["maxlen"] is None:
            return "deque(%s)" % py_lit(ob["init"]), "deque(%s)" % lua_lit(ob["init"])
        return ("deque(%s, %d)" % (py_lit(ob["init"]), ob["maxlen"]),
                "deque(%s, %d)" % (lua_lit(ob["init"]), ob["maxlen"]))
    if k == "Counter":
        if ob["how"] == "none":
            return "Counter()", "Counter()"
        if ob["how"] == "map":
            return "Counter(%s)" % py_map(ob["init"]), "Counter(%s)" % lua_map(ob["init"])
        return "Counter(%s)" % py_lit(ob["init"]), "Counter(%s)" % lua_lit(ob["init"])
    if k == "OrderedDict":
        if not ob["init"]:
            return "OrderedDict()", "OD()"
        return ("OrderedDict([%s])" % ", ".join("(%s, %s)" % (py_lit(a), py_lit(b))
                                                for a, b in ob["init"]),
                "OD{%s}" % ", ".join("{%s, %s}" % (lua_lit(a), lua_lit(b))
                                     for a, b in ob["init"]))
    f = FACT[ob["factory"]]
    if not ob["init"]:
        return "defaultdict(%s)" % f, "DD(%s)" % f
    return ("defaultdict(%s, %s)" % (f, py_map(ob["init"])),
            "DD(%s, %s)" % (f, lua_map(ob["init"])))


def emit(scn):
    names = ["o%d" % (n + 1) for n in range(len(scn["objs"]))]
    py = [PY_PRELUDE]
    lua = [LUA_PRELUDE]
    for nm, ob in zip(names, scn["objs"]):
        p, l = obj_code(ob)
        py.append("%s = %s" % (nm, p))
        py.append("print('init %s: ' + SR(%s))" % (nm, nm))
        lua.append("local %s = %s" % (nm, l))
        lua.append("print('init %s: ' .. SR(%s))" % (nm, nm))
    for n, op in enumerate(scn["ops"], 1):
        pst, lbody, mode = op_code(op, scn, names)
        label = "%s.%s" % (names[op[0]], op[1])
        o = names[op[0]]
        py.append("try:")
        for s in pst:
            py.append("    " + s)
        py.append("    P(%d, %r, r, %s)" % (n, label, o))
        py.append("except Exception as e:")
        py.append("    E(%d, %r, e, %s, %r)" % (n, label, o, mode))
        lua.append("do local ok, r = pcall(function() %s end)" % lbody)
        lua.append("  if ok then P(%d, %s, r, %s) else E(%d, %s, r, %s, %s) end end"
                   % (n, lua_lit(label), o, n, lua_lit(label), o,
                      "true" if mode else "false"))
    py.append("print('end')")
    lua.append("print('end')")
    return "\n".join(py) + "\n", "\n".join(lua) + "\n"


if __name__ == "__main__":
    seed = int(sys.argv[1])
    scn = Gen(seed).scenario()
    if len(sys.argv) > 2:
        sys.stdout.write(emit(scn)[0 if sys.argv[2] == "py" else 1])
    else:
        print(json.dumps(scn, ensure_ascii=False))
