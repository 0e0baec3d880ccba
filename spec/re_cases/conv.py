"""Conversions shared by the generators of CPython-checked re cases
(spec/re_cases/generate.py, spec/re_cpython/generate.py): positions to the
Lua conventions of docs/API.md sections 1-2, and Lua string literals."""


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
