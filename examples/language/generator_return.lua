-- A generator's return value (Python's `StopIteration(value)` and
-- `yield from`), with plain Lua coroutines: `coroutine.resume` hands back
-- whatever the coroutine body returns once it is finished.
-- Usage: lua5.4 examples/language/generator_return.lua
local argparse = require "argparse"

argparse("generator_return.lua",
  "A coroutine's return value is what the last resume returns (yield from).")
  :parse()

-- def mygen(): if False: yield 'wait on data'; return 'Something'
local function mygen()
  if false then coroutine.yield("wait on data") end  -- luacheck: ignore
  return "Something"
end

-- next(gen) on a finished generator: Python raises StopIteration(value);
-- Lua's resume simply returns true plus the value, and the coroutine is dead.
local gen = coroutine.create(mygen)
local ok, value = coroutine.resume(gen)
print(("resume -> %s, %s (status %s)"):format(tostring(ok), value, coroutine.status(gen)))

--- `yield from`: run `fn` as a sub-coroutine, passing each of its yields up
-- to our own resumer, and return what `fn` returns.
local function yield_from(fn, ...)
  local sub = coroutine.create(fn)
  local results = table.pack(coroutine.resume(sub, ...))
  while true do
    if not results[1] then error(results[2], 0) end
    if coroutine.status(sub) == "dead" then
      return table.unpack(results, 2, results.n)
    end
    local answer = table.pack(coroutine.yield(table.unpack(results, 2, results.n)))
    results = table.pack(coroutine.resume(sub, table.unpack(answer, 1, answer.n)))
  end
end

-- def myprint(): value = yield from mygen(); print('Value was', value)
local function myprint(source)
  local result = yield_from(source)
  print("Value was " .. result)
end

-- for event in myprint(): print('got event', event)
for event in coroutine.wrap(function() myprint(mygen) end) do
  print("got event " .. event)  -- never runs: mygen yields nothing
end

-- The same with a sub-generator that does yield: its events pass through.
local function chatty()
  coroutine.yield("wait on data")
  coroutine.yield("more data")
  return "Something else"
end
for event in coroutine.wrap(function() myprint(chatty) end) do
  print("got event " .. event)
end
