--- pystd.re against CPython: every case in spec/re_cases/cases.lua was
-- produced by CPython's `re` (spec/re_cases/generate.py), with positions
-- already converted to pystd's 1-based inclusive byte positions.
local re = require "pystd.re"

local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "spec"
-- PYSTD_RE_CASES names another file of the same shape (e.g. fuzzed cases).
local cases = dofile(os.getenv("PYSTD_RE_CASES") or here .. "/re_cases/cases.lua")

--- The flag bits of a case's symbolic flags ({"I", "M"} -> re.I | re.M).
local function flags_of(case)
  local bits = 0
  for _, name in ipairs(case.flags or {}) do
    bits = bits | assert(re[name], "no flag re." .. name)
  end
  return bits
end

--- Call `re.<kind>` on the case's pattern, or the compiled pattern's method
-- with pos/endpos when the case has them.
local function call_on_subject(case)
  if case.pos then
    local p = re.compile(case.pattern, flags_of(case))
    if case.endpos then
      return p[case.kind](p, case.subject, case.pos, case.endpos)
    end
    return p[case.kind](p, case.subject, case.pos)
  end
  local flags = flags_of(case)
  if flags ~= 0 then
    return re[case.kind](case.pattern, case.subject, flags)
  end
  return re[case.kind](case.pattern, case.subject)
end

local function check_match(case)
  local m = call_on_subject(case)
  local want = case.expect
  if not want then
    assert.is_nil(m, "expected no match")
    return
  end
  assert.is_not_nil(m, "expected a match")
  local ngroups = #want.spans - 1
  -- spans and texts group by group, 0 = the whole match
  for g = 0, ngroups do
    local span, text = want.spans[g + 1], want.texts[g + 1]
    if span then
      assert.are.same(span, { m:span(g) }, "span of group " .. g)
      assert.are.equal(span[1], m:start(g), "start of group " .. g)
      assert.are.equal(span[2], m:stop(g), "stop of group " .. g)
      assert.are.equal(text, m:group(g), "text of group " .. g)
      assert.are.equal(text, case.subject:sub(span[1], span[2]))
    else
      assert.is_nil(m:span(g), "span of unmatched group " .. g)
      assert.is_nil(m:start(g), "start of unmatched group " .. g)
      assert.is_nil(m:stop(g), "stop of unmatched group " .. g)
      assert.is_nil(m:group(g), "text of unmatched group " .. g)
    end
  end
  assert.are.equal(want.texts[1], m:group(), "m:group()")
  assert.are.equal(want.texts[1], m[0], "m[0]")
  -- m:groups(): every group as multiple results, unmatched -> nil
  local groups = table.pack(m:groups())
  assert.are.equal(ngroups, groups.n, "number of m:groups() results")
  for g = 1, ngroups do
    assert.are.equal(want.texts[g + 1] or nil, groups[g], "m:groups()[" .. g .. "]")
  end
  -- named groups
  for name, index in pairs(want.groupindex) do
    assert.are.equal(want.texts[index + 1] or nil, m:group(name),
      "m:group('" .. name .. "')")
  end
  assert.are.same(want.groupdict, m:groupdict(), "m:groupdict()")
  assert.are.equal(want.lastindex, m.lastindex, "m.lastindex")
  assert.are.equal(want.lastgroup, m.lastgroup, "m.lastgroup")
  -- the match knows where it came from
  assert.are.equal(case.subject, m.string, "m.string")
  assert.are.equal(case.pattern, m.re.pattern, "m.re.pattern")
  assert.are.equal(want.pos, m.pos, "m.pos")
  assert.are.equal(want.endpos, m.endpos, "m.endpos")
end

local function check_findall(case)
  assert.are.same(case.expect, call_on_subject(case))
end

local function check_finditer(case)
  local got = {}
  for m in re.finditer(case.pattern, case.subject, flags_of(case)) do
    local spans = {}
    for g = 0, m.re.groups do
      local s, e = m:span(g)
      spans[g + 1] = s and { s, e } or false
    end
    got[#got + 1] = spans
  end
  assert.are.same(case.expect, got)
end

local function check_sub(case)
  local flags = flags_of(case)
  local result, n
  if flags ~= 0 then
    result, n = re[case.kind](case.pattern, case.repl, case.subject,
      case.count, flags)
  elseif case.count ~= 0 then
    result, n = re[case.kind](case.pattern, case.repl, case.subject, case.count)
  else
    result, n = re[case.kind](case.pattern, case.repl, case.subject)
  end
  assert.are.same(case.expect, { result, n })
end

local function check_split(case)
  local flags = flags_of(case)
  local parts
  if flags ~= 0 then
    parts = re.split(case.pattern, case.subject, case.maxsplit, flags)
  elseif case.maxsplit ~= 0 then
    parts = re.split(case.pattern, case.subject, case.maxsplit)
  else
    parts = re.split(case.pattern, case.subject)
  end
  assert.are.same(case.expect, parts)
end

local function check_escape(case)
  assert.are.equal(case.expect, re.escape(case.subject))
end

local function check_compile(case)
  local p = re.compile(case.pattern, flags_of(case))
  assert.are.equal(case.pattern, p.pattern)
  assert.are.equal(case.expect.groups, p.groups)
  local index = {}
  for name, number in pairs(p.groupindex) do index[name] = number end
  assert.are.same(case.expect.groupindex, index)
end

--- The error object a failing call raised, checked for its type and, when
-- CPython reports one, its 1-based byte position; `source` is the text the
-- position points into (the pattern, or the template for sub errors).
local function check_error(case, fn, source)
  local ok, err = pcall(fn)
  assert.is_false(ok, "expected an error")
  assert.are.equal("table", type(err), "an error object, got: " .. tostring(err))
  local want = case.expect
  assert.are.equal(want.type, err.type, "error type (" .. tostring(err.message) .. ")")
  if want.type == "re.error" then
    assert.are.equal(want.pos, err.pos, "error position (" .. tostring(err.message) .. ")")
    if case.kind == "error" then
      assert.are.equal(source, err.pattern, "err.pattern")
    end
  end
end

--- CPython's message for the error (err.msg for re.error, err.message else).
local function check_error_message(case, fn)
  local _, err = pcall(fn)
  assert.are.equal("table", type(err))
  local want = case.expect
  if want.type == "re.error" then
    assert.are.equal(want.msg, err.msg)
    if want.pos then
      local expected = ("%s at position %d"):format(want.msg, want.pos)
      if (case.kind == "error" and case.pattern or case.repl):find("\n") then
        -- CPython adds " (line L, column C)" for patterns of several lines
        assert.are.equal(expected, err.message:sub(1, #expected))
      else
        assert.are.equal(expected, err.message)
      end
    end
  else
    assert.are.equal(want.msg, err.message)
  end
end

local function compile_call(case)
  return function() return re.compile(case.pattern, flags_of(case)) end
end

local function sub_call(case)
  return function() return re.sub(case.pattern, case.repl, case.subject) end
end

local checks = {
  search = check_match, match = check_match, fullmatch = check_match,
  findall = check_findall, finditer = check_finditer,
  sub = check_sub, subn = check_sub, split = check_split,
  escape = check_escape, compile = check_compile,
}

describe("pystd.re agrees with CPython re on", function()
  for i, case in ipairs(cases) do
    local name = ("#%d %s"):format(i, case.desc)
    if case.kind == "error" then
      it(name .. " raises " .. case.expect.type, function()
        check_error(case, compile_call(case), case.pattern)
      end)
      it(name .. " message", function()
        check_error_message(case, compile_call(case))
      end)
    elseif case.kind == "sub_error" then
      it(name .. " raises " .. case.expect.type, function()
        check_error(case, sub_call(case), case.repl)
      end)
      it(name .. " message", function()
        check_error_message(case, sub_call(case))
      end)
    else
      it(name, function() checks[case.kind](case) end)
    end
  end
end)
