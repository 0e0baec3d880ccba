-- The tour's fixed-string demo: print the numbered lines of a poem that
-- contain "the", with every "the" replaced by "---".
-- Usage: lua5.4 examples/re/poem_sub.lua [FILE]   (default: examples/data/poem.txt)
local argparse = require "argparse"
local re = require "pystd.re"

-- The data directory sits beside this script's directory, wherever it is run from.
local script_dir = (arg and arg[0] or ""):match("^(.*)[/\\]") or "."
local default_poem = script_dir .. "/../data/poem.txt"

local parser = argparse("poem_sub.lua",
  "Print the numbered lines of FILE that contain a pattern, with each "
  .. "match replaced (the tour's re.search / re.sub demo).")
parser:argument("file", "The text to read (default: the poem of the tour).")
  :args("?")
parser:option("-p --pattern", "Python regular expression to look for.", "the")
parser:option("-r --replacement", "Replacement template (\\1, \\g<name> ...).", "---")
local args = parser:parse()

local file = args.file or default_poem
local f, err = io.open(file, "rb")
if not f then
  io.stderr:write("poem_sub.lua: ", err, "\n")
  os.exit(2)
end

local pattern = re.compile(args.pattern)
local linenum = 0
-- Lines keep their ending ("L"), as Python's `for line in open(...)` does,
-- so the output is the line itself with its trailing tab and newline.
for line in f:lines("L") do
  linenum = linenum + 1
  if pattern:search(line) then
    io.write(linenum, ": ", (pattern:sub(args.replacement, line)))
  end
end
f:close()
