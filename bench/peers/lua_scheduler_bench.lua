--- Workloads E1, E3, E4 of BENCH.md on the minimal coroutine scheduler
-- (bench/peers/lua_scheduler.lua). E2 needs timers, which it does not have.
-- Usage: lua5.4 bench/peers/lua_scheduler_bench.lua E1|E3|E4 [reps]
-- Prints one line "seconds check rss_kb=N xI" per repetition: seconds per run,
-- N the peak RSS so far, I how many runs a repetition made (a run under 0.2 s
-- is repeated; not when reps is 1).
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/?.lua;" .. package.path
local uv = require "luv"
local sched = require "lua_scheduler"
local runner = require "runner"

local SWITCH_TASKS, SWITCHES = 1000, 1000   -- E1
local SPAWNS, BATCH = 1000000, 1000         -- E3
local ITEMS, QUEUE_SIZE = 1000000, 100      -- E4

local workloads = {}

function workloads.E1()
  local count = 0
  for _ = 1, SWITCH_TASKS do
    sched.spawn(function()
      for _ = 1, SWITCHES do
        sched.yield()
        count = count + 1
      end
    end)
  end
  uv.run()
  return count
end

-- Gather: the last task of a batch to finish wakes the gathering coroutine.
function workloads.E3()
  local total = 0
  sched.run(function()
    local gatherer = coroutine.running()
    for base = 0, SPAWNS - 1, BATCH do
      local results, pending = {}, BATCH
      for k = 1, BATCH do
        sched.spawn(function()
          results[k] = base + k - 1
          pending = pending - 1
          if pending == 0 then sched.wake(gatherer) end
        end)
      end
      sched.suspend()
      for k = 1, BATCH do total = total + results[k] end
    end
  end)
  return total
end

-- A bounded FIFO queue: items in their own table, one waiter on each side.
function workloads.E4()
  local items, head, tail = {}, 1, 0
  local waiting_putter, waiting_getter
  local total = 0
  local function put(v)
    while tail - head + 1 >= QUEUE_SIZE do
      waiting_putter = coroutine.running(); sched.suspend()
    end
    tail = tail + 1; items[tail] = v
    local g = waiting_getter
    if g then waiting_getter = nil; sched.wake(g) end
  end
  local function get()
    while tail < head do
      waiting_getter = coroutine.running(); sched.suspend()
    end
    local v = items[head]; items[head] = nil; head = head + 1
    local p = waiting_putter
    if p then waiting_putter = nil; sched.wake(p) end
    return v
  end
  sched.spawn(function() for i = 1, ITEMS do put(i) end end)
  sched.spawn(function() for _ = 1, ITEMS do total = total + get() end end)
  uv.run()
  return total
end

runner.run(workloads, function() return uv.hrtime() / 1e9 end)
