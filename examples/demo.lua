-- A short tour of pystd: one taste of every module, from examples/demo/.
-- Run from the repository root after `make`: lua5.4 examples/demo.lua
local pystd = require "pystd"

print(pystd._VERSION)

local here = arg and arg[0] and arg[0]:match("^(.*)/[^/]*$") or "examples"
for _, module in ipairs { "errors", "re", "collections", "asyncio",
    "datetime", "decimal", "subprocess", "http", "concurrent" } do
  local path = here .. "/demo/" .. module .. ".lua"
  local f = io.open(path)
  if f then
    f:close()
    print(("\n== pystd.%s"):format(module))
    dofile(path)
  end
end
