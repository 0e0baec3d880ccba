--- fuzz/api_fuzz.lua: a seeded robustness fuzzer of pystd's Lua API.
--
--   lua5.4 fuzz/api_fuzz.lua SEED [COUNT]        (from the repository root,
--                                                  after `make all`)
--
-- Builds random objects (patterns, matches, deques, Counters, defaultdicts,
-- OrderedDicts, error objects, and inside asyncio.run tasks, futures,
-- queues, locks, events, semaphores, conditions, handles, timeouts), then
-- makes COUNT random calls of functions and methods with random arguments:
-- edge numbers, invalid UTF-8, nil holes, wrong types, another class's
-- object as self, tables whose metamethods raise, mutate the containers or
-- collect garbage, callbacks that call back into the same objects, objects
-- used after their asyncio.run ended, finalizers.  Every call runs under
-- pcall and its outcome is classified: returned, Lua argument error,
-- pystd error object, an error the fuzzer injected itself, or "other"
-- (a raw Lua error: each distinct one is listed at the end, to check
-- against API.md).  Crashes, sanitizer reports and hangs are the defects
-- it looks for: run it under the ASan build and `timeout`, e.g.
--
--   env LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)" \
--     ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=spec/lsan.supp \
--     LUA_CPATH='build/asan/?.so;;' LUA_PATH='build/asan/?.lua;build/asan/?/init.lua;;' \
--     timeout 120 lua5.4 fuzz/api_fuzz.lua 7 3000
--
-- FUZZ_TRACE=1 prints each call before it runs (to find the one that
-- crashed); FUZZ_OTHER=1 prints every "other" error as it happens.

local SEED = tonumber(arg and arg[1]) or 1
local COUNT = tonumber(arg and arg[2]) or 1000
local TRACE = os.getenv("FUZZ_TRACE") == "1"
local SHOW_OTHER = os.getenv("FUZZ_OTHER") == "1"

if not package.cpath:find("build/asan", 1, true) then
  package.path = "./?.lua;./?/init.lua;" .. package.path
  package.cpath = "./?.so;" .. package.cpath
end

local re = require "pystd.re"
local collections = require "pystd.collections"
local asyncio = require "pystd.asyncio"
local errors = require "pystd.errors"
local deque, Counter = collections.deque, collections.Counter
local defaultdict, OrderedDict = collections.defaultdict, collections.OrderedDict

math.randomseed(SEED)
local R = math.random
local function chance(p) return R() < p end
local function pick(t) return t[R(#t)] end

-- {================================================================ outcomes

local stats = { ret = 0, argerr = 0, pyerr = 0, injected = 0, other = 0, vm = 0, ws = 0,
  foreign = 0, noyield = 0 }
local string_set = {}       -- the strings of `strings` below
local other_seen, other_order = {}, {}
local ncalls = 0
local EVIL = setmetatable({}, { __tostring = function() return "EVIL" end })

local function norm(msg)
  msg = tostring(msg)
  msg = msg:gsub("0x%x+", "0x?"):gsub("%d+", "N")
  return msg
end

local function classify(name, ok, err)
  if ok then stats.ret = stats.ret + 1 return end
  if err == EVIL or (type(err) == "string" and err:find("EVIL", 1, true))
      or (errors.is(err) and err.type == "EvilError") then
    stats.injected = stats.injected + 1 return
  end
  if type(err) == "string" and (err:find("'__tostring' must return a string", 1, true)
      or err:find("object length is not an integer", 1, true)) then
    stats.injected = stats.injected + 1 return   -- an evil __tostring's or __len's own error
  end
  if type(err) == "string" and err:find("attempt to yield across a C-call boundary", 1, true) then
    -- docs/asyncio.md: a suspending call where Lua cannot yield (a callback
    -- of a comparison, say) raises Lua's own error
    stats.noyield = stats.noyield + 1 return
  end
  if type(err) == "string" and string_set[err] then
    stats.foreign = stats.foreign + 1 return      -- one of ours, through set_exception
  end
  if type(err) == "string" and err:find("bad argument #%d+ to '") then
    stats.argerr = stats.argerr + 1 return
  end
  if errors.is(err) then
    stats.pyerr = stats.pyerr + 1
    local k = "pyerr." .. err.type
    stats[k] = (stats[k] or 0) + 1
    return
  end
  if type(err) == "string" and err:find("fuzz/api_fuzz.lua:", 1, true) then
    -- Lua's own error at an operator of this script (arithmetic on an
    -- object without that metamethod, a non-closable value, ...)
    stats.vm = stats.vm + 1 return
  end
  if name:sub(1, 3) == "WS:" and type(err) == "string" and err:find("_asyncio.lua:", 1, true) then
    -- docs/asyncio.md: the Lua-written classes do not check self
    stats.ws = stats.ws + 1 return
  end
  if type(err) ~= "string" then
    -- a value a callback raised, or one given to set_exception
    stats.foreign = stats.foreign + 1 return
  end
  stats.other = stats.other + 1
  local text
  if type(err) == "string" then text = err
  else
    local okt, s = pcall(tostring, err)
    text = "<" .. type(err) .. "> " .. (okt and tostring(s) or "?")
  end
  local key = name .. " | " .. norm(text)
  if not other_seen[key] then
    other_seen[key] = 0
    other_order[#other_order + 1] = key
  end
  other_seen[key] = other_seen[key] + 1
  if SHOW_OTHER then io.stderr:write("OTHER ", name, ": ", text, "\n") end
end

-- }=========================================================================

-- {================================================================== values

local pool = {}            -- { kind = ..., v = ... }
local POOL_MAX = 48
local depth = 0            -- reentrancy depth of random operations
local random_op            -- forward
local in_async = false

local function add(kind, v)
  if v == nil then return end
  local e = { kind = kind, v = v }
  if #pool < POOL_MAX then pool[#pool + 1] = e else pool[R(#pool)] = e end
end

local function any_obj(kind)
  if #pool == 0 then return nil end
  if kind then
    local start = R(#pool)
    for i = 0, #pool - 1 do
      local e = pool[(start + i - 1) % #pool + 1]
      if e.kind == kind then return e.v end
    end
    return nil
  end
  return pick(pool).v
end

local numbers = {
  0, 1, -1, 2, 3, 7, -7, 100, 1000, 0.5, -0.5, 2.0, 1e308, -1e308,
  math.huge, -math.huge, 0 / 0, math.maxinteger, math.mininteger,
  math.maxinteger - 1, math.mininteger + 1, 2 ^ 53, 2 ^ 63, -2 ^ 63, 1e-300,
  255, 256, 65535, 1 << 31, -(1 << 31), 1 << 32, 0x10FFFF, 0x110000,
}
local strings = {
  "", "a", "abc", "aaa", "hello world", "\0", "a\0b", "\255", "\xc3",
  "\xed\xa0\x80", "\xf4\x90\x80\x80", "é", "日本語", "\u{10FFFF}", "x*", "(a)(b)?",
  "(?P<n>\\w+)", "[", "(", ")", "\\", "\\1", "\\g<0>", "\\g<n>", "\\g<99>",
  "(?i)A", "a{2,3}", "(?<=a)b", "(a|b)*c", "^$", "\\b", "(?P=n)", "\\x",
  "(a)|(b)", "a++", "(?>a)", "\\d+", "\\s", ".", ".*", "(?s).", "%",
  "__index", "append", "total", "update", "type", "message", "Task-1",
  "FIRST_COMPLETED", "ALL_COMPLETED", "FIRST_EXCEPTION", "ValueError",
  "KeyError", "asyncio.CancelledError", "Exception", "KeyboardInterrupt",
  string.rep("a", 300), string.rep("ab", 40) .. "c", "line\nline",
  "{", "}", "a{", "(?x) a b # c", "(?P<name>x)(?(name)y|z)",
}
for _, v in ipairs(strings) do string_set[v] = true end

local rvalue                -- forward
local rfunc                 -- forward

local function evil_table(d)
  local t = {}
  for i = 1, R(0, 4) do t[i] = rvalue(d + 1) end
  local mt = {}
  local function act()
    local r = R(10)
    if r == 1 then error(EVIL, 0)
    elseif r == 2 then error("EVIL string")
    elseif r == 3 then collectgarbage()
    elseif r == 4 and depth < 3 then random_op()
    elseif r == 5 then
      local o = any_obj()
      if type(o) == "userdata" or type(o) == "table" then pcall(function() o[R(-2, 3)] = t end) end
    end
  end
  local which = R(12)
  if which == 1 then mt.__eq = function() act() return chance(0.5) end
  elseif which == 2 then mt.__lt = function() act() return chance(0.5) end
    mt.__le = mt.__lt
  elseif which == 3 then mt.__index = function() act() return rvalue(3) end
  elseif which == 4 then mt.__tostring = function() act()
      local r = R(4)
      if r == 1 then return 12 elseif r == 2 then return nil
      elseif r == 3 then return {} else return "evil-str" end
    end
  elseif which == 5 then mt.__len = function() act()
      local r = R(6)
      if r == 1 then return -1 elseif r == 2 then return 0 / 0
      elseif r == 3 then return "x" elseif r == 4 then return 2.5
      elseif r == 5 then return 50 else return 3 end
    end
  elseif which == 6 then mt.__close = function() act() end
  elseif which == 7 then
    local n = 0
    mt.__call = function() n = n + 1 if n > 60 then return nil end act() return rvalue(3) end
  elseif which == 8 then mt.__gc = function() act() end
  elseif which == 9 then mt.__name = pick { 12, "pystd.deque", "pystd.Task", true }
  elseif which == 10 then mt.__metatable = pick { false, "locked", {} }
  elseif which == 11 then mt.__newindex = function() act() end
  else
    mt.__eq = function() act() return true end
    mt.__lt = function() act() return false end
    mt.__tostring = function() act() return "evil" end
    mt.__index = function() act() return nil end
  end
  if chance(0.3) then mt.__pairs = function() act() return next, {}, nil end end
  return setmetatable(t, mt)
end

local function plain_table(d)
  local r = R(6)
  local t = {}
  if r == 1 then return t
  elseif r == 2 then                       -- array
    for i = 1, R(1, 8) do t[i] = rvalue(d + 1) end
  elseif r == 3 then                       -- array with a hole
    for i = 1, R(2, 6) do t[i] = rvalue(d + 1) end
    if #t > 0 then t[R(1, #t)] = nil end
  elseif r == 4 then                       -- map
    for _ = 1, R(1, 6) do
      local k = rvalue(d + 1)
      if k ~= nil and k == k then t[k] = rvalue(d + 1) end
    end
  elseif r == 5 then                       -- pairs for OrderedDict
    for i = 1, R(1, 5) do
      t[i] = chance(0.9) and { rvalue(d + 1), rvalue(d + 1) } or { rvalue(d + 1) }
    end
  else                                     -- options table
    t.return_exceptions = chance(0.5)
    t.timeout = chance(0.5) and pick { 0, 0.001, -1, 0 / 0, math.huge, "x" } or nil
    t.return_when = pick { "FIRST_COMPLETED", "ALL_COMPLETED", "FIRST_EXCEPTION", "nope", 3 }
  end
  if chance(0.05) then t[#t + 1] = t end   -- a cycle
  return t
end

function rvalue(d)
  d = d or 0
  local r = R(d > 2 and 6 or 20)
  if r <= 2 then return pick(numbers)
  elseif r <= 4 then return pick(strings)
  elseif r == 5 then return nil
  elseif r == 6 then return chance(0.5)
  elseif r <= 8 then return plain_table(d)
  elseif r == 9 then return evil_table(d)
  elseif r <= 11 then return rfunc()
  elseif r == 12 then
    local co = coroutine.create(function(...) coroutine.yield(...) return ... end)
    if chance(0.3) then coroutine.resume(co) end
    return co
  elseif r == 13 then return pick { io.stdout, io.stderr }
  elseif r <= 18 then return any_obj()
  elseif r == 19 then   -- (no constructors: as iterators they never end)
    return pick { re, collections, asyncio, errors, string, _G }
  else
    local k = R(3)
    if k == 1 then return errors.new(pick { "ValueError", "EvilError", "KeyError",
      "asyncio.CancelledError", "KeyboardInterrupt", "SystemExit", "Nope.Type" },
      pick(strings))
    elseif k == 2 then return math.random(-5, 5) else return R(1, 30) * 1.0 end
  end
end

local rfunc_inner

--- A random callback: returns values, raises, collects, or calls back.
-- After 60 calls it returns nil, so that it ends as an iterator too.
function rfunc()
  local f = rfunc_inner()
  local n = 0
  return function(...)
    n = n + 1
    if n > 60 then return nil end
    return f(...)
  end
end

local function async_fn()
  return asyncio.async(function(...) if in_async then pcall(asyncio.sleep, 0) end return ... end)
end

function rfunc_inner()
  local r = R(11)
  if r == 1 then return function() end
  elseif r == 2 then return function(...) return ... end
  elseif r == 3 then return function() error(EVIL, 0) end
  elseif r == 4 then return function() error() end
  elseif r == 5 then return function() errors.raise("EvilError", "evil") end
  elseif r == 6 then return function() collectgarbage() return rvalue(3) end
  elseif r == 7 then return function()
      if depth < 3 then random_op() end
      return rvalue(3)
    end
  elseif r == 8 then return function() return pick(strings) end
  elseif r == 9 then return function() return pick(numbers) end
  elseif r == 10 then return function()
      if in_async and asyncio.current_task() then pcall(asyncio.sleep, 0) end
      return rvalue(3)
    end
  elseif r == 11 then
    local n = 0
    return function() n = n + 1 if n <= R(0, 6) then return rvalue(3) end end
  else
    local n = 0
    return function() n = n + 1 if n <= R(0, 6) then return rvalue(3) end end
  end
end

local function args(n)
  local t = { n = n }
  for i = 1, n do t[i] = rvalue() end
  return t
end

local function small_delay()
  return pick { 0, 0, 0.001, 0.002, -1, nil, 0 / 0, 0.01 }
end

-- }=========================================================================

-- {================================================================ calling

local function describe(v)
  local t = type(v)
  if t == "string" then return string.format("%q", #v > 20 and v:sub(1, 20) .. "..." or v)
  elseif t == "number" or t == "boolean" or t == "nil" then return tostring(v) end
  local mt = getmetatable(v)
  local name = type(mt) == "table" and rawget(mt, "__name")
  return "<" .. t .. (type(name) == "string" and (" " .. name) or "") .. ">"
end

local iter_budget = 40

--- Calls f(...) under pcall; iterators it returns are stepped too.
local function call(name, f, ...)
  ncalls = ncalls + 1
  if TRACE then
    local parts = {}
    for i = 1, select("#", ...) do parts[i] = describe((select(i, ...))) end
    io.stderr:write("CALL ", ncalls, " ", name, "(", table.concat(parts, ", "), ")\n")
  end
  local res = table.pack(pcall(f, ...))
  classify(name, res[1], res[2])
  if res[1] then
    for i = 2, res.n do
      local v = res[i]
      if type(v) == "function" and chance(0.7) then
        for _ = 1, R(1, iter_budget) do
          if chance(0.1) then collectgarbage() end
          if chance(0.1) and depth < 3 then random_op() end
          local r = table.pack(pcall(v, res[i + 1], res[i + 2]))
          classify(name .. "#iter", r[1], r[2])
          if not r[1] or r[2] == nil then break end
        end
      elseif v ~= nil and chance(0.3) then
        local t = type(v)
        local mt = getmetatable(v)
        if t == "userdata" or (t == "table" and mt ~= nil) then add("ret", v) end
      end
    end
  end
  return table.unpack(res, 1, res.n)
end

local function methods_of(v)
  local mt = getmetatable(v)
  local out = {}
  if type(mt) ~= "table" then return out end
  local idx = rawget(mt, "__index")
  for _, src in ipairs { mt, type(idx) == "table" and idx or {} } do
    for k, f in pairs(src) do
      if type(k) == "string" and type(f) == "function" then out[#out + 1] = k end
    end
  end
  table.sort(out)
  return out
end

-- Method names by kind (filled as objects of each kind appear; the C
-- classes with protected metatables are listed by hand).
local kind_methods = {
  pattern = { "search", "match", "fullmatch", "findall", "finditer", "sub", "subn", "split" },
  match = { "group", "groups", "groupdict", "span", "start", "stop", "expand" },
}
local kind_fns = {}        -- kind -> name -> function (for wrong-self calls)

local function register_kind(kind, v)
  if kind_fns[kind] then return end
  local fns = {}
  local names = kind_methods[kind] or methods_of(v)
  kind_methods[kind] = names
  for _, n in ipairs(names) do
    local ok, f = pcall(function() return v[n] end)
    if ok and type(f) == "function" then fns[n] = f end
  end
  kind_fns[kind] = fns
end

local function kind_of_value(v)
  for _, e in ipairs(pool) do if rawequal(e.v, v) then return e.kind end end
  return nil
end

-- }=========================================================================

-- {========================================================== the operations

local function new_object()
  local r = R(in_async and 16 or 8)
  local kind, ok, v
  if r == 1 then
    kind = "pattern"
    ok, v = pcall(re.compile, pick(strings), chance(0.3) and pick { 0, re.I, re.M, re.S,
      re.X, re.A, re.BYTES, re.A | re.U, -1, 1 << 40, re.I | re.BYTES } or nil)
  elseif r == 2 then
    kind = "match"
    local s = pick(strings) .. pick(strings)
    ok, v = pcall(re.search, pick { "(a)(b)?", "(?P<n>\\w+)|(x)", ".", "", "(a)|(b)", "\\w*" }, s)
  elseif r == 3 then
    kind = "deque"
    ok, v = pcall(deque, chance(0.7) and rvalue() or nil,
      chance(0.3) and pick { 0, 1, 3, 10 } or nil)
  elseif r == 4 then
    kind = "Counter"
    ok, v = pcall(Counter, chance(0.8) and rvalue() or nil)
  elseif r == 5 then
    kind = "defaultdict"
    ok, v = pcall(defaultdict, rfunc(), chance(0.5) and plain_table(1) or nil)
  elseif r == 6 then
    kind = "OrderedDict"
    ok, v = pcall(OrderedDict, chance(0.8) and rvalue() or nil)
  elseif r == 7 then
    kind = "error"
    ok, v = pcall(errors.new, rvalue(), rvalue(), chance(0.5) and rvalue() or nil)
  elseif r == 8 then
    kind = "deque"
    ok, v = pcall(deque, { 1, 2, 3, "a", pick(strings) }, chance(0.5) and R(0, 6) or nil)
  elseif r == 9 then
    kind = "task"
    ok, v = pcall(asyncio.create_task, chance(0.7) and rfunc() or async_fn(), rvalue(), rvalue())
  elseif r == 10 then
    kind = "future"
    ok, v = pcall(asyncio.Future)
  elseif r == 11 then
    kind = "queue"
    ok, v = pcall(asyncio[pick { "Queue", "LifoQueue", "PriorityQueue" }],
      chance(0.5) and pick { 0, 1, 2, -1, 1024, 1025, 0 / 0, "x" } or nil)
  elseif r == 12 then
    kind = pick { "Lock", "Event", "Semaphore", "BoundedSemaphore", "Condition" }
    local a = nil
    if kind == "Condition" and chance(0.5) then a = any_obj("Lock") or rvalue()
    elseif kind:find("Semaphore") and chance(0.5) then a = pick { 0, 1, 2, -1, 0 / 0, "x" } end
    ok, v = pcall(asyncio[kind], a)
  elseif r == 13 then
    kind = "coro"
    ok, v = pcall(asyncio.async(chance(0.8) and rfunc() or rvalue(),
      chance(0.3) and rvalue() or nil),
      rvalue(), rvalue())
  elseif r == 14 then
    kind = "handle"
    local loop = asyncio.get_running_loop()
    local m = pick { "call_soon", "call_later", "call_at" }
    if m == "call_soon" then ok, v = pcall(loop.call_soon, loop, rfunc(), rvalue())
    elseif m == "call_later" then ok, v = pcall(
        loop.call_later, loop, small_delay(), rfunc(), rvalue())
    else ok, v = pcall(loop.call_at, loop, loop:time() + (small_delay() or 0), rfunc()) end
  elseif r == 15 then
    kind = "timeout"
    ok, v = pcall(asyncio.timeout, small_delay())
  else
    kind = "loop"
    ok, v = pcall(asyncio.get_running_loop)
  end
  ncalls = ncalls + 1
  classify("new " .. kind, ok, v)
  if ok and v ~= nil then
    if kind == "pattern" or kind == "match" or type(v) == "userdata"
        or (type(v) == "table" and getmetatable(v) ~= nil) then
      register_kind(kind, v)
      add(kind, v)
    end
  end
end

local class_fns = {
  Counter = { Counter, { "update", "subtract", "most_common", "elements", "total", "keys",
    "values", "items", "len" } },
  defaultdict = { defaultdict, { "default_factory", "items", "keys", "len", "values" } },
  OrderedDict = { OrderedDict, { "items", "keys", "len", "values", "move_to_end", "popitem" } },
}

local binops = {
  function(a, b) return a + b end, function(a, b) return a - b end,
  function(a, b) return a & b end, function(a, b) return a | b end,
  function(a, b) return a == b end, function(a, b) return a < b end,
  function(a, b) return a <= b end, function(a) return -a end,
  function(a) return #a end, function(a) return tostring(a) end,
  function(a, b) return a[b] end, function(a, b, c) a[b] = c end,
  function(a) local n = 0 for _ in pairs(a) do n = n + 1 if n > 100 then break end end return n end,
  function(a)
    local n = 0
    for _ in ipairs(a) do n = n + 1 if n > 100 then break end end
    return n
  end,
  function(a) return collections.repr(a) end,
  function(a) local _ <close> = a end,
}

local function method_call(self, kind, name, wrong)
  local fns = kind_fns[kind]
  local f = fns and fns[name]
  if not f then return end
  local nargs = R(0, 4)
  local a = args(nargs)
  if name == "rotate" and type(a[1]) == "number" and chance(0.5) then a[1] = R(-20, 20) end
  local label = (wrong and "WS:" or "") .. kind .. "." .. name
  if kind == "Lock" or kind == "Semaphore" or kind == "BoundedSemaphore"
      or kind == "Condition" or kind == "Event" or kind == "queue"
      or name == "await" then  -- a future nobody completes waits for ever
    -- suspending methods: bounded by a timeout so that nothing waits forever
    if in_async and asyncio.current_task() then
      call(label, asyncio.wait_for, function()
        return f(self, table.unpack(a, 1, a.n))
      end, pick { 0.001, 0.003, 0 })
      return
    elseif not in_async or (name ~= "put" and name ~= "get" and name ~= "join"
        and name ~= "wait" and name ~= "wait_for" and name ~= "acquire"
        and name ~= "hold") then
      call(label, f, self, table.unpack(a, 1, a.n))
      return
    end
    return
  end
  call(label, f, self, table.unpack(a, 1, a.n))
end

local function async_op()
  local r = R(16)
  if r == 1 then
    call("await", asyncio.wait_for,
      function() return asyncio.await(any_obj() or rvalue()) end, 0.003)
  elseif r == 2 then
    call("sleep", asyncio.sleep, small_delay(), rvalue())
  elseif r == 3 then
    local a = {}
    for i = 1, R(0, 4) do a[i] = any_obj(pick { "task", "future", "coro" }) or rfunc() end
    if chance(0.5) then a[#a + 1] = { return_exceptions = chance(0.5) } end
    call("gather", asyncio.wait_for, function() return asyncio.gather(table.unpack(a)) end, 0.005)
  elseif r == 4 then
    call("wait_for", asyncio.wait_for, any_obj(pick { "task", "future", "coro" }) or rvalue(),
      pick { 0, 0.001, 0.002, -1, 0 / 0 })  -- no nil: a future nobody completes waits for ever
  elseif r == 5 then
    local a = {}
    for i = 1, R(0, 4) do a[i] = any_obj(pick { "task", "future", "coro" }) or rvalue() end
    call("wait", asyncio.wait, chance(0.9) and a or rvalue(),
      { timeout = pick { 0, 0.002, 0.001 }, return_when = pick { "FIRST_COMPLETED",
        "ALL_COMPLETED", "FIRST_EXCEPTION", nil, "bogus" } })
  elseif r == 6 then
    local a = {}
    for i = 1, R(0, 3) do a[i] = any_obj(pick { "task", "future", "coro" }) or rvalue() end
    call("as_completed", asyncio.wait_for, function()
      for f in asyncio.as_completed(a, 0.003) do pcall(f.await, f) end
    end, 0.01)
  elseif r == 7 then
    call("shield", asyncio.shield, any_obj(pick { "task", "future", "coro" }) or rvalue())
  elseif r == 8 then
    call("TaskGroup", asyncio.wait_for, function()
      return asyncio.TaskGroup(function(tg)
        for _ = 1, R(0, 3) do
          call("tg.create_task", tg.create_task, tg, any_obj("coro") or rfunc(), rvalue())
        end
        if chance(0.3) and depth < 3 then random_op() end
      end)
    end, 0.01)
  elseif r == 9 then
    call("current_task", asyncio.current_task)
    call("all_tasks", asyncio.all_tasks)
  elseif r == 10 then
    call("iscoroutine", asyncio.iscoroutine, rvalue())
    call("isfuture", asyncio.isfuture, rvalue())
  elseif r == 11 then
    call("create_task", asyncio.create_task, any_obj("coro") or rvalue(), rvalue(), rvalue())
  elseif r == 12 then
    call("timeout-scope", function()
      local t <close> = asyncio.timeout(pick { 0.001, 0, -1, nil })
      if chance(0.5) then t:reschedule(
        pick { nil, 0, asyncio.get_running_loop():time() + 0.001, 0 / 0 }) end
      asyncio.sleep(pick { 0, 0.002 })
    end)
  elseif r == 13 then
    local loop = asyncio.get_running_loop()
    local m = pick { "time", "call_soon", "call_later", "call_at", "create_future", "is_running" }
    call("loop." .. m, loop[m], chance(0.9) and loop or rvalue(), rvalue(), rfunc(), rvalue())
  elseif r == 14 then
    call("run-nested", asyncio.run, rfunc())
  elseif r == 15 then
    call("timeout_at", function()
      local _ <close> = asyncio.timeout_at(rvalue())
      asyncio.sleep(0)
    end)
  else
    call("await-method", asyncio.wait_for, function()
      local o = any_obj(pick { "task", "future", "coro" })
      if o then return o:await() end
    end, 0.003)
  end
end

local function errors_op()
  local r = R(5)
  if r == 1 then call("errors.is", errors.is, rvalue(), rvalue())
  elseif r == 2 then call("errors.new", errors.new, rvalue(), rvalue(), rvalue())
  elseif r == 3 then call("errors.raise", errors.raise, rvalue(), rvalue(), rvalue())
  elseif r == 4 then
    local name = "Fuzz" .. R(1, 6)
    call("errors.register", errors.register, name, pick { "Fuzz" .. R(1, 6), "ValueError",
      "Exception", name, rvalue() }, chance(0.3) and "Fuzz" .. R(1, 6) or nil)
    call("errors.is", errors.is, errors.new(name, "x"), "Fuzz" .. R(1, 6))
  else
    local e = any_obj("error") or errors.new("ValueError", "v")
    call("error-field", function() return tostring(e), e.type, e.message, e[rvalue()] end)
  end
end

local function re_op()
  local fname = pick { "compile", "search", "match", "fullmatch", "findall", "finditer",
    "sub", "subn", "split", "escape", "purge" }
  local p = chance(0.6) and pick(strings) or (any_obj("pattern") or rvalue())
  local a
  if fname == "sub" or fname == "subn" then
    local repl = pick { pick(strings), rfunc(), plain_table(1), evil_table(1), rvalue() }
    a = { p, repl, chance(0.9) and pick(strings) or rvalue(), chance(0.4) and rvalue() or nil,
      chance(0.3) and rvalue() or nil }
  else
    a = { p, chance(0.9) and pick(strings) or rvalue(), chance(0.3) and rvalue() or nil }
  end
  if fname == "escape" then a = { chance(0.8) and pick(strings) or rvalue() } end
  call("re." .. fname, re[fname], table.unpack(a, 1, 5))
  if chance(0.02) then
    local old = re.get_match_limit()
    call("re.set_match_limit", re.set_match_limit, rvalue())
    call("re.search-limited", re.search, "(a+)+b", string.rep("a", 30))
    re.set_match_limit(old)
  end
end

function random_op()
  depth = depth + 1
  local r = R(100)
  if r <= 12 or #pool == 0 then
    new_object()
  elseif r <= 50 then
    -- a method of a random object; sometimes the wrong kind's method
    local e = pick(pool)
    local kind = e.kind
    if kind_methods[kind] then
      local mk = kind
      if chance(0.12) then
        local kinds = {}
        for k in pairs(kind_fns) do kinds[#kinds + 1] = k end
        table.sort(kinds)
        mk = pick(kinds)
      end
      local names = kind_methods[mk]
      if names and #names > 0 then method_call(e.v, mk, pick(names), mk ~= kind) end
    elseif class_fns[kind] then
      local c = class_fns[kind]
      local name = pick(c[2])
      local self = chance(0.9) and e.v or rvalue()
      call(kind .. "." .. name, c[1][name], self, rvalue(), rvalue())
    end
  elseif r <= 58 then
    -- a class function of a map with any object
    local cname = pick { "Counter", "defaultdict", "OrderedDict" }
    local c = class_fns[cname]
    local name = pick(c[2])
    call(cname .. "." .. name, c[1][name], any_obj() or rvalue(), rvalue(), rvalue())
  elseif r <= 72 then
    -- operators and metamethods
    local i = R(#binops)
    call("op" .. i, binops[i], any_obj() or rvalue(),
      chance(0.6) and any_obj() or rvalue(), rvalue())
  elseif r <= 80 then
    re_op()
  elseif r <= 84 then
    errors_op()
  elseif r <= 86 then
    collectgarbage(chance(0.5) and "collect" or "step")
  elseif r <= 88 then
    -- a finalizer that touches a random object
    local target = any_obj()
    setmetatable({}, { __gc = function()
      if type(target) == "userdata" or type(target) == "table" then
        pcall(function() target[R(-1, 2)] = "gc" end)
        local k = kind_of_value(target)
        local fns = k and kind_fns[k]
        if fns then
          local names = kind_methods[k]
          local n = pick(names)
          if not in_async or (n ~= "acquire" and n ~= "wait" and n ~= "get" and n ~= "put"
              and n ~= "join" and n ~= "hold" and n ~= "wait_for") then
            pcall(fns[n], target, rvalue(3))
          end
        end
      end
    end })
  elseif r <= 90 then
    call("collections.repr", collections.repr, any_obj() or rvalue())
  elseif in_async and asyncio.current_task() and depth == 1 then
    async_op()
  else
    -- deque with an iterator / indexes / bulk counting with evil data
    local d = any_obj("deque")
    if d then
      local k = pick { 0, 1, -1, #d, #d + 1, -#d, -#d - 1, math.maxinteger, math.mininteger,
        2.0, 2.5, 0 / 0, "x", true }
      call("deque[]", function() return d[k] end)
      call("deque[]=", function() d[k] = rvalue() end)
    end
    local c = any_obj("Counter")
    if c then
      call("counter-idiom", function()
        for _ = 1, 5 do local w = pick(strings) c[w] = c[w] + 1 end
      end)
    end
  end
  depth = depth - 1
end

-- }=========================================================================

-- {===================================================================== main

local per_run = math.max(1, COUNT // 8)
local done = 0
local runs = 0
while done < COUNT do
  if chance(0.5) then
    -- synchronous phase (objects left from earlier runs included)
    for _ = 1, math.min(per_run, COUNT - done) do
      random_op()
      depth = 0
    end
    done = done + per_run
  else
    runs = runs + 1
    local n = math.min(per_run, COUNT - done)
    local ok, err = pcall(asyncio.run, function()
      in_async = true
      for _ = 1, n do
        random_op()
        depth = 0
      end
    end)
    in_async = false
    depth = 0
    classify("asyncio.run", ok, err)
    done = done + n
  end
  if chance(0.3) then collectgarbage() end
end
collectgarbage()
collectgarbage()

io.write(string.format("seed %d: %d calls, %d runs; returned %d, argerr %d, pyerr %d, injected %d, "
  .. "vm %d, wrong-self-lua %d, foreign %d, no-yield %d, other %d\n", SEED, ncalls, runs, stats.ret,
  stats.argerr, stats.pyerr, stats.injected, stats.vm, stats.ws,
    stats.foreign, stats.noyield, stats.other))
for _, k in ipairs(other_order) do
  io.write(string.format("  other x%d: %s\n", other_seen[k], k:sub(1, 300)))
end

-- }=========================================================================
