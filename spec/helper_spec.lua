local helper = require "spec.helper"

describe("spec helper", function()
  it("captures stdout, stderr and the exit code", function()
    local out, err, code = helper.run({ "lua5.4", "-e",
      "io.write('out') io.stderr:write('err') os.exit(3)" })
    assert.are.equal("out", out)
    assert.are.equal("err", err)
    assert.are.equal(3, code)
  end)

  it("feeds stdin and passes arguments untouched by the shell", function()
    local out, _, code = helper.run({ "sh", "-c",
      "cat; printf '|%s|%s' \"$1\" \"$2\"", "sh", "$HOME 'x'", "a b" },
      { stdin = "line\n" })
    assert.are.equal("line\n|$HOME 'x'|a b", out)
    assert.are.equal(0, code)
  end)

  it("sets environment variables", function()
    local out = helper.run({ "lua5.4", "-e", "io.write(os.getenv('PYSTD_X'))" },
      { env = { PYSTD_X = "yes" } })
    assert.are.equal("yes", out)
  end)

  it("reports death by signal as 128 + n", function()
    local _, _, code = helper.run({ "sh", "-c", "kill -TERM $$" })
    assert.are.equal(128 + 15, code)
  end)

  it("runs examples from the repository root", function()
    local out, err, code = helper.run_example("examples/demo.lua")
    assert.are.equal(0, code, err)
    assert.matches("pystd %d", out)
  end)

  it("asks CPython for expected values", function()
    assert.are.equal("3\n", helper.python("print(1 + 2)"))
  end)
end)
