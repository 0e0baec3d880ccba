local helper = require "spec.helper"

describe("require 'pystd'", function()
  local pystd = require "pystd"

  it("carries a version", function()
    assert.matches("^pystd %d+%.%d+%.%d+$", pystd._VERSION)
  end)

  it("loads submodules lazily, as require does", function()
    assert.is_nil(rawget(pystd, "errors"))
    assert.are.equal(require "pystd.errors", pystd.errors)
    assert.are.equal(pystd.errors, rawget(pystd, "errors"))
  end)

  it("gives nil for names that are not submodules", function()
    assert.is_nil(pystd.nonexistent)
    assert.is_nil(pystd[1])
  end)

  it("loads nothing until asked", function()
    local out = helper.run({ "lua5.4", "-e", [[
      local pystd = require "pystd"
      print(package.loaded["pystd.errors"] == nil)
      local _ = pystd.errors
      print(package.loaded["pystd.errors"] ~= nil)]] })
    assert.are.equal("true\ntrue\n", out)
  end)
end)
