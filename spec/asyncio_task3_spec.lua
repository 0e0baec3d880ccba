-- Specs of the third mutation-testing round of csrc/asyncio/task.c: each
-- one fails on a mutant of task.c (or runs a line the suite never ran)
-- that the rest of the suite let through.  Values that CPython 3.11 shares
-- were taken from python3 3.11, as each comment says.
local asyncio = require "pystd.asyncio"
local errors = require "pystd.errors"
local helper = require "spec.helper"

local run, sleep = asyncio.run, asyncio.sleep

describe("asyncio task.c, third mutation round", function()

  describe("checkfuture", function()
    -- CPython 3.11: asyncio.Future.done(task) is False, Future.result(task)
    -- is the task's result: a Task is a Future.
    it("takes a task in a Future method, and a future in a Task method", function()
      run(function()
        local loop = asyncio.get_running_loop()
        local fut = loop:create_future()
        local task = asyncio.create_task(function() sleep(0) return 5 end)
        assert.is_false(fut.done(task))
        assert.is_false(fut.cancelled(task))
        assert.equal(loop, fut.get_loop(task))
        assert.is_false(task.done(fut))
        sleep(0.01)
        assert.is_true(fut.done(task))
        assert.equal(5, fut.result(task))
        assert.equal(0, select("#", fut.exception(task)))
      end)
    end)

    it("refuses a handle, a table and a thread", function()
      run(function()
        local loop = asyncio.get_running_loop()
        local fut = loop:create_future()
        local handle = loop:call_soon(function() end)
        for _, v in ipairs({ handle, {}, coroutine.create(print) }) do
          for _, name in ipairs({ "done", "cancelled", "get_loop", "result", "exception",
                                  "cancel", "add_done_callback", "remove_done_callback" }) do
            local ok, err = pcall(fut[name], v, print)
            assert.is_false(ok)
            assert.matches("Future or Task expected", err)
          end
        end
      end)
    end)
  end)

  describe("set_result", function()
    -- A Task has no set_result; nor may Future's be called on one.
    it("refuses a task and a table", function()
      run(function()
        local fut = asyncio.get_running_loop():create_future()
        local task = asyncio.create_task(function() sleep(0) return "own" end)
        local ok, err = pcall(fut.set_result, task, 1)
        assert.is_false(ok)
        assert.matches("pystd.asyncio.Future expected, got pystd.asyncio.Task", err)
        assert.is_false(task:done())
        assert.equal("own", task:await())
        ok, err = pcall(fut.set_result, {}, 1)
        assert.is_false(ok)
        assert.matches("pystd.asyncio.Future expected, got table", err)
      end)
    end)
  end)

  describe("set_result and set_exception", function()
    -- CPython 3.11: both return None.
    it("return nothing", function()
      run(function()
        local loop = asyncio.get_running_loop()
        local fut = loop:create_future()
        assert.equal(0, select("#", fut:set_exception(errors.new("ValueError", "v"))))
        assert.equal(0, select("#", loop:create_future():set_result(1, 2)))
        fut:exception()
      end)
    end)
  end)

  describe("remove_done_callback", function()
    it("removes a callback added 300 times", function()
      run(function()
        local fut = asyncio.get_running_loop():create_future()
        local calls = 0
        local function a() end
        local function b() calls = calls + 1 end
        fut:add_done_callback(b)
        for _ = 1, 300 do fut:add_done_callback(a) end
        fut:add_done_callback(b)
        assert.equal(300, fut:remove_done_callback(a))
        fut:set_result(1)
        sleep(0)
        assert.equal(2, calls)
      end)
    end)

    -- CPython 3.11: remove_done_callback() with no argument is a TypeError.
    it("wants an argument", function()
      run(function()
        local fut = asyncio.get_running_loop():create_future()
        local ok, err = pcall(fut.remove_done_callback, fut)
        assert.is_false(ok)
        assert.matches("bad argument #2 .*value expected", err)
        assert.equal(0, fut:remove_done_callback(nil))
      end)
    end)

    it("ignores arguments past the callback", function()
      run(function()
        local fut = asyncio.get_running_loop():create_future()
        local called = {}
        local function a() called[#called + 1] = "a" end
        local function b() called[#called + 1] = "b" end
        fut:add_done_callback(a)
        assert.equal(1, fut:remove_done_callback(a, "extra"))
        fut:add_done_callback(a)
        fut:add_done_callback(b)
        fut:add_done_callback(a)
        assert.equal(2, fut:remove_done_callback(a, "extra", 3))
        fut:set_result(1)
        sleep(0)
        assert.same({ "b" }, called)
      end)
    end)
  end)

  describe("add_done_callback", function()
    it("returns nothing and ignores arguments past the callback", function()
      run(function()
        local fut = asyncio.get_running_loop():create_future()
        local seen = {}
        -- CPython 3.11: add_done_callback returns None.
        assert.equal(0, select("#",
          fut:add_done_callback(function(f) seen[#seen + 1] = f end, "extra", 3)))
        fut:set_result(1)
        assert.equal(0, select("#",
          fut:add_done_callback(function(f) seen[#seen + 1] = f end, "extra")))
        sleep(0)
        assert.same({ fut, fut }, seen)
      end)
    end)

    it("refuses a value not a function, pending or done", function()
      run(function()
        local fut = asyncio.get_running_loop():create_future()
        for _, v in ipairs({ 42, setmetatable({}, { __call = print }) }) do
          local ok, err = pcall(fut.add_done_callback, fut, v)
          assert.is_false(ok)
          assert.matches("function expected", err)
        end
        fut:set_result(1)
        local ok, err = pcall(fut.add_done_callback, fut, 42)
        assert.is_false(ok)
        assert.matches("function expected, got number", err)
        sleep(0)
      end)
    end)
  end)

  describe("gather", function()
    -- CPython 3.11: gather(..., return_exceptions=False) raises the first
    -- exception of a child.
    it("takes return_exceptions = false as no return_exceptions", function()
      run(function()
        local function fail() errors.raise("ValueError", "child") end
        local ok, err = pcall(asyncio.gather, fail, function() return 1 end,
                              { return_exceptions = false })
        assert.is_false(ok)
        assert.is_true(errors.is(err, "ValueError"))
        local res = asyncio.gather(fail, { return_exceptions = true })
        assert.is_true(errors.is(res[1], "ValueError"))
      end)
    end)
  end)

  describe("Task methods", function()
    it("refuse a future", function()
      run(function()
        local fut = asyncio.get_running_loop():create_future()
        local task = asyncio.create_task(function() end)
        for _, name in ipairs({ "get_name", "set_name", "cancelling", "uncancel" }) do
          local ok, err = pcall(task[name], fut, "x")
          assert.is_false(ok)
          assert.matches("pystd.asyncio.Task expected, got pystd.asyncio.Future", err)
        end
        task:await()
      end)
    end)
  end)

  describe("report_exception", function()
    -- Each report must leave the stack as it found it: 300 leftover tasks
    -- that fail as run cancels them are 300 reports from one C call.
    it("reports 300 leftover tasks failing at shutdown", function()
      local out, err, code = helper.run_lua([[
        local asyncio = require "pystd.asyncio"
        print(asyncio.run(function()
          for i = 1, 300 do
            asyncio.create_task(function()
              pcall(asyncio.sleep, 10)
              error("leftover " .. i, 0)
            end)
          end
          asyncio.sleep(0)
          return "main"
        end))]])
      assert.equal(0, code, err)
      assert.equal("main\n", out)
      local _, reports = err:gsub("unhandled exception during asyncio%.run%(%) shutdown\n", "")
      assert.equal(300, reports)
      assert.matches("task: <Task finished name='Task%-301'>\nleftover 300\n$", err)
    end)
  end)

  describe("task cancel", function()
    -- CPython 3.11: t.cancel(), t.cancel(), t.cancelling() on a task
    -- sleeping gives True True 2; awaiting it raises CancelledError.
    it("is true again on a sleeping task whose sleep took the first", function()
      run(function()
        local t = asyncio.create_task(function() sleep(10) end)
        sleep(0)
        assert.is_true(t:cancel())
        assert.is_true(t:cancel())
        assert.equal(2, t:cancelling())
        local ok, err = pcall(t.await, t)
        assert.is_false(ok)
        assert.is_true(errors.is(err, "asyncio.CancelledError"))
        assert.is_true(t:cancelled())
      end)
    end)
  end)

  describe("coroutine object close", function()
    -- CPython 3.11: coro.close() returns None.
    it("returns nothing", function()
      run(function()
        local c = asyncio.async(function() end)()
        assert.equal(0, select("#", c:close()))
      end)
    end)
  end)

  describe("__tostring", function()
    it("of a coroutine object refuses another value", function()
      run(function()
        local loop = asyncio.get_running_loop()
        local c = asyncio.async(function() end, "nm")()
        local tostring_of = getmetatable(c).__tostring
        assert.matches("^<coroutine object nm at ", tostring_of(c))
        c:close()
        for _, v in ipairs({ {}, loop:create_future() }) do
          local ok, err = pcall(tostring_of, v)
          assert.is_false(ok)
          assert.matches("pystd.asyncio.Coroutine expected", err)
        end
        local ok, err = pcall(getmetatable(loop:create_future()).__tostring, {})
        assert.is_false(ok)
        assert.matches("Future or Task expected, got table", err)
      end)
    end)
  end)

  describe("task set_name", function()
    -- CPython 3.11: t.set_name("x") returns None.
    it("returns nothing", function()
      run(function()
        local t = asyncio.create_task(function() end)
        assert.equal(0, select("#", t:set_name("x")))
        assert.equal("x", t:get_name())
        t:await()
      end)
    end)
  end)

  describe("await of a coroutine function", function()
    -- docs/asyncio.md: a coroutine function given where a plain function is
    -- expected runs its function directly.
    it("runs its function inline", function()
      run(function()
        local fn = asyncio.async(function() sleep(0) return 7, "x" end)
        local a, b = asyncio.await(fn)
        assert.equal(7, a)
        assert.equal("x", b)
      end)
    end)
  end)

  describe("remove_done_callback of the only callback", function()
    it("lets go of it", function()
      run(function()
        local fut = asyncio.get_running_loop():create_future()
        local weak = setmetatable({}, { __mode = "k" })
        local cb = function() end
        weak[cb] = true
        fut:add_done_callback(cb)
        assert.equal(1, fut:remove_done_callback(cb))
        cb = nil  -- luacheck: ignore 311 (let the collector take it)
        collectgarbage()
        collectgarbage()
        assert.is_nil(next(weak))
        fut:set_result(1)
      end)
    end)
  end)

  describe("async", function()
    it("refuses a value not a function", function()
      for _, v in ipairs({ 42, "f", {} }) do
        local ok, err = pcall(asyncio.async, v)
        assert.is_false(ok)
        assert.matches("bad argument #1 to '[%w.]*async' %(function expected", err)
      end
    end)
  end)

  describe("cancel through nested gathers", function()
    -- CPython 3.11 (the same program): outer.cancel("m") is True, awaiting
    -- outer raises CancelledError('m'), both inner tasks end cancelled.
    it("reaches every child of every gather", function()
      run(function()
        local inner
        local outer = asyncio.create_task(function()
          local t1 = asyncio.create_task(function()
            return asyncio.gather(function() sleep(10) end, function() sleep(10) end)
          end)
          local t2 = asyncio.create_task(function() sleep(10) end)
          inner = { t1, t2 }
          return asyncio.gather(t1, t2)
        end)
        sleep(0)
        sleep(0)
        assert.is_true(outer:cancel("m"))
        local ok, err = pcall(outer.await, outer)
        assert.is_false(ok)
        assert.is_true(errors.is(err, "asyncio.CancelledError"))
        assert.is_true(inner[1]:cancelled())
        assert.is_true(inner[2]:cancelled())
      end)
    end)
  end)

  describe("sleep with a result", function()
    -- CPython 3.11: asyncio.sleep(0, "r") returns "r".
    it("returns it, whatever follows it", function()
      run(function()
        assert.equal("r", sleep(0, "r", "extra"))
        assert.equal("r", sleep(0.001, "r", "extra"))
      end)
    end)

    -- CPython 3.11: asyncio.sleep(10, "r") in a task cancelled raises
    -- CancelledError, which the task may catch, not "r".
    it("raises the cancellation", function()
      run(function()
        local after, caught = false, nil
        local t = asyncio.create_task(function()
          local ok, err = pcall(sleep, 10, "r")
          after, caught = ok, err
          return "done"
        end)
        sleep(0)
        t:cancel()
        assert.equal("done", t:await())
        assert.is_false(after)
        assert.is_true(errors.is(caught, "asyncio.CancelledError"))
      end)
    end)
  end)

  describe("cancel with no message", function()
    -- CPython 3.11: task.cancel() of a task awaiting a future: the task and
    -- the future end with CancelledError() (no args).
    it("gives no message down the chain of awaits", function()
      run(function()
        local fut = asyncio.get_running_loop():create_future()
        local t = asyncio.create_task(function() return fut:await() end)
        sleep(0)
        assert.is_true(t:cancel())
        local ok, err = pcall(t.await, t)
        assert.is_false(ok)
        assert.equal("", err.message)
        assert.is_nil(err.args)
        assert.is_true(fut:cancelled())
        ok, err = pcall(fut.result, fut)
        assert.is_false(ok)
        assert.equal("", err.message)
        assert.is_nil(err.args)
      end)
    end)
  end)

  describe("gather of a future with a done callback", function()
    -- CPython 3.11: gather(f1, f2) waits for both: {1, 2}.
    it("waits for every child", function()
      run(function()
        local loop = asyncio.get_running_loop()
        local f1, f2 = loop:create_future(), loop:create_future()
        f1:add_done_callback(function() end)
        local g = asyncio.create_task(function() return asyncio.gather(f1, f2) end)
        sleep(0)
        f1:set_result(1)
        sleep(0)
        sleep(0)
        assert.is_false(g:done())
        f2:set_result(2)
        assert.same({ 1, 2 }, g:await())
      end)
    end)
  end)

  describe("set_exception", function()
    it("ignores arguments past the error", function()
      run(function()
        local fut = asyncio.get_running_loop():create_future()
        local e = errors.new("ValueError", "v")
        fut:set_exception(e, "extra")
        assert.equal(e, fut:exception())
      end)
    end)
  end)

  describe("await outside a run", function()
    it("refuses a done future", function()
      local fut = run(function()
        local f = asyncio.get_running_loop():create_future()
        f:set_result(1)
        return f
      end)
      local ok, err = pcall(fut.await, fut)
      assert.is_false(ok)
      assert.is_true(errors.is(err, "RuntimeError"))
      assert.matches("no running event loop", err.message)
    end)
  end)
end)
