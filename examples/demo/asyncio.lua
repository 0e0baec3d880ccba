-- Coroutines on luv's loop: tasks, gather, a timeout and a queue.
local asyncio = require "pystd.asyncio"

local fetch = asyncio.async(function(name, delay)
  asyncio.sleep(delay)
  return name .. " after " .. delay .. " s"
end)

asyncio.run(function()
  local results = asyncio.gather(fetch("b", 0.02), fetch("a", 0.01))
  print(table.concat(results, ", "))             -- argument order, not finishing order
  print("wait_for:", pcall(asyncio.wait_for, fetch("slow", 1), 0.01))  -- TimeoutError
  local queue = asyncio.Queue(2)
  local consumer = asyncio.create_task(function()
    local sum = 0
    for _ = 1, 5 do sum = sum + queue:get() end
    return sum
  end)
  for i = 1, 5 do queue:put(i) end                -- suspends while the queue is full
  print("consumer summed", consumer:await())
end)
