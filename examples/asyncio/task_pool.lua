-- A task pool: N jobs go through K workers, so never more than K run at once.
-- `--mode queue` (default): K worker tasks take job numbers from an
-- asyncio.Queue; the main task waits on queue:join() and then cancels them.
-- `--mode semaphore`: one task per job, each holding an asyncio.Semaphore(K)
-- while it works. Either way it prints the peak concurrency it saw.
-- Usage: lua5.4 examples/asyncio/task_pool.lua [--jobs N] [--workers K]
--          [--mode queue|semaphore] [--scale F]
local argparse = require "argparse"
local asyncio = require "pystd.asyncio"
local errors = require "pystd.errors"

local parser = argparse("task_pool.lua", "Run N jobs through a pool of K workers.")
parser:option("--jobs", "How many jobs (N).", "12"):argname("N"):convert(math.tointeger)
parser:option("--workers", "How many at once (K).", "3"):argname("K")
  :convert(math.tointeger)
parser:option("--mode", "How the pool is bounded.", "queue"):choices { "queue", "semaphore" }
parser:option("--scale", "Multiply every delay by F.", "1"):argname("F"):convert(tonumber)
local args = parser:parse()
if args.jobs < 0 or args.workers < 1 then
  parser:error("--jobs must be >= 0 and --workers >= 1")
end

local running, peak = 0, 0

--- How long job `i` takes: 0.1 to 0.5 units, varied but reproducible.
local function job_seconds(i) return (1 + (i * 7) % 5) * 0.1 * args.scale end

--- Do job `i` (sleep for its time), counting how many jobs run at once.
local function do_job(i, who)
  running = running + 1
  if running > peak then peak = running end
  print(("job %d started%s (%d running)"):format(i, who, running))
  asyncio.sleep(job_seconds(i))
  running = running - 1
  print(("job %d done after %.2f s"):format(i, job_seconds(i)))
end

local function with_queue()
  local queue = asyncio.Queue()
  for i = 1, args.jobs do queue:put_nowait(i) end
  local worker = asyncio.async(function(w)
    while true do
      local i = queue:get()
      do_job(i, " on worker " .. w)
      queue:task_done()
    end
  end)
  local workers = {}
  for w = 1, args.workers do workers[w] = asyncio.create_task(worker(w)) end
  queue:join()  -- every job taken and done
  for _, task in ipairs(workers) do task:cancel() end
  local gather_args = { table.unpack(workers) }
  gather_args[#gather_args + 1] = { return_exceptions = true }
  local outcomes = asyncio.gather(table.unpack(gather_args))
  for _, outcome in ipairs(outcomes) do
    assert(errors.is(outcome, "asyncio.CancelledError"))
  end
end

local function with_semaphore()
  local pool = asyncio.Semaphore(args.workers)
  local job = asyncio.async(function(i)
    local slot <close> = pool:hold()  -- luacheck: ignore slot (released on return)
    do_job(i, "")
  end)
  local tasks = {}
  for i = 1, args.jobs do tasks[i] = asyncio.create_task(job(i)) end
  asyncio.gather(table.unpack(tasks))
end

asyncio.run(function()
  local loop = asyncio.get_running_loop()
  local t0 = loop:time()
  if args.mode == "queue" then with_queue() else with_semaphore() end
  local serial = 0
  for i = 1, args.jobs do serial = serial + job_seconds(i) end
  print(("%d jobs done by %d workers in %.2f s (%.2f s one after another)")
    :format(args.jobs, args.workers, loop:time() - t0, serial))
  print(("peak concurrency: %d (limit %d)"):format(peak, args.workers))
end)
