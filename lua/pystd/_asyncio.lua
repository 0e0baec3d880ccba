--- The Python-shaped surface of pystd.asyncio, over its C core
-- (csrc/asyncio/: tasks, futures, sleep, gather, queues, the loop).  Its luaopen
-- calls the function this chunk returns with the module table; the
-- function adds wait_for, timeout, wait, as_completed, shield,
-- TaskGroup and the synchronization primitives, and returns it.
-- Everything here is built from futures: a waiter is a Future some other
-- party completes, exactly as in CPython's asyncio.
local errors = require "pystd.errors"
local deque = require("pystd.collections").deque

return function(asyncio)
  local await_future, inline = asyncio.await, asyncio._inline
  local create_task, kind_of = asyncio.create_task, asyncio._kind
  local current_task, loop = asyncio.current_task, asyncio._loop
  local check_suspend = asyncio._check_suspend
  local new_error, raise, is_error = errors.new, errors.raise, errors.is

  local function new_future() return loop:create_future() end

  local function await_with(aw, fn, ...)
    if fn then return fn(...) end
    return await_future(aw)
  end

  --- await(aw) / aw:await(): a coroutine object or a plain function runs
  -- inline, by tail calls, so that awaits nested inline nest as deep as
  -- CPython's (a C call per level would stop near 200); a Task or Future
  -- suspends the task in C.
  local function await(aw) return await_with(aw, inline(aw)) end
  asyncio.await = await
  asyncio._coroutine_methods.await = await

  local function is_cancelled(err)
    return is_error(err, "asyncio.CancelledError")
  end

  local function cancelled_error() return new_error("asyncio.CancelledError", "") end

  --- `err` as an error object: a plain error value becomes a RuntimeError
  -- whose message is its text (the value itself stays in field `value`).
  local function as_error_object(err)
    if is_error(err) then return err end
    local ok, text = pcall(tostring, err)
    if not ok then text = "<exception str() failed>" end
    return new_error("RuntimeError", text, { value = err })
  end

  --- The current task; RuntimeError `outside` when the loop runs but no
  -- task does (a callback), "no running event loop" (current_task's) when
  -- it does not run.
  local function require_task(outside)
    return current_task() or raise("RuntimeError", outside)
  end

  --- Await `fut`; when that raises, run cleanup(err) then re-raise.
  local function await_or(fut, cleanup)
    local ok, err = pcall(await_future, fut)
    if not ok then
      cleanup(err)
      error(err, 0)
    end
  end

  asyncio.Future = new_future
  asyncio.FIRST_COMPLETED = "FIRST_COMPLETED"
  asyncio.FIRST_EXCEPTION = "FIRST_EXCEPTION"
  asyncio.ALL_COMPLETED = "ALL_COMPLETED"

  function asyncio.iscoroutine(v) return kind_of(v) == "coroutine" end
  function asyncio.isfuture(v)
    local kind = kind_of(v)
    return kind == "future" or kind == "task"
  end

  -- {====================================================== Timeouts

  --- Lua's argument error, for the caller of `fname`, unless `v` is a
  -- number or nil.
  local function check_seconds(v, arg, fname)
    if v ~= nil and type(v) ~= "number" then
      error(("bad argument #%d to '%s' (number expected, got %s)")
        :format(arg, fname, type(v)), 3)
    end
  end

  local Timeout = {}
  Timeout.__index = Timeout
  Timeout.__name = "pystd.asyncio.Timeout"

  -- A scope's state, CPython's: "active", "expiring" (its deadline
  -- cancelled the task), then "expired" or "finished" once left.

  local function on_timeout(scope)
    scope.handle = nil
    scope.state = "expiring"
    scope.task:cancel()
  end

  local function cancel_handle(scope)
    if scope.handle then
      scope.handle:cancel()
      scope.handle = nil
    end
  end

  --- reschedule(when): a new deadline in loop time (nil: none); only while
  -- the scope is active
  function Timeout:reschedule(when)
    check_seconds(when, 1, "reschedule")  -- before anything changes
    if self.state ~= "active" then
      raise("RuntimeError", ("Cannot change state of %s Timeout"):format(self.state))
    end
    cancel_handle(self)
    self.when_ = when
    if when == nil then return end
    if when <= loop:time() then
      self.handle = loop:call_soon(on_timeout, self)
    else
      self.handle = loop:call_at(when, on_timeout, self)
    end
  end

  function Timeout:when() return self.when_ end
  function Timeout:expired()
    return self.state == "expiring" or self.state == "expired"
  end

  --- Leaving the scope: an expiry takes back its cancel request (also when
  -- the body swallowed the CancelledError) and, when no other request is
  -- pending, turns the CancelledError into TimeoutError.
  function Timeout:__close(err)
    cancel_handle(self)
    if self.state ~= "expiring" then
      self.state = "finished"
      return
    end
    self.state = "expired"
    if self.task:uncancel() <= self.cancelling and is_cancelled(err) then
      raise("TimeoutError", "")
    end
  end

  --- CPython's repr: the state, and while active the deadline to 3 places
  function Timeout:__tostring()
    if self.state ~= "active" then return ("<Timeout [%s]>"):format(self.state) end
    local when = self.when_
    return ("<Timeout [active] when=%s>"):format(when == nil and "None"
      or tostring(math.floor(when * 1000 + 0.5) / 1000))
  end

  --- timeout_at(when): a to-be-closed scope that cancels the current task
  -- at loop time `when`; leaving the scope turns that CancelledError into
  -- TimeoutError (CPython 3.11's asyncio.timeout_at).
  function asyncio.timeout_at(when)
    check_seconds(when, 1, "timeout_at")
    local task = require_task("Timeout should be used inside a task")
    local scope = setmetatable({ task = task, state = "active",
      cancelling = task:cancelling() }, Timeout)
    scope:reschedule(when)
    return scope
  end

  function asyncio.timeout(delay)
    check_seconds(delay, 1, "timeout")
    return asyncio.timeout_at(delay and loop:time() + delay)
  end

  --- wait_for with a timeout <= 0, as CPython's: aw becomes a Task (a
  -- coroutine never starts), cancelled unless done, and waited for through
  -- a future of its own (so that a cancel of this task stays this task's);
  -- its cancellation is TimeoutError.
  local function wait_for_now(aw)
    local fut = create_task(aw)
    require_task("wait_for must run in a task")
    if fut:done() then return fut:result() end
    local waiter = new_future()
    local function release()
      if not waiter:done() then waiter:set_result(false) end
    end
    fut:add_done_callback(release)
    fut:cancel()
    local ok, err = pcall(await_future, waiter)
    fut:remove_done_callback(release)
    if not ok then error(err, 0) end
    if fut:cancelled() then raise("TimeoutError", "") end
    return fut:result()
  end

  --- wait_for(aw, timeout) -> the results of aw, or TimeoutError.  As
  -- CPython 3.12's, aw runs in the current task under a timeout scope.
  function asyncio.wait_for(aw, delay)
    check_seconds(delay, 2, "wait_for")
    if delay == nil then return await(aw) end
    if delay <= 0 then return wait_for_now(aw) end
    local _ <close> = asyncio.timeout(delay)
    return await(aw)
  end

  -- }======================================================


  -- {====================================================== wait, as_completed, shield

  local RETURN_WHEN = { FIRST_COMPLETED = true, FIRST_EXCEPTION = true,
    ALL_COMPLETED = true }

  local function failed(fut)
    return fut:done() and not fut:cancelled() and fut:exception() ~= nil
  end

  --- Raise unless `aws` (argument 1 of `fname`, called by the caller of
  -- the caller) is an array, not a single awaitable: `what` names the
  -- expected argument in CPython's TypeError then.
  local function check_awaitables(aws, fname, what)
    local kind = kind_of(aws)
    if kind then
      raise("TypeError", ("expect %s of futures, not %s"):format(what,
        kind == "coroutine" and "coroutine" or kind == "task" and "Task" or "Future"))
    end
    if type(aws) ~= "table" then
      error(("bad argument #1 to '%s' (table expected, got %s)"):format(fname,
        type(aws)), 3)
    end
  end

  --- #t as C's luaL_len takes it: an integer (a __len may give anything).
  local function array_length(t)
    return math.tointeger(#t) or error("object length is not an integer", 0)
  end

  --- The awaitables of the checked array `aws` (of length n, when known)
  -- as Tasks/Futures, each once: CPython takes a set.  A nil in the array
  -- (a hole below #aws) is no awaitable, as CPython's None: skipping it
  -- would leave a wait with nothing to wake it.
  local function unique_futures(aws, n)
    local futs, seen = {}, {}
    for i = 1, n or array_length(aws) do
      if aws[i] == nil then
        raise("TypeError", "An asyncio.Future, a coroutine or an awaitable is required")
      end
      local f = create_task(aws[i])
      if not seen[f] then
        seen[f] = true
        futs[#futs + 1] = f
      end
    end
    return futs
  end

  local WAIT_OPTIONS = { timeout = true, return_when = true }

  --- Raise unless `opts` (argument 2 of wait, called by the caller of the
  -- caller) is nil or a table of known options: Lua's argument error for
  -- another value, CPython's TypeError for an unknown key (as
  -- pystd_checkoptions in C).
  local function check_wait_options(opts)
    if opts == nil then return end
    if type(opts) ~= "table" then
      error(("bad argument #2 to 'wait' (table expected, got %s)"):format(type(opts)), 3)
    end
    for key in pairs(opts) do
      if not WAIT_OPTIONS[key] then
        raise("TypeError", ("unexpected keyword argument '%s'"):format(tostring(key)))
      end
    end
  end

  --- wait(aws [, {timeout =, return_when =}]) -> done, pending
  function asyncio.wait(aws, opts)
    check_wait_options(opts)
    opts = opts or {}
    check_seconds(opts.timeout, 2, "wait")
    local return_when = opts.return_when or "ALL_COMPLETED"
    check_awaitables(aws, "wait", "a list")  -- in CPython's order
    local n = array_length(aws)  -- once: a __len may differ at each call
    if n == 0 then raise("ValueError", "Set of Tasks/Futures is empty.") end
    if not RETURN_WHEN[return_when] then
      raise("ValueError", "Invalid return_when value: " .. tostring(return_when))
    end
    local futs = unique_futures(aws, n)
    -- As CPython: a count of the futures left, kept by their done callbacks
    -- (also those of futures done already), so that the wait yields once
    -- at least and costs O(1) per completion.
    local waiter, left = new_future(), #futs
    local function wake() if not waiter:done() then waiter:set_result() end end
    local function on_done(f)
      left = left - 1
      if left == 0 or return_when == "FIRST_COMPLETED"
          or (return_when == "FIRST_EXCEPTION" and failed(f)) then
        wake()
      end
    end
    for _, f in ipairs(futs) do f:add_done_callback(on_done) end
    local handle = opts.timeout and loop:call_later(opts.timeout, wake)
    local function cleanup()
      if handle then handle:cancel() end
      for _, f in ipairs(futs) do f:remove_done_callback(on_done) end
    end
    await_or(waiter, cleanup)
    cleanup()
    local done, pending = {}, {}
    for _, f in ipairs(futs) do
      local into = f:done() and done or pending
      into[#into + 1] = f
    end
    return done, pending
  end

  --- as_completed(aws [, timeout]) -> iterator of coroutine objects, each
  -- giving the results of the next awaitable to finish.  As CPython's, the
  -- finished ones go through a Queue (false: the timeout passed), so that
  -- the coroutine objects may also be awaited at once by several tasks; and
  -- as CPython's generator, the first step wraps the awaitables in tasks
  -- and starts the timeout.
  function asyncio.as_completed(aws, delay)
    check_seconds(delay, 2, "as_completed")
    check_awaitables(aws, "as_completed", "an iterable")
    local futs, done, given = nil, asyncio.Queue(), 0
    local function start()
      local list = unique_futures(aws)
      local todo, left, handle = {}, #list, nil
      local function on_done(f)
        if not todo[f] then return end  -- the timeout came first
        todo[f] = nil
        left = left - 1
        done:put_nowait(f)
        if left == 0 and handle then handle:cancel() end
      end
      for _, f in ipairs(list) do
        todo[f] = true
        f:add_done_callback(on_done)
      end
      if delay and left > 0 then
        handle = loop:call_later(delay, function()
          -- every one not given yet, done or not, ends in a TimeoutError
          for _, f in ipairs(list) do
            if todo[f] then
              f:remove_done_callback(on_done)
              done:put_nowait(false)
            end
          end
          todo, left = {}, 0
        end)
      end
      futs = list
    end
    local next_done = asyncio.async(function()
      local f = done:get()
      if not f then raise("TimeoutError", "") end
      return f:result()
    end, "as_completed")
    return function()
      if not futs then
        futs = {}  -- a start that raises leaves a finished iterator, as
        start()    -- an exception ends CPython's generator
      end
      if given >= #futs then return nil end
      given = given + 1
      return next_done()
    end
  end

  --- shield(aw) -> a Future that follows aw; cancelling it leaves aw running
  function asyncio.shield(aw)
    local inner = create_task(aw)
    if inner:done() then return inner end
    local outer = new_future()
    local function follow(f)
      if outer:cancelled() then
        if not f:cancelled() then f:exception() end
      elseif f:cancelled() then
        outer:cancel()
      elseif f:exception() ~= nil then
        outer:set_exception(f:exception())
      else
        outer:set_result(f:result())
      end
    end
    inner:add_done_callback(follow)
    -- as CPython 3.11: once outer is cancelled, inner's error is its own
    -- again (reported if nobody retrieves it)
    outer:add_done_callback(function()
      if not inner:done() then inner:remove_done_callback(follow) end
    end)
    return outer
  end

  -- }======================================================


  -- {====================================================== TaskGroup

  local TaskGroup = {}
  TaskGroup.__index = TaskGroup
  TaskGroup.__name = "pystd.asyncio.TaskGroup"

  --- CPython's repr: the children left and the errors kept, when any, then
  -- "cancelling" once aborting, else "entered" (the body runs at once)
  function TaskGroup:__tostring()
    local info = { "<TaskGroup" }
    if self.ntasks > 0 then info[#info + 1] = "tasks=" .. self.ntasks end
    if self.nerrors > 0 then info[#info + 1] = "errors=" .. self.nerrors end
    info[#info + 1] = self.aborting and "cancelling>" or "entered>"
    return table.concat(info, " ")
  end

  function TaskGroup:_abort()
    self.aborting = true
    for task in pairs(self.tasks) do task:cancel() end
  end

  --- The errors a TaskGroup raises as they are, outside any ExceptionGroup.
  local function is_base_error(err)
    return is_error(err, "KeyboardInterrupt") or is_error(err, "SystemExit")
  end

  --- A child is done: uncount it, keep its error and wake the group's
  -- exit, before any call that a memory error could stop (the error goes
  -- in the slot adopt made: storing it cannot fail); then, on the first
  -- error, cancel the rest and the parent.
  function TaskGroup:_on_task_done(task)
    self.tasks[task] = nil
    self.ntasks = self.ntasks - 1
    local exc  -- nil: none (an error may be false)
    if not task:cancelled() then exc = task:exception() end
    if exc ~= nil then
      self.nerrors = self.nerrors + 1
      self.errors[self.nerrors] = exc
    end
    if self.ntasks == 0 and self.all_done and not self.all_done:done() then
      self.all_done:set_result()
    end
    if exc == nil then return end
    if is_base_error(exc) and self.base_error == nil then self.base_error = exc end
    if not self.aborting then  -- so the group has not cancelled the parent yet
      self:_abort()
      self.parent_cancel_requested = true
      self.parent:cancel()
    end
  end

  --- Count `task` in the group (once, done or not: its callback uncounts it).
  local function adopt(tg, task)
    if tg.tasks[task] then return end
    if tg.nerrors + tg.ntasks == #tg.errors then  -- a slot for its error
      tg.errors[#tg.errors + 1] = false
    end
    tg.tasks[task] = true
    task:add_done_callback(tg.on_task_done)
    tg.ntasks = tg.ntasks + 1
  end

  --- tg:create_task(coro [, name]) | tg:create_task(fn, ...) -> Task.  A
  -- task made here that the group could not count (a memory error) is
  -- cancelled before it starts.  Once the group is exiting with no child
  -- left, it is finished, as CPython's (also in a done callback of its
  -- last child, before the exit resumes).
  function TaskGroup:create_task(...)
    if self.exiting and self.ntasks == 0 then
      raise("RuntimeError", ("TaskGroup %s is finished"):format(tostring(self)))
    end
    if self.aborting then
      raise("RuntimeError", ("TaskGroup %s is shutting down"):format(tostring(self)))
    end
    local given = asyncio.isfuture((...))
    local task = create_task(...)
    if task == self.parent then  -- its exit would wait for itself
      raise("RuntimeError", "Task cannot await on itself: " .. tostring(task))
    end
    local ok, err = pcall(adopt, self, task)
    if not ok then
      self.tasks[task] = nil
      if not given then task:cancel() end
      error(err, 0)
    end
    return task
  end

  --- Leave the group as CPython 3.11's __aexit__: take back the group's own
  -- cancel of the parent, wait for every child, then raise a KeyboardInterrupt
  -- or SystemExit as it is, else ExceptionGroup, or the body's own error.
  function TaskGroup:_exit(ok, err)
    self.exiting = true
    local propagate_cancel = (not ok and is_cancelled(err)) and err or nil
    if not ok and is_base_error(err) and self.base_error == nil then
      self.base_error = err
    end
    -- Take back the group's cancel of the parent.  (CPython then also
    -- drops the CancelledError to propagate when no request is left: a
    -- child's error came with that cancel, and is raised instead.)
    if self.parent_cancel_requested then self.parent:uncancel() end
    if not ok and not self.aborting then self:_abort() end
    while self.ntasks > 0 do
      self.all_done = new_future()
      local waited, cancel = pcall(await_future, self.all_done)
      if not waited then
        if not is_cancelled(cancel) then error(cancel, 0) end
        if not self.aborting then
          propagate_cancel = cancel
          self:_abort()
        end
      end
      self.all_done = nil
    end
    if self.base_error ~= nil then error(self.base_error, 0) end
    if propagate_cancel and self.nerrors == 0 then error(propagate_cancel, 0) end
    if not ok and not is_cancelled(err) then
      self.nerrors = self.nerrors + 1
      self.errors[self.nerrors] = err
    end
    local n = self.nerrors
    if n > 0 then
      local exceptions = {}
      for i = 1, n do exceptions[i] = as_error_object(self.errors[i]) end
      self.nerrors = 0  -- the repr's count: CPython drops its errors once raised
      raise("ExceptionGroup", ("unhandled errors in a TaskGroup (%d sub-exception%s)")
        :format(n, n == 1 and "" or "s"), { exceptions = exceptions })
    end
  end

  --- TaskGroup(body) -> what body returns: runs body(tg) in the current
  -- task and waits for every task made with tg:create_task
  function asyncio.TaskGroup(body)
    if type(body) ~= "function" then
      error(("bad argument #1 to 'TaskGroup' (function expected, got %s)")
        :format(type(body)), 2)
    end
    local parent = require_task("TaskGroup cannot determine the parent task")
    local tg = setmetatable({ parent = parent, tasks = {}, ntasks = 0,
      errors = {}, nerrors = 0, exiting = false, aborting = false,
      parent_cancel_requested = false },
      TaskGroup)
    tg.on_task_done = function(task) tg:_on_task_done(task) end
    local results = table.pack(pcall(body, tg))
    tg:_exit(results[1], results[2])
    return table.unpack(results, 2, results.n)
  end

  -- }======================================================


  -- {====================================================== Waiter lists

  -- Waiters queue in a deque: the one woken is taken from the front in
  -- O(1), however many wait behind it (an array's table.remove(t, 1) made
  -- 80,000 tasks taking turns on a Lock quadratic).

  --- Take `fut` out of `waiters`: the first one, unless a waiter behind
  -- others was cancelled.
  local function remove_waiter(waiters, fut)
    if waiters[1] == fut then waiters:popleft() else waiters:remove(fut) end
  end

  --- Wait on a new future queued in `waiters`; the future is taken out
  -- again whatever happens.  `on_error(fut, err)` runs before a re-raise.
  local function wait_in(waiters, on_error)
    local fut = new_future()
    waiters:append(fut)
    local ok, err = pcall(await_future, fut)
    remove_waiter(waiters, fut)
    if not ok then
      if on_error then on_error(fut, err) end
      error(err, 0)
    end
    return fut
  end

  --- Complete the first waiter with `value`, unless it is done already (woken,
  -- not yet running: it takes the wake-up; cancelled: it passes it on), as
  -- CPython's Lock._wake_up_first.  Waking one further back would let two
  -- tasks hold the lock.
  local function wake_first(waiters, value)
    local fut = #waiters > 0 and waiters[1]
    if fut and not fut:done() then fut:set_result(value) end
  end

  local Guard = { __name = "pystd.asyncio.Guard" }
  Guard.__index = Guard
  function Guard:__close() self.owner:release() end

  --- hold(): acquire (suspending if needed) and return a to-be-closed
  -- guard that releases (made first: a memory error must not leave the
  -- primitive acquired with no guard to release it)
  local function hold(self)
    local guard = setmetatable({ owner = self }, Guard)
    self:acquire()
    return guard
  end

  -- }======================================================


  --- `value`, argument `arg` of `fname` (which the caller of the caller
  -- called), as luaL_optinteger takes an integer: nil gives `default`, 2.0
  -- is 2, anything else raises Lua's argument error.
  local function opt_integer(value, arg, fname, default)
    if value == nil then return default end
    return math.tointeger(value) or error(("bad argument #%d to '%s' (%s)")
      :format(arg, fname, tonumber(value) and "number has no integer representation"
      or "number expected, got " .. type(value)), 3)
  end

  -- {====================================================== Lock, Event

  local Lock = { hold = hold, __name = "pystd.asyncio.Lock" }
  Lock.__index = Lock

  function asyncio.Lock()
    return setmetatable({ locked_ = false, waiters = deque() }, Lock)
  end

  function Lock:locked() return self.locked_ end

  function Lock:acquire()
    if not self.locked_ then
      local free = true
      for w in self.waiters:iter() do
        if not w:cancelled() then free = false break end
      end
      if free then
        self.locked_ = true
        return true
      end
    end
    wait_in(self.waiters, function(_, err)
      if is_cancelled(err) and not self.locked_ then wake_first(self.waiters, true) end
    end)
    self.locked_ = true
    return true
  end

  function Lock:release()
    if not self.locked_ then raise("RuntimeError", "Lock is not acquired.") end
    wake_first(self.waiters, true)  -- first: it may raise a memory error
    self.locked_ = false
  end

  --- "[state]" of a primitive's repr, with ", waiters:N" when some wait
  -- (CPython's).
  local function repr_state(name, state, waiters)
    if #waiters > 0 then state = ("%s, waiters:%d"):format(state, #waiters) end
    return ("<asyncio.%s [%s]>"):format(name, state)
  end

  function Lock:__tostring()
    return repr_state("Lock", self.locked_ and "locked" or "unlocked", self.waiters)
  end

  local Event = { __name = "pystd.asyncio.Event" }
  Event.__index = Event

  function asyncio.Event()
    return setmetatable({ value = false, waiters = deque() }, Event)
  end

  function Event:is_set() return self.value end

  --- The event is set last: after a memory error it is still unset, and
  -- set() wakes the waiters left.
  function Event:set()
    if self.value then return end
    for fut in self.waiters:iter() do
      if not fut:done() then fut:set_result(true) end
    end
    self.value = true
  end

  function Event:clear() self.value = false end

  function Event:wait()
    if self.value then return true end
    wait_in(self.waiters)
    return true
  end

  function Event:__tostring()
    return repr_state("Event", self.value and "set" or "unset", self.waiters)
  end

  -- }======================================================


  -- {====================================================== Semaphores

  local Semaphore = { hold = hold, __name = "pystd.asyncio.Semaphore" }
  Semaphore.__index = Semaphore

  --- A Semaphore or BoundedSemaphore (`fname`, for argument errors) of
  -- initial `value` (nil: 1; CPython takes any number).
  local function new_semaphore(class, fname, value)
    value = opt_integer(value, 1, fname, 1)
    if value < 0 then raise("ValueError", "Semaphore initial value must be >= 0") end
    return setmetatable({ value = value, bound = value, waiters = deque() }, class)
  end

  function asyncio.Semaphore(value) return new_semaphore(Semaphore, "Semaphore", value) end

  function Semaphore:locked()
    if self.value == 0 then return true end
    for w in self.waiters:iter() do
      if not w:cancelled() then return true end
    end
    return false
  end

  function Semaphore:_wake_up_next()
    for fut in self.waiters:iter() do
      if not fut:done() then
        fut:set_result(true)  -- first: it may raise a memory error
        self.value = self.value - 1
        return
      end
    end
  end

  function Semaphore:acquire()
    if not self:locked() then
      self.value = self.value - 1
      return true
    end
    wait_in(self.waiters, function(fut)
      -- woken (release handed it the count) but failing: pass it on.  A
      -- pending one failed before it could wait (no task to suspend).
      if fut:done() and not fut:cancelled() then
        self.value = self.value + 1
        self:_wake_up_next()
      end
    end)
    if self.value > 0 then self:_wake_up_next() end
    return true
  end

  --- value + 1, then _wake_up_next; the count changes last, so that a
  -- memory error leaves the semaphore as it was
  function Semaphore:release()
    for fut in self.waiters:iter() do
      if not fut:done() then return fut:set_result(true) end
    end
    self.value = self.value + 1
  end

  function Semaphore:__tostring()
    return repr_state(getmetatable(self).__name:match("[^.]*$"),
      self:locked() and "locked" or ("unlocked, value:%d"):format(self.value),
      self.waiters)
  end

  local BoundedSemaphore = setmetatable(
    { hold = hold, __name = "pystd.asyncio.BoundedSemaphore",
      __tostring = Semaphore.__tostring }, { __index = Semaphore })
  BoundedSemaphore.__index = BoundedSemaphore

  function asyncio.BoundedSemaphore(value)
    return new_semaphore(BoundedSemaphore, "BoundedSemaphore", value)
  end

  function BoundedSemaphore:release()
    if self.value >= self.bound then
      raise("ValueError", "BoundedSemaphore released too many times")
    end
    Semaphore.release(self)
  end

  -- }======================================================


  -- {====================================================== Condition

  local Condition = { hold = hold, __name = "pystd.asyncio.Condition" }
  Condition.__index = Condition

  function asyncio.Condition(lock)
    if lock == nil then lock = asyncio.Lock()
    elseif getmetatable(lock) ~= Lock then
      error(("bad argument #1 to 'Condition' (Lock expected, got %s)")
        :format(type(lock)), 2)
    end
    return setmetatable({ lock = lock, waiters = deque() }, Condition)
  end

  function Condition:acquire() return self.lock:acquire() end
  function Condition:release() return self.lock:release() end
  function Condition:locked() return self.lock:locked() end

  --- wait(): release the lock, wait for a notify, take the lock back (even
  -- when cancelled, as CPython).  Where it could not suspend, it raises
  -- before it releases: the lock stays held, no waiter woken.
  function Condition:wait()
    if not self.lock:locked() then
      raise("RuntimeError", "cannot wait on un-acquired lock")
    end
    check_suspend()
    self.lock:release()
    local ok, err = pcall(wait_in, self.waiters)
    local cancelled = false
    while true do
      local got, e = pcall(self.lock.acquire, self.lock)
      if got then break end
      if not is_cancelled(e) then error(e, 0) end
      cancelled = true
    end
    -- as CPython's `raise CancelledError` in its finally: it replaces
    -- the wait's own error
    if cancelled then error(cancelled_error(), 0) end
    if not ok then error(err, 0) end
    return true
  end

  --- Can `v` be called: a function, or a value whose metatable has __call?
  local function is_callable(v)
    local mt = getmetatable(v)
    return type(v) == "function" or (type(mt) == "table" and mt.__call ~= nil)
  end

  function Condition:wait_for(predicate)
    if not is_callable(predicate) then
      error(("bad argument #1 to 'wait_for' (function expected, got %s)")
        :format(type(predicate)), 2)
    end
    local result = predicate()
    while not result do
      self:wait()
      result = predicate()
    end
    return result
  end

  function Condition:notify(n)
    if not self.lock:locked() then
      raise("RuntimeError", "cannot notify on un-acquired lock")
    end
    n = opt_integer(n, 1, "notify", 1)
    local woken = 0
    for fut in self.waiters:iter() do
      if woken >= n then break end
      if not fut:done() then
        woken = woken + 1
        fut:set_result(false)
      end
    end
  end

  function Condition:notify_all() self:notify(#self.waiters) end

  function Condition:__tostring()
    return repr_state("Condition", self.lock:locked() and "locked" or "unlocked",
      self.waiters)
  end

  -- }======================================================



  return asyncio
end
