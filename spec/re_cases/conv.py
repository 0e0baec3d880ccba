"""Conversions shared by the generators of CPython-checked re cases
(spec/re_cases/generate.py, spec/re_cpython/generate.py, fuzz/re_diff/gen.py):
positions to the Lua conventions of docs/API.md sections 1-2, and Lua
literals."""

import re

LUA_KEYWORDS = {"and", "break", "do", "else", "elseif", "end", "false", "for",
                "function", "goto", "if", "in", "local", "nil", "not", "or",
                "repeat", "return", "then", "true", "until", "while"}
IDENT = re.compile(r"[A-Za-z_][A-Za-z_0-9]*\Z")


def to_bytes(s):
    return s if isinstance(s, bytes) else s.encode("utf-8", "surrogatepass")


def byte_offset(s, i):
    """Byte offset in UTF-8 of character index `i` of `s` (bytes: itself)."""
    if isinstance(s, bytes):
        return i
    return len(to_bytes(s[:i]))


def lua_span(s, span):
    """Python span (start, end) of `s` -> Lua (first, last), or False."""
    start, end = span
    if start < 0:
        return False
    return [byte_offset(s, start) + 1, byte_offset(s, end)]


def lua_string(value):
    """A Lua literal of `value` (str as UTF-8), plain ASCII: every other
    byte as a three-digit decimal escape."""
    out = ['"']
    for byte in to_bytes(value):
        ch = chr(byte)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif 32 <= byte < 127:
            out.append(ch)
        else:
            out.append("\\%03d" % byte)
    out.append('"')
    return "".join(out)


def lua_key(k, compact):
    if not compact and isinstance(k, str) and IDENT.match(k) and \
            k not in LUA_KEYWORDS:
        return k + " = "
    return "[" + lua_string(k) + "]" + ("=" if compact else " = ")


def lua_value(v, key_order=(), compact=False):
    """A Lua literal of `v` (None, bool, int, str/bytes, list/tuple, dict;
    None values of a dict are left out).  Dict keys come in `key_order`,
    then sorted; `compact`: no spaces, every key bracketed, keys in the
    dict's order."""
    if v is None:
        return "nil"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (str, bytes)):
        return lua_string(v)
    sep = "," if compact else ", "
    if isinstance(v, (list, tuple)):
        return "{" + sep.join(lua_value(x, key_order, compact) for x in v) + "}"
    if isinstance(v, dict):
        keys = list(v) if compact else sorted(v, key=lambda k: (
            key_order.index(k) if k in key_order else 99, str(k)))
        return "{" + sep.join(lua_key(k, compact) +
                              lua_value(v[k], key_order, compact)
                              for k in keys if v[k] is not None) + "}"
    raise TypeError(repr(v))
