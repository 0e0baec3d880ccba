#!/usr/bin/env python3
"""Write spec/collections_cases/cases.lua: random operation sequences on
deque, Counter and OrderedDict, run in CPython, with the expected result
and state after every step.  spec/collections_spec.lua replays them.

    python3 spec/collections_cases/generate.py [SEED]

Positions are translated to pystd's 1-based ones here, so a step reads as
the Lua call it describes.  Results and states are written in one text
format both sides can produce: None, True/False, ints, strings in Python's
repr, [lists] and (tuples); a raised exception is "error:<TypeName>".
"""
import os
import random
import sys
from collections import Counter, OrderedDict, deque

SEQUENCES = 24      # per container type
STEPS = 60          # per sequence
VALUES = [1, 2, 3, "a", "b", "c"]
KEYS = list("abcdefg")


def fmt(v):
    if v is None:
        return "None"
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, (int, str)):
        return repr(v)
    if isinstance(v, tuple):
        return "(" + ", ".join(fmt(x) for x in v) + ")"
    if isinstance(v, list):
        return "[" + ", ".join(fmt(x) for x in v) + "]"
    raise TypeError(v)


def lua(v):
    if v is None:
        return "nil"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, (list, tuple)):
        return "{" + ", ".join(lua(x) for x in v) + "}"
    raise TypeError(v)


def attempt(fn):
    try:
        return fmt(fn())
    except Exception as e:  # the expected result is the error type
        return "error:" + type(e).__name__


# {====================================================== deque

def lua_start(s):   # Python start (0-based) -> Lua start (1-based)
    return s + 1 if s >= 0 else s


def lua_stop(e):    # Python exclusive stop -> Lua inclusive stop
    return e if e >= 0 else e - 1


def deque_step(rng, d):
    n = len(d)
    op = rng.choice(["append", "append", "appendleft", "pop", "popleft",
                     "extend", "extendleft", "rotate", "count", "index",
                     "index_range", "insert", "remove", "reverse", "get",
                     "set", "len", "clear_rarely", "copy"])
    x = rng.choice(VALUES)
    if op == "append":
        return op, [x], attempt(lambda: d.append(x))
    if op == "appendleft":
        return op, [x], attempt(lambda: d.appendleft(x))
    if op in ("pop", "popleft"):
        return op, [], attempt(getattr(d, op))
    if op in ("extend", "extendleft"):
        xs = [rng.choice(VALUES) for _ in range(rng.randrange(4))]
        return op, [xs], attempt(lambda: getattr(d, op)(xs))
    if op == "rotate":
        k = rng.randrange(-2 * n - 2, 2 * n + 3)
        return op, [k], attempt(lambda: d.rotate(k))
    if op == "count":
        return op, [x], attempt(lambda: d.count(x))
    if op == "index":
        return op, [x], attempt(lambda: d.index(x) + 1)
    if op == "index_range":
        s = rng.randrange(-n - 2, n + 3)
        e = rng.randrange(-n - 2, n + 3)
        return "index", [x, lua_start(s), lua_stop(e)], \
            attempt(lambda: d.index(x, s, e) + 1)
    if op == "insert":
        i = rng.randrange(-n - 2, n + 3)
        return op, [lua_start(i), x], attempt(lambda: d.insert(i, x))
    if op == "remove":
        return op, [x], attempt(lambda: d.remove(x))
    if op == "reverse":
        return op, [], attempt(d.reverse)
    if op in ("get", "set"):
        li = rng.randrange(-n - 2, n + 3)   # a Lua index
        pi = li - 1 if li > 0 else (li if li < 0 else n + 5)
        if op == "get":
            if li == n + 1:
                return op, [li], "None"      # d[#d + 1] reads nil
            return op, [li], attempt(lambda: d[pi])
        return op, [li, x], attempt(lambda: d.__setitem__(pi, x))
    if op == "len":
        return op, [], fmt(len(d))
    if op == "clear_rarely":
        if rng.random() < 0.2:
            return "clear", [], attempt(d.clear)
        return "len", [], fmt(len(d))
    if op == "copy":
        return op, [], attempt(lambda: repr(d.copy()))
    raise AssertionError(op)


def deque_sequence(rng):
    maxlen = rng.choice([None, None, 0, 1, 3, 5])
    init = [rng.choice(VALUES) for _ in range(rng.randrange(6))]
    d = deque(init, maxlen)
    steps = []
    for _ in range(STEPS):
        op, args, result = deque_step(rng, d)
        steps.append((op, args, result, repr(d)))
    return {"maxlen": maxlen, "init": init, "steps": steps}

# }======================================================


# {====================================================== Counter

def random_counter(rng):
    return [(rng.choice(KEYS), rng.randrange(-2, 4))
            for _ in range(rng.randrange(5))]


def counter_step(rng, c):
    op = rng.choice(["update_list", "update_text", "update_map",
                     "subtract_list", "subtract_map", "set", "delete", "get",
                     "most_common", "most_common_all", "total", "len",
                     "elements", "keys", "add", "sub", "or", "and", "neg",
                     "eq", "incr"])
    k = rng.choice(KEYS)
    if op in ("update_list", "subtract_list"):
        xs = [rng.choice(KEYS) for _ in range(rng.randrange(6))]
        method = op.split("_")[0]
        return method, ["list", xs], attempt(lambda: getattr(c, method)(xs))
    if op == "update_text":
        text = "".join(rng.choice(KEYS) for _ in range(rng.randrange(8)))
        return "update", ["text", text], attempt(lambda: c.update(text))
    if op in ("update_map", "subtract_map"):
        pairs = random_counter(rng)
        m = OrderedDict(pairs)
        method = op.split("_")[0]
        return method, ["map", [list(p) for p in m.items()]], \
            attempt(lambda: getattr(c, method)(m))
    if op == "set":
        n = rng.randrange(-2, 5)
        return op, [k, n], attempt(lambda: c.__setitem__(k, n))
    if op == "incr":
        return op, [k], attempt(lambda: c.__setitem__(k, c[k] + 1))
    if op == "delete":
        return op, [k], attempt(lambda: c.__delitem__(k))
    if op == "get":
        return op, [k], fmt(c[k])
    if op == "most_common":
        n = rng.randrange(0, len(KEYS) + 3)  # at times more than the keys
        return op, [n], attempt(lambda: c.most_common(n))
    if op == "most_common_all":
        return "most_common", [], attempt(c.most_common)
    if op == "total":
        return op, [], fmt(c.total())
    if op == "len":
        return op, [], fmt(len(c))
    if op == "elements":
        return op, [], fmt(list(c.elements()))
    if op == "keys":
        return op, [], fmt(list(c.keys()))
    if op in ("add", "sub", "or", "and", "eq"):
        pairs = random_counter(rng)
        other = Counter()
        for key, n in pairs:
            other[key] = n
        other_items = [list(p) for p in other.items()]
        if op == "eq":
            return op, [other_items], fmt(c == other)
        fn = {"add": lambda: c + other, "sub": lambda: c - other,
              "or": lambda: c | other, "and": lambda: c & other}[op]
        return op, [other_items], attempt(lambda: list(fn().items()))
    if op == "neg":
        return op, [], fmt(list((-c).items()))
    raise AssertionError(op)


def counter_sequence(rng):
    init = "".join(rng.choice(KEYS) for _ in range(rng.randrange(8)))
    c = Counter(init)
    steps = []
    for _ in range(STEPS):
        op, args, result = counter_step(rng, c)
        steps.append((op, args, result, fmt(list(c.items()))))
    return {"init": init, "steps": steps}

# }======================================================


# {====================================================== OrderedDict

def odict_step(rng, d):
    op = rng.choice(["set", "set", "delete", "get", "move_to_end",
                     "move_to_front", "popitem", "popitem_first", "len",
                     "keys", "values", "eq"])
    k = rng.choice(KEYS)
    if op == "set":
        v = rng.choice(VALUES)
        return op, [k, v], attempt(lambda: d.__setitem__(k, v))
    if op == "delete":
        return op, [k], attempt(lambda: d.pop(k, None) and None)
    if op == "get":
        return op, [k], fmt(d.get(k))
    if op in ("move_to_end", "move_to_front"):
        last = op == "move_to_end"
        return "move_to_end", [k, last], attempt(lambda: d.move_to_end(k, last))
    if op in ("popitem", "popitem_first"):
        last = op == "popitem"
        return "popitem", [last], attempt(lambda: d.popitem(last))
    if op == "len":
        return op, [], fmt(len(d))
    if op == "keys":
        return op, [], fmt(list(d.keys()))
    if op == "values":
        return op, [], fmt(list(d.values()))
    if op == "eq":
        items = list(d.items())
        if rng.random() < 0.5:
            rng.shuffle(items)
        other = OrderedDict(items)
        return op, [[list(p) for p in items]], fmt(d == other)
    raise AssertionError(op)


def odict_sequence(rng):
    init = [(rng.choice(KEYS), rng.choice(VALUES)) for _ in range(rng.randrange(5))]
    d = OrderedDict(init)
    steps = []
    for _ in range(STEPS):
        op, args, result = odict_step(rng, d)
        steps.append((op, args, result, repr(d)))
    return {"init": [list(p) for p in init], "steps": steps}

# }======================================================


def write_sequence(out, seq):
    out.write("    {")
    for name in ("maxlen", "init"):
        if name in seq and seq[name] is not None:
            out.write(f" {name} = {lua(seq[name])},")
    out.write(" steps = {\n")
    for op, args, result, state in seq["steps"]:
        out.write(f"      {{ {lua(op)}, {lua(args)}, {lua(result)}, {lua(state)} }},\n")
    out.write("    } },\n")


def main():
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 20241107
    rng = random.Random(seed)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases.lua")
    with open(path, "w") as out:
        out.write("-- Generated by spec/collections_cases/generate.py "
                  f"(seed {seed}, {sys.version.split()[0]}); do not edit.\n")
        out.write("-- Each step: { op, args, expected result, expected state }.\n")
        out.write("return {\n")
        for name, make in (("deque", deque_sequence), ("Counter", counter_sequence),
                           ("OrderedDict", odict_sequence)):
            out.write(f"  {name} = {{\n")
            for _ in range(SEQUENCES):
                write_sequence(out, make(rng))
            out.write("  },\n")
        out.write("}\n")
    print(path)


if __name__ == "__main__":
    main()
