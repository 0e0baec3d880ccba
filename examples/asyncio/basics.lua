-- asyncio basics: hello/world; say_after awaited one after the other (about
-- 3 units) and as tasks (about 2 units); a coroutine never awaited (the
-- warning goes to stderr) and one awaited; four factorials gathered.
-- Usage: lua5.4 examples/asyncio/basics.lua [--scale F]
local argparse = require "argparse"
local asyncio = require "pystd.asyncio"

local parser = argparse("basics.lua",
  "Coroutines, awaiting, tasks, a never-awaited coroutine and gather.")
parser:option("--scale", "Multiply every delay by F.", "1"):argname("F"):convert(tonumber)
local args = parser:parse()
local scale = args.scale

-- async def main(): print('hello'); await asyncio.sleep(1); print('world')
local hello_world = asyncio.async(function()
  print("hello")
  asyncio.sleep(1 * scale)
  print("world")
end)
asyncio.run(hello_world())

local say_after = asyncio.async(function(delay, what)
  asyncio.sleep(delay * scale)
  print(what)
end)

--- The loop's clock, and the time of day as %X shows it.
local function started(loop)
  print(("started at %s"):format(os.date("%X")))
  return loop:time()
end
local function finished(loop, t0, how)
  print(("finished at %s (%s: %.3f seconds)"):format(os.date("%X"), how, loop:time() - t0))
end

-- Awaiting coroutines one after the other: 1 + 2 = 3 units.
asyncio.run(function()
  local loop = asyncio.get_running_loop()
  local t0 = started(loop)
  say_after(1, "hello"):await()
  say_after(2, "world"):await()
  finished(loop, t0, "sequential")
end)

-- The same as tasks, which run concurrently: about 2 units.
asyncio.run(function()
  local loop = asyncio.get_running_loop()
  local task1 = asyncio.create_task(say_after(1, "hello"))
  local task2 = asyncio.create_task(say_after(2, "world"))
  local t0 = started(loop)
  task1:await()
  task2:await()
  finished(loop, t0, "with tasks")
end)

-- Calling a coroutine function only makes a coroutine object: nothing runs,
-- and when the object is collected unawaited, a warning goes to stderr.
local knights = asyncio.async(function() return "Ni!" end)
asyncio.run(function()
  -- Nothing happens if we just call knights(): a coroutine object is made
  -- but never awaited, so it won't run at all.  (Called from a function
  -- that has returned, so no stack slot keeps the object alive.)
  local function forget() knights() end
  forget()
  collectgarbage()       -- collect it now, so the warning comes out here
  collectgarbage()
  print(knights():await())  -- will print "Ni!"
end)

-- Four factorials computed concurrently with gather; results in argument order.
local factorial = asyncio.async(function(name, number)
  local f = 1
  for i = 2, number do
    print(("Task %s: Compute factorial(%d), currently i=%d..."):format(name, number, i))
    asyncio.sleep(1 * scale)
    f = f * i
  end
  print(("Task %s: factorial(%d) = %d"):format(name, number, f))
  return f
end)

asyncio.run(function()
  local results = asyncio.gather(
    factorial("A", 2),
    factorial("B", 3),
    factorial("C", 4),
    factorial("D", 5))
  print("[" .. table.concat(results, ", ") .. "]")
end)
