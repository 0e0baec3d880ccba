--- Benchmarks C1-C7 of BENCH.md: pystd.collections beside CPython's
-- collections (a child process, bench/peers/collections_bench.py) and the
-- plain-Lua idioms a Lua programmer would write instead.
-- Run from the repository root: lua5.4 bench/collections.lua [C1 C2 ...]
-- Every system prints a check so that they provably did the same work.
local bench = require "bench.lib"
local corpus = require "bench.corpus"
local collections = require "pystd.collections"

local deque, Counter, defaultdict = collections.deque, collections.Counter,
  collections.defaultdict

local path = corpus.path()
local text = corpus.read(path)
local words = {}
for w in text:gmatch("%S+") do words[#words + 1] = w end
print(("corpus %s: %d bytes, %d words"):format(path, #text, #words))

local function cpython(r, id)
  r:peer("cpython", ("python3 bench/peers/collections_bench.py %s %s %d"):format(id,
    path, bench.REPS))
end

--- The number of keys of a plain table.
local function count_keys(t)
  local n = 0
  for _ in next, t do n = n + 1 end
  return n
end

local WORKLOADS = {}

-- C1: 5,000,000 x (append + popleft) on a deque kept near 1,000 items.
WORKLOADS.C1 = function()
  local r = bench.new("C1")
  local N = 5000000
  r:measure("pystd", function()
    local d = deque()
    for i = 1, 1000 do d:append(i) end
    for i = 1, N do
      d:append(i)
      d:popleft()
    end
    return ("%d/%d"):format(#d, d[1])
  end)
  -- A Lua queue with methods; the items live apart from first/last
  -- (BENCH.md: sharing one table thrashes its hash part).
  local Queue = {}
  Queue.__index = Queue
  function Queue.new() return setmetatable({ first = 1, last = 0, items = {} }, Queue) end
  function Queue:push(v)
    local last = self.last + 1
    self.last = last
    self.items[last] = v
  end
  function Queue:pop()
    local first, items = self.first, self.items
    local v = items[first]
    items[first] = nil
    self.first = first + 1
    return v
  end
  function Queue:len() return self.last - self.first + 1 end
  r:measure("lua-methods", function()
    local q = Queue.new()
    for i = 1, 1000 do q:push(i) end
    for i = 1, N do
      q:push(i)
      q:pop()
    end
    return ("%d/%d"):format(q:len(), q.items[q.first])
  end)
  r:measure("lua-inlined", function()
    local items, first, last = {}, 1, 0
    for i = 1, 1000 do last = last + 1; items[last] = i end
    for i = 1, N do
      last = last + 1
      items[last] = i
      items[first] = nil
      first = first + 1
    end
    return ("%d/%d"):format(last - first + 1, items[first])
  end)
  -- The least two method calls on a userdata can cost in Lua 5.4: the same
  -- loop calling two trivial C methods on a non-table value (a string's
  -- len, found through its metatable's __index table like a deque's).
  r:measure("lua-call-floor", function()
    local s = "x"
    for i = 1, N do
      s:len(i)
      s:len()
    end
  end)  -- (no check: it does none of the work)
  cpython(r, "C1")
  r:report { { "pystd", "cpython", 1.0 }, { "pystd", "lua-methods", 0.7 },
    { "lua-call-floor", "cpython" } }
end

-- C2: 1,000,000 x rotate(1) on a deque of 1,000.
WORKLOADS.C2 = function()
  local r = bench.new("C2")
  local N = 1000000
  r:measure("pystd", function()
    local items = {}
    for i = 1, 1000 do items[i] = i end
    local d = deque(items)
    for _ = 1, N do d:rotate(1) end
    return ("%d"):format(d[1])
  end)
  r:measure("lua-index-ring", function()  -- rotation moves a start index
    local items, n, start = {}, 1000, 1
    for i = 1, n do items[i] = i end
    for _ = 1, N do start = (start - 2) % n + 1 end
    return ("%d"):format(items[start])
  end)
  r:measure("lua-call-floor", function()  -- one trivial C method call (see C1)
    local s = "x"
    for _ = 1, N do s:len(1) end
  end)
  cpython(r, "C2")
  r:report { { "pystd", "cpython", 1.0 }, { "lua-call-floor", "cpython" } }
end

--- The plain-Lua counting loop over the corpus words (the peer of C3 and C7).
local function lua_word_count()
  local c = {}
  for i = 1, #words do
    local w = words[i]
    c[w] = (c[w] or 0) + 1
  end
  return ("%d/%d"):format(count_keys(c), c.the)
end

-- C3: Counter(words) over all corpus words in one call.
WORKLOADS.C3 = function()
  local r = bench.new("C3")
  r:measure("pystd", function()
    local c = Counter(words)
    return ("%d/%d"):format(Counter.len(c), c.the)
  end)
  r:measure("lua-loop", lua_word_count)
  cpython(r, "C3")
  r:report { { "pystd", "cpython", 0.5 }, { "pystd", "lua-loop", 0.7 } }
end

-- C4: Counter(text) of the corpus characters.
WORKLOADS.C4 = function()
  local r = bench.new("C4")
  r:measure("pystd", function()
    local c = Counter(text)
    return ("%d/%d"):format(Counter.len(c), c.e)
  end)
  r:measure("lua-byte-loop", function()  -- the corpus is ASCII: bytes are characters
    local counts, byte = {}, string.byte
    for i = 1, #text do
      local b = byte(text, i)
      counts[b] = (counts[b] or 0) + 1
    end
    return ("%d/%d"):format(count_keys(counts), counts[byte("e")])
  end)
  cpython(r, "C4")
  r:report { { "pystd", "cpython", 0.1 }, { "pystd", "lua-byte-loop", 0.1 } }
end

-- C5: defaultdict(list) grouping 2,000,000 pairs, key i % 1000.
WORKLOADS.C5 = function()
  local r = bench.new("C5")
  local N = 2000000
  local function list() return {} end
  r:measure("pystd", function()
    local groups = defaultdict(list)
    for i = 0, N - 1 do
      local g = groups[i % 1000]
      g[#g + 1] = i
    end
    return ("%d/%d"):format(defaultdict.len(groups), #groups[7])
  end)
  r:measure("lua-or", function()
    local groups = {}
    for i = 0, N - 1 do
      local k = i % 1000
      local g = groups[k] or {}
      groups[k] = g
      g[#g + 1] = i
    end
    return ("%d/%d"):format(count_keys(groups), #groups[7])
  end)
  cpython(r, "C5")
  r:report { { "pystd", "cpython", 0.5 }, { "pystd", "lua-or", 1.3 } }
end

-- C6: 100 x most_common(10) on 100,000 keys.
WORKLOADS.C6 = function()
  local r = bench.new("C6")
  local c = Counter()
  for i = 1, 100000 do c["k" .. i] = (i * 7919) % 1000 + 1 end
  local function check(top)
    return ("%s:%d/%s:%d"):format(top[1][1], top[1][2], top[10][1], top[10][2])
  end
  r:measure("pystd", function()
    local top
    for _ = 1, 100 do top = Counter.most_common(c, 10) end
    return check(top)
  end)
  -- The Lua peer scans a plain table (plus an array of the keys in
  -- insertion order, for Python's tie rule), keeping the top 10 sorted.
  local plain, keys = {}, {}
  for i = 1, 100000 do
    keys[i] = "k" .. i
    plain[keys[i]] = c[keys[i]]
  end
  r:measure("lua-top-k", function()
    local top
    for _ = 1, 100 do
      top = {}
      local n, worst = 0, -math.huge
      for i = 1, #keys do
        local k = keys[i]
        local v = plain[k]
        if n < 10 or v > worst then
          local j = n < 10 and n + 1 or 10
          while j > 1 and top[j - 1][2] < v do
            top[j] = top[j - 1]
            j = j - 1
          end
          top[j] = { k, v }
          if n < 10 then n = n + 1 end
          worst = top[n][2]
        end
      end
    end
    return check(top)
  end)
  cpython(r, "C6")
  r:report { { "pystd", "cpython", 0.5 }, { "pystd", "lua-top-k", 1.0 } }
end

-- C7: the counting idiom c[w] = c[w] + 1 over the corpus words.
WORKLOADS.C7 = function()
  local r = bench.new("C7")
  r:measure("pystd", function()
    local c = Counter()
    for i = 1, #words do
      local w = words[i]
      c[w] = c[w] + 1
    end
    return ("%d/%d"):format(Counter.len(c), c.the)
  end)
  r:measure("lua-table", lua_word_count)
  r:report { { "pystd", "lua-table", 1.3 } }
end

local chosen = #arg > 0 and arg or { "C1", "C2", "C3", "C4", "C5", "C6", "C7" }
for _, id in ipairs(chosen) do
  local workload = WORKLOADS[id] or error("unknown workload " .. id)
  workload()
end
