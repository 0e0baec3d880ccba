--- The command-line runner every Lua peer of bench/asyncio.lua shares.
-- runner.run(workloads, clock [, prepare [, argv]]) runs
-- workloads[argv[1]] for argv[2] repetitions (default 5; argv defaults to
-- the script's `arg`) and prints one line per repetition,
-- "seconds check rss_kb=N xI": seconds per run, the workload's check, N the
-- peak RSS so far, I how many runs a repetition made (a run under 0.2 s is
-- repeated, as BENCH.md asks; not when reps is 1). `clock()` gives seconds;
-- `prepare()`, when given, makes the argument each run receives.
local runner = {}

local MIN_SECONDS = 0.2

--- Peak resident set size of this process so far, in KB (Linux).
local function peak_rss_kb()
  local status = io.open("/proc/self/status")
  if not status then return 0 end
  local kb = status:read("a"):match("VmHWM:%s*(%d+)")
  status:close()
  return tonumber(kb) or 0
end

function runner.run(workloads, clock, prepare, argv)
  argv = argv or arg
  local workload = workloads[argv[1] or ""]
  if not workload then
    local names = {}
    for name in pairs(workloads) do names[#names + 1] = name end
    table.sort(names)
    io.stderr:write(("usage: %s %s [reps]\n"):format(arg[0],
      table.concat(names, "|")))
    os.exit(2)
  end
  local reps = tonumber(argv[2]) or 5

  --- Run the workload `inner` times: seconds per run and the check.
  local function timed_runs(inner)
    collectgarbage("collect")
    local t0, check = clock(), nil
    for _ = 1, inner do check = workload(prepare and prepare()) end
    return (clock() - t0) / inner, check
  end

  local inner = 1
  while reps > 1 do  -- repeat a short workload until a run takes MIN_SECONDS
    local seconds = timed_runs(inner)
    if seconds * inner >= MIN_SECONDS then break end
    inner = inner * 2
  end
  for _ = 1, reps do
    local seconds, check = timed_runs(inner)
    print(("%.6f %s rss_kb=%d x%d"):format(seconds, check, peak_rss_kb(), inner))
    io.stdout:flush()
  end
end

return runner
