-- pystd.asyncio when memory runs out (spec/failalloc.c).  A whole
-- asyncio.run runs once per allocation it makes, with that allocation and
-- every later one refused (helper.each_allocation_failure): it must end in
-- Lua's memory error or succeed, and then a new run must work, no libuv
-- handle and no task be left, and every to-be-closed variable of the tasks
-- have been closed.  Then single operations inside a task that catches the
-- memory error: what they worked on must go on working.
local asyncio = require "pystd.asyncio"
local errors = require "pystd.errors"
local helper = require "spec.helper"
local uv = require "luv"

local async, sleep, run = asyncio.async, asyncio.sleep, asyncio.run

-- What asyncio prints on stderr meanwhile is captured and checked line by
-- line; not under ASan or valgrind, whose own reports must stay in sight.
local capture = not helper.instrumented and require "spec.stderr"
local REPORTS = {
  "^spec/alloc/asyncio_spec%.lua:%d+: RuntimeWarning: coroutine 'double' was never awaited$",
  "^Task exception was never retrieved$",
  "^future: <Task finished name='Task%-%d+'>$",
  "^Exception in callback: not enough memory$",
  "^not enough memory$",
  "^RuntimeError: Task got bad yield: a task may only suspend through"
    .. " asyncio calls, not coroutine%.yield$",
  "^ValueError: boom$",
  "^ValueError: child$",
  "^KeyboardInterrupt: k$",
}

local function expected_report(line)
  for _, pattern in ipairs(REPORTS) do
    if line:find(pattern) then return true end
  end
  return false
end
-- busted's global environment may allocate when looked up: what runs while
-- allocations are refused uses locals
local pcall = pcall

-- under valgrind (make check) a whole run is some 40x slower: there only
-- every 7th allocation is refused in them
local STEP = helper.instrumented == "valgrind" and 7 or 1

-- a sleep meant to be cancelled: a memory error in the callback that
-- cancels it is reported and the loop goes on (as CPython's), so that the
-- sleep then runs to its end
local LONG = 0.02

-- to-be-closed guards count what the tasks opened and closed
local opened, closed = 0, 0
local Guard = { __close = function() closed = closed + 1 end }
local function guard()
  local g = setmetatable({}, Guard)
  opened = opened + 1
  return g
end

local double = async(function(x)
  sleep(0)
  return 2 * x
end)

local granted  -- allocations granted in the current run of the operation

-- tasks an operation made, which must all be done once run has returned
local made = {}
local function track(task)
  made[#made + 1] = task
  return task
end

--- What every run is checked by, with memory to spare: a new run gives
-- the right result, no libuv handle and no task is left, every guard was
-- closed, every task tracked is done.
local function after()
  local where = ("with %d allocations granted: "):format(granted)
  assert.equal(42, run(function()
    local _ <close> = guard()
    assert.same({ asyncio.current_task() }, asyncio.all_tasks(), where .. "task left")
    local t = asyncio.create_task(double, 20)
    sleep(0.001)
    return t:await() + 2
  end), where .. "fresh run")
  assert.is_false(uv.loop_alive(), where .. "handle left")
  assert.equal(opened, closed, where .. "guards closed")
  for i, task in ipairs(made) do
    assert.is_true(task:done(), where .. tostring(task) .. " not done")
    made[i] = nil
  end
end

--- Drive `main` (run with `...`) through each_allocation_failure; when a
-- run succeeds, `check` gets its results.  Returns the allocations made.
local function each_failure(main, check, ...)
  local args = table.pack(...)
  granted = -STEP
  return helper.each_allocation_failure(function()
    granted = granted + STEP
    local results = table.pack(run(main, table.unpack(args, 1, args.n)))
    if check then check(table.unpack(results, 1, results.n)) end
  end, after, { step = STEP })
end

local MEMORY_ERRORS = {
  ["not enough memory"] = true, ["error in error handling"] = true,
}

--- Run `op(state)` inside a task once per allocation it makes, with that
-- allocation and every later one refused until op returns or suspends
-- (op must not suspend before its last allocation):
-- each_allocation_failure's protocol, but for op alone, as when a program
-- catches the memory error and goes on.  Each time a new run makes
-- `state = setup()` first, then fills the ready queue with 64 callbacks
-- that end the refusal (they fill the 64 entries a run starts with, so
-- that what op queues must grow it; once op suspended, what runs is not
-- op's: starting a task may allocate); after op, `check(state, done)`
-- (`done`: op returned), which may suspend, must find the loop and the
-- objects working.  Returns the allocations op made.
local function each_failure_in_task(setup, op, check)
  local faults = require "spec.failalloc"
  for n = 0, math.huge do
    granted = n
    local refused = run(function()
      local state = setup()
      local function run_op() return op(state) end
      local loop = asyncio.get_running_loop()
      for _ = 1, 64 do loop:call_soon(faults.stop) end
      faults.fail_after(n)
      local ok, err = pcall(run_op)
      local refused = faults.stop()
      if not ok and not MEMORY_ERRORS[err] then
        error(("with %d allocations granted: %s"):format(n, tostring(err)), 0)
      end
      check(state, ok)
      return refused
    end)
    after()
    if refused == 0 then return n end
  end
end

describe("pystd.asyncio when memory runs out", function()
  before_each(function()
    opened, closed = 0, 0
    if capture then capture.start() end
  end)

  after_each(function()
    if not capture then return end
    for line in capture.stop():gmatch("[^\n]+") do
      assert(expected_report(line), "unexpected report on stderr: " .. line)
    end
  end)

  it("runs tasks and awaits them", function()
    each_failure(function()
      local _ <close> = guard()
      local a = track(asyncio.create_task(double, 1))
      local b = track(asyncio.create_task(double(2)))
      return a:await(), b:await(), double(3):await()
    end, function(a, b, c) assert.same({ 2, 4, 6 }, { a, b, c }) end)
  end)

  it("passes many arguments to run and to tasks", function()
    local many = {}
    for i = 1, 200 do many[i] = i end
    each_failure(function(...)
      local t = asyncio.create_task(function(...) return select("#", ...) end, ...)
      return select("#", ...), t:await()
    end, function(n, m) assert.same({ 200, 200 }, { n, m }) end,
      table.unpack(many))
  end)

  it("passes many arguments to coroutines and many results back", function()
    local many = {}
    for i = 1, 40 do many[i] = i end
    local echo = async(function(...)
      sleep(0)
      return ...
    end)
    each_failure(function()
      local t = track(asyncio.create_task(echo(table.unpack(many))))
      local inline = table.pack(echo(table.unpack(many)):await())
      return select("#", t:await()), inline.n
    end, function(n, m) assert.same({ 40, 40 }, { n, m }) end)
  end)

  it("sleeps, 0 and more", function()
    each_failure(function()
      local _ <close> = guard()
      sleep(0)
      local t = asyncio.create_task(function()
        local _ <close> = guard()
        sleep(0.001)
        return "slept"
      end)
      return sleep(0, "zero"), t:await()
    end, function(a, b) assert.same({ "zero", "slept" }, { a, b }) end)
  end)

  it("watches the coroutine objects a pass leaves unused", function()
    -- more than the 64 a pass keeps unwatched: the first are watched (get
    -- their sentinel) while the pass still makes others; some are used
    -- after that, some dropped, one closed, one used a pass later
    local n = 0
    each_failure(function()
      local sum = 0
      do  -- a third never used: they warn once collected
        local made_now = {}
        for i = 1, 70 do made_now[i] = double(i) end
        for i = 1, 70, 3 do sum = sum + made_now[i]:await() end
        for i = 2, 70, 3 do track(asyncio.create_task(made_now[i])) end
      end
      double(0):close()
      local later = double(100)
      sleep(0)
      collectgarbage()
      n = n + 1
      return sum, later:await()
    end, function(sum, later) assert.same({ 1704, 200 }, { sum, later }) end)
    assert.is_true(n > 0)
  end)

  it("gathers", function()
    each_failure(function()
      return asyncio.gather(double(1), double(2), function() return nil end)
    end, function(r) assert.same({ 2, 4, false }, r) end)
  end)

  it("gathers with return_exceptions", function()
    each_failure(function()
      local boom = function()
        local _ <close> = guard()
        sleep(0)
        errors.raise("ValueError", "boom")
      end
      local sleeper = asyncio.create_task(function()
        local _ <close> = guard()
        sleep(LONG)
      end)
      sleep(0)
      sleeper:cancel()
      local r = asyncio.gather(double(1), boom, sleeper, { return_exceptions = true })
      return r[1], r[2].type, r[3].type
    end, function(a, b, c)
      assert.same({ 2, "ValueError", "asyncio.CancelledError" }, { a, b, c })
    end)
  end)

  it("fails a gather with the error of a child", function()
    each_failure(function()
      local slow = asyncio.create_task(function()
        local _ <close> = guard()
        sleep(0.001)
        return 1
      end)
      local ok, err = pcall(asyncio.gather, slow, function()
        local _ <close> = guard()
        errors.raise("ValueError", "boom")
      end)
      return ok, err.type, slow:await()
    end, function(ok, kind, r) assert.same({ false, "ValueError", 1 }, { ok, kind, r }) end)
  end)

  it("cancels tasks, fails one that yields by itself", function()
    each_failure(function()
      local t = track(asyncio.create_task(function()
        local _ <close> = guard()
        sleep(LONG)
      end))
      local unstarted = track(asyncio.create_task(double, 1))
      unstarted:cancel("early")
      local yielding = track(asyncio.create_task(coroutine.yield))
      sleep(0)
      t:cancel("stop")
      local ok, err = pcall(asyncio.await, t)
      local _, bad = pcall(asyncio.await, yielding)
      return ok, err.type, t:cancelled(), unstarted:cancelled(), bad.type
    end, function(...)
      assert.same({ false, "asyncio.CancelledError", true, true, "RuntimeError" }, { ... })
    end)
  end)

  it("cancels a chain of tasks awaiting each other", function()
    each_failure(function()
      local function link(i)
        return asyncio.create_task(function()
          local _ <close> = guard()
          if i == 0 then return sleep(LONG) end
          return link(i - 1):await()
        end)
      end
      local head = link(12)
      sleep(0)
      head:cancel()
      local ok, err = pcall(asyncio.await, head)
      return ok, err.type
    end, function(...) assert.same({ false, "asyncio.CancelledError" }, { ... }) end)
  end)

  it("times out with wait_for and timeout", function()
    each_failure(function()
      local ok, err = pcall(asyncio.wait_for, function()
        local _ <close> = guard()
        sleep(LONG)
      end, 0.001)
      local fast = asyncio.wait_for(double(2), 1)
      local ok0, err0 = pcall(asyncio.wait_for, double(3), 0)
      assert(not ok0 and errors.is(err0, "TimeoutError"), tostring(err0))
      local ok2, err2 = pcall(function()
        local _ <close> = asyncio.timeout(0.001)
        local _ <close> = guard()
        sleep(LONG)
      end)
      return ok, err.type, fast, ok2, err2.type
    end, function(...)
      assert.same({ false, "TimeoutError", 4, false, "TimeoutError" }, { ... })
    end)
  end)

  it("runs call_soon and call_later callbacks", function()
    each_failure(function()
      local loop, got = asyncio.get_running_loop(), {}
      loop:call_soon(function(x) got[#got + 1] = x end, "soon")
      loop:call_later(0.001, function(x) got[#got + 1] = x end, "later")
      loop:call_later(10, print):cancel()
      loop:call_later(10, print)  -- dropped at the end of run
      sleep(0.002)
      return table.concat(got, " ")
    end, function(s) assert.equal("soon later", s) end)
  end)

  --- Drive `main` as each_failure does, where a run that does not run out
  -- of memory ends with an error of `type` (or, when its making ran out
  -- of memory in a callback, which is reported, returns); the last run,
  -- refused nothing, must end with it.  Beside main, a guarded task
  -- sleeps, which the leave cancels.
  local function each_failure_leaving(type, main)
    local ok, err
    local function guarded_main()
      local _ <close> = guard()
      track(asyncio.create_task(function()
        local _ <close> = guard()
        sleep(LONG)
      end))
      return main()
    end
    granted = -STEP
    helper.each_allocation_failure(function()
      granted = granted + STEP
      ok, err = pcall(run, guarded_main)
      if not ok and MEMORY_ERRORS[err] then error(err, 0) end
      assert(ok or err.type == type, tostring(err))
    end, after, { step = STEP })
    assert.is_false(ok)
    assert.equal(type, err.type)
  end

  it("leaves the loop on a task's KeyboardInterrupt", function()
    each_failure_leaving("KeyboardInterrupt", function()
      local t = track(asyncio.create_task(function()
        sleep(0)
        errors.raise("KeyboardInterrupt", "k")
      end))
      return t:await()
    end)
  end)

  it("leaves the loop on a callback's SystemExit", function()
    each_failure_leaving("SystemExit", function()
      asyncio.get_running_loop():call_soon(function() errors.raise("SystemExit", "s") end)
      sleep(LONG)
    end)
  end)

  it("queues more callbacks than its ready queue holds", function()
    each_failure(function()
      local loop, got = asyncio.get_running_loop(), {}
      for _ = 1, 10 do loop:call_soon(function() end) end
      sleep(0)  -- the queue's head moves on: the callbacks will wrap
      for i = 1, 150 do
        loop:call_soon(function(x) got[#got + 1] = x end, i)
      end
      sleep(0)
      return #got, got[1], got[150]
    end, function(n, first, last)
      assert.same({ 150, 1, 150 }, { n, first, last })
    end)
  end)

  it("forgets the callbacks of a run whose end ran out of memory", function()
    local late = false
    granted = -STEP
    helper.each_allocation_failure(function()
      granted = granted + STEP
      run(function()
        asyncio.get_running_loop():call_later(0.001, function() late = true end)
        for _ = 1, 3 do double(1) end  -- unused: watched as the run ends
      end)
    end, function()
      late = false
      run(function() sleep(0.005) end)
      assert.is_false(late, ("with %d allocations granted"):format(granted))
      collectgarbage()  -- the warnings come while stderr is captured
      after()
    end, { step = STEP })
  end)

  it("keeps a child's error when the group's bookkeeping runs out of memory", function()
    -- allocations are refused from the child's error to the callback
    -- that follows the group's own: the group raises the error (or a
    -- memory error), never returns as if nothing failed, never stalls
    local faults = require "spec.failalloc"
    local failed = errors.new("ValueError", "child")
    for n = 0, math.huge do
      local refused
      granted = n
      local ok, outcome = pcall(run, function()
        local grouped, err = pcall(asyncio.TaskGroup, function(tg)
          local child = tg:create_task(function()
            sleep(0)
            faults.fail_after(n)
            error(failed, 0)
          end)
          child:add_done_callback(function() refused = faults.stop() end)
        end)
        refused = refused or faults.stop()
        if grouped then return "returned" end
        return helper.is_memory_error(err) and "memory error" or err.type
      end)
      refused = refused or faults.stop()
      if not ok then
        assert.is_true(helper.is_memory_error(outcome), tostring(outcome))
      else
        assert.is_true(outcome == "ExceptionGroup" or outcome == "memory error",
                       ("with %d allocations granted: %s"):format(n, outcome))
      end
      collectgarbage()
      if refused == 0 then break end
    end
    after()
  end)

  it("fails a gather in its turn while memory runs out", function()
    -- a child's failure decides the gather a loop pass later, in a turn
    -- that allocates nothing: the gathering future's error sentinel was
    -- made by gather.  Allocations are refused from before that turn to
    -- the callback queued right after it: the gathering task still fails
    local faults = require "spec.failalloc"
    granted = 0
    local ok, err = run(function()
      local a, b = asyncio.Future(), asyncio.Future()
      local gathering = asyncio.create_task(function()
        local _ <close> = guard()
        return asyncio.gather(a, b)
      end)
      sleep(0)
      a:set_exception(errors.new("ValueError", "x"))  -- queues the turn
      asyncio.get_running_loop():call_soon(faults.stop)
      faults.fail_after(0)
      sleep(0)
      b:cancel()
      return pcall(asyncio.wait_for, gathering, 1)
    end)
    assert.is_false(ok)
    assert.equal("ValueError", err.type)
    after()
  end)

  it("forgets how deep a cancel had gone when it raised on the way", function()
    -- a memory error part way down a chain of awaits once left the depth
    -- counted: later cancels of long chains raised RecursionError (in a
    -- process of its own, where the stack growths that fail are the same)
    local out, err = helper.run({ os.getenv("LUA") or "lua5.4", "-e", [[
      local asyncio = require "pystd.asyncio"
      local faults = require "spec.failalloc"
      local function chain(n)
        local t = asyncio.create_task(function() return asyncio.Future():await() end)
        for _ = 2, n do
          local prev = t
          t = asyncio.create_task(function() return prev:await() end)
        end
        return t
      end
      asyncio.run(function()
        local failed = 0
        for i = 0, 29 do
          local top = chain(200)
          asyncio.sleep(0)
          collectgarbage()
          faults.fail_after(i % 3)  -- a cancel allocates little: at first
          if not pcall(top.cancel, top) then failed = failed + 1 end
          faults.stop()
          top:cancel()
          asyncio.sleep(0)
        end
        local top = chain(900)
        asyncio.sleep(0)
        local ok, e = pcall(top.cancel, top)
        print(failed >= 10, ok or e.type)
      end)]] })
    assert.equal("", err)
    assert.equal("true\ttrue\n", out)
  end)

  it("passes items through a bounded queue", function()
    each_failure(function()
      local q = asyncio.Queue(2)
      local consumer = asyncio.create_task(function()
        local _ <close> = guard()
        local sum = 0
        for _ = 1, 5 do
          sum = sum + q:get()
          q:task_done()
        end
        return sum
      end)
      for i = 1, 5 do q:put(i) end
      q:join()
      return consumer:await()
    end, function(sum) assert.equal(15, sum) end)
  end)

  it("grows an unbounded queue", function()
    each_failure(function()
      local q, got = asyncio.Queue(), {}
      for i = 1, 6 do q:put_nowait(i) end
      for _ = 1, 3 do got[#got + 1] = q:get_nowait() end
      for i = 7, 20 do q:put_nowait(i) end
      while not q:empty() do got[#got + 1] = q:get_nowait() end
      local waiter = asyncio.create_task(function() return q:get() end)
      sleep(0)
      q:put_nowait(21)
      got[#got + 1] = waiter:await()
      return table.concat(got, ",")
    end, function(s)
      assert.equal("1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21", s)
    end)
  end)

  it("orders a LifoQueue and a PriorityQueue", function()
    each_failure(function()
      local lifo, prio, got = asyncio.LifoQueue(), asyncio.PriorityQueue(), {}
      for _, v in ipairs({ 3, 1, 2 }) do
        lifo:put_nowait(v)
        prio:put_nowait({ v, "x" })
      end
      for _ = 1, 3 do
        got[#got + 1] = lifo:get_nowait()
        got[#got + 1] = prio:get_nowait()[1]
      end
      return table.concat(got, ",")
    end, function(s) assert.equal("2,1,1,2,3,3", s) end)
  end)

  it("waits on an Event, a Lock, a Semaphore and a Condition", function()
    each_failure(function()
      local event, lock = asyncio.Event(), asyncio.Lock()
      local sem, cond = asyncio.Semaphore(1), asyncio.Condition()
      local log = {}
      local function worker(i)
        local _ <close> = guard()
        event:wait()
        do
          local _ <close> = lock:hold()
          sleep(0)
          log[#log + 1] = "l" .. i
        end
        do
          local _ <close> = sem:hold()
          sleep(0)
        end
        local _ <close> = cond:hold()
        cond:wait_for(function() return log.go end)
        log[#log + 1] = "c" .. i
      end
      local a = asyncio.create_task(worker, 1)
      local b = asyncio.create_task(worker, 2)
      sleep(0)
      event:set()
      sleep(0.001)
      do
        local _ <close> = cond:hold()
        log.go = true
        cond:notify_all()
      end
      a:await()
      b:await()
      return table.concat(log, " ")
    end, function(s) assert.equal("l1 l2 c1 c2", s) end)
  end)

  it("raises an ExceptionGroup from a TaskGroup", function()
    each_failure(function()
      local ok, err = pcall(asyncio.TaskGroup, function(tg)
        tg:create_task(function()
          local _ <close> = guard()
          sleep(LONG)
        end)
        tg:create_task(function()
          local _ <close> = guard()
          sleep(0)
          errors.raise("ValueError", "child")
        end)
      end)
      return ok, err.type, #err.exceptions, err.exceptions[1].type
    end, function(...) assert.same({ false, "ExceptionGroup", 1, "ValueError" }, { ... }) end)
  end)

  it("shields, waits and iterates as_completed", function()
    each_failure(function()
      local inner = asyncio.create_task(function()
        local _ <close> = guard()
        sleep(0.001)
        return "inner"
      end)
      local outer = asyncio.shield(inner)
      outer:cancel()
      local done, pending = asyncio.wait({ double(1), inner }, { return_when = "FIRST_COMPLETED" })
      local got = {}
      for f in asyncio.as_completed({ double(2), double(3) }) do
        got[#got + 1] = f:await()
      end
      table.sort(got)
      return #done + #pending, outer:cancelled(), inner:await(), table.concat(got, ",")
    end, function(...) assert.same({ 2, true, "inner", "4,6" }, { ... }) end)
  end)

  it("closes the to-be-closed variables of a task that fails", function()
    each_failure(function()
      local _ <close> = guard()
      local t = track(asyncio.create_task(function()
        local _ <close> = guard()
        sleep(0)
        local _ <close> = guard()
        local mem = {}
        for i = 1, 20 do mem[i] = { i } end  -- memory the task allocates itself
        errors.raise("ValueError", "late " .. #mem)
      end))
      local ok, err = pcall(asyncio.await, t)
      return ok, err.type
    end, function(...) assert.same({ false, "ValueError" }, { ... }) end)
  end)

  it("leaves tasks pending at the end of run to be cancelled", function()
    each_failure(function()
      for i = 1, 3 do
        asyncio.create_task(function()
          local _ <close> = guard()
          sleep(i == 1 and 0 or LONG)
        end)
      end
      sleep(0)
      return "main done"
    end, function(s) assert.equal("main done", s) end)
  end)

  it("keeps the pooled thread of a task that cannot start", function()
    local faults = require "spec.failalloc"
    local many = {}
    for i = 1, 200 do many[i] = i end  -- the pooled thread's stack must grow
    local function count(...) return select("#", ...) end
    for n = 0, math.huge do
      granted = n
      local refused = run(function()
        local pooled, reused
        asyncio.create_task(function() pooled = coroutine.running() end):await()
        local function start() return asyncio.create_task(count, table.unpack(many)) end
        faults.fail_after(n)
        local ok, t = pcall(start)
        local refused = faults.stop()
        if ok then assert.equal(200, t:await()) end
        asyncio.create_task(function() reused = coroutine.running() end):await()
        assert.equal(pooled, reused, ("with %d allocations granted"):format(n))
        return refused
      end)
      after()
      if refused == 0 then return end
    end
  end)

  describe("inside a task that catches the memory error", function()
    --- a future and a task waiting on it
    local function awaited_future()
      local fut = asyncio.Future()
      return { fut = fut, waiter = asyncio.create_task(function()
        local _ <close> = guard()
        return fut:await()
      end) }
    end

    it("sets a future's result", function()
      each_failure_in_task(function()
        local s = awaited_future()
        sleep(0)
        return s
      end, function(s) s.fut:set_result(7) end, function(s)
        if not s.fut:done() then s.fut:set_result(7) end
        assert.equal(7, asyncio.wait_for(s.waiter, 1))
      end)
    end)

    it("sets a future's exception", function()
      each_failure_in_task(function()
        local s = awaited_future()
        sleep(0)
        return s
      end, function(s) s.fut:set_exception(errors.new("ValueError", "x")) end,
      function(s)
        if not s.fut:done() then s.fut:set_exception(errors.new("ValueError", "x")) end
        local ok, err = pcall(asyncio.wait_for, s.waiter, 1)
        assert.is_false(ok)
        assert.equal("ValueError", err.type)
      end)
    end)

    it("cancels a future", function()
      each_failure_in_task(function()
        local s = awaited_future()
        sleep(0)
        return s
      end, function(s) s.fut:cancel() end, function(s)
        s.fut:cancel()
        local ok, err = pcall(asyncio.wait_for, s.waiter, 1)
        assert.is_false(ok)
        assert.equal("asyncio.CancelledError", err.type)
      end)
    end)

    it("fails a gather when a future it gathers fails", function()
      each_failure_in_task(function()
        local s = { a = asyncio.Future(), b = asyncio.Future() }
        s.gathering = asyncio.create_task(function()
          local _ <close> = guard()
          return asyncio.gather(s.a, s.b)
        end)
        sleep(0)
        return s
      end, function(s) s.a:set_exception(errors.new("ValueError", "x")) end,
      function(s)
        if not s.a:done() then s.a:set_exception(errors.new("ValueError", "x")) end
        local ok, err = pcall(asyncio.wait_for, s.gathering, 1)
        assert.is_false(ok)
        assert.equal("ValueError", err.type)
        s.b:cancel()
      end)
    end)

    it("sleeps", function()
      each_failure_in_task(function()
        return {}
      end, function() sleep(0) end, function()
        sleep(0)
        sleep(0.001)
      end)
    end)

    it("cancels a sleeping task", function()
      each_failure_in_task(function()
        local t = asyncio.create_task(function()
          local _ <close> = guard()
          sleep(1)
        end)
        sleep(0)
        return t
      end, function(t) t:cancel() end, function(t, done)
        if not done then t:cancel() end
        local ok, err = pcall(asyncio.wait_for, t, 0.5)
        assert.is_false(ok)
        assert.equal("asyncio.CancelledError", err.type)
        assert.equal(1, t:cancelling())  -- a cancel that failed was no request
      end)
    end)

    it("creates tasks", function()
      each_failure_in_task(function()
        return { coro = double(1) }
      end, function(s)
        s.task = asyncio.create_task(s.coro)
        s.other = asyncio.create_task(double, 2)
      end, function(s)
        if s.task then assert.equal(2, s.task:await()) end
        if s.other then assert.equal(4, s.other:await()) end
        if not s.task then  -- the coroutine object is unused
          assert.equal(2, s.coro:await())
        end
      end)
    end)

    it("creates tasks in a TaskGroup", function()
      -- each task made ends: in the group, or cancelled before it starts
      -- when the group could not count it
      local started, ended = 0, 0
      granted = -STEP
      run(function()
        asyncio.TaskGroup(function(tg)
          helper.each_allocation_failure(function()
            granted = granted + STEP
            tg:create_task(function()
              local _ <close> = guard()
              ended = ended + 1
            end)
            started = started + 1
          end, function()
            sleep(0)
            assert.equal(started, ended)
          end, { step = STEP })
        end)
      end)
      after()
    end)

    it("leaves a Task given to a TaskGroup running when the group cannot count it", function()
      -- the Task is the caller's: the group cancels only the tasks it made
      local given, results = nil, {}
      granted = -STEP
      run(function()
        asyncio.TaskGroup(function(tg)
          given = asyncio.create_task(double, 1)
          helper.each_allocation_failure(function()
            granted = granted + STEP
            tg:create_task(given)
          end, function()
            results[#results + 1] = given:await()
            given = asyncio.create_task(double, 1)
          end, { step = STEP })
        end)
      end)
      for i = 1, #results do
        assert.equal(2, results[i], ("with %d allocations granted"):format((i - 1) * STEP))
      end
      after()
    end)

    it("calls soon and later", function()
      each_failure_in_task(function()
        return {}
      end, function(s)
        local loop = asyncio.get_running_loop()
        loop:call_soon(function() s.soon = true end)
        loop:call_later(0.001, function() s.later = true end)
      end, function(s, done)
        sleep(0.002)
        if done then assert.is_true(s.soon and s.later) end
      end)
    end)

    it("calls soon more callbacks than the queue holds", function()
      each_failure_in_task(function()
        return { ran = 0 }
      end, function(s)
        local loop = asyncio.get_running_loop()
        for _ = 1, 70 do loop:call_soon(function() s.ran = s.ran + 1 end) end
      end, function(s, done)
        sleep(0)
        if done then assert.equal(70, s.ran) end
        local before = s.ran
        asyncio.get_running_loop():call_soon(function() s.ran = s.ran + 1 end)
        sleep(0)
        assert.equal(before + 1, s.ran)
      end)
    end)

    -- each wakes a waiting task: the first entry queued grows the ready queue
    it("puts into a queue with a getter waiting", function()
      each_failure_in_task(function()
        local s = { q = asyncio.Queue(1), big = asyncio.Queue(), put = false }
        for i = 1, 15 do s.big:put_nowait(i) end
        s.getter = asyncio.create_task(function() return s.q:get() end)
        sleep(0)
        return s
      end, function(s)
        s.q:put_nowait("x")
        s.put = true
        s.big:put_nowait(16)
        s.big:put_nowait(17)  -- grows the items' ring
      end, function(s)  -- a put that failed is made again
        if not s.put then s.q:put_nowait("x") end
        assert.equal("x", asyncio.wait_for(s.getter, 1))
        local size, items = s.big:qsize(), {}
        while not s.big:empty() do items[#items + 1] = s.big:get_nowait() end
        assert.equal(size, #items)
        for i, v in ipairs(items) do assert.equal(i, v) end
      end)
    end)

    it("gets from a full queue with a putter waiting", function()
      each_failure_in_task(function()
        local s = { q = asyncio.Queue(1), got = false }
        s.q:put_nowait("a")
        s.putter = asyncio.create_task(function() s.q:put("p") end)
        sleep(0)
        return s
      end, function(s) s.got = s.q:get_nowait() end, function(s)
        if not s.got then s.got = s.q:get_nowait() end
        assert.equal("a", s.got)
        asyncio.wait_for(s.putter, 1)
        assert.equal("p", s.q:get_nowait())
      end)
    end)

    it("marks the last task of a queue done with a joiner waiting", function()
      each_failure_in_task(function()
        local s = { q = asyncio.Queue(), done = false }
        s.q:put_nowait(1)
        s.q:get_nowait()
        s.joiner = asyncio.create_task(function() s.q:join() end)
        sleep(0)
        return s
      end, function(s)
        s.q:task_done()
        s.done = true
      end, function(s)
        if not s.done then s.q:task_done() end
        asyncio.wait_for(s.joiner, 1)
      end)
    end)

    -- each primitive has a task waiting; the operation wakes it, and a
    -- failed one is made again
    local primitives = {
      Event = { make = asyncio.Event, wait = function(e) e:wait() end,
        wake = function(e) e:set() end,
        left = function(e) return e:is_set() end, expected = true },
      Lock = { make = function()
          local lock = asyncio.Lock()
          lock:acquire()
          return lock
        end, wait = function(lock) lock:acquire() lock:release() end,
        wake = function(lock) lock:release() end,
        left = function(lock) return lock:locked() end, expected = false },
      Semaphore = { make = function() return asyncio.Semaphore(0) end,
        wait = function(sem) sem:acquire() end,
        wake = function(sem) sem:release() end,
        left = function(sem) return sem:locked() end, expected = true },
      Condition = { make = asyncio.Condition, wait = function(cond)
          local _ <close> = cond:hold()
          cond:wait()
        end, wake = function(cond)
          local _ <close> = cond:hold()
          cond:notify()
        end, left = function(cond) return cond:locked() end, expected = false },
    }
    for _, name in ipairs({ "an Event", "a Lock", "a Semaphore", "a Condition" }) do
      local p = primitives[name:match("%S+$")]
      it("wakes the task waiting on " .. name, function()
        each_failure_in_task(function()
          local s = { primitive = p.make(), woken = false }
          s.waiter = asyncio.create_task(function()
            local _ <close> = guard()
            p.wait(s.primitive)
          end)
          sleep(0)
          return s
        end, function(s)
          p.wake(s.primitive)
          s.woken = true
        end, function(s)
          if not s.woken then p.wake(s.primitive) end
          asyncio.wait_for(s.waiter, 1)
          -- one wake-up, one wait: nothing is left over
          assert.equal(p.expected, p.left(s.primitive))
        end)
      end)
    end
  end)
end)
