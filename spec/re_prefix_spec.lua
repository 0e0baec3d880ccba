--- pystd.re's search by prefix against CPython: every pattern of
-- spec/re_prefix/cases.lua starts each match with a literal of two bytes or
-- more (after any \b), and each subject is long enough for the 16-byte
-- scan steps, with many occurrences of the literal between word and
-- non-word neighbours, ASCII and not (required_prefix and find_literal's
-- neighbour sieve in csrc/re/pattern.c).  Expected values come from
-- CPython (spec/re_prefix/generate.py), in 1-based inclusive byte
-- positions.
local re = require "pystd.re"
local helper = require "spec.helper"

local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "spec"
local cases = dofile(here .. "/re_prefix/cases.lua")

describe("re search by prefix, against CPython", function()
  for i, case in ipairs(cases) do
    it(("%d: %q over %q"):format(i, case.pattern, case.subject), function()
      helper.check_search_case(case)
    end)
  end
end)

describe("re search by prefix", function()
  -- Is the neighbour c a word character (Unicode rules unless ascii)?
  local function word(c, ascii)
    return c:match("^[%w_]") ~= nil or (not ascii and c == "\195\169")
  end

  it("judges the neighbours of a literal at every offset of a step", function()
    -- each literal at each offset of a 16-byte step, between every kind
    -- of neighbour; \b before and after asks a word neighbour at a
    -- non-word end of the literal, a non-word one at a word end
    -- (the ASCII bytes next to the ranges [0-9A-Za-z], and with bit 5 set)
    local pieces = { " ", "a", "z", "A", "Z", "_", "0", "9", "-", "/", ":",
                     "@", "[", "`", "{", "\127", "\1", "\195\169",
                     "\226\134\146", "\n" }
    local literals = { { "the", "t", "e" }, { "4a", "4", "a" },
                       { "x\195\169", "x", "\195\169" } }
    for _, literal in ipairs(literals) do
      local lit, first, last = table.unpack(literal)
      local pattern = [[\b]] .. re.escape(lit) .. [[\b]]
      for _, ascii in ipairs { false, true } do
        local p = re.compile(pattern, ascii and re.A or 0)
        local wants_word_before = not word(first, ascii)
        local wants_word_after = not word(last, ascii)
        for pad = 0, 17 do
          for _, left in ipairs(pieces) do
            for _, right in ipairs(pieces) do
              local s = ("y"):rep(pad) .. " " .. left .. lit .. right .. " "
                .. ("y"):rep(20)
              local n = (word(left, ascii) == wants_word_before
                         and word(right, ascii) == wants_word_after) and 1 or 0
              assert.equal(n, #p:findall(s),
                           ("%q over %q ascii=%s"):format(pattern, s, ascii))
            end
          end
        end
      end
    end
  end)

  it("takes endpos as the end of the subject, at every offset of a step", function()
    local p = re.compile([[\bthe\b]])
    for pad = 20, 60 do
      local t = ("y "):rep(pad // 2) .. ("y"):rep(pad % 2) .. " theory"
        .. ("y"):rep(40)
      local at = #t - 40 - 5  -- where "the" starts
      assert.same({ at, at + 2 }, { p:search(t, 1, at + 2):span() })
      assert.same({ at, at + 2 }, { p:search(t, at - 1, at + 2):span() })
      assert.is_nil(p:search(t, 1, at + 3))
    end
  end)

  it("reads the byte before pos as a neighbour, as CPython", function()
    local p = re.compile([[\bthe\b]])
    local s = ("y"):rep(40) .. "athe " .. ("y"):rep(40)
    assert.is_nil(p:search(s, 42))
    assert.is_nil(p:search(s, 42, 45))
  end)
end)
