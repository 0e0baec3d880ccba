--- The asyncio exercises (examples/asyncio/) and the language ones they lean
-- on (examples/language/), each run as a child process. Examples that sleep
-- run at a small --scale; the checks look at the order of lines and at
-- timings relative to one another, never at absolute times.
local helper = require "spec.helper"

local function run(script, args, opts)
  return helper.run_example(script, args, opts)
end

local function lines_of(text)
  local lines = {}
  for line in text:gmatch("([^\n]*)\n") do lines[#lines + 1] = line end
  return lines
end

--- Index of the first line equal to `wanted` (or matching `pattern` when
-- `plain` is false); fails the test when there is none.
local function index_of(lines, wanted, pattern)
  for i, line in ipairs(lines) do
    if (pattern and line:find(wanted)) or (not pattern and line == wanted) then return i end
  end
  error(("no line %q in:\n%s"):format(wanted, table.concat(lines, "\n")), 2)
end

local EXAMPLES = {
  "examples/asyncio/blip_bloop.lua", "examples/asyncio/baby_scheduler.lua",
  "examples/asyncio/up_down_powers.lua", "examples/asyncio/char_count.lua",
  "examples/asyncio/task_pool.lua", "examples/asyncio/gather_logging.lua",
  "examples/asyncio/chain.lua", "examples/asyncio/basics.lua",
  "examples/language/generator_return.lua", "examples/language/functions.lua",
  "examples/language/context_managers.lua", "examples/language/fibonacci.lua",
}

describe("asyncio and language examples", function()
  it("all print their usage with --help", function()
    for _, script in ipairs(EXAMPLES) do
      local out, err, code = run(script, { "--help" })
      assert.are.equal(0, code, script .. ": " .. err)
      assert.truthy(out:find("^Usage: "), script .. " printed " .. out)
    end
  end)

  it("reject a bad --scale with a usage error", function()
    local _, err, code = run("examples/asyncio/basics.lua", { "--scale", "fast" })
    assert.are_not.equal(0, code)
    assert.truthy(err:find("Usage:", 1, true))
  end)
end)

describe("examples/language", function()
  it("generator_return: the value returned by a coroutine", function()
    local out, err, code = run("examples/language/generator_return.lua")
    assert.are.equal(0, code, err)
    local lines = lines_of(out)
    assert.are.equal("resume -> true, Something (status dead)", lines[1])
    assert.are.equal("Value was Something", lines[2])
    assert.are.same({ "got event wait on data", "got event more data",
      "Value was Something else" }, { lines[3], lines[4], lines[5] })
  end)

  it("functions: lambdas, multiple returns, unpacking", function()
    local out, err, code = run("examples/language/functions.lua")
    assert.are.equal(0, code, err)
    assert.are.equal("4\n4\n0\n3 results\n2\n3\n4\n2\n{3, 4}\n4\n4\n", out)
  end)

  it("context_managers: Entering/Exiting around the read, also on error", function()
    local out, err, code = run("examples/language/context_managers.lua")
    assert.are.equal(0, code, err)
    local read = '{"print(\\"hello, world!\\")"}'
    assert.are.same({
      "Entering filereader context", read, "Exiting filereader context",
      "Outside of file reader context",
      "Entering filereader context", read, "Exiting filereader context (on an error)",
      "caught: something went wrong in the body (ok = false)",
      "Entering filereader context", read, "Exiting filereader context",
      "Outside of file reader context",
    }, lines_of(out))
  end)

  it("context_managers: a missing file fails on entering", function()
    local out, err, code = run("examples/language/context_managers.lua",
      { "examples/data/no such file.txt" })
    assert.are_not.equal(0, code)
    assert.are.equal("Entering filereader context\n", out)
    assert.truthy(err:find("No such file", 1, true))
  end)

  it("fibonacci: the pausing/resume interleaving", function()
    local out, err, code = run("examples/language/fibonacci.lua")
    assert.are.equal(0, code, err)
    assert.are.equal(table.concat({
      "pausing execution and return n2", "1",
      "resume execution after n2", "pausing execution and return n", "1",
      "resume execution after n", "pausing execution and return n", "2",
      "resume execution after n", "pausing execution and return n", "3",
      "resume execution after n", "pausing execution and return n", "5",
      "resume execution after n", "Finished", "" }, "\n"), out)
    out = run("examples/language/fibonacci.lua", { "--limit", "0" })
    assert.are.equal("Finished\n", out)
  end)
end)

describe("examples/asyncio", function()
  it("baby_scheduler: the notebook's exact round-robin", function()
    local out, err, code = run("examples/asyncio/baby_scheduler.lua")
    assert.are.equal(0, code, err)
    assert.are.equal(table.concat({ "1: 0", "2: 0", "3: 0", "1: 1", "2: 1", "3: 1",
      "1: 2", "2: 2", "3: 2", "1: 3", "2: 3", "1: 4", "2: 4", "2: 5", "2: 6",
      "Done!", "" }, "\n"), out)
  end)

  it("blip_bloop: three tasks interleave, All Done! after the longest", function()
    local out, err, code = run("examples/asyncio/blip_bloop.lua",
      { "--scale", "0.02", "--poem", "examples/data/asyncio_fish.txt" })
    assert.are.equal(0, code, err)
    local lines = lines_of(out)
    assert.are.equal("Main: Waiting on tasks to complete!", lines[1])
    assert.are.equal("All Done!", lines[#lines])
    assert.are.equal(1 + 10 + 10 + 4 + 1, #lines)
    local blip, bloop = {}, {}
    for i = 0, 9 do
      blip[i] = index_of(lines, ("Blip #%d!"):format(i))
      bloop[i] = index_of(lines, ("Bloop #%d!"):format(i))
      if i > 0 then
        assert.is_true(blip[i] > blip[i - 1] and bloop[i] > bloop[i - 1])
      end
    end
    -- the poem (a line every 0.5 units) is read before the first blip (2
    -- units); blips (every 2) finish before bloops (every 3) do.
    local poem = { "one fish", "two fish", "red fish", "blue fish" }
    for i, line in ipairs(poem) do
      assert.are.equal(i + 1, index_of(lines, line))
    end
    assert.is_true(blip[0] < bloop[0] and blip[9] < bloop[9])
    assert.is_true(bloop[6] > blip[8])  -- 21 units vs 18: really interleaved
  end)

  it("blip_bloop: reads the tour's poem by default", function()
    local out, err, code = run("examples/asyncio/blip_bloop.lua", { "--scale", "0.002" })
    assert.are.equal(0, code, err)
    assert.truthy(out:find("Two roads diverged in a yellow wood", 1, true))
    assert.truthy(out:find("All Done!\n$"))
  end)

  it("up_down_powers: three coroutines interleaved, results as they come", function()
    local out, err, code = run("examples/asyncio/up_down_powers.lua", { "--scale", "0.01" })
    assert.are.equal(0, code, err)
    local lines = lines_of(out)
    assert.are.equal(6 + 6 + 8 + 3, #lines)
    local first = { lines[1], lines[2], lines[3] }
    table.sort(first)
    assert.are.same({ "down 5", "powers 2^0 = 1", "up 0" }, first)
    local previous = {}
    for i = 0, 5 do
      local u, d = index_of(lines, "up " .. i), index_of(lines, "down " .. (5 - i))
      if i > 0 then assert.is_true(u > previous.u and d > previous.d) end
      previous.u, previous.d = u, d
    end
    local p = 0
    for e = 0, 7 do
      local at = index_of(lines, ("powers 2^%d = %d"):format(e, 2 ^ e // 1))
      assert.is_true(at > p)
      p = at
    end
    assert.is_true(index_of(lines, "up finished at 5") > index_of(lines, "up 5"))
    assert.is_true(index_of(lines, "down finished at 0") > index_of(lines, "down 0"))
    assert.are.equal("powers finished at 2^7", lines[#lines])
    -- interleaved: up and down are both done before powers reaches 2^7
    assert.is_true(index_of(lines, "up 3") < index_of(lines, "powers 2^5 = 32"))
  end)

  describe("char_count", function()
    local function expected_counts(path)
      local counts = {}
      for c in helper.read_file(path):gmatch(".") do counts[c] = (counts[c] or 0) + 1 end
      return counts
    end

    --- Parse `{["a"] = 1, ["\n"] = 2}` back into a table.
    local function parse_counts(text)
      local counts = {}
      for key, n in text:gmatch('%["(\\?.)"%] = (%d+)') do
        local c = ({ ["\\n"] = "\n", ["\\t"] = "\t", ['\\"'] = '"', ["\\\\"] = "\\" })[key]
          or key
        counts[c] = tonumber(n)
      end
      return counts
    end

    it("counts the characters of each file in its own task", function()
      local files = { "examples/data/asyncio_fish.txt", "examples/data/asyncio_abc.txt",
        "examples/data/asyncio_hello.txt" }
      local out, err, code = run("examples/asyncio/char_count.lua",
        { "--scale", "0.01", table.unpack(files) })
      assert.are.equal(0, code, err)
      local lines = lines_of(out)
      assert.are.equal(#files, #lines)
      for i, path in ipairs(files) do
        local name, table_text = lines[i]:match("^(.-): (%b{})$")
        assert.are.equal(path, name)
        assert.are.same(expected_counts(path), parse_counts(table_text))
      end
      assert.are.equal('examples/data/asyncio_abc.txt: {["\\n"] = 3, ["a"] = 1, ["b"] = 2, '
        .. '["c"] = 3}', lines[2])
    end)

    it("the files are counted concurrently", function()
      -- 4 + 3 + 2 lines at 0.1 units each: concurrently ~0.4 units, not 0.9
      local t0 = os.time()
      local _, err, code = run("examples/asyncio/char_count.lua", { "--scale", "1",
        "--pause", "0.2", "examples/data/asyncio_fish.txt", "examples/data/asyncio_abc.txt",
        "examples/data/asyncio_hello.txt", "examples/data/asyncio_fish.txt" })
      assert.are.equal(0, code, err)
      assert.is_true(os.time() - t0 <= 2)  -- 4 files x 4 lines x 0.2 s would be 3.2 s
    end)

    it("a missing file fails the group with an ExceptionGroup", function()
      local out, err, code = run("examples/asyncio/char_count.lua", { "--scale", "0.01",
        "examples/data/asyncio_fish.txt", "examples/data/no_such_file.txt" })
      assert.are.equal(1, code)
      assert.are.equal("", out)
      assert.truthy(err:find("ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception)",
        1, true), err)
      assert.truthy(err:find("FileNotFoundError: [Errno 2] No such file or directory: "
        .. "'examples/data/no_such_file.txt'", 1, true), err)
    end)

    it("needs at least one file", function()
      local _, err, code = run("examples/asyncio/char_count.lua")
      assert.are_not.equal(0, code)
      assert.truthy(err:find("Usage:", 1, true))
    end)
  end)

  describe("task_pool", function()
    local function check_pool(args, jobs, workers)
      local out, err, code = run("examples/asyncio/task_pool.lua", args)
      assert.are.equal(0, code, err)
      local lines = lines_of(out)
      local started, done, running = {}, {}, 0
      for _, line in ipairs(lines) do
        local s = line:match("^job (%d+) started")
        local d = line:match("^job (%d+) done")
        if s then
          assert.is_nil(started[s]); started[s] = true
          running = running + 1
          assert.is_true(running <= workers, "more than K jobs at once")
          assert.are.equal(running, tonumber(line:match("%((%d+) running%)")))
        elseif d then
          assert.is_true(started[d] and not done[d]); done[d] = true
          running = running - 1
        end
      end
      for i = 1, jobs do assert.is_true(done[tostring(i)], "job " .. i) end
      local took, serial = out:match("in ([%d.]+) s %(([%d.]+) s one after another%)")
      assert.is_true(tonumber(took) < tonumber(serial) or workers == 1)
      assert.are.equal(("peak concurrency: %d (limit %d)"):format(math.min(workers, jobs),
        workers), lines[#lines])
      return lines
    end

    it("runs N jobs through K queue workers, never more than K at once", function()
      local lines = check_pool({ "--scale", "0.1" }, 12, 3)
      assert.truthy(lines[1]:find("^job 1 started on worker 1"))
    end)

    it("bounds the jobs with a semaphore", function()
      check_pool({ "--scale", "0.1", "--mode", "semaphore", "--jobs", "10",
        "--workers", "4" }, 10, 4)
    end)

    it("one worker runs the jobs one after another", function()
      local lines = check_pool({ "--scale", "0.1", "--workers", "1", "--jobs", "4" }, 4, 1)
      assert.are.same({ "job 1 started on worker 1 (1 running)", "job 1 done after 0.03 s" },
        { lines[1], lines[2] })
    end)

    it("rejects a pool of no workers", function()
      local _, err, code = run("examples/asyncio/task_pool.lua", { "--workers", "0" })
      assert.are_not.equal(0, code)
      assert.truthy(err:find("--workers", 1, true))
    end)

    it("rejects an unknown mode", function()
      local _, err, code = run("examples/asyncio/task_pool.lua", { "--mode", "threads" })
      assert.are_not.equal(0, code)
      assert.truthy(err:find("Usage:", 1, true))
    end)
  end)

  it("gather_logging: the notebook's log order, total about the longer sleep", function()
    local scale = 0.02
    local out, err, code = run("examples/asyncio/gather_logging.lua",
      { "--scale", tostring(scale) })
    assert.are.equal(0, code, err)
    local messages = {}
    for _, line in ipairs(lines_of(out)) do
      local stamp, message = line:match("^(%d%d%d%d%-%d%d%-%d%d %d%d:%d%d:%d%d,%d%d%d) "
        .. "INFO:root:(.*)$")
      assert.truthy(stamp, line)
      messages[#messages + 1] = message
    end
    assert.are.same({
      "coroutine_1 is active on the event loop",
      "coroutine_1 yielding control. Going to be blocked for 0.08 seconds",
      "coroutine_2 is active on the event loop",
      "coroutine_2 yielding control. Going to be blocked for 0.1 seconds",
      "coroutine_1 resumed. coroutine_1 exiting with nil",
      "coroutine_2 resumed. coroutine_2 exiting",
    }, { table.unpack(messages, 1, 6) })
    local total = tonumber(messages[7]:match("^gather finished after ([%d.]+) seconds$"))
    assert.is_true(total >= 5 * scale * 0.95, "total " .. total)
    assert.is_true(total < 9 * scale, "total " .. total)  -- not 4 + 5

    out = run("examples/asyncio/gather_logging.lua", { "--scale", "0.01", "--reverse" })
    assert.truthy(out:find("^[^\n]*coroutine_2 is active"))
  end)

  it("chain: chained results, total about the longest chain", function()
    local out, err, code = run("examples/asyncio/chain.lua",
      { "--seed", "111", "--scale", "0.01" })
    assert.are.equal(0, code, err)
    local lines = lines_of(out)
    local sleeps, took, order = {}, {}, {}
    for _, line in ipairs(lines) do
      local n, s = line:match("^concurrent_task_%d%((%d+).-%) sleeping for ([%d.]+) seconds%.$")
      if n then sleeps[n] = (sleeps[n] or 0) + tonumber(s) end
      local c, t = line:match("^%-%->Chained result(%d) => result%d%-2 derived from "
        .. "result%d%-1 %(took ([%d.]+) seconds%)%.$")
      if c then took[c] = tonumber(t); order[#order + 1] = c end
    end
    assert.are.equal(3, #order)
    local longest, sum = 0, 0
    for n, t in pairs(took) do
      assert.is_true(math.abs(t - sleeps[n]) < 0.05, ("chain %s took %s, slept %s")
        :format(n, t, sleeps[n]))
      longest, sum = math.max(longest, sleeps[n]), sum + sleeps[n]
    end
    for i = 2, 3 do  -- chains finish in the order of their total sleeps
      assert.is_true(sleeps[order[i - 1]] <= sleeps[order[i]])
    end
    local total = tonumber(lines[#lines]:match("^Program finished in ([%d.]+) seconds%.$"))
    assert.is_true(total >= longest - 0.011 and total < sum, "total " .. total)
    local again = run("examples/asyncio/chain.lua", { "--seed", "111", "--scale", "0.01" })
    local function sleeps_only(text) return (text:gsub("took [%d.]+", ""):gsub("in [%d.]+", "")) end
    assert.are.equal(sleeps_only(out), sleeps_only(again))  -- the seed fixes the sleeps
    assert.truthy(out:find('concurrent_task_2(1, "result1-1") sleeping for', 1, true))
  end)

  it("chain: runs the chains named on the command line", function()
    local out, err, code = run("examples/asyncio/chain.lua", { "--scale", "0.01", "7" })
    assert.are.equal(0, code, err)
    assert.truthy(out:find("\n%-%->Chained result7 => result7%-2 derived from result7%-1 "))
    assert.is_nil(out:find("result1", 1, true))
  end)

  it("basics: sequential ~3 units, tasks ~2, the never-awaited warning, gather", function()
    local scale = 0.02
    local out, err, code = run("examples/asyncio/basics.lua", { "--scale", tostring(scale) })
    assert.are.equal(0, code, err)
    local lines = lines_of(out)
    assert.are.same({ "hello", "world" }, { lines[1], lines[2] })
    local sequential = tonumber(out:match("%(sequential: ([%d.]+) seconds%)"))
    local with_tasks = tonumber(out:match("%(with tasks: ([%d.]+) seconds%)"))
    assert.is_true(sequential >= 3 * scale * 0.95, "sequential " .. sequential)
    assert.is_true(with_tasks >= 2 * scale * 0.95, "with tasks " .. with_tasks)
    assert.is_true(with_tasks < sequential - 0.5 * scale)
    assert.truthy(err:find("coroutine '[^']*' was never awaited"), err)
    assert.truthy(out:find("\nNi!\n", 1, true))
    local a_done = index_of(lines, "Task A: factorial(2) = 2")
    local d_done = index_of(lines, "Task D: factorial(5) = 120")
    assert.is_true(index_of(lines, "Task D: Compute factorial(5), currently i=2...") < a_done)
    assert.is_true(a_done < index_of(lines, "Task B: factorial(3) = 6"))
    assert.is_true(index_of(lines, "Task C: factorial(4) = 24") < d_done)
    assert.are.equal("[2, 6, 24, 120]", lines[#lines])
  end)
end)
