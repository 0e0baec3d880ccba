--- Helpers shared by the ports of CPython's asyncio tests
-- (spec/asyncio_cpython_spec.lua, spec/asyncio_cpython2_spec.lua): the
-- pieces of unittest and of test_asyncio.utils they lean on.
local asyncio = require "pystd.asyncio"
local errors = require "pystd.errors"
local helper = require "spec.helper"

local port = {}

function port.is(err, t) return errors.is(err, t) end

--- `with self.assertRaises(typ): fn(...)`: returns the error when it is a
-- `typ`; an error of another type propagates; no error fails.
function port.assert_raises(typ, fn, ...)
  local ok, err = pcall(fn, ...)
  if ok then error(typ .. " not raised", 2) end
  if not errors.is(err, typ) then error(err, 0) end
  return err
end

--- `try: fn(...) except typ: pass` -> ok, the first result or the error
function port.except(typ, fn, ...)
  local ok, err = pcall(fn, ...)
  if not ok and not errors.is(err, typ) then error(err, 0) end
  return ok, err
end

function port.get_loop() return asyncio.get_running_loop() end
function port.new_future() return asyncio.get_running_loop():create_future() end
function port.zero_division() errors.raise("ZeroDivisionError", "division by zero") end

--- test_utils.run_briefly(loop): runs a task of `async def once(): pass` to
-- its end (two passes of the loop: once runs, then its waiter wakes).
function port.run_briefly() asyncio.create_task(function() end):await() end

--- GatherTestsBase._run_loop: run until nothing is ready.
function port.run_loop() for _ = 1, 5 do port.run_briefly() end end

--- The waiter count CPython's repr shows (`waiters:N`, absent: 0); used for
-- the white-box `len(x._waiters)` checks.
function port.waiters_of(obj)
  return tonumber(tostring(obj):match("waiters:(%d+)")) or 0
end

--- repr checks that do not stop the test: check(ok, what) notes a
-- mismatch, done() asserts there was none (the rest of the test runs).
function port.soft_checker()
  local failed = {}
  local function check(ok, what) if not ok then failed[#failed + 1] = what end end
  local function done()
    assert(#failed == 0, "tostring lacks: " .. table.concat(failed, "; "))
  end
  return check, done
end

function port.set_of(list)
  local s = {}
  for _, v in ipairs(list) do s[v] = true end
  return s
end

--- get_error_types(eg): the sorted distinct types of eg.exceptions
function port.error_types(eg)
  local seen, list = {}, {}
  for _, e in ipairs(eg.exceptions) do
    if not seen[e.type] then seen[e.type] = true; list[#list + 1] = e.type end
  end
  table.sort(list)
  return list
end

--- Run `code` in a child lua5.4 with `asyncio`, `errors` and `uv` (luv)
-- loaded, and `interrupt_self()` (SIGINT to itself, as _thread.interrupt_main).
-- Returns stdout, stderr, exit code.
function port.child(code)
  return helper.run({ os.getenv("LUA") or "lua5.4", "-e",
    "asyncio = require 'pystd.asyncio'; errors = require 'pystd.errors'; " ..
    "uv = require 'luv'; " ..
    "function interrupt_self() uv.kill(uv.os_getpid(), 'sigint') end; " .. code })
end

return port
