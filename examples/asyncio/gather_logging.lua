-- Two coroutines gathered on the event loop, logging what they do with
-- timestamps: both start at once, coroutine_1 is blocked for 4 units and
-- coroutine_2 for 5, so the whole gather takes about 5 units, not 9.
-- Usage: lua5.4 examples/asyncio/gather_logging.lua [--scale F] [--reverse]
local argparse = require "argparse"
local asyncio = require "pystd.asyncio"
local uv = require "luv"

local parser = argparse("gather_logging.lua",
  "gather(coroutine_1(), coroutine_2()) with timestamped log lines.")
parser:option("--scale", "Multiply every delay by F.", "1"):argname("F"):convert(tonumber)
parser:flag("--reverse", "Gather coroutine_2 first.")
local args = parser:parse()

--- logging's "%(asctime)s %(levelname)s:%(name)s:%(message)s" for INFO on root.
local function log_info(fmt, ...)
  local seconds, microseconds = uv.gettimeofday()
  print(("%s,%03d INFO:root:%s"):format(os.date("%Y-%m-%d %H:%M:%S", seconds),
    microseconds // 1000, fmt:format(...)))
end

local coroutine_1 = asyncio.async(function()
  log_info("coroutine_1 is active on the event loop")
  log_info("coroutine_1 yielding control. Going to be blocked for %g seconds", 4 * args.scale)
  local value = asyncio.sleep(4 * args.scale)
  log_info("coroutine_1 resumed. coroutine_1 exiting with %s", tostring(value))
end)

local coroutine_2 = asyncio.async(function()
  log_info("coroutine_2 is active on the event loop")
  log_info("coroutine_2 yielding control. Going to be blocked for %g seconds", 5 * args.scale)
  asyncio.sleep(5 * args.scale)
  log_info("coroutine_2 resumed. coroutine_2 exiting")
end)

asyncio.run(function()
  local loop = asyncio.get_running_loop()
  local t0 = loop:time()
  if args.reverse then
    asyncio.gather(coroutine_2(), coroutine_1())
  else
    asyncio.gather(coroutine_1(), coroutine_2())
  end
  log_info("gather finished after %.3f seconds", loop:time() - t0)
end)
