-- Python's `with` and context managers, as Lua 5.4 to-be-closed variables:
-- a FileReader whose __close runs when the block ends, normally or by an
-- error; and a @contextmanager-style helper built on a coroutine.
-- Usage: lua5.4 examples/language/context_managers.lua [FILE]
local argparse = require "argparse"

local here = (arg[0]:match("^(.*)/[^/]*$") or ".")
local parser = argparse("context_managers.lua",
  "Entering/Exiting a FileReader with <close>, also when the body errors.")
parser:argument("file", "The file to read.", here .. "/../data/language_hello.txt")
local args = parser:parse()

--- Show lines the way Python shows a list of strings.
local function show(lines)
  local parts = {}
  for i, line in ipairs(lines) do parts[i] = ("%q"):format(line) end
  return "{" .. table.concat(parts, ", ") .. "}"
end

local function readlines(file)
  local lines = {}
  for line in file:lines() do lines[#lines + 1] = line end
  return lines
end

-- class FileReader with __enter__/__exit__: opening is entering, and the
-- __close metamethod is __exit__ (it gets the error, if any, as Python's
-- __exit__ gets the exception).
local FileReader = {}
FileReader.__index = FileReader

function FileReader.open(file_name)
  print("Entering filereader context")
  local file = assert(io.open(file_name, "r"))
  return setmetatable({ file = file }, FileReader)
end

function FileReader:__close(err)
  print("Exiting filereader context" .. (err and " (on an error)" or ""))
  self.file:close()
end

do
  local reader <close> = FileReader.open(args.file)
  print(show(readlines(reader.file)))
end
print("Outside of file reader context")

-- The body fails: the reader is still closed, then the error goes on.
local ok, err = pcall(function()
  local reader <close> = FileReader.open(args.file)
  print(show(readlines(reader.file)))
  error("something went wrong in the body", 0)
end)
print("caught: " .. tostring(err) .. " (ok = " .. tostring(ok) .. ")")

--- @contextmanager: `body` is a coroutine body that yields its resource once;
-- the code after the yield runs when the to-be-closed value is closed.
local function contextmanager(body)
  return function(...)
    local co = coroutine.create(body)
    local started, resource = coroutine.resume(co, ...)
    if not started then error(resource, 0) end
    return setmetatable({ value = resource }, {
      __close = function(_, failure)
        local resumed, problem = coroutine.resume(co, failure)
        if not resumed then error(problem, 0) end
      end,
    })
  end
end

local read_file = contextmanager(function(file_name)
  print("Entering filereader context")
  local file = assert(io.open(file_name, "r"))
  coroutine.yield(file)  -- the with-block runs here
  print("Exiting filereader context")
  file:close()
end)

do
  local context <close> = read_file(args.file)
  print(show(readlines(context.value)))
end
print("Outside of file reader context")
