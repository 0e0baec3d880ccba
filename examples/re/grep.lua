-- The tour's lab: a cheap imitation of grep with Python's regex syntax.
-- Usage: lua5.4 examples/re/grep.lua [options] PATTERN [FILE...]
-- Reads standard input when no FILE is given, and for a FILE named "-".  Exit status as grep's:
-- 0 when a line was selected, 1 when none was, 2 on a bad pattern or an
-- unreadable file.
local argparse = require "argparse"
local re = require "pystd.re"
local errors = require "pystd.errors"

local parser = argparse("grep.lua",
  "Print the lines that match PATTERN, a Python regular expression "
  .. "(pystd.re), in each FILE or in standard input.")
  :epilog("Exit status: 0 if a line is selected, 1 if none, "
    .. "2 on a bad pattern or an unreadable file.")
parser:argument("pattern", "Python regular expression.")
parser:argument("files", "Files to search (default, or \"-\": standard input).")
  :args("*")
parser:flag("-i --ignore-case", "Ignore case distinctions (re.I).")
parser:flag("-v --invert-match", "Select the lines that do not match.")
parser:flag("-n --line-number", "Prefix each output line with its line number.")
parser:flag("-c --count", "Print only a count of selected lines per file.")
parser:flag("-o --only-matching", "Print only the matched parts, one per line.")
parser:flag("-H --with-filename", "Prefix each output line with the file name.")
parser:flag("--no-filename", "Never prefix output lines with file names.")
parser:flag("-a --bytes", "Match raw bytes (re.BYTES) instead of UTF-8 text.")
-- Usage errors exit 2, as grep's do.
function parser.error(self, msg)
  io.stderr:write(self:get_usage(), "\n\ngrep.lua: ", msg, "\n")
  os.exit(2)
end
local args = parser:parse()

--- Say what is wrong with the pattern, pointing at the faulty position.
local function report_bad_pattern(err)
  if errors.is(err, "re.error") then
    io.stderr:write("grep.lua: bad pattern: ", err.msg)
    if err.pos then
      io.stderr:write(" at position ", err.pos, "\n  ", err.pattern, "\n  ",
        (" "):rep((utf8.len(err.pattern:sub(1, err.pos - 1)) or err.pos - 1)),
        "^")
    end
    io.stderr:write("\n")
  else
    io.stderr:write("grep.lua: ", tostring(err), "\n")
  end
  os.exit(2)
end

local flags = 0
if args.ignore_case then flags = flags | re.I end
if args.bytes then flags = flags | re.BYTES end
local ok, pattern = pcall(re.compile, args.pattern, flags)
if not ok then report_bad_pattern(pattern) end

local files = args.files
local show_names = (#files > 1 or args.with_filename) and not args.no_filename
local selected_any, failed = false, false

--- Search one open file; `name` prefixes output lines when several files
-- are searched.  Returns the number of selected lines.
local function grep_stream(stream, name)
  local prefix = show_names and name .. ":" or ""
  local selected, linenum = 0, 0
  while true do
    -- read, not lines(): a read error (a directory, say) is returned, not
    -- raised, and must exit 2 like any unreadable file rather than 1.
    local line, read_err = stream:read("l")
    if not line then
      if read_err then
        io.stderr:write("grep.lua: ", name, ": ", read_err, "\n")
        failed = true
      end
      break
    end
    linenum = linenum + 1
    local ok_search, m = pcall(pattern.search, pattern, line)
    if not ok_search then  -- invalid UTF-8 in the input, say
      io.stderr:write(("grep.lua: %s:%d: %s (try --bytes)\n"):format(name,
        linenum, tostring(m)))
      failed = true
      return selected
    end
    if (m ~= nil) ~= (args.invert_match == true) then
      selected = selected + 1
      if args.count then  -- luacheck: ignore 542 (counted after the loop)
      elseif args.only_matching then
        if not args.invert_match then
          for mm in pattern:finditer(line) do
            if mm:group() ~= "" then
              io.write(prefix, args.line_number and linenum .. ":" or "",
                mm:group(), "\n")
            end
          end
        end
      else
        io.write(prefix, args.line_number and linenum .. ":" or "", line, "\n")
      end
    end
  end
  if args.count then io.write(prefix, selected, "\n") end
  return selected
end

if #files == 0 then
  selected_any = grep_stream(io.stdin, "(standard input)") > 0
else
  for _, name in ipairs(files) do
    local stream, err
    if name == "-" then  -- grep's name for standard input
      stream = io.stdin
    else
      stream, err = io.open(name, "rb")
    end
    if not stream then
      io.stderr:write("grep.lua: ", err, "\n")
      failed = true
    else
      local label = stream == io.stdin and "(standard input)" or name
      if grep_stream(stream, label) > 0 then selected_any = true end
      if stream ~= io.stdin then stream:close() end
    end
  end
end

if failed then os.exit(2) end
os.exit(selected_any and 0 or 1)
