-- Lambdas, multiple returns and unpacking: Lua's anonymous functions and
-- multiple results, cell by cell after the "Advanced Python" notebook.
-- Usage: lua5.4 examples/language/functions.lua
local argparse = require "argparse"

argparse("functions.lua", "Anonymous functions, multiple returns and unpacking.")
  :parse()

--- Show a sequence the way the notebook shows a list: {3, 4}.
local function show(list)
  local parts = {}
  for i = 1, #list do parts[i] = tostring(list[i]) end
  return "{" .. table.concat(parts, ", ") .. "}"
end

-- (lambda x, y: x + y)(2, 2): an immediately invoked anonymous function.
print((function(x, y) return x + y end)(2, 2))

-- A higher-order function taking a function as its argument.
local calculator = function(x, y, operation) print(operation(x, y)) end
calculator(2, 2, function(a, b) return a + b end)
calculator(2, 2, function(a, b) return a - b end)

-- return a, b, c: Lua returns several values, no tuple in between.
local function multiple_returns()
  local a, b, c = 2, 3, 4
  return a, b, c
end
print(select("#", multiple_returns()) .. " results")

-- x, y, z = multiple_returns()
local x, y, z = multiple_returns()
print(x)
print(y)
print(z)

-- x, *y = multiple_returns(): the leftovers collected into a table.
local first, rest = (function(head, ...) return head, { ... } end)(multiple_returns())
print(first)
print(show(rest))

-- _, _, z = multiple_returns(): skip with `_`, or pick one with select.
local _, _, last = multiple_returns()
print(last)
print(select(3, multiple_returns()))
