--- pystd.re when allocations fail (spec/failalloc.c): every operation
-- either completes or raises Lua's memory error, and afterwards the
-- module, its cache and the Patterns it returned work as before.
local helper = require "spec.helper"
local re = require "pystd.re"

-- every allocation but under valgrind, where that takes 40 s
local OPTS = { step = helper.instrumented == "valgrind" and 7 or 1 }

local DATE = [[(?P<y>\d{4})-(\d\d)(x)?]]
local TEXT = "on 2024-11, 2025-12x and 1999-01"

--- Everything a Pattern of DATE does on TEXT, checked.
local function use_dates(p)
  local m = assert(p:search(TEXT))
  assert.same({ 4, 10 }, { m:span() })
  assert.equal("2024", m:group("y"))
  assert.same({ "2024", "11", "-" }, { m:groups("-") })
  assert.same({ y = "2024" }, m:groupdict())
  assert.equal("2024/11", m:expand([[\g<y>/\2]]))
  assert.equal(2, m.lastindex)
  assert.same({ { "2024", "11", "" }, { "2025", "12", "x" },
                { "1999", "01", "" } }, p:findall(TEXT))
  local spans = {}
  for mm in p:finditer(TEXT) do spans[#spans + 1] = mm:start() end
  assert.same({ 4, 13, 26 }, spans)
  assert.same({ "on 11/2024, 12/2025 and 01/1999", 3 },
              { p:sub([[\2/\g<y>]], TEXT) })
  assert.same({ "on Y2024, Y2025 and Y1999", 3 },
              { p:sub(function(mm) return "Y" .. mm:group(1) end, TEXT) })
  assert.same({ "on <>, 2025-12x and 1999-01", 3 },
              { p:sub({ ["2024-11"] = "<>" }, TEXT) })
  assert.same({ "on ", "2024", "11", false, ", 2025-12x and 1999-01" },
              p:split(TEXT, 1))
  assert.truthy(tostring(m):find("2024-11", 1, true))
  assert.truthy(tostring(p):find("re.compile", 1, true))
end

--- The module functions on a fresh cache, checked.
local function use_module()
  assert.equal("b", re.search("(?i)B", "abc"):group())
  assert.is_nil(re.match("b", "abc"))
  assert.truthy(re.fullmatch("a.c", "abc"))
  assert.same({ "a", "b", "c" }, re.split("[-,]", "a-b,c"))
  assert.same({ "x-x", 1 }, { re.subn("y", "-", "xyx") })
  assert.equal([[a\.b\*]], re.escape("a.b*"))
  assert.same({ "é", "ü" }, re.findall([[\w]], "é ü"))
  assert.same({ "\xff" }, re.findall("\xff", "a\xffb", re.BYTES))
end

describe("pystd.re when allocations fail", function()
  it("compiles, matches and substitutes, or raises a memory error", function()
    local made = helper.each_allocation_failure(function()
      re.purge()
      use_dates(re.compile(DATE))
    end, function()
      use_dates(re.compile(DATE))
    end, OPTS)
    assert.is_true(made > 50)
  end)

  it("keeps a compiled Pattern usable when its operations fail", function()
    local p = re.compile(DATE)
    helper.each_allocation_failure(function() use_dates(p) end,
                                   function() use_dates(p) end, OPTS)
  end)

  it("keeps the cache of the module functions consistent", function()
    helper.each_allocation_failure(function()
      re.purge()
      use_module()
    end, use_module, OPTS)
  end)

  it("raises re.error, ValueError and IndexError, or a memory error", function()
    local function error_of(...)  -- passing a memory error on
      local err = helper.error_of(...)
      if helper.is_memory_error(err) then error(err, 0) end
      return err
    end
    local function errors()
      local err = error_of(re.compile, "(a")
      assert.equal("re.error", err.type)
      assert.equal(1, err.pos)
      err = error_of(re.search, "a", "\xff")
      assert.equal("ValueError", err.type)
      err = error_of(re.sub, "(a)", [[\g<nope>]], "a")
      assert.equal("IndexError", err.type)
      err = error_of(re.sub, "(a)", [[\q]], "a")
      assert.equal("re.error", err.type)
    end
    helper.each_allocation_failure(function()
      re.purge()
      errors()
    end, errors, OPTS)
  end)

  it("remembers long checked subjects and raises at the match limit", function()
    local long = ("word é "):rep(300) .. "2024-11-07T10"
    local function use_long()
      re.purge()
      assert.equal(#long - 12, re.search([[\d{4}-\d\d-\d\dT]], long):start())
      assert.equal(300, #re.findall("é", long))
      assert.equal(long, re.sub("x", "y", long))
      local ok, err = pcall(re.search, "(a+)+$", ("a"):rep(40) .. "b")
      if helper.is_memory_error(err) then error(err, 0) end
      assert.is_false(ok)
      assert.equal("RuntimeError", err.type)
    end
    local limit = re.get_match_limit()
    re.set_match_limit(1000)  -- reached at once
    finally(function() re.set_match_limit(limit) end)
    helper.each_allocation_failure(use_long, use_long, OPTS)
  end)

  it("loses no match of a finditer whose step failed", function()
    local faults = require "spec.failalloc"
    local it = re.compile("\\d"):finditer("1 2 3")
    faults.fail_after(0)
    local ok, err = pcall(it)
    faults.stop()
    assert.is_false(ok)
    assert.is_true(helper.is_memory_error(err))
    local rest = {}
    for m in it do rest[#rest + 1] = m[0] end
    assert.same({ "1", "2", "3" }, rest)
  end)

  it("gives every template of a Pattern its own parsed form", function()
    -- a memory error between the two stores into the template cache
    -- once left a template string paired with no parsed form
    local p = re.compile("(a)(b)")
    local n = 0
    helper.each_allocation_failure(function()
      n = n + 1
      p:sub(("[\\g<2>\\g<1>%d]"):format(n), "ab")
    end, function()
      assert.equal(("[ba%d]"):format(n),
                   p:sub(("[\\g<2>\\g<1>%d]"):format(n), "ab"))
      assert.equal("[ba]", p:sub("[\\2\\1]", "ab"))
    end, OPTS)
  end)
end)
