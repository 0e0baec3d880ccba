--- Helpers shared by the specs: run a Lua script (an example) as a child
-- process and capture what it prints.
local helper = {}

local LUA = os.getenv("LUA") or "lua5.4"

--- What the code under test runs under: `make check` runs the specs under
-- ASan, then under valgrind, and sets PYSTD_INSTRUMENTED to "asan" or
-- "valgrind"; nil otherwise.
helper.instrumented = os.getenv("PYSTD_INSTRUMENTED")

--- How much slower the code under test runs then: the few specs that bound
-- a time (as CPython's own tests do) scale their bound by it.
helper.slowdown = helper.instrumented and 50 or 1

--- Quote `s` for the POSIX shell.
function helper.shell_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

--- The whole contents of the file at `path`.
function helper.read_file(path)
  local f = assert(io.open(path, "rb"))
  local data = f:read("a")
  f:close()
  return data
end

local function write_file(path, data)
  local f = assert(io.open(path, "wb"))
  f:write(data)
  f:close()
end

--- Check a case a searching generator made with CPython
-- (spec/re_infix/generate.py, spec/re_prefix/generate.py): the spans of
-- finditer, subn with a template, and a search over a pos/endpos window,
-- in 1-based inclusive byte positions.
function helper.check_search_case(case)
  local assert, re = require "luassert", require "pystd.re"
  local flags = 0
  for _, name in ipairs(case.flags) do flags = flags | re[name] end
  local p = re.compile(case.pattern, flags)
  local spans = {}
  for m in p:finditer(case.subject) do spans[#spans + 1] = { m:span() } end
  assert.same(case.finditer, spans)
  local result, count = p:subn("<\\g<0>>", case.subject)
  assert.equal(case.sub, result)
  assert.equal(case.count, count)
  local m = p:search(case.subject, case.pos, case.endpos)
  assert.same(case.search, m and { m:span() } or false)
end

--- Run `command` (an array of words) through the shell.
-- opts.stdin: text fed to its standard input (default: empty);
-- opts.env: table of environment variables to set.
-- Returns stdout, stderr, exit code (128 + n when killed by signal n).
function helper.run(command, opts)
  opts = opts or {}
  local words = {}
  for name, value in pairs(opts.env or {}) do
    words[#words + 1] = name .. "=" .. helper.shell_quote(value)
  end
  for _, word in ipairs(command) do
    words[#words + 1] = helper.shell_quote(word)
  end
  local out, err, input = os.tmpname(), os.tmpname(), os.tmpname()
  write_file(input, opts.stdin or "")
  local line = ("%s <%s >%s 2>%s"):format(table.concat(words, " "),
    input, out, err)
  local ok, how, code = os.execute(line)
  local stdout, stderr = helper.read_file(out), helper.read_file(err)
  os.remove(out); os.remove(err); os.remove(input)
  if how == "signal" then code = 128 + code end
  return stdout, stderr, ok and 0 or code
end

--- Run the Lua chunk `code` in a child lua5.4, as helper.run does.
function helper.run_lua(code, opts)
  return helper.run({ LUA, "-e", code }, opts)
end

--- Run the example `script` (a path from the repository root) with `args`.
-- Returns stdout, stderr, exit code as helper.run does.
function helper.run_example(script, args, opts)
  local command = { LUA, script }
  for _, a in ipairs(args or {}) do command[#command + 1] = a end
  return helper.run(command, opts)
end

--- Evaluate Python 3 `code` and return what it prints (for expected values
-- defined by CPython). Sanitizer preloads (make check) are not passed on:
-- they belong to our code, not to the interpreter we compare against.
function helper.python(code)
  local stdout, stderr, status = helper.run({ "env", "-u", "LD_PRELOAD",
    "python3", "-c", code })
  assert(status == 0, "python3 failed: " .. stderr)
  return stdout
end

--- The error a call raises (nil when it succeeds).
function helper.error_of(fn, ...)
  local ok, err = pcall(fn, ...)
  if ok then return nil end
  return err
end

--- The error object fn(...) raises, asserting its type `kind` and, when
-- `message` is given, its message.
function helper.raises(kind, message, fn, ...)
  local assert = require "luassert"
  local err = helper.error_of(fn, ...)
  assert.is_table(err, "expected a " .. kind .. ", got " .. tostring(err))
  assert.are.equal(kind, err.type, tostring(err.message))
  if message then assert.are.equal(message, err.message) end
  return err
end

--- The elements of the array `t` in reverse order, in a new array.
function helper.reversed(t)
  local r = {}
  for i = #t, 1, -1 do r[#r + 1] = t[i] end
  return r
end

--- A Counter of the {key, count} pairs of the array `pairs_list`, keys
-- inserted in that order.
function helper.counter_of(pairs_list)
  local c = require("pystd.collections").Counter()
  for _, kv in ipairs(pairs_list) do c[kv[1]] = kv[2] end
  return c
end

--- Lua's memory error, and the one a message handler that ran out of
-- memory gives.
local MEMORY_ERRORS = {
  ["not enough memory"] = true, ["error in error handling"] = true,
}

--- Is `err` one of those?
function helper.is_memory_error(err)
  return MEMORY_ERRORS[err] == true
end

--- Run `op` once for each allocation it makes, refusing that allocation
-- and every later one (spec/failalloc.c).  Each run must end in a memory
-- error, or succeed; then `after()`, when given, runs with memory to spare
-- (it checks that nothing was lost or broken).  Returns the number of
-- allocations `op` made in the last run, when none was refused.
-- opts.step: try every step-th allocation only (default 1).
function helper.each_allocation_failure(op, after, opts)
  local faults = require "spec.failalloc"
  local step = opts and opts.step or 1
  for n = 0, math.huge, step do
    faults.fail_after(n)
    local ok, err = pcall(op)
    local refused = faults.stop()
    if not ok and not helper.is_memory_error(err) then
      error(("with %d allocations granted: %s"):format(n, tostring(err)), 2)
    end
    if after then after() end
    if refused == 0 then
      if not ok then error("failed with no allocation refused", 2) end
      return n
    end
  end
end

return helper
