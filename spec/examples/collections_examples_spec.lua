-- luacheck: no max line length (the expected output is verbatim)
local helper = require "spec.helper"

describe("examples/collections/tour.lua", function()
  it("prints the tour: groups in insertion order, the rotated deque, counts", function()
    local out, err, code = helper.run_example("examples/collections/tour.lua")
    assert.are.equal("", err)
    assert.are.equal(0, code)
    assert.are.equal([[
== grouping employees by department
one name per department:	{'Accounting': 'Bob', 'Engineering': 'Susan', 'Marketing': 'Dan'}
plain table:	{'Accounting': ['Steve', 'Bob'], 'Engineering': ['Susan'], 'Marketing': ['Dan']}
defaultdict(<function>, {'Accounting': ['Joe', 'Bob', 'Steve', 'Jeff']})
defaultdict(<function>, {'Accounting': ['Joe', 'Bob', 'Steve', 'Jeff'], 'Platforms': ['Lisa'], 'Engineering': ['Sam']})
  Accounting   Joe, Bob, Steve, Jeff
  Platforms    Lisa
  Engineering  Sam

== deque
deque(['First', 'Second', 'Third', 'Fourth'])
after rotate(2):	deque(['Third', 'Fourth', 'First', 'Second'])
popleft:	Third
popleft:	Fourth
deque(['First', 'Second'])

== Counter
Counter()
Counter({'the': 3, 'and': 2, 'cat': 1, 'hat': 1, 'bat': 1})
  the  3
  and  2
letters:	Counter({'i': 4, 's': 4, 'p': 2, 'm': 1})
]], out)
  end)

  it("prints usage with --help, and refuses unknown arguments", function()
    local out, _, code = helper.run_example("examples/collections/tour.lua", { "--help" })
    assert.are.equal(0, code)
    assert.matches("^usage: lua5.4 examples/collections/tour.lua", out)
    local _, err, bad = helper.run_example("examples/collections/tour.lua", { "--nope" })
    assert.are.equal(2, bad)
    assert.matches("usage:", err)
  end)
end)
