#!/bin/sh
# Random differential run of pystd.re against CPython's re.
#   fuzz/re_diff/fuzz.sh FIRST_SEED LAST_SEED [CASES_PER_SEED]
# Run from the repository root; AVOID=posbrace,endpos,... steers around known
# classes (see gen.py).  Writes fuzz/re_diff/out/bSEED.lua (cases)
# and fuzz/re_diff/out/rSEED.txt (pystd's disagreements; last line COUNTS).
set -u
first=${1:-1}
last=${2:-10}
n=${3:-2000}
dir=fuzz/re_diff
mkdir -p "$dir/out"
export LUA_PATH="./?.lua;./?/init.lua;;" LUA_CPATH="./?.so;;"
seed=$first
while [ "$seed" -le "$last" ]; do
  timeout 300 python3 "$dir/gen.py" --seed "$seed" --count "$n" --avoid "${AVOID:-}" \
    --out "$dir/out/b$seed.lua" 2>>"$dir/out/gen.log"
  timeout 120 lua5.4 "$dir/run.lua" "$dir/out/b$seed.lua" \
    > "$dir/out/r$seed.txt" 2> "$dir/out/e$seed.txt"
  rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "seed $seed: lua5.4 exited with $rc (timeout or crash)" \
      | tee -a "$dir/out/failures.log"
  fi
  seed=$((seed + 1))
done
