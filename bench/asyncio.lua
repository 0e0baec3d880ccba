--- pystd.asyncio beside its peers: workloads E1-E4 of BENCH.md.
--   E1  1,000 tasks x 1,000 sleep(0) = 1M switches
--   E2  100,000 tasks sleeping spread durations below 1 s: wall, peak RSS
--   E3  1,000,000 trivial tasks spawned and gathered in batches of 1,000
--   E4  1,000,000 items through Queue(100), producer -> consumer
-- Peers (bench/peers/): CPython asyncio, cqueues, Node, raw luv callbacks and
-- a minimal Lua coroutine scheduler on one luv idle handle. Ours runs in this
-- process for E1, E3 and E4; for E2 every system (ours too) runs in its own
-- child process, once per repetition, so the peak RSS it reports is its own.
-- Run from the repository root after `make`: lua5.4 bench/asyncio.lua [E1 E2 ...]
-- (`--child E2 [reps]` is the child-process mode used for ours.)
local asyncio = require "pystd.asyncio"

local SWITCH_TASKS, SWITCHES = 1000, 1000   -- E1
local SLEEPERS = 100000                     -- E2
local SPAWNS, BATCH = 1000000, 1000         -- E3
local ITEMS, QUEUE_SIZE = 1000000, 100      -- E4

--- E2's sleep for task i: spread over [0, 1) seconds (the same in every peer).
local function spread_delay(i) return (i * 7919 % 1000) / 1000 end

local workloads = {}

function workloads.E1()
  local count = 0
  local switcher = asyncio.async(function()
    for _ = 1, SWITCHES do
      asyncio.sleep(0)
      count = count + 1
    end
  end)
  asyncio.run(function()
    local tasks = {}
    for t = 1, SWITCH_TASKS do tasks[t] = switcher() end
    asyncio.gather(table.unpack(tasks))
  end)
  return count
end

function workloads.E2()
  local sleeper = asyncio.async(function(i)
    asyncio.sleep(spread_delay(i))
    return 1
  end)
  return asyncio.run(function()
    local tasks = {}
    for i = 0, SLEEPERS - 1 do tasks[i + 1] = asyncio.create_task(sleeper(i)) end
    local done = 0
    for _, task in ipairs(tasks) do done = done + task:await() end
    return done
  end)
end

--- The floor of E2's memory on Lua 5.4: as many bare coroutines, each
-- suspended in coroutine.yield (no loop, no task objects), then finished.
-- A task suspended inside its function needs a Lua thread of its own.
function workloads.E2floor()
  local function body() coroutine.yield() return 1 end
  local threads = {}
  for i = 1, SLEEPERS do
    threads[i] = coroutine.create(body)
    coroutine.resume(threads[i])
  end
  local done = 0
  for i = 1, SLEEPERS do done = done + select(2, coroutine.resume(threads[i])) end
  return done
end

function workloads.E3()
  local trivial = asyncio.async(function(i) return i end)
  return asyncio.run(function()
    local total = 0
    local batch = {}
    for base = 0, SPAWNS - 1, BATCH do
      for k = 1, BATCH do batch[k] = asyncio.create_task(trivial(base + k - 1)) end
      local results = asyncio.gather(table.unpack(batch, 1, BATCH))
      for k = 1, BATCH do total = total + results[k] end
    end
    return total
  end)
end

function workloads.E4()
  return asyncio.run(function()
    local queue = asyncio.Queue(QUEUE_SIZE)
    local producer = asyncio.async(function()
      for i = 1, ITEMS do queue:put(i) end
    end)
    local consumer = asyncio.async(function()
      local total = 0
      for _ = 1, ITEMS do total = total + queue:get() end
      return total
    end)
    return asyncio.gather(producer(), consumer())[2]
  end)
end

-- Child mode: print "seconds check rss_kb=N xI" per repetition, like the peers.
if arg[1] == "--child" then
  local runner = require "bench.peers.runner"
  runner.run(workloads, require("bench.lib").clock, nil, { arg[2], arg[3] })
  os.exit(0)
end

local bench = require "bench.lib"
local REPS = bench.REPS
local E2_REPS = tonumber(os.getenv("BENCH_E2_REPS")) or 3
local SLOW_REPS = tonumber(os.getenv("BENCH_SLOW_REPS")) or 3  -- CPython E3

local PY = "python3 bench/peers/asyncio_bench.py "
local CQ = "lua5.4 bench/peers/cqueues_bench.lua "
local NODE = "node bench/peers/asyncio_bench.js "
local LUV = "lua5.4 bench/peers/luv_bench.lua "
local SCHED = "lua5.4 bench/peers/lua_scheduler_bench.lua "

--- Run `command` `reps` times, each a fresh process doing one repetition;
-- record the median seconds and print the median peak RSS. Returns the RSS.
local function run_children(r, system, command, reps)
  local seconds, rss, check = {}, {}, nil
  for _ = 1, reps do
    local pipe = io.popen(command .. " 1 2>/dev/null")
    local out = pipe:read("a")
    pipe:close()
    local t, c, kb = out:match("^%s*([%d.eE+-]+)%s+(%S+)%s+rss_kb=(%d+)")
    if t then
      seconds[#seconds + 1], rss[#rss + 1], check = tonumber(t), tonumber(kb) / 1024, c
    end
  end
  if #seconds == 0 then
    print(("%s %s unavailable"):format(r.name, system))
    return nil
  end
  r:record(system, bench.median(seconds), nil, check)
  local mb = bench.median(rss)
  r.rss = r.rss or {}
  r.rss[system] = mb
  print(("%s %s peak_rss_mb %.1f"):format(r.name, system, mb))
  return mb
end

local selected = {}
for _, name in ipairs(arg) do selected[name] = true end
local function wanted(name) return next(selected) == nil or selected[name] end

print(("asyncio benchmarks: %d reps in-process and for peers (E2: %d child runs each;"
  .. " CPython E3: %d)"):format(REPS, E2_REPS, SLOW_REPS))

if wanted("E1") then
  local r = bench.new("E1")
  r:measure("pystd", workloads.E1)
  r:peer("cpython", PY .. "E1 " .. REPS)
  r:peer("cqueues", CQ .. "E1 " .. REPS)
  r:peer("node", NODE .. "E1 " .. REPS)
  r:peer("luv", LUV .. "E1 " .. REPS)
  r:peer("lua-scheduler", SCHED .. "E1 " .. REPS)
  r:report { { "pystd", "cpython", 0.08 }, { "pystd", "lua-scheduler", 0.8 } }
end

if wanted("E2") then
  local r = bench.new("E2")
  local ours = run_children(r, "pystd", "lua5.4 bench/asyncio.lua --child E2", E2_REPS)
  run_children(r, "cpython", PY .. "E2", E2_REPS)
  run_children(r, "cqueues", CQ .. "E2", E2_REPS)
  run_children(r, "node", NODE .. "E2", E2_REPS)
  run_children(r, "luv", LUV .. "E2", E2_REPS)
  local floor = run_children(r, "lua-thread-floor",
    "lua5.4 bench/asyncio.lua --child E2floor", E2_REPS)
  r:report { { "pystd", "luv", 1.2 } }
  if ours then
    print(("E2 rss pystd %.1f MB (target <= 120) %s"):format(ours,
      ours <= 120 and "met" or "MISSED"))
  end
  if floor then
    print(("E2 rss lua-thread-floor %.1f MB (no target: %d suspended bare"
      .. " coroutines)"):format(floor, SLEEPERS))
  end
end

if wanted("E3") then
  local r = bench.new("E3")
  r:measure("pystd", workloads.E3)
  r:peer("cpython", PY .. "E3 " .. SLOW_REPS)
  r:peer("cqueues", CQ .. "E3 " .. REPS)
  r:peer("node", NODE .. "E3 " .. REPS)
  r:peer("lua-scheduler", SCHED .. "E3 " .. REPS)
  r:report { { "pystd", "cpython", 0.1 }, { "pystd", "cqueues", 0.5 } }
end

if wanted("E4") then
  local r = bench.new("E4")
  r:measure("pystd", workloads.E4)
  r:peer("cpython", PY .. "E4 " .. REPS)
  r:peer("cqueues", CQ .. "E4 " .. REPS)
  r:peer("node", NODE .. "E4 " .. REPS)
  r:peer("lua-scheduler", SCHED .. "E4 " .. REPS)
  r:report { { "pystd", "cpython", 0.15 }, { "pystd", "node", 1.0 } }
end
