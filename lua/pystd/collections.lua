--- pystd.collections: deque, Counter, defaultdict and OrderedDict
-- (API.md section 5).
--
-- The deque, the insertion-order index, bulk counting and most_common are
-- C (pystd._collections); this file shapes the three map classes over
-- them.  A map is a plain table carrying its class metatable; its order
-- index lives beside it in `order_of` (weak keys), and a defaultdict's
-- factory in `factory_of`.  __newindex (C) only fires for keys absent from
-- the table, which is exactly when a key joins the order: updates of
-- present keys stay raw table stores.

local core = require "pystd._collections"
local errors = require "pystd.errors"

local iterate, order_len, isdeque = core.iterate, core.len, core.isdeque
local repr = core.repr
local getmetatable, setmetatable, rawget, rawlen = getmetatable, setmetatable, rawget, rawlen
local type, pairs, ipairs, next = type, pairs, ipairs, next
local concat = table.concat

local order_of = setmetatable({}, { __mode = "k" })
local factory_of = setmetatable({}, { __mode = "k" })

local collections = { deque = core.deque, repr = repr }

-- {====================================================== Shared map machinery

local Counter_meta, defaultdict_meta, OrderedDict_meta = {}, {}, {}
local class_name = {
  [Counter_meta] = "Counter", [defaultdict_meta] = "defaultdict",
  [OrderedDict_meta] = "OrderedDict",
}

--- The order index of `t` when it is a map of class `meta`; otherwise
-- raise the argument error Lua's own functions raise.
local function check_map(t, meta, fname, arg)
  local mt = getmetatable(t)
  local o = order_of[t]
  if o and mt == meta then return o end
  -- a table given a class metatable by hand, without an order index, is
  -- a plain table: "Counter expected, got Counter" would say nothing
  local got = o and class_name[mt] or type(t)
  error(("bad argument #%d to '%s' (%s expected, got %s)"):format(arg or 1,
    fname, class_name[meta], got), 3)
end

local function new_map(meta)
  local t = setmetatable({}, meta)
  order_of[t] = core.order(meta == OrderedDict_meta)
  return t
end

local function is_map(x)
  return type(x) == "table" and order_of[x] ~= nil and class_name[getmetatable(x)] ~= nil
end

--- pairs over any table: insertion order for maps, `next` order otherwise.
local function ordered_pairs(t)
  if is_map(t) then return iterate(order_of[t], t, 3) end
  return next, t, nil
end

local map_newindex = core.newindex(order_of)

local function map_pairs(t)
  return iterate(order_of[t], t, 3)
end

--- keys(d), values(d), items(d) and len(d): shared by the three classes.
local function map_functions(class, meta)
  function class.keys(t) return (iterate(check_map(t, meta, "keys"), t, 1)) end
  function class.values(t) return (iterate(check_map(t, meta, "values"), t, 2)) end
  function class.items(t) return (iterate(check_map(t, meta, "items"), t, 3)) end
  function class.len(t) return order_len(check_map(t, meta, "len"), t) end
end

--- Plain dict equality: the same keys, equal values (order ignored).
local function dict_equal(a, b)
  for k, v in next, a do
    if rawget(b, k) ~= v then return false end
  end
  for k in next, b do
    if rawget(a, k) == nil then return false end
  end
  return true
end

--- The entries as {k: v, ...} in insertion order.
local function entries_repr(t)
  local parts = {}
  for k, v in iterate(order_of[t], t, 3) do
    parts[#parts + 1] = repr(k) .. ": " .. repr(v)
  end
  return "{" .. concat(parts, ", ") .. "}"
end

--- Wrap a __tostring so that a map reached again while it is being
-- written (it contains itself) prints "...", as CPython's reprs do.
local being_written = setmetatable({}, { __mode = "k" })

--- write(t) with t marked as being written; run by pcall, so that no
-- error (a memory error calling pcall included) can leave the mark set.
local function write_marked(write, t)
  being_written[t] = true
  return write(t)
end

local function guard_cycles(write)
  return function(t)
    if being_written[t] then return "..." end
    local ok, text = pcall(write_marked, write, t)
    being_written[t] = nil
    if not ok then error(text, 0) end
    return text
  end
end

local function new_class(meta, name, call)
  meta.__name = name
  meta.__newindex = map_newindex
  meta.__pairs = map_pairs
  local class = setmetatable({}, { __call = call, __name = name .. " class" })
  map_functions(class, meta)
  return class
end

-- }======================================================


-- {====================================================== Counter

local Counter

--- `n`, a count that arithmetic or an order comparison is about to use;
-- TypeError unless it is a number (Lua would coerce a numeric string, and
-- fail on anything else with a bare arithmetic error).
local function count_value(n)
  if type(n) ~= "number" then
    errors.raise("TypeError", "counts must be numbers, got " .. type(n))
  end
  return n
end

--- Counter.update(c, x) / Counter.subtract(c, x), `sign` 1 or -1, `o`
-- the order index of `c`; `x` is argument number `arg` of `fname`, which
-- calls this directly (the level of the argument error).
local function count_in(o, c, x, sign, fname, arg)
  if x == nil then return end
  local tx = type(x)
  if tx == "userdata" and isdeque(x) then x, tx = x:iter(), "function" end
  if tx == "string" or (tx == "table" and not is_map(x) and rawlen(x) > 0) then
    core.count(o, c, x, sign)
  elseif tx == "table" and sign == 1 and next(c) == nil then
    for k, n in ordered_pairs(x) do c[k] = n end  -- CPython copies: Counter{a = "many"}
  elseif tx == "table" then
    for k, n in ordered_pairs(x) do c[k] = count_value(c[k]) + sign * count_value(n) end
  elseif tx == "function" then
    for k in x do
      if k ~= k then errors.raise("ValueError", "cannot count NaN") end
      c[k] = count_value(c[k]) + sign
    end
  else
    error(("bad argument #%d to '%s' (table, string, deque or function expected, got %s)")
      :format(arg, fname, tx), 3)
  end
end

Counter = new_class(Counter_meta, "Counter", function(_, x)
  local c = new_map(Counter_meta)
  count_in(order_of[c], c, x, 1, "Counter", 1)  -- (nil: nothing to count)
  return c
end)

Counter_meta.__index = function() return 0 end

function Counter.update(c, x)
  count_in(check_map(c, Counter_meta, "update"), c, x, 1, "update", 2)
end
function Counter.subtract(c, x)
  count_in(check_map(c, Counter_meta, "subtract"), c, x, -1, "subtract", 2)
end

function Counter.most_common(c, n)
  local o = check_map(c, Counter_meta, "most_common")
  if n ~= nil and math.type(n) ~= "integer" then
    local k = math.type(n) == "float" and math.tointeger(n)  -- 2.0 is 2
    if not k then
      error(("bad argument #2 to 'most_common' (%s)"):format(math.type(n) == "float"
        and "number has no integer representation"
        or "number expected, got " .. type(n)), 2)
    end
    n = k
  end
  return core.most_common(o, c, n)
end

--- Each key repeated as many times as its count (counts below 1: never);
-- a count must be an integer (an integral float counts), as CPython's
-- itertools.repeat wants.
function Counter.elements(c)
  local next_item = iterate(check_map(c, Counter_meta, "elements"), c, 3)
  local key, left = nil, 0
  return function()
    while left < 1 do
      local k, n = next_item()
      if k == nil then return nil end
      key, left = k, type(n) == "number" and math.tointeger(n)
      if not left then
        errors.raise("TypeError", "counts must be integers, got "
          .. (type(n) == "number" and tostring(n) or type(n)))
      end
    end
    left = left - 1
    return key
  end
end

function Counter.total(c)
  local sum = 0
  for _, n in iterate(check_map(c, Counter_meta, "total"), c, 3) do sum = sum + count_value(n) end
  return sum
end

--- A new Counter of the keys of `a` then `b` (each once, in that order) for
-- which combine(a[k], b[k]) is positive.  With `a_only` the keys of `b`
-- alone are skipped, their counts never read: CPython's & (min) does so,
-- and Counter{a = 1} & Counter{b = "x"} is empty, not a TypeError.
local function combine_counters(a, b, combine, fname, a_only)
  check_map(a, Counter_meta, fname, 1)
  check_map(b, Counter_meta, fname, 2)
  local result = new_map(Counter_meta)
  for k, n in pairs(a) do
    local m = combine(count_value(n), count_value(b[k]))
    if m > 0 then result[k] = m end
  end
  if a_only then return result end
  for k, n in pairs(b) do
    if rawget(a, k) == nil then
      local m = combine(0, count_value(n))
      if m > 0 then result[k] = m end
    end
  end
  return result
end

Counter_meta.__add = function(a, b)
  return combine_counters(a, b, function(x, y) return x + y end, "__add")
end
Counter_meta.__sub = function(a, b)
  return combine_counters(a, b, function(x, y) return x - y end, "__sub")
end
Counter_meta.__bor = function(a, b)
  return combine_counters(a, b, function(x, y) return x < y and y or x end, "__bor")
end
Counter_meta.__band = function(a, b)
  return combine_counters(a, b, function(x, y) return x < y and x or y end, "__band", true)
end
Counter_meta.__unm = function(a)
  check_map(a, Counter_meta, "__unm")  -- its one operand is argument #1
  return combine_counters(Counter(), a, function(x, y) return x - y end, "__unm")
end

--- Does pred(a[k], b[k]) hold for every key of either Counter (missing
-- counts 0)?  `walk` iterates a Counter: `ordered_pairs` where pred may
-- raise (a count that is not a number), so that keys are tried as
-- CPython's all() tries them, those of `a` then those of `b` in insertion
-- order, and the first false pair decides before a count raises; `pairs_next`
-- where it cannot.  When `strict`, some count must also differ (CPython's
-- a < b is a <= b and a != b).  The metamethods tail-call this, so its
-- argument errors name their caller.
local function all_counts(a, b, pred, fname, walk, strict)
  check_map(a, Counter_meta, fname, 1)
  check_map(b, Counter_meta, fname, 2)
  local differ = false
  for k, n in walk(a) do
    local m = b[k]
    if not pred(n, m) then return false end
    differ = differ or n ~= m
  end
  for k, m in walk(b) do
    local n = a[k]
    if not pred(n, m) then return false end
    differ = differ or n ~= m
  end
  return differ or not strict
end

local function pairs_next(t) return next, t, nil end
local function counts_equal(x, y) return x == y end
local function count_le(x, y) return count_value(x) <= count_value(y) end

Counter_meta.__eq = function(a, b)
  if getmetatable(a) ~= Counter_meta or getmetatable(b) ~= Counter_meta then
    return dict_equal(a, b)
  end
  return all_counts(a, b, counts_equal, "__eq", pairs_next)
end
Counter_meta.__le = function(a, b)
  return all_counts(a, b, count_le, "__le", ordered_pairs)
end
Counter_meta.__lt = function(a, b)
  return all_counts(a, b, count_le, "__lt", ordered_pairs, true)
end

--- Most common first; in insertion order when a count is not a number
-- (CPython's fallback for unorderable counts).  Any other error of
-- most_common (a memory error) is passed on.
Counter_meta.__tostring = guard_cycles(function(c)
  local ok, ranked = pcall(core.most_common, order_of[c], c)
  if not ok then
    if not errors.is(ranked, "TypeError") then error(ranked, 0) end
    return "Counter(" .. entries_repr(c) .. ")"
  end
  local parts = {}
  for i, kv in ipairs(ranked) do
    parts[i] = repr(kv[1]) .. ": " .. repr(kv[2])
  end
  if #parts == 0 then return "Counter()" end
  return "Counter({" .. concat(parts, ", ") .. "})"
end)

collections.Counter = Counter

-- }======================================================


-- {====================================================== defaultdict

--- Copy the entries of `init` (a map class in order, any table in `next`
-- order, or an array of {k, v} pairs when `pairs_array`) into `t`.
local function copy_entries(t, init, pairs_array, fname)
  if init == nil then return end
  if type(init) ~= "table" then
    error(("bad argument #%d to '%s' (table expected, got %s)"):format(
      pairs_array and 1 or 2, fname, type(init)), 3)
  end
  if pairs_array and not is_map(init) and rawlen(init) > 0 then
    for i = 1, rawlen(init) do  -- (a hole is no pair: ipairs would drop the rest)
      local kv = rawget(init, i)
      if type(kv) ~= "table" then
        errors.raise("TypeError", ("item %d is not a {key, value} pair"):format(i))
      end
      local k = kv[1]
      if k == nil or k ~= k then  -- no nil in containers, and no NaN key
        errors.raise("ValueError", ("item %d has a %s key"):format(i, k == nil and "nil" or "NaN"))
      end
      if kv[2] == nil then
        errors.raise("ValueError", ("item %d has a nil value"):format(i))
      end
      if kv[3] ~= nil then  -- CPython unpacks a pair: no value is dropped
        errors.raise("ValueError", ("item %d has too many values (expected 2)"):format(i))
      end
      t[k] = kv[2]
    end
  else
    for k, v in ordered_pairs(init) do t[k] = v end
  end
end

local defaultdict = new_class(defaultdict_meta, "defaultdict",
  function(_, factory, init)
    if factory ~= nil and type(factory) ~= "function" then
      local mt = getmetatable(factory)
      if not (mt and mt.__call) then
        error(("bad argument #1 to 'defaultdict' (function expected, got %s)")
          :format(type(factory)), 2)
      end
    end
    local d = new_map(defaultdict_meta)
    factory_of[d] = factory
    copy_entries(d, init, false, "defaultdict")
    return d
  end)

--- A missing key stores and returns factory(); nil keys and a nil
-- factory read nil, as a plain table does.
defaultdict_meta.__index = function(d, k)
  local factory = factory_of[d]
  if factory == nil or k == nil or k ~= k then return nil end
  local v = factory()
  d[k] = v  -- k is absent: __newindex records it
  return v
end

function defaultdict.default_factory(d)
  check_map(d, defaultdict_meta, "default_factory")
  return factory_of[d]
end

defaultdict_meta.__tostring = guard_cycles(function(d)
  local factory = factory_of[d]
  local name = type(factory) == "function" and "<function>" or repr(factory)
  if factory == nil then name = "None" end
  return "defaultdict(" .. name .. ", " .. entries_repr(d) .. ")"
end)

defaultdict_meta.__eq = dict_equal

collections.defaultdict = defaultdict

-- }======================================================


-- {====================================================== OrderedDict

local OrderedDict = new_class(OrderedDict_meta, "OrderedDict", function(_, init)
  local d = new_map(OrderedDict_meta)
  copy_entries(d, init, true, "OrderedDict")
  return d
end)

function OrderedDict.move_to_end(d, k, last)
  core.move_to_end(check_map(d, OrderedDict_meta, "move_to_end"), d, k,
    last == nil or last)
end

function OrderedDict.popitem(d, last)
  return core.popitem(check_map(d, OrderedDict_meta, "popitem"), d,
    last == nil or last)
end

--- Order-sensitive between OrderedDicts, a plain dict comparison otherwise.
OrderedDict_meta.__eq = function(a, b)
  if getmetatable(a) ~= OrderedDict_meta or getmetatable(b) ~= OrderedDict_meta then
    return dict_equal(a, b)
  end
  local next_b = iterate(order_of[b], b, 3)
  for k, v in iterate(order_of[a], a, 3) do
    local kb, vb = next_b()
    if kb ~= k or vb ~= v then return false end
  end
  return next_b() == nil
end

OrderedDict_meta.__tostring = guard_cycles(function(d)
  local parts = {}
  for k, v in iterate(order_of[d], d, 3) do
    parts[#parts + 1] = "(" .. repr(k) .. ", " .. repr(v) .. ")"
  end
  if #parts == 0 then return "OrderedDict()" end
  return "OrderedDict([" .. concat(parts, ", ") .. "])"
end)

collections.OrderedDict = OrderedDict

-- }======================================================

return collections
