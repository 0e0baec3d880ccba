--- The collections part of the standard-library tour (seed 000), in Lua:
-- grouping employees with a plain table and with defaultdict, a deque
-- rotated and popped, and a Counter.
--   lua5.4 examples/collections/tour.lua
local collections = require "pystd.collections"

local USAGE = [[
usage: lua5.4 examples/collections/tour.lua [--help]

Groups employees by department (plain table, then defaultdict), rotates
and pops a deque, and counts words with a Counter, printing each step.]]

if arg[1] == "--help" or arg[1] == "-h" then
  print(USAGE)
  os.exit(0)
elseif arg[1] then
  io.stderr:write(USAGE, "\n")
  os.exit(2)
end

local repr = collections.repr
local defaultdict, deque, Counter = collections.defaultdict, collections.deque,
  collections.Counter

--- {'k': v, ...} for a plain table whose keys, in order, are `keys`.
local function show(t, keys)
  local parts = {}
  for i, k in ipairs(keys) do parts[i] = repr(k) .. ": " .. repr(t[k]) end
  return "{" .. table.concat(parts, ", ") .. "}"
end

local employees = { { "Accounting", "Steve" }, { "Engineering", "Susan" },
  { "Accounting", "Bob" }, { "Marketing", "Dan" } }

print("== grouping employees by department")
-- dict(employees): the last name of each department wins
local by_dept, depts = {}, {}
for _, e in ipairs(employees) do
  if by_dept[e[1]] == nil then depts[#depts + 1] = e[1] end
  by_dept[e[1]] = e[2]
end
print("one name per department:", show(by_dept, depts))

-- a plain table: create each group by hand, remember the order by hand
local groups, order = {}, {}
for _, e in ipairs(employees) do
  local dept, name = e[1], e[2]
  if groups[dept] == nil then
    groups[dept] = {}
    order[#order + 1] = dept
  end
  table.insert(groups[dept], name)
end
print("plain table:", show(groups, order))

-- defaultdict(list): a missing department reads as a new, stored list
local function list() return {} end
local name_by_org = defaultdict(list)
name_by_org.Accounting = { "Joe", "Bob", "Steve" }
table.insert(name_by_org.Accounting, "Jeff")
print(name_by_org)
table.insert(name_by_org.Platforms, "Lisa")
table.insert(name_by_org.Engineering, "Sam")
print(name_by_org)
for dept, names in pairs(name_by_org) do
  print(("  %-12s %s"):format(dept, table.concat(names, ", ")))
end

print("\n== deque")
local deq = deque({ "First", "Second", "Third", "Fourth" })
print(deq)
deq:rotate(2)
print("after rotate(2):", deq)
print("popleft:", deq:popleft())
print("popleft:", deq:popleft())
print(deq)

print("\n== Counter")
local some_counts = Counter()
print(some_counts)
for word in ("the cat and the hat and the bat"):gmatch("%a+") do
  some_counts[word] = some_counts[word] + 1
end
print(some_counts)
for _, pair in ipairs(Counter.most_common(some_counts, 2)) do
  print(("  %-4s %d"):format(pair[1], pair[2]))
end
print("letters:", Counter("mississippi"))
