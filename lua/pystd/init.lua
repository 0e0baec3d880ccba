--- pystd: the batteries of Python's standard library for Lua 5.4.
-- `require "pystd"` returns this table; its submodules load on first use
-- (`pystd.re` is `require "pystd.re"`).

local submodules = {
  errors = true, re = true, datetime = true, decimal = true,
  collections = true, asyncio = true, subprocess = true, http = true,
  concurrent = true,
}

local pystd = { _VERSION = "pystd 0.1.0" }

return setmetatable(pystd, {
  __index = function(t, name)
    if not submodules[name] then return nil end
    local module = require("pystd." .. name)
    rawset(t, name, module)
    return module
  end,
})
