--- Benchmarks R1-R5 of BENCH.md: pystd.re beside CPython's re (a child
-- process, bench/peers/re_bench.py), lrexlib's PCRE2 binding at its best
-- (precompiled patterns with jit_compile()) and Lua's own string patterns
-- where they can express the workload.
-- Run from the repository root: lua5.4 bench/re.lua [R1 R2 ...]
-- Every system prints a check (a count) so that they provably did the same work.
local bench = require "bench.lib"
local corpus = require "bench.corpus"
local re = require "pystd.re"
local ok_rex, rex = pcall(require, "rex_pcre2")

local path = corpus.path()
local text = corpus.read(path)
local lines = {}
for line in text:gmatch("[^\n]+") do lines[#lines + 1] = line end
print(("corpus %s: %d bytes, %d lines"):format(path, #text, #lines))

--- A precompiled lrexlib pattern with its JIT code, or nil without lrexlib.
local function rex_compile(pattern)
  if not ok_rex then return nil end
  local p = rex.new(pattern)
  if p.jit_compile then assert(p:jit_compile()) end
  return p
end

local function cpython(r, id)
  r:peer("cpython", ("python3 bench/peers/re_bench.py %s %s %d"):format(id,
    path, bench.REPS))
end

local WORKLOADS = {}

-- R1: for each corpus line, search literal "the"; count matching lines.
WORKLOADS.R1 = function()
  local r = bench.new("R1")
  local p = re.compile("the")
  r:measure("pystd", function()  -- a compiled Pattern
    local count = 0
    for i = 1, #lines do
      if p:search(lines[i]) then count = count + 1 end
    end
    return count
  end)
  r:measure("pystd-module", function()  -- re.search through the cache
    local count, search = 0, re.search
    for i = 1, #lines do
      if search("the", lines[i]) then count = count + 1 end
    end
    return count
  end)
  local rp = rex_compile("the")
  if rp then
    r:measure("lrexlib-jit", function()
      local count = 0
      for i = 1, #lines do
        if rp:find(lines[i]) then count = count + 1 end
      end
      return count
    end)
  end
  r:measure("string.find", function()
    local count, find = 0, string.find
    for i = 1, #lines do
      if find(lines[i], "the", 1, true) then count = count + 1 end
    end
    return count
  end)
  -- What returning an object per match costs a Lua search at the least:
  -- string.find plus a small table with a metatable for each match (search
  -- must return a Match; string.find and lrexlib's find return integers).
  local Found = {}
  r:measure("string.find+object", function()
    local count, find = 0, string.find
    for i = 1, #lines do
      local s, e = find(lines[i], "the", 1, true)
      if s and setmetatable({ s, e }, Found) then count = count + 1 end
    end
    return count
  end)
  cpython(r, "R1")
  r:report { { "pystd", "cpython", 0.5 }, { "pystd", "string.find", 1.0 },
    { "pystd-module", "cpython", 0.5 }, { "pystd-module", "string.find", 1.0 },
    { "pystd", "string.find+object" }, { "string.find+object", "cpython" } }
end

-- R2: sub(r"\bthe\b", "---", text) over the whole text.
WORKLOADS.R2 = function()
  local r = bench.new("R2")
  local p = re.compile([[\bthe\b]])
  r:measure("pystd", function()
    local result, n = p:sub("---", text)
    return ("%d/%d"):format(n, #result)
  end)
  local rp = rex_compile([[\bthe\b]])
  if rp then
    r:measure("lrexlib-jit", function()
      local result, n = rex.gsub(text, rp, "---")
      return ("%d/%d"):format(n, #result)
    end)
  end
  r:measure("string.gsub", function()
    local result, n = text:gsub("%f[%w]the%f[%W]", "---")
    return ("%d/%d"):format(n, #result)
  end)
  cpython(r, "R2")
  r:report { { "pystd", "cpython", 0.05 }, { "pystd", "lrexlib-jit", 0.8 } }
end

-- R3: findall("[A-Za-z]+", text); the others collect the words in a table.
WORKLOADS.R3 = function()
  local r = bench.new("R3")
  local p = re.compile("[A-Za-z]+")
  r:measure("pystd", function()
    return #p:findall(text)
  end)
  local rp = rex_compile("[A-Za-z]+")
  if rp then
    r:measure("lrexlib-jit", function()
      local words = {}
      for w in rex.gmatch(text, rp) do words[#words + 1] = w end
      return #words
    end)
  end
  r:measure("gmatch", function()
    local words = {}
    for w in text:gmatch("%a+") do words[#words + 1] = w end
    return #words
  end)
  cpython(r, "R3")
  r:report { { "pystd", "cpython", 0.6 }, { "pystd", "lrexlib-jit", 0.7 } }
end

-- R4: finditer(r"(\d{4})-(\d{2})-(\d{2})"), sum of group 1.
WORKLOADS.R4 = function()
  local r = bench.new("R4")
  local p = re.compile([[(\d{4})-(\d{2})-(\d{2})]])
  r:measure("pystd", function()
    local sum = 0
    for m in p:finditer(text) do sum = sum + tonumber(m:group(1)) end
    return sum
  end)
  local rp = rex_compile([[(\d{4})-(\d{2})-(\d{2})]])
  if rp then
    r:measure("lrexlib-jit", function()
      local sum = 0
      for year in rex.gmatch(text, rp) do sum = sum + tonumber(year) end
      return sum
    end)
  end
  r:measure("gmatch", function()
    local sum = 0
    for year in text:gmatch("(%d%d%d%d)%-(%d%d)%-(%d%d)") do
      sum = sum + tonumber(year)
    end
    return sum
  end)
  cpython(r, "R4")
  r:report { { "pystd", "cpython", 0.05 }, { "pystd", "lrexlib-jit", 1.0 } }
end

-- R5: 1,000,000 x module-level search("h.*t", "alphabet") (the cache).
WORKLOADS.R5 = function()
  local r = bench.new("R5")
  local N = 1000000
  r:measure("pystd", function()
    local count, search = 0, re.search
    for _ = 1, N do
      if search("h.*t", "alphabet") then count = count + 1 end
    end
    return count
  end)
  local rp = rex_compile("h.*t")
  if rp then
    r:measure("lrexlib-jit", function()
      local count = 0
      for _ = 1, N do
        if rp:find("alphabet") then count = count + 1 end
      end
      return count
    end)
    -- lrexlib plus a small table with a metatable for each match, as in
    -- R1: search must return a Match, not two integers
    local Found = {}
    r:measure("lrexlib-jit+object", function()
      local count = 0
      for _ = 1, N do
        local s, e = rp:find("alphabet")
        if s and setmetatable({ s, e }, Found) then count = count + 1 end
      end
      return count
    end)
  end
  r:measure("string.match", function()
    local count, match = 0, string.match
    for _ = 1, N do
      if match("alphabet", "h.*t") then count = count + 1 end
    end
    return count
  end)
  cpython(r, "R5")
  r:report { { "pystd", "cpython", 0.3 }, { "pystd", "lrexlib-jit", 1.0 },
    { "pystd", "lrexlib-jit+object" } }
end

local chosen = #arg > 0 and arg or { "R1", "R2", "R3", "R4", "R5" }
for _, id in ipairs(chosen) do
  local workload = WORKLOADS[id] or error("unknown workload " .. id)
  workload()
end
