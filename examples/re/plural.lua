-- The tour's bonus lab: the plural of an English word by regex rules.
-- Usage: lua5.4 examples/re/plural.lua [--explain] WORD...
-- With no WORD, reads one word per line from standard input.
local argparse = require "argparse"
local re = require "pystd.re"

-- The rules of the lab, tried in order; the first whose `test` matches
-- rewrites the word with re.sub(find, replace, word).
local RULES = {
  { test = "[sxz]$", find = "$", replace = "es",
    says = "ends in 's', 'x' or 'z': add 'es'" },
  { test = "[^aeioudgkprt]h$", find = "$", replace = "es",
    says = "ends in an 'h' not after a vowel or d, g, k, p, r, t: add 'es'" },
  { test = "[^aeiou]y$", find = "y$", replace = "ies",
    says = "ends in a 'y' not after a vowel: 'y' becomes 'ies'" },
  { test = "$", find = "$", replace = "s",
    says = "otherwise: add 's'" },
}
for _, rule in ipairs(RULES) do
  rule.test = re.compile(rule.test, re.I)
  rule.find = re.compile(rule.find, re.I)
end

--- The plural of `word`, and the rule that made it.  A word in capitals
-- gets a capital suffix (BOX -> BOXES).
local function plural(word)
  for _, rule in ipairs(RULES) do
    if rule.test:search(word) then
      local replace = rule.replace
      if word:match("%u$") then replace = replace:upper() end
      return (rule.find:sub(replace, word, 1)), rule
    end
  end
end

local parser = argparse("plural.lua",
  "Print the plural of each WORD by the pluralization lab's regex rules.")
parser:argument("words", "Words to pluralize (default: one per line on standard input).")
  :args("*")
parser:flag("-e --explain", "Also say which rule applied.")
local args = parser:parse()

local words = args.words
if #words == 0 then
  for line in io.lines() do
    local word = line:match("^%s*(.-)%s*$")
    if word ~= "" then words[#words + 1] = word end
  end
end

for _, word in ipairs(words) do
  local result, rule = plural(word)
  if args.explain then
    print(("%s => %s  (%s)"):format(word, result, rule.says))
  else
    print(("%s => %s"):format(word, result))
  end
end
