-- Character counts per file, one task per file in a TaskGroup. Each task
-- reads its file a line at a time, sleeping between lines, and returns the
-- file name and its counts (a pystd Counter: UTF-8 character -> count). A
-- file that cannot be read fails its task, which cancels the others and
-- fails the group (ExceptionGroup).
-- Usage: lua5.4 examples/asyncio/char_count.lua [--scale F] FILE...
local argparse = require "argparse"
local asyncio = require "pystd.asyncio"
local Counter = require("pystd.collections").Counter
local errors = require "pystd.errors"

local parser = argparse("char_count.lua",
  "Count the characters of each FILE, one asyncio task per file.")
parser:argument("files", "The files to count."):args("+"):argname("FILE")
parser:option("--scale", "Multiply every delay by F.", "1"):argname("F"):convert(tonumber)
parser:option("--pause", "Seconds to sleep between lines (before scaling).", "0.1"):argname("S")
  :convert(tonumber)
local args = parser:parse()
local PAUSE = args.pause * args.scale

--- A character as a readable table key: printable ones (any UTF-8
-- character) quoted, control characters escaped.
local ESCAPES = { ["\n"] = "\\n", ["\t"] = "\\t", ["\r"] = "\\r", ['"'] = '\\"',
  ["\\"] = "\\\\" }
local function show_char(c)
  if ESCAPES[c] then return '"' .. ESCAPES[c] .. '"' end
  if #c == 1 and not c:match("^[%g ]$") then return ('"\\%d"'):format(c:byte()) end
  return '"' .. c .. '"'
end

--- The counts as a Lua table constructor, in the order the characters first
-- appeared (as Python prints a dict): {["a"] = 1, ["\n"] = 3, ...}.
local function show_counts(counts)
  local parts = {}
  for c, n in pairs(counts) do parts[#parts + 1] = ("[%s] = %d"):format(show_char(c), n) end
  return "{" .. table.concat(parts, ", ") .. "}"
end

local OS_ERRORS = { [2] = "FileNotFoundError", [13] = "PermissionError",
  [21] = "IsADirectoryError" }

--- Raise what CPython raises for an OS error on `filename`:
-- FileNotFoundError: [Errno 2] No such file or directory: 'NAME'.
local function raise_os_error(filename, reason, errno)
  errors.raise(OS_ERRORS[errno] or "OSError",
    ("[Errno %d] %s: '%s'"):format(errno, reason, filename),
    { errno = errno, filename = filename })
end

-- async def count_chars(filename) -> filename, counts
local count_chars = asyncio.async(function(filename)
  local file, message, errno = io.open(filename, "r")
  if not file then  -- "NAME: reason" -> reason
    raise_os_error(filename, message:sub(#filename + 3), errno)
  end
  local counts = Counter()         -- a table character -> count, in insertion order
  while true do
    -- "L" keeps the newline: it is a character too.  A read error (a
    -- directory opens, then fails to read) is returned, not raised.
    local line, reason, read_errno = file:read("L")
    if not line then
      file:close()
      if reason then raise_os_error(filename, reason, read_errno) end
      break
    end
    Counter.update(counts, line)  -- a string counts its UTF-8 characters
    asyncio.sleep(PAUSE)          -- let the other files' tasks run
  end
  return filename, counts
end)

local ok, err = pcall(asyncio.run, function()
  local tasks = {}
  asyncio.TaskGroup(function(tg)
    for i, filename in ipairs(args.files) do
      tasks[i] = tg:create_task(count_chars(filename))
    end
  end)  -- every task has finished here
  for _, task in ipairs(tasks) do
    local filename, counts = task:result()
    print(filename .. ": " .. show_counts(counts))
  end
end)

if not ok then
  io.stderr:write("char_count.lua: ", tostring(err), "\n")
  if errors.is(err, "ExceptionGroup") then
    for _, sub in ipairs(err.exceptions) do
      io.stderr:write("  ", tostring(sub), "\n")
    end
  end
  os.exit(1)
end
