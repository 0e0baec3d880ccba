-- Random differential tester for pystd.re: the pystd side.
--
--   lua5.4 fuzz/re_diff/run.lua CASES.lua [CASES2.lua ...]
--
-- Each CASES file comes from fuzz/re_diff/gen.py: random patterns and
-- subjects with CPython's results, converted to pystd's conventions and
-- serialised.  This driver runs the same operations through pystd.re,
-- serialises the results the same way and prints one line per
-- disagreement:
--
--   MISMATCH <kind> <op> <case id> <pattern> <flags> <subject> ...
--
-- kind: "value" (different result), "outcome" (one side raised, the other
-- did not, or different error types), "pos" (both raised re.error at
-- different positions), "msg" (same error, different message; informative),
-- "luaerror" (pystd raised something that is not a pystd error object).
-- pystd's match-limit RuntimeError is counted apart, not as a mismatch.
-- A final "COUNTS" line gives per-operation totals.

local re = require "pystd.re"
local errors = require "pystd.errors"

local function q(s)
  if s == nil then return "nil" end
  return '"' .. (s:gsub('[%z\1-\31"\\\127-\255]', function(c)
    return ("\\%03d"):format(c:byte())
  end)) .. '"'
end

local function ser_match(m, ngroups)
  if m == nil then return "nil" end
  local parts = {}
  for g = 0, ngroups do
    local s, e = m:span(g)
    if s then
      parts[#parts + 1] = s .. "," .. e .. ":" .. q(m:group(g))
    else
      parts[#parts + 1] = "-:" .. q(m:group(g))
    end
  end
  return table.concat(parts, ";") .. (" pos=%s endpos=%s"):format(
    tostring(m.pos), tostring(m.endpos))
end

local function ser_li(m)
  if m == nil then return "nil" end
  return ("li=%s lg=%s"):format(tostring(m.lastindex), q(m.lastgroup))
end

local function ser_gd(m, ngroups)
  if m == nil then return "nil" end
  local gs = table.pack(m:groups())
  local parts = {}
  for i = 1, math.max(gs.n, ngroups) do parts[i] = q(gs[i]) end
  local d = m:groupdict()
  local keys = {}
  for k in pairs(d) do keys[#keys + 1] = k end
  table.sort(keys)
  local dp = {}
  for _, k in ipairs(keys) do dp[#dp + 1] = q(k) .. "=" .. q(d[k]) end
  return ("groups=[%s] dict={%s}"):format(table.concat(parts, ","),
    table.concat(dp, ","))
end

local function ser_findall(lst)
  local items = {}
  for i, x in ipairs(lst) do
    if type(x) == "table" then
      local t = {}
      for j, y in ipairs(x) do t[j] = q(y) end
      items[i] = "(" .. table.concat(t, ",") .. ")"
    else
      items[i] = q(x)
    end
  end
  return "[" .. table.concat(items, ",") .. "]"
end

local function ser_finditer(iter, ngroups)
  local ms = {}
  for m in iter do
    local sp = {}
    for g = 0, ngroups do
      local s, e = m:span(g)
      sp[#sp + 1] = s and (s .. "," .. e) or "-"
    end
    ms[#ms + 1] = table.concat(sp, ",")
  end
  return "[" .. table.concat(ms, ";") .. "]"
end

local function ser_split(lst)
  local items = {}
  for i, x in ipairs(lst) do
    items[i] = x == false and "false" or q(x)
  end
  return "[" .. table.concat(items, ",") .. "]"
end

local function ser_compile(p)
  local keys = {}
  for k in pairs(p.groupindex) do keys[#keys + 1] = k end
  table.sort(keys)
  local idx = {}
  for _, k in ipairs(keys) do idx[#idx + 1] = k .. ":" .. p.groupindex[k] end
  return ("OK groups=%d idx={%s}"):format(p.groups, table.concat(idx, ","))
end

local counts, mismatches, kinds = {}, 0, {}
local matchlimit, cases_run = 0, 0

local function flag_bits(case)
  local bits = 0
  -- (pystd has no re.L; LOCALE's bit 4 is taken for a BYTES pattern)
  for c in case.flags:gmatch(".") do bits = bits | (c == "L" and 4 or re[c]) end
  if case.b then bits = bits | re.BYTES end
  return bits
end

local function report(kind, op, case, want, got, extra)
  mismatches = mismatches + 1
  kinds[kind .. " " .. op] = (kinds[kind .. " " .. op] or 0) + 1
  local args = ("repl=%s count=%d maxsplit=%d pos=%s endpos=%s (py %d,%d)")
    :format(q(case.r), case.c, case.ms, tostring(case.pos),
      tostring(case.endpos), case.ppos, case.pendpos)
  print(table.concat({ "MISMATCH", kind, op, case.id, q(case.p),
    "flags=" .. case.flags .. (case.b and "B" or ""), q(case.s), args,
    "want=" .. tostring(want), "got=" .. tostring(got), extra or "" }, "\t"))
end

--- Runs fn under pcall; returns the canonical string, plus the error
-- object when it raised a pystd error.
local function attempt(fn)
  local ok, res = pcall(fn)
  if ok then return res end
  if errors.is(res) then
    if res.type == "RuntimeError" and tostring(res.message):find("match limit") then
      return nil, res, "matchlimit"
    end
    return "ERR:" .. res.type, res
  end
  return "LUAERR:" .. tostring(res), nil, "luaerror"
end

local function compare(case, op, fn)
  local want = case.exp[op]
  if want == nil then return end
  counts[op] = (counts[op] or 0) + 1
  local got, err, special = attempt(fn)
  if special == "matchlimit" then
    matchlimit = matchlimit + 1
    return
  end
  if special == "luaerror" then
    report("luaerror", op, case, want, got)
    return
  end
  if got == want then
    if err and err.type == "re.error" then
      local wpos = case.epos and case.epos[op]
      if wpos ~= err.pos then
        report("pos", op, case, wpos, err.pos, "msg=" .. q(err.msg))
      elseif case.emsg and case.emsg[op] ~= err.msg then
        report("msg", op, case, q(case.emsg[op]), q(err.msg))
      end
    end
    return
  end
  local wantErr = want:sub(1, 4) == "ERR:"
  local gotErr = got:sub(1, 4) == "ERR:"
  if wantErr or gotErr then
    local extra = err and ("msg=" .. q(tostring(err.message))) or
      (case.emsg and case.emsg[op] and ("pymsg=" .. q(case.emsg[op]))) or ""
    report("outcome", op, case, want, got, extra)
  else
    report("value", op, case, want, got)
  end
end

local function run_case(case)
  cases_run = cases_run + 1
  local flags = flag_bits(case)
  local pat, s = case.p, case.s
  local p
  compare(case, "compile", function()
    p = re.compile(pat, flags)
    return ser_compile(p)
  end)
  if not p or case.exp.compile:sub(1, 4) == "ERR:" then return end
  local ng = p.groups
  local m
  compare(case, "search", function()
    m = re.search(pat, s, flags)
    return ser_match(m, ng)
  end)
  compare(case, "search.li", function() return ser_li(re.search(pat, s, flags)) end)
  compare(case, "search.gd", function() return ser_gd(re.search(pat, s, flags), ng) end)
  compare(case, "expand", function()
    local found = re.search(pat, s, flags)
    if not found then return "(no match)" end
    return q(found:expand(case.r))
  end)
  compare(case, "match", function() return ser_match(re.match(pat, s, flags), ng) end)
  compare(case, "fullmatch", function() return ser_match(re.fullmatch(pat, s, flags), ng) end)
  local pos, endpos = case.pos, case.endpos
  compare(case, "psearch", function() return ser_match(p:search(s, pos, endpos), ng) end)
  compare(case, "psearch.li", function() return ser_li(p:search(s, pos, endpos)) end)
  compare(case, "pmatch", function() return ser_match(p:match(s, pos, endpos), ng) end)
  compare(case, "pfullmatch", function() return ser_match(p:fullmatch(s, pos, endpos), ng) end)
  compare(case, "pfindall", function() return ser_findall(p:findall(s, pos, endpos)) end)
  compare(case, "findall", function() return ser_findall(re.findall(pat, s, flags)) end)
  compare(case, "finditer", function() return ser_finditer(re.finditer(pat, s, flags), ng) end)
  compare(case, "sub", function()
    local r, n = re.sub(pat, case.r, s, case.c, flags)
    return q(r) .. "#" .. tostring(n)
  end)
  compare(case, "subn", function()
    local r, n = re.subn(pat, case.r, s, 0, flags)
    return q(r) .. "#" .. tostring(n)
  end)
  compare(case, "split", function() return ser_split(re.split(pat, s, 0, flags)) end)
  compare(case, "splitmax", function()
    return ser_split(re.split(pat, s, case.ms, flags))
  end)
end

for _, file in ipairs(arg) do
  local cases = dofile(file)
  for _, case in ipairs(cases) do
    if os.getenv("RE_DIFF_TRACE") then
      io.stderr:write("case ", case.id, "\n")
      io.stderr:flush()
    end
    local ok, e = pcall(run_case, case)
    if not ok then
      report("luaerror", "driver", case, "", tostring(e))
    end
  end
end

local ops = {}
for op in pairs(counts) do ops[#ops + 1] = op end
table.sort(ops)
local parts = {}
for _, op in ipairs(ops) do parts[#parts + 1] = op .. "=" .. counts[op] end
print(("COUNTS cases=%d mismatches=%d matchlimit=%d %s"):format(cases_run,
  mismatches, matchlimit, table.concat(parts, " ")))
