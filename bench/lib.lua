--- Shared benchmark harness: timing, medians, peers run as child processes,
-- and the report format of BENCH.md ("NAME system median_seconds", then
-- ratios ours/peer).
-- Usage:
--   local bench = require "bench.lib"
--   local r = bench.new("R1")
--   r:measure("pystd", function() ... end)          -- in this process
--   r:peer("cpython", "python3", "bench/peers/re_r1.py")  -- prints seconds
--   r:report{ {"pystd", "cpython", 0.5}, ... }      -- ratio lines + targets
local bench = {}
bench.__index = bench

bench.REPS = tonumber(os.getenv("BENCH_REPS")) or 5
bench.MIN_SECONDS = 0.2  -- a run shorter than this is repeated (BENCH.md)

local clock = os.clock
local ok_uv, uv = pcall(require, "luv")
if ok_uv then
  clock = function() return uv.hrtime() / 1e9 end
end
bench.clock = clock

local function median(values)
  local sorted = { table.unpack(values) }
  table.sort(sorted)
  local n = #sorted
  if n % 2 == 1 then return sorted[(n + 1) // 2] end
  return (sorted[n // 2] + sorted[n // 2 + 1]) / 2
end
bench.median = median

--- A new workload report named `name` (e.g. "R1").
function bench.new(name)
  return setmetatable({ name = name, medians = {}, notes = {} }, bench)
end

--- Time `fn` in this process: `reps` runs (default bench.REPS), each
-- repeating `fn` until it takes bench.MIN_SECONDS. `fn` may return a value
-- that is printed once as a check. Returns the median seconds per call.
function bench:measure(system, fn, reps)
  collectgarbage("collect")
  local inner, check = 1, nil
  repeat  -- calibrate the repetition count
    local t0 = clock()
    for _ = 1, inner do check = fn() end
    local elapsed = clock() - t0
    if elapsed >= bench.MIN_SECONDS then break end
    inner = inner * 2
  until false
  local times = {}
  for i = 1, reps or bench.REPS do
    collectgarbage("collect")
    local t0 = clock()
    for _ = 1, inner do check = fn() end
    times[i] = (clock() - t0) / inner
  end
  return self:record(system, median(times), inner, check)
end

--- Record a median measured elsewhere (e.g. by a peer process).
function bench:record(system, seconds, inner, check)
  self.medians[system] = seconds
  local extra = ""
  if inner and inner > 1 then extra = extra .. (" (x%d per run)"):format(inner) end
  if check ~= nil then extra = extra .. ("  [check %s]"):format(tostring(check)) end
  print(("%s %s %.6f%s"):format(self.name, system, seconds, extra))
  io.stdout:flush()
  return seconds
end

--- Run a peer command that prints lines "seconds [check]" (one per
-- repetition, or a single median) and record the median of the seconds.
-- Returns the median, or nil when the peer is unavailable.
function bench:peer(system, command)
  local pipe = io.popen(command .. " 2>/dev/null")
  local out = pipe and pipe:read("a") or ""
  if pipe then pipe:close() end
  local times, check = {}, nil
  for line in out:gmatch("[^\n]+") do
    local t, c = line:match("^%s*([%d.eE+-]+)%s*(.*)$")
    if t and tonumber(t) then
      times[#times + 1] = tonumber(t)
      if c ~= "" then check = c end
    end
  end
  if #times == 0 then
    print(("%s %s unavailable"):format(self.name, system))
    return nil
  end
  return self:record(system, median(times), nil, check)
end

--- Print ours/peer ratios: `targets` is an array of {ours, peer, max_ratio};
-- an entry without max_ratio only shows its ratio (e.g. a floor's).
-- Returns true when every available ratio meets its target.
function bench:report(targets)
  local all_met = true
  for _, t in ipairs(targets) do
    local ours, peer, limit = self.medians[t[1]], self.medians[t[2]], t[3]
    if ours and peer and peer > 0 and not limit then
      print(("%s ratio %s/%s %.3f (no target)"):format(self.name, t[1], t[2],
        ours / peer))
    elseif ours and peer and peer > 0 then
      local ratio = ours / peer
      local met = ratio <= limit
      all_met = all_met and met
      print(("%s ratio %s/%s %.3f (target <= %.2f) %s"):format(self.name,
        t[1], t[2], ratio, limit, met and "met" or "MISSED"))
    else
      print(("%s ratio %s/%s n/a"):format(self.name, t[1], t[2]))
    end
  end
  return all_met
end

return bench
