-- Chained concurrent tasks with random sleeps: each chain awaits a first
-- task, feeds its result to a second one, and reports how long it took.
-- The chains run concurrently, so the program takes about as long as the
-- longest chain, not the sum of them all.
-- Usage: lua5.4 examples/asyncio/chain.lua [--seed S] [--scale F] [N...]
local argparse = require "argparse"
local asyncio = require "pystd.asyncio"

local parser = argparse("chain.lua", "Chains of two dependent tasks, run concurrently.")
parser:argument("chains", "The chain numbers (default 1 2 3)."):args("*"):argname("N")
  :convert(math.tointeger)
parser:option("--seed", "Seed for the random sleeps.", "111"):argname("S"):convert(math.tointeger)
parser:option("--scale", "Multiply every delay by F.", "1"):argname("F"):convert(tonumber)
local args = parser:parse()
if #args.chains == 0 then args.chains = { 1, 2, 3 } end
local scale = args.scale
math.randomseed(args.seed)

local loop_time  -- set once the loop runs

local concurrent_task_1 = asyncio.async(function(n)
  local i = math.random(0, 10)
  print(("concurrent_task_1(%d) sleeping for %g seconds."):format(n, i * scale))
  asyncio.sleep(i * scale)
  local result = ("result%d-1"):format(n)
  print(("Returning concurrent_task_1(%d) == %s."):format(n, result))
  return result
end)

local concurrent_task_2 = asyncio.async(function(n, arg)
  local i = math.random(0, 10)
  print(("concurrent_task_2(%d, %q) sleeping for %g seconds."):format(n, arg, i * scale))
  asyncio.sleep(i * scale)
  local result = ("result%d-2 derived from %s"):format(n, arg)
  print(("Returning concurrent_task_2(%d, %q) == %s."):format(n, arg, result))
  return result
end)

local chain = asyncio.async(function(n)
  local start = loop_time()
  local p1 = concurrent_task_1(n):await()
  local p2 = concurrent_task_2(n, p1):await()
  print(("-->Chained result%d => %s (took %0.2f seconds)."):format(n, p2, loop_time() - start))
end)

asyncio.run(function()
  local loop = asyncio.get_running_loop()
  loop_time = function() return loop:time() end
  local start = loop_time()
  local chains = {}
  for i, n in ipairs(args.chains) do chains[i] = chain(n) end
  asyncio.gather(table.unpack(chains))
  print(("Program finished in %0.2f seconds."):format(loop_time() - start))
end)
