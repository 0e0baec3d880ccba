-- Three tasks on one event loop: a blip every 2 units, a bloop every 3 units
-- and a poem read one line every half unit. They interleave; "All Done!"
-- comes after the longest (the bloops, 30 units).
-- Usage: lua5.4 examples/asyncio/blip_bloop.lua [--scale F] [--poem FILE]
local argparse = require "argparse"
local asyncio = require "pystd.asyncio"

local here = (arg[0]:match("^(.*)/[^/]*$") or ".")
local parser = argparse("blip_bloop.lua",
  "Blips, bloops and a poem: three asyncio tasks interleaving.")
parser:option("--scale", "Multiply every delay by F.", "1"):argname("F"):convert(tonumber)
parser:option("--poem", "The file read one line at a time.", here .. "/../data/poem.txt")
  :argname("FILE")
local args = parser:parse()
local scale = args.scale

-- async def blip_on_2(): ten blips, one every 2 units
local blip_on_2 = asyncio.async(function()
  for i = 0, 9 do
    asyncio.sleep(2 * scale)  -- await: yields control to the event loop
    print(("Blip #%d!"):format(i))
  end
end)

-- Coroutines take arguments, just like functions.
local bloop_on_x = asyncio.async(function(x)
  for i = 0, 9 do
    asyncio.sleep(x * scale)
    print(("Bloop #%d!"):format(i))
  end
end)

local read_poem = asyncio.async(function(path)
  local poem <close> = assert(io.open(path, "r"))
  for line in poem:lines() do
    print(line)
    asyncio.sleep(0.5 * scale)
  end
end)

asyncio.run(function()
  -- Create tasks so the coroutines all run concurrently.
  local blip_task = asyncio.create_task(blip_on_2())
  local bloop_task = asyncio.create_task(bloop_on_x(3))
  local read_poem_task = asyncio.create_task(read_poem(args.poem))

  print("Main: Waiting on tasks to complete!")
  blip_task:await()
  bloop_task:await()
  read_poem_task:await()
  print("All Done!")
end)
