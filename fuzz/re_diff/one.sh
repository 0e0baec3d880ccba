#!/bin/sh
# fuzz/re_diff/one.sh PYTHON-ARGS...: one hand-written case through both sides
# e.g. sh fuzz/re_diff/one.sh --pattern "r'a(?#x)*'" --subject "'aa'" --flags X
# (run from the repository root; prints pystd's disagreements, if any)
f=$(mktemp /tmp/re_diff_one.XXXXXX.lua)
python3 fuzz/re_diff/gen.py "$@" --out "$f" &&
LUA_PATH="./?.lua;./?/init.lua;;" LUA_CPATH="./?.so;;" lua5.4 fuzz/re_diff/run.lua "$f"
rm -f "$f"
