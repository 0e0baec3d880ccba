-- Three coroutines interleaved on the event loop: `up` counts from 0 to a
-- maximum, `down` counts back to 0, `powers` raises n to the powers 0..7.
-- Each prints its result as it comes, then rests for a moment (a `sleep`
-- hands the loop to the others), so their lines come out intertwined.
-- Usage: lua5.4 examples/asyncio/up_down_powers.lua [--maximum M] [--base N] [--scale F]
local argparse = require "argparse"
local asyncio = require "pystd.asyncio"

local parser = argparse("up_down_powers.lua",
  "up, down and powers: three tasks whose results come out intertwined.")
parser:option("--maximum", "Where up stops and down starts.", "5"):argname("M")
  :convert(math.tointeger)
parser:option("--base", "The number powers raises to 0..7.", "2"):argname("N")
  :convert(math.tointeger)
parser:option("--scale", "Multiply every delay by F.", "1"):argname("F"):convert(tonumber)
local args = parser:parse()
local STEP = 0.1 * args.scale  -- the rest between two results

local up = asyncio.async(function(maximum)
  for i = 0, maximum do
    print(("up %d"):format(i))
    asyncio.sleep(STEP)
  end
  return "up finished at " .. maximum
end)

local down = asyncio.async(function(maximum)
  for i = maximum, 0, -1 do
    print(("down %d"):format(i))
    asyncio.sleep(STEP)
  end
  return "down finished at 0"
end)

local powers = asyncio.async(function(n)
  local value = 1
  for exponent = 0, 7 do
    print(("powers %d^%d = %d"):format(n, exponent, value))
    value = value * n
    asyncio.sleep(STEP)
  end
  return ("powers finished at %d^7"):format(n)
end)

asyncio.run(function()
  -- Schedule all three as tasks, then await each one.
  local tasks = {
    asyncio.create_task(up(args.maximum)),
    asyncio.create_task(down(args.maximum)),
    asyncio.create_task(powers(args.base)),
  }
  for _, task in ipairs(tasks) do
    print(task:await())
  end
end)
