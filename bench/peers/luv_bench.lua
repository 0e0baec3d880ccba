--- Raw luv callbacks peer for bench/asyncio.lua: E1 as 1,000 idle handles
-- each called back 1,000 times, E2 as 100,000 one-shot timers.
-- Usage: lua5.4 bench/peers/luv_bench.lua E1|E2 [reps]
-- Prints one line "seconds check rss_kb=N xI" per repetition: seconds per run,
-- N the peak RSS so far, I how many runs a repetition made (a run under 0.2 s
-- is repeated; not when reps is 1).
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/?.lua;" .. package.path
local uv = require "luv"
local runner = require "runner"

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

runner.run(workloads, function() return uv.hrtime() / 1e9 end)
