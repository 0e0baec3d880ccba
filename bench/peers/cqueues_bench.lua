--- cqueues peer for bench/asyncio.lua (BENCH.md E1-E4).
-- Usage: lua5.4 bench/peers/cqueues_bench.lua E1|E2|E3|E4 [reps]
-- Prints one line "seconds check rss_kb=N xI" per repetition: seconds per run,
-- N the peak RSS so far, I how many runs a repetition made (a run under 0.2 s
-- is repeated; not when reps is 1).
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/?.lua;" .. package.path
local cqueues = require "cqueues"
local runner = require "runner"
local condition = require "cqueues.condition"

local SWITCH_TASKS, SWITCHES = 1000, 1000   -- E1
local SLEEPERS = 100000                     -- E2
local SPAWNS, BATCH = 1000000, 1000         -- E3
local ITEMS, QUEUE_SIZE = 1000000, 100      -- E4

local function spread_delay(i) return (i * 7919 % 1000) / 1000 end

local workloads = {}

function workloads.E1(cq)
  local count = 0
  for _ = 1, SWITCH_TASKS do
    cq:wrap(function()
      for _ = 1, SWITCHES do
        cqueues.poll()  -- yield once: resumed on the controller's next step
        count = count + 1
      end
    end)
  end
  assert(cq:loop())
  return count
end

function workloads.E2(cq)
  local done = 0
  for i = 0, SLEEPERS - 1 do
    cq:wrap(function()
      cqueues.sleep(spread_delay(i))
      done = done + 1
    end)
  end
  assert(cq:loop())
  return done
end

-- Gather: a batch of wrapped coroutines store their results and the last
-- one to finish signals the waiting coroutine.
function workloads.E3(cq)
  local total = 0
  cq:wrap(function()
    local batch_done = condition.new()
    for base = 0, SPAWNS - 1, BATCH do
      local results, pending = {}, BATCH
      for k = 1, BATCH do
        cq:wrap(function()
          results[k] = base + k - 1
          pending = pending - 1
          if pending == 0 then batch_done:signal() end
        end)
      end
      batch_done:wait()
      for k = 1, BATCH do total = total + results[k] end
    end
  end)
  assert(cq:loop())
  return total
end

-- A bounded FIFO queue on two condition variables (cqueues has none built in).
function workloads.E4(cq)
  local items, head, tail = {}, 1, 0
  local not_full, not_empty = condition.new(), condition.new()
  local total = 0
  cq:wrap(function()
    for i = 1, ITEMS do
      while tail - head + 1 >= QUEUE_SIZE do not_full:wait() end
      tail = tail + 1
      items[tail] = i
      not_empty:signal()
    end
  end)
  cq:wrap(function()
    for _ = 1, ITEMS do
      while tail < head do not_empty:wait() end
      local v = items[head]
      items[head] = nil
      head = head + 1
      total = total + v
      not_full:signal()
    end
  end)
  assert(cq:loop())
  return total
end

runner.run(workloads, cqueues.monotime, cqueues.new)
