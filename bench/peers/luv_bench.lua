--- Raw luv callbacks peer for bench/asyncio.lua: E1 as 1,000 idle handles
-- each called back 1,000 times, E2 as 100,000 one-shot timers.
-- Usage: lua5.4 bench/peers/luv_bench.lua E1|E2 [reps]
-- Prints one line "seconds check rss_kb=N xI" per repetition: seconds per run,
-- N the peak RSS so far, I how many runs a repetition made (a run under 0.2 s
-- is repeated; not when reps is 1).
local uv = require "luv"

local SWITCH_TASKS, SWITCHES = 1000, 1000   -- E1
local SLEEPERS = 100000                     -- E2

local function spread_delay(i) return (i * 7919 % 1000) / 1000 end

local workloads = {}

function workloads.E1()
  local count = 0
  for _ = 1, SWITCH_TASKS do
    local idle, left = uv.new_idle(), SWITCHES
    idle:start(function()
      count = count + 1
      left = left - 1
      if left == 0 then idle:stop(); idle:close() end
    end)
  end
  uv.run()
  return count
end

function workloads.E2()
  local done = 0
  uv.update_time()
  for i = 0, SLEEPERS - 1 do
    local timer = uv.new_timer()
    timer:start(math.floor(spread_delay(i) * 1000), 0, function()
      done = done + 1
      timer:close()
    end)
  end
  uv.run()
  return done
end

--- Peak resident set size of this process so far, in KB (Linux).
local function peak_rss_kb()
  local status = io.open("/proc/self/status")
  if not status then return 0 end
  local kb = status:read("a"):match("VmHWM:%s*(%d+)")
  status:close()
  return tonumber(kb) or 0
end

local workload = assert(workloads[arg[1]], "usage: luv_bench.lua E1|E2 [reps]")
local reps = tonumber(arg[2]) or 5
local MIN_SECONDS = 0.2  -- a shorter run is repeated (BENCH.md)

--- Run the workload `inner` times: seconds per run and the check.
local function timed_runs(inner)
  collectgarbage("collect")
  local t0, check = uv.hrtime() / 1e9, nil
  for _ = 1, inner do check = workload() end
  return (uv.hrtime() / 1e9 - t0) / inner, check
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
