-- A Fibonacci generator that says when it pauses and resumes, as a Lua
-- coroutine: each resume runs it to its next yield.
-- Usage: lua5.4 examples/language/fibonacci.lua [--limit N]
local argparse = require "argparse"

local parser = argparse("fibonacci.lua",
  "Step a Fibonacci coroutine, printing where it pauses and resumes.")
parser:option("--limit", "How many numbers to generate.", "5"):argname("N")
  :convert(math.tointeger)
local args = parser:parse()

local function fibonacci(limit)
  local n2 = 1
  if limit >= 1 then
    print("pausing execution and return n2")
    coroutine.yield(n2)
    print("resume execution after n2")
    local n1 = 0
    for _ = 1, limit - 1 do
      local n = n1 + n2
      print("pausing execution and return n")
      coroutine.yield(n)
      print("resume execution after n")
      n1, n2 = n2, n
    end
  end
end

--- Python's next(): the next yielded value, or nil once the body returned.
local function next_value(co)
  local ok, value = coroutine.resume(co, args.limit)
  assert(ok, value)
  if coroutine.status(co) == "dead" then return nil end
  return value
end

local fib = coroutine.create(fibonacci)
while true do
  local value = next_value(fib)
  if value == nil then
    print("Finished")
    break
  end
  print(value)
end
