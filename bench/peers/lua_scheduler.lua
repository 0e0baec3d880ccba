--- A minimal Lua coroutine scheduler on one luv idle handle: the "25-line
-- scheduler" peer of BENCH.md. Tasks are coroutines; `yield()` goes to the
-- back of the ready list; `suspend()` waits until someone calls `wake(co)`.
local uv = require "luv"
local resume, yield, running = coroutine.resume, coroutine.yield, coroutine.running
local sched = {}
local ready, spare, nready = {}, {}, 0
local idle, idle_on = uv.new_idle(), false

local function pass()  -- run every coroutine that was ready when the pass began
  local batch, n = ready, nready
  ready, spare, nready = spare, batch, 0
  for i = 1, n do
    local ok, err = resume(batch[i]); batch[i] = nil
    if not ok then error(err, 0) end
  end
  if nready == 0 then idle:stop(); idle_on = false end
end

function sched.wake(co)
  nready = nready + 1; ready[nready] = co
  if not idle_on then idle_on = true; idle:start(pass) end
end
function sched.spawn(fn) local co = coroutine.create(fn); sched.wake(co); return co end
function sched.yield() sched.wake(running()); yield() end
sched.suspend = yield
function sched.run(main) sched.spawn(main); uv.run() end

return sched
