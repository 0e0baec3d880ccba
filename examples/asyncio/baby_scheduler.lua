-- A baby asyncio: round-robin over generators, with plain Lua coroutines.
-- Each coroutine yields a line; the scheduler gives each one a turn per
-- round and drops it once its body has returned.
-- Usage: lua5.4 examples/asyncio/baby_scheduler.lua
local argparse = require "argparse"

argparse("baby_scheduler.lua",
  "Round-robin over three counting coroutines until all are finished.")
  :parse()

-- def mygen(id_number, maxnum): for i in range(maxnum): yield f'{id_number}: {i}'
local function mygen(id_number, maxnum)
  return coroutine.wrap(function()
    for i = 0, maxnum - 1 do
      coroutine.yield(id_number .. ": " .. i)
    end
    -- returning nil tells the scheduler this generator is finished
  end)
end

local generators = { mygen(1, 5), mygen(2, 7), mygen(3, 3) }

while #generators > 0 do           -- so long as some generator is left
  local still_running = {}
  for _, one_g in ipairs(generators) do
    local line = one_g()            -- give it a turn: run to its next yield
    if line ~= nil then
      print(line)
      still_running[#still_running + 1] = one_g
    end
  end
  generators = still_running
end

print("Done!")
