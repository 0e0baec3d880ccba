--- pystd.re's search by infix against CPython: each pattern of
-- spec/re_infix/cases.lua holds a literal within a bounded distance of the
-- start of every match, each subject has many occurrences of it that do
-- not match, and most subjects have a non-ASCII character (pystd then
-- searches with its UTF code, the one that scans for the literal first:
-- required_infix in csrc/re/pattern.c).  Expected values come from CPython
-- (spec/re_infix/generate.py), in 1-based inclusive byte positions.
local re = require "pystd.re"
local helper = require "spec.helper"

local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "spec"
-- PYSTD_RE_INFIX_CASES names another file of the same shape (a larger draw).
local cases = dofile(os.getenv("PYSTD_RE_INFIX_CASES") or here .. "/re_infix/cases.lua")

describe("re search by infix, against CPython", function()
  for i, case in ipairs(cases) do
    it(("%d: %q over %q"):format(i, case.pattern, case.subject), function()
      helper.check_search_case(case)
    end)
  end
end)

describe("re search by infix", function()
  it("skips false occurrences of the literal in a long subject", function()
    local s = ("é" .. ("x-"):rep(5000)) .. "2024-11-07" .. ("-y"):rep(5000)
    local m = re.search([[\d{4}-\d\d-\d\d]], s)
    assert.same({ 10003, 10012 }, { m:span() })
    assert.equal(1, #re.findall([[(\d{4})-(\d{2})]], s))
  end)

  it("finds nothing when the literal is absent", function()
    assert.is_nil(re.search([[\w{2}@\w]], "é" .. ("ab cd "):rep(1000)))
  end)

  it("honours pos and endpos around the literal", function()
    local p = re.compile([[\d\d:\d\d]])
    local s = "é 12:34 56:78"
    assert.same({ 4, 8 }, { p:search(s, 1):span() })
    assert.same({ 10, 14 }, { p:search(s, 5):span() })
    assert.is_nil(p:search(s, 1, 7))
    assert.is_nil(p:search(s, 11))
  end)

  it("starts a match on a character boundary before a multi-byte literal", function()
    local s = "ééé→x é→y"
    assert.same({ "é→x", "é→y" }, re.findall("é→.", s))
    assert.same({ "ééé→x" }, re.findall("é{1,3}→x", s))
  end)

  it("keeps the match limit of re.set_match_limit", function()
    local limit = re.get_match_limit()
    re.set_match_limit(1000)
    local ok, err = pcall(re.search, [[(?:\w|é){0,40}?(?:a|a){0,30}-]],
                    "é" .. ("a"):rep(29) .. "b-")
    re.set_match_limit(limit)
    assert.is_false(ok)
    assert.matches("match limit exceeded", tostring(err))
  end)
end)
