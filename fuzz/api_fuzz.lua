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
-- against API.md).  Targeted scenarios (see their section) reach deeper
-- states: re templates, group references and count/position edges;
-- containers changed while iterated; Counter operators between odd maps;
-- defaultdict factories that raise or suspend; children that finish, fail
-- or are cancelled under timeouts, TaskGroups, wait, as_completed, shield,
-- done callbacks, queues and locks.  A broken invariant of API.md they
-- check is an "other" error "ORACLE: ...".  Crashes, sanitizer reports and hangs are the defects
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
  if rawequal(err, EVIL) or (type(err) == "string" and err:find("EVIL", 1, true))
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
  if type(err) == "string" and (err:find("fuzz/api_fuzz.lua:", 1, true)
      or err:find("C stack overflow", 1, true)) then
    -- Lua's own error at an operator of this script (arithmetic on an
    -- object without that metamethod, a non-closable value, ...), or the
    -- recursing defaultdict factory's (collector_off's pcall may report it
    -- without a position)
    stats.vm = stats.vm + 1 return
  end
  if (name:sub(1, 3) == "WS:" or name:sub(-5) == "#iter") and type(err) == "string"
      and err:find("_asyncio.lua:", 1, true) then
    -- docs/asyncio.md: the Lua-written classes do not check self; nor does
    -- a function of their fields (a TaskGroup's done callback) that a call
    -- returned and this script then called as an iterator with junk
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
-- Set as the script ends: the finalizers that run in lua_close then do
-- nothing.  Lua finalizes no object made during lua_close (lgc.c,
-- luaC_checkfinalizer), so what a pystd object made then owns outside
-- Lua's memory (a compiled pattern's PCRE2 code) leaks, as an io file
-- opened then stays open: Lua's rule, in every library (docs/re.md).
local closing = false

-- Objects of the Lua-written classes that a method of another class was
-- called on: such methods do not check self (docs/asyncio.md), so their
-- fields may now hold anything.  They leave the pool for good.
local tainted = setmetatable({}, { __mode = "k" })

local function add(kind, v)
  if v == nil or tainted[v] then return end
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

-- Lua's own library functions: a map built from `string` or `_G` (both in
-- the value pool) hands them back, as OrderedDict.popitem does, and called
-- as iterators with junk their errors are no pystd error ("invalid format
-- option" of string.pack; seed 29548), while dofile() would read stdin
local stdlib = {}
for _, lib in ipairs { _G, string, table, math, io, os, coroutine, utf8, debug } do
  for _, f in pairs(lib) do
    if type(f) == "function" then stdlib[f] = true end
  end
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
  elseif which == 8 then mt.__gc = function() if not closing then act() end end
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
--- API.md: a container holds no nil.  The first deque of the pool with
-- a hole, as an "other" error of the call after which it appeared.
local function deque_hole_after(name)
  for _, e in ipairs(pool) do
    if e.kind == "deque" then
      for i = 1, #e.v do
        if e.v[i] == nil then
          classify(name, false, ("ORACLE: a deque holds nil at %d of %d"):format(i, #e.v))
          e.kind = "deque-with-hole"  -- reported once
          return
        end
      end
    end
  end
end

local function call(name, f, ...)
  ncalls = ncalls + 1
  if TRACE then
    local parts = {}
    for i = 1, select("#", ...) do parts[i] = describe((select(i, ...))) end
    io.stderr:write("CALL ", ncalls, " ", name, "(", table.concat(parts, ", "), ")\n")
  end
  local res = table.pack(pcall(f, ...))
  classify(name, res[1], res[2])
  deque_hole_after(name)
  if res[1] then
    for i = 2, res.n do
      local v = res[i]
      if type(v) == "function" and not stdlib[v] and chance(0.7) then
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
      -- (a Lua class's private "_name" functions are no API)
      if type(k) == "string" and type(f) == "function" and not k:find("^_%a") then
        out[#out + 1] = k
      end
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
    -- (ipairs of another value: Lua's own error, with no position)
    if type(a) ~= "table" and type(a) ~= "userdata" then return end
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
  if wrong and type(self) == "table" and not tainted[self] then
    tainted[self] = true
    for i = #pool, 1, -1 do
      if rawequal(pool[i].v, self) then table.remove(pool, i) end
    end
  end
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

-- {======================================================= targeted scenarios

-- Sequences that reach the states random calls seldom do: templates and
-- group references, count and position edges, mutation while iterating,
-- odd maps under Counter's operators, factories that raise or suspend, and
-- in a task children that finish, fail or are cancelled at random times
-- under timeouts, TaskGroups, wait, as_completed, shield, queues and locks.
-- A broken invariant that API.md states is raised as "ORACLE: ...", an
-- "other" error.

local function oracle(cond, what)
  if not cond then error("ORACLE: " .. what, 0) end
end

local template_pieces = {
  "\\1", "\\2", "\\10", "\\g<0>", "\\g<1>", "\\g<2>", "\\g<n>", "\\g<name>", "\\g<-1>",
  "\\g< 1>", "\\g<>", "\\g<1", "\\g", "\\0", "\\00", "\\07", "\\100", "\\n", "\\t", "\\\\",
  "\\q", "\\é", "\\", "x", "é", "\\x41", "\\u0041", "\\8", "\\g<99999999999999999999>",
  "\\g<+1>", "\\g<१>", "\\g<n\0>", "%1", "&", "\255",
}
local edge_counts = { 0, 1, 2, -1, -2, math.maxinteger, math.mininteger, 2.0, 0.5, 1e300,
  0 / 0, math.huge, "2", "x", true }
local re_patterns = { "(?P<n>a)|(?P<name>b)", "(a)(b)?(c)?", "(?P<n>x)?", "", "(?P<n>)",
  "x*", "\\b", "(?<=\\xff)", "(a|)+", "(?i)é", "[\\x80-\\xff]", "(.)(?P<name>.)?", "\\w+" }

local function template()
  local parts = {}
  for i = 1, R(0, 4) do parts[i] = pick(template_pieces) end
  return table.concat(parts)
end

local function group_ref()
  return pick { 0, 1, 2, 3, -1, 99, "n", "name", "nope", "", "1", 1.0, 1.5,
    math.maxinteger, math.mininteger, 0 / 0, true, {} }
end

local function subject()
  return pick(strings) .. (chance(0.5) and pick(strings) or "") .. pick { "", "\255", "ab", "\xc3" }
end

--- Positions for pos/endpos around the ends of `s`.
local function position(s)
  return pick { nil, 0, 1, -1, #s, #s + 1, #s + 2, -#s, -#s - 1, 2.5, math.maxinteger,
    math.mininteger, 0 / 0 }
end

--- A repl for sub: a template, a function or table giving odd values or
-- calling back into re, or any value.
local function replacement()
  local r = R(5)
  if r <= 2 then return template()
  elseif r == 3 then
    local f = rfunc()
    return function(m)
      local k = R(7)
      if k == 1 then return m:group(group_ref())
      elseif k == 2 then return m:expand(template())
      elseif k == 3 then re.purge() return "p"
      elseif k == 4 then return (re.sub(m.re, template(), m:group() or ""))
      elseif k == 5 then return m end
      return f(m)
    end
  elseif r == 4 then
    return { a = pick { "A", 1, 2.5, false, {}, EVIL }, b = "\\1", [""] = "E", ab = true }
  end
  return rvalue()
end

local match_probes = {
  group = function() return group_ref(), chance(0.4) and group_ref() or nil end,
  groups = function() return rvalue(2) end,
  groupdict = function() return rvalue(2) end,
  span = group_ref, start = group_ref, stop = group_ref, expand = template,
}
local match_probe_names = { "group", "groups", "groupdict", "span", "start", "stop", "expand" }

local function probe_match(m)
  if type(m) ~= "userdata" then return end
  for _ = 1, R(1, 3) do
    local name = pick(match_probe_names)
    call("m:" .. name, m[name], m, match_probes[name]())
  end
  call("m[]", function() return m[group_ref()], m.lastindex, m.lastgroup, m.pos, m.endpos end)
end

--- finditer over a cached pattern while the cache is purged and refilled
local function finditer_purging(p, s, flags)
  local n = 0
  for m in re.finditer(p, s, flags) do
    n = n + 1
    if chance(0.3) then re.purge() end
    if chance(0.2) then collectgarbage() end
    if chance(0.2) then re.compile(pick(strings) .. "|" .. n) end
    if chance(0.3) then probe_match(m) end
    if n > 50 then break end
  end
end

local function re_scenario()
  local flags = pick { 0, re.BYTES, re.I, re.BYTES | re.I, re.M | re.S, re.X, re.A }
  local src = chance(0.7) and pick(re_patterns) or pick(strings)
  local ok, p = pcall(re.compile, src, flags)
  classify("re.compile", ok, p)
  if not ok then return end
  local s = subject()
  local r = R(6)
  if r == 1 then
    local _, m = call("p:search", p.search, p, s, position(s), position(s))
    probe_match(m)
  elseif r == 2 then
    local m = pick { "sub", "subn" }
    call("p:" .. m, p[m], p, replacement(), s, chance(0.6) and pick(edge_counts) or nil)
  elseif r == 3 then
    call("re.split", re.split, src, s, pick(edge_counts), flags)
    call("p:split", p.split, p, s, pick(edge_counts))
  elseif r == 4 then
    call("finditer-purging", finditer_purging, src, s, flags)
  elseif r == 5 then
    local m = pick { "match", "fullmatch", "findall", "finditer" }
    call("p:" .. m, p[m], p, s, position(s), position(s))
  else
    -- escape: the escaped text matches itself (valid UTF-8 or BYTES)
    local okb, escaped = pcall(re.escape, s)
    classify("re.escape", okb, escaped)
    if okb and utf8.len(s) then
      local okm, m = pcall(re.fullmatch, escaped, s)
      classify("re.fullmatch-escaped", okm, m)
      if okm then call("escape-oracle", oracle, m ~= nil, "re.escape(s) does not match s") end
    end
  end
end

--- A map for Counter's operators and update: a Counter with odd counts,
-- a plain table, a defaultdict, an OrderedDict, or any value.
local odd_counts = { 0, 1, -1, 2.5, -0.5, 1e300, -1e300, 0 / 0, math.huge,
  math.maxinteger, math.mininteger, "3", true }
local function odd_map()
  local r = R(6)
  if r == 1 then
    local c = Counter()
    for _ = 1, R(0, 5) do pcall(function() c[pick(strings)] = pick(odd_counts) end) end
    return c
  elseif r == 2 then return plain_table(1)
  elseif r == 3 then return defaultdict(rfunc(), { a = pick(odd_counts), b = "x" })
  elseif r == 4 then return OrderedDict { { "a", pick(odd_counts) }, { "b", 2 } }
  elseif r == 5 then
    return any_obj(pick { "Counter", "defaultdict", "OrderedDict" }) or Counter("abca")
  end
  return rvalue()
end

local function counter_scenario()
  local a, b = odd_map(), odd_map()
  local r = R(5)
  if r == 1 then
    local i = R(#binops)
    call("Counter-op" .. i, binops[i], a, b, rvalue())
  elseif r == 2 then
    call("Counter.most_common", Counter.most_common, a,
      pick { nil, 0, -1, 1, 2.5, math.maxinteger, math.mininteger, 0 / 0, "2", 1e300 })
  elseif r == 3 then
    local m = pick { "update", "subtract" }
    call("Counter." .. m, Counter[m], a, b)
  elseif r == 4 then
    call("Counter.elements", Counter.elements, a)
  else
    call("Counter(odd)", Counter, a)
    call("Counter.total", Counter.total, a)
  end
end

--- One random change of map `t` while its key `k` is being visited.
local map_mutations = {
  function(t, k) t[k] = nil end,
  function(t) t[pick(strings) .. R(1000)] = R(5) end,
  function(t, k) t[k] = R(5) end,
  function(t, k) OrderedDict.move_to_end(t, k, chance(0.5)) end,
  function(t) OrderedDict.popitem(t, chance(0.5)) end,
  function(t) Counter.update(t, "abc") end,
  function(t) Counter.subtract(t, { a = 1 }) end,
  function(t) for key in pairs(t) do t[key] = nil end end,
  function() collectgarbage() end,
}
local deque_mutations = {
  function(d) d:append(1) end, function(d) d:appendleft(1) end,
  function(d) d:pop() end, function(d) d:popleft() end, function(d) d:clear() end,
  function(d) d:rotate(R(-3, 3)) end, function(d) d[1] = "set" end,
  function(d) d:insert(R(-2, 3), "i") end, function(d) d:remove(d[1]) end,
  function(d) d:reverse() end, function(d) d:extend { 1 } end,
  function() collectgarbage() end,
}

--- Steps the generic-for triple (iter, s, ctl), changing the container
-- at random steps; an iteration that never ends is a defect, unless it
-- is `long` (Counter.elements of a huge count).
local function iterate_mutating(iter, s, ctl, mutate, long)
  for steps = 1, 3000 do
    local k = iter(s, ctl)
    if k == nil then return steps end
    ctl = k
    if chance(0.3) then pcall(mutate, k) end
  end
  if not long then error("ORACLE: endless iteration while mutating", 0) end
end

local function iteration_scenario()
  local d = any_obj("deque")
  if d and chance(0.4) then
    local how = R(3)
    local iter, s, ctl
    if how == 1 then iter, s, ctl = d:iter()
    elseif how == 2 then iter, s, ctl = ipairs(d)
    else iter, s, ctl = pairs(d) end
    call("deque-iter-mutating", iterate_mutating, iter, s, ctl, function()
      pick(deque_mutations)(d)
    end)
    return
  end
  local kind = pick { "Counter", "defaultdict", "OrderedDict" }
  local t = any_obj(kind) or collections[kind](kind == "defaultdict" and rfunc() or nil)
  local class = collections[kind]
  local iters = { pairs, class.items, class.keys, class.values, Counter.elements }
  local how = pick(iters)
  local ok, iter, s, ctl = pcall(how, t)
  classify(kind .. "-iterator", ok, iter)
  if not ok or type(iter) ~= "function" then return end
  call(kind .. "-iter-mutating", iterate_mutating, iter, s, ctl, function(k)
    pick(map_mutations)(t, k)
  end, how == Counter.elements)
end

--- A model of CPython's deque.insert and rotate on a copy, to check pystd's.
--- f(...) with the collector stopped (when it ran: in a finalizer, where
-- Lua refuses to stop it, none runs anyway), for a stretch in which no
-- finalizer may run (see the callers).
local function collector_off(f, ...)
  local was_running = collectgarbage("isrunning")
  collectgarbage("stop")
  local res = table.pack(pcall(f, ...))
  if was_running then collectgarbage("restart") end
  if not res[1] then error(res[2], 0) end
  return table.unpack(res, 2, res.n)
end

local function deque_model(d, op, n)
  local t = {}
  for i = 1, #d do t[i] = d[i] end
  if op == nil then return t
  elseif op == "insert" then
    local i = n >= 1 and n - 1 or n       -- Python's index
    if i < 0 then i = math.max(i + #t, 0) end
    table.insert(t, math.min(i, #t) + 1, "new")
  elseif #t > 0 then
    for _ = 1, n % #t do table.insert(t, 1, table.remove(t)) end
  end
  return t
end

local function deque_scenario()
  local d = any_obj("deque") or deque({ 1, 2, 3 }, pick { nil, 0, 1, 3 })
  local n = #d
  local idx = pick { 0, 1, -1, n, n + 1, n + 2, -n, -n - 1, math.maxinteger, math.mininteger,
    2.5, 2.0, 0 / 0, 1e300, "1" }
  local r = R(7)
  if r <= 2 and d.maxlen == nil and n < 50 and math.type(idx) == "integer"
      and idx ~= 0 and math.abs(idx) < 100 then
    -- insert and rotate against the model
    -- (with the collector off: a finalizer run by an allocation of the
    -- model could change `d` behind the model's back)
    local op = r == 1 and "insert" or "rotate"
    local ok, err, same, before, after = collector_off(function()
      local before = deque_model(d)
      local want = deque_model(d, op, idx)
      local ok, err = pcall(d[op], d, idx, op == "insert" and "new" or nil)
      local same = ok and #d == #want
      for i = 1, ok and #want or 0 do
        local a, b = d[i], want[i]
        same = same and (rawequal(a, b) or (a ~= a and b ~= b))
      end
      return ok, err, same, before, deque_model(d)
    end)
    classify("deque." .. op, ok, err)
    if ok and not same and SHOW_OTHER then
      local function list(t)
        local parts = {}
        for i = 1, #t do parts[i] = describe(t[i]) end
        return "{" .. table.concat(parts, ", ") .. "}"
      end
      io.stderr:write("DEQUE-MODEL ", op, "(", idx, ") of ", list(before), " gave ",
        list(after), "\n")
    end
    if ok then
      call("deque-model", oracle, same, ("deque.%s(%d) differs from CPython's"):format(op, idx))
    end
  elseif r <= 2 then
    local m = r == 1 and "insert" or "rotate"
    call("deque." .. m, d[m], d, idx, "x")
  elseif r == 3 then
    call("deque.index", d.index, d, chance(0.5) and d[1] or rvalue(), idx, position(d))
  elseif r == 4 then
    call("deque(maxlen)", deque, chance(0.5) and d or rvalue(),
      pick { 0, 1, -1, math.maxinteger, math.mininteger, 2.5, 0 / 0, "2", 1e300 })
  elseif r == 5 then
    call("deque.extend-self", d[pick { "extend", "extendleft" }], d, d)
  elseif r == 6 then
    -- an element whose __eq changes the deque during count/remove/index
    local evil = setmetatable({}, { __eq = function()
      pick(deque_mutations)(d) return chance(0.3) end })
    pcall(d.append, d, evil)
    local m = pick { "count", "remove", "index" }
    call("deque." .. m .. "-mutating-eq", d[m], d, setmetatable({}, getmetatable(evil)))
  else
    call("deque==", function() return d == deque(d), d < deque(d), tostring(d) end)
  end
end

--- A defaultdict whose factory raises, returns nil, suspends the task, or
-- changes the dict itself; read from a task, a generator, or directly.
local function defaultdict_scenario()
  local d
  local factories = {
    function() error(EVIL, 0) end,
    function() return nil end,
    function() if in_async and asyncio.current_task() then asyncio.sleep(0) end return 1 end,
    function() d[pick(strings)] = 1 return 2 end,
    function() for k in pairs(d) do d[k] = nil end return d end,
    function() return coroutine.yield(1) end,
    -- Reads a missing key: recursion to the C-stack limit, where Lua cannot
    -- start a finalizer ("C stack overflow") and frees its object
    -- unfinalized, so what a pystd object owns outside Lua's memory leaks
    -- (docs/re.md).  The collector stays off from the outermost call on.
    function() return collector_off(function() return d[pick(strings) .. "!"] end) end,
  }
  local which = R(#factories)
  d = defaultdict(factories[which], chance(0.5) and { a = 1, b = 2 } or nil)
  local function read() return d[pick(strings)], defaultdict.len(d) end
  local how = which == 6 and 1 or R(3)  -- a yield needs a coroutine of its own
  if how == 1 then call("defaultdict[]-wrapped", coroutine.wrap(read))
  elseif how == 2 and in_async and asyncio.current_task() then
    local t1, t2 = asyncio.create_task(read), asyncio.create_task(read)
    call("defaultdict[]-tasks", asyncio.wait_for, function()
      return asyncio.gather(t1, t2, { return_exceptions = chance(0.5) })
    end, 0.01)
  else call("defaultdict[]", read) end
  if which ~= 6 then add("defaultdict", d) end  -- (a yield elsewhere is the fuzzer's own fault)
end

-- Children for the asyncio scenarios.

local function short_delay() return pick { 0, 0, 0.001, 0.002 } end

--- A coroutine object that sleeps briefly, then returns, raises, cancels
-- itself, sleeps long, or makes a random operation.
local function worker(tag)
  local fate = R(6)
  return asyncio.async(function()
    asyncio.sleep(short_delay())
    if fate == 1 then error(EVIL, 0)
    elseif fate == 2 then errors.raise("ValueError", "worker " .. tostring(tag))
    elseif fate == 3 then asyncio.current_task():cancel("self") asyncio.sleep(0)
    elseif fate == 4 then asyncio.sleep(0.2)
    elseif fate == 5 and depth < 3 then random_op() end
    return tag, rvalue(3)
  end)()
end

--- A future that a timer completes: result, exception or cancel.
local function timed_future()
  local f = asyncio.Future()
  local how = pick { "set_result", "set_exception", "cancel" }
  asyncio.get_running_loop():call_later(short_delay(), function()
    if f:done() then return end
    f[how](f, how == "set_exception" and errors.new("ValueError", "f") or 1)
  end)
  return f
end

--- n awaitables: tasks, coroutine objects, timed futures, pool objects
--- n awaitables, and whether one of them may never end (one from the pool)
local function children(n)
  local a, endless = {}, false
  for i = 1, n do
    local r = R(5)
    if r <= 2 then a[i] = asyncio.create_task(worker(i))
    elseif r == 3 then a[i] = worker(i)
    elseif r == 4 then a[i] = timed_future()
    else
      a[i] = any_obj(pick { "task", "future" })
      endless = endless or a[i] ~= nil
      a[i] = a[i] or timed_future()
    end
  end
  return a, endless
end

local function timeout_scenario()
  local loop = asyncio.get_running_loop()
  local scopes = {}
  local ok, err = pcall(function()
    local outer <close> = asyncio.timeout(pick { 0.002, 0.01, nil, 0 })
    scopes[1] = outer
    do
      local inner <close> = asyncio.timeout_at(loop:time() + pick { 0, 0.001, 0.02, -1 })
      scopes[2] = inner
      local target = pick(scopes)
      if chance(0.6) then
        target:reschedule(pick { nil, loop:time(), loop:time() + 0.003, 0 / 0, math.huge,
          -math.huge, 0 })
      end
      call("timeout-state", function()
        return inner:when(), inner:expired(), tostring(inner), outer:expired() end)
      local r = R(3)
      if r == 1 then pcall(asyncio.sleep, 0.005)   -- swallows the expiry
      elseif r == 2 then asyncio.sleep(0.005)
      else asyncio.sleep(0) end
    end
    asyncio.sleep(pick { 0, 0.003 })
  end)
  classify("timeout-nested", ok, err)
  for _, t in ipairs(scopes) do   -- after the scopes were left
    call("timeout-after", function() return t:when(), t:expired(), tostring(t) end)
    call("timeout-after:reschedule", t.reschedule, t, pick { nil, 0, loop:time() + 1 })
    register_kind("timeout", t)
    add("timeout", t)
  end
end

local function taskgroup_scenario()
  local kept
  call("TaskGroup-children", asyncio.wait_for, function()
    return asyncio.TaskGroup(function(tg)
      kept = tg
      local aws, endless = children(R(0, 4))
      for i, aw in ipairs(aws) do
        call("tg.create_task", tg.create_task, tg, aw, chance(0.2) and i or nil)
        if chance(0.3) then asyncio.sleep(0) end
      end
      local r = R(5)
      if r == 1 then error(EVIL, 0)
      elseif r == 2 then asyncio.current_task():cancel("body") asyncio.sleep(0)
      elseif r == 3 and not endless then
        -- a child's failure: swallowed (so is wait_for's cancel; then a
        -- child nobody completes would keep the group waiting for ever,
        -- as in CPython)
        pcall(asyncio.sleep, 0.003)
      elseif r == 4 then
        asyncio.TaskGroup(function(inner)
          inner:create_task(worker("inner"))
          tg:create_task(worker("outer"))
        end)
      end
      return rvalue(3)
    end)
  end, pick { 0.003, 0.05 })
  if kept then
    register_kind("taskgroup", kept)
    add("taskgroup", kept)
    call("tg.create_task-after", kept.create_task, kept, worker("late"))
  end
end

--- wait's done and pending, against its contract at the moment it returns
local function check_wait(aws, opts, done, pending)
  local n = 0
  for _ in pairs(aws) do n = n + 1 end
  for _, f in ipairs(done) do oracle(f:done(), "wait: a pending future in done") end
  for _, f in ipairs(pending) do oracle(not f:done(), "wait: a done future in pending") end
  oracle(#done + #pending <= n, "wait: more futures than given")
  if opts.timeout == nil and n > 0 then
    oracle(#done > 0, "wait: returned nothing done without a timeout")
    if opts.return_when == nil or opts.return_when == "ALL_COMPLETED" then
      oracle(#pending == 0, "wait(ALL_COMPLETED): pending left without a timeout")
    end
  end
end

local function wait_scenario()
  local aws = children(R(0, 4))
  local r = R(3)
  if r == 1 then
    local opts = { timeout = pick { nil, 0, 0.002, 0.01 },
      return_when = pick { "FIRST_COMPLETED", "ALL_COMPLETED", "FIRST_EXCEPTION" } }
    call("wait-children", asyncio.wait_for, function()
      local done, pending = asyncio.wait(aws, opts)
      check_wait(aws, opts, done, pending)
    end, 0.05)
  elseif r == 2 then
    call("as_completed-children", asyncio.wait_for, function()
      for f in asyncio.as_completed(aws, pick { nil, 0.001, 0.01 }) do
        local ok, err = pcall(f.await, f)
        classify("as_completed:await", ok, err)
        -- wait_for's cancel, swallowed, would leave this loop waiting for
        -- ever on a pool Future nobody completes (as CPython would: seed
        -- 16984)
        if errors.is(err, "asyncio.CancelledError") then error(err, 0) end
        if chance(0.2) then break end
      end
    end, 0.05)
  else
    local inner = aws[1] or timed_future()
    local ok, outer = pcall(asyncio.shield, inner)
    classify("shield", ok, outer)
    if not ok then return end
    if chance(0.5) then call("shield:cancel", outer.cancel, outer, "outer") end
    if chance(0.3) and asyncio.isfuture(inner) then
      call("shield-inner:cancel", inner.cancel, inner)
    end
    call("shield:await", asyncio.wait_for, outer, pick { 0.001, 0.01 })
  end
end

--- Done callbacks that remove, add, complete or raise while they run.
local function callbacks_scenario()
  local f = pick { asyncio.Future(), asyncio.create_task(worker(0)) }
  local cbs = {}
  for i = 1, R(1, 5) do
    cbs[i] = function(fut)
      local r = R(6)
      if r == 1 then fut:remove_done_callback(pick(cbs))
      elseif r == 2 then fut:add_done_callback(pick(cbs))
      elseif r == 3 then pcall(fut.set_result, fut, 1)
      elseif r == 4 then error(EVIL, 0)
      elseif r == 5 then collectgarbage()
      else fut:cancel() end
    end
    call("add_done_callback", f.add_done_callback, f, cbs[i])
  end
  if chance(0.4) then call("remove_done_callback", f.remove_done_callback, f, pick(cbs)) end
  if not f:done() and f.set_result then
    local how = pick { "set_result", "set_exception", "cancel" }
    call("future:" .. how, f[how], f, how == "set_exception" and errors.new("KeyError", "k") or 2)
  end
  call("callbacks-run", asyncio.wait_for, f, 0.01)
  call("callbacks-sleep", asyncio.sleep, 0)
  if f:done() then
    call("remove-after-done", function()
      oracle(f:remove_done_callback(pick(cbs)) == 0, "remove_done_callback found one when done")
    end)
  end
end

local function queue_scenario()
  local q = any_obj("queue") or asyncio[pick { "Queue", "LifoQueue", "PriorityQueue" }](
    pick { 0, 1, 2, 3, 1024, 1025 })
  local items = { 1, 2, 3, "a", { 1, "b" }, { 1 }, 2.5, true }
  local function producer()
    for _ = 1, R(1, 4) do q:put(pick(items)) asyncio.sleep(short_delay()) end
  end
  local function consumer()
    for _ = 1, R(1, 4) do
      q:get()
      if chance(0.8) then q:task_done() end
      asyncio.sleep(short_delay())
    end
  end
  local tasks = {}
  for i = 1, R(1, 5) do tasks[i] = asyncio.create_task(chance(0.5) and producer or consumer) end
  if chance(0.3) then pick(tasks):cancel() end
  call("queue-join", asyncio.wait_for, function() return q:join() end, 0.005)
  call("queue-wait", asyncio.wait, tasks, { timeout = 0.005 })
  call("queue-state", function()
    oracle(q:empty() == (q:qsize() == 0), "queue: empty() disagrees with qsize()")
    oracle(not q:full() or q:qsize() > 0, "queue: full() with no item")
  end)
  for _, t in ipairs(tasks) do t:cancel() end
end

local function sync_scenario()
  local kind = pick { "Lock", "Semaphore", "BoundedSemaphore", "Condition", "Event" }
  local prim = any_obj(kind) or asyncio[kind](kind:find("Semaphore") and R(0, 2) or nil)
  local function user()
    if kind == "Event" then
      if chance(0.5) then prim:wait() else prim:set() asyncio.sleep(0) prim:clear() end
      return
    end
    local _ <close> = prim:hold()
    asyncio.sleep(short_delay())
    if kind == "Condition" then
      local r = R(4)
      if r == 1 then asyncio.wait_for(function() return prim:wait() end, 0.002)
      elseif r == 2 then
        asyncio.wait_for(function()
          return prim:wait_for(function() return chance(0.3) or error(EVIL, 0) end)
        end, 0.002)
      elseif r == 3 then prim:notify(pick { 1, 0, -1, 2.5, math.maxinteger, "x" })
      else prim:notify_all() end
    elseif chance(0.2) then prim:release()  -- then the guard releases again
    end
  end
  local tasks = {}
  for i = 1, R(1, 5) do tasks[i] = asyncio.create_task(user) end
  if chance(0.5) then
    asyncio.get_running_loop():call_later(short_delay(), function() pick(tasks):cancel() end)
  end
  call(kind .. "-users", asyncio.wait, tasks, { timeout = 0.01 })
  call(kind .. "-state", function() return prim.locked and prim:locked(), tostring(prim) end)
  for _, t in ipairs(tasks) do
    if t:done() and not t:cancelled() then
      classify(kind .. "-user", t:exception() == nil, t:exception())
    end
    t:cancel()
  end
end

--- A fresh task or handle given a sequence of method calls between loop passes.
local function sequence_scenario()
  local loop = asyncio.get_running_loop()
  local kind, v
  if chance(0.6) then
    kind, v = "task", asyncio.create_task(worker(0), chance(0.3) and rvalue() or nil)
  else
    kind, v = "handle", loop:call_later(pick { 0, 0.001, 0 / 0, math.huge, -1 }, rfunc())
  end
  register_kind(kind, v)
  for _ = 1, R(2, 8) do
    method_call(v, kind, pick(kind_methods[kind]))
    if chance(0.4) then call("sequence-sleep", asyncio.sleep, short_delay()) end
  end
  add(kind, v)
end

local async_scenarios = { timeout_scenario, taskgroup_scenario, wait_scenario,
  callbacks_scenario, queue_scenario, sync_scenario, sequence_scenario }
local sync_scenarios = { re_scenario, re_scenario, counter_scenario, iteration_scenario,
  iteration_scenario, deque_scenario, deque_scenario, defaultdict_scenario }

-- }=========================================================================

function random_op()
  depth = depth + 1
  local r = R(100)
  if r <= 12 or #pool == 0 then
    new_object()
  elseif r <= 46 then
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
  elseif r <= 54 then
    -- a class function of a map with any object
    local cname = pick { "Counter", "defaultdict", "OrderedDict" }
    local c = class_fns[cname]
    local name = pick(c[2])
    call(cname .. "." .. name, c[1][name], any_obj() or rvalue(), rvalue(), rvalue())
  elseif r <= 66 then
    -- operators and metamethods
    local i = R(#binops)
    call("op" .. i, binops[i], any_obj() or rvalue(),
      chance(0.6) and any_obj() or rvalue(), rvalue())
  elseif r <= 74 then
    re_op()
  elseif r <= 78 then
    errors_op()
  elseif r <= 80 then
    collectgarbage(chance(0.5) and "collect" or "step")
  elseif r <= 82 then
    -- a finalizer that touches a random object
    local target = any_obj()
    setmetatable({}, { __gc = function()
      if closing then return end
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
  elseif r <= 84 then
    call("collections.repr", collections.repr, any_obj() or rvalue())
  elseif r > 88 and in_async and depth == 1 and asyncio.current_task() then
    if chance(0.35) then async_op() else pick(async_scenarios)() end
  elseif r <= 94 then
    pick(sync_scenarios)()
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
closing = true

io.write(string.format("seed %d: %d calls, %d runs; returned %d, argerr %d, pyerr %d, injected %d, "
  .. "vm %d, wrong-self-lua %d, foreign %d, no-yield %d, other %d\n", SEED, ncalls, runs, stats.ret,
  stats.argerr, stats.pyerr, stats.injected, stats.vm, stats.ws,
    stats.foreign, stats.noyield, stats.other))
for _, k in ipairs(other_order) do
  io.write(string.format("  other x%d: %s\n", other_seen[k], k:sub(1, 300)))
end

-- }=========================================================================
