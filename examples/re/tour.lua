-- The tour's `re` demo: match and search on 'alphabet', then the fields and
-- methods of a Match.  Positions are Lua's: 1-based, end inclusive, so a
-- span can go straight to string.sub.
-- Usage: lua5.4 examples/re/tour.lua
if arg and (arg[1] == "--help" or arg[1] == "-h") then
  print("Usage: lua5.4 examples/re/tour.lua\n\n"
    .. "Replays the standard-library tour's `re` demo with pystd.re:\n"
    .. "re.match / re.search on 'alphabet' and the fields of a Match.")
  os.exit(0)
end

local re = require "pystd.re"

--- One line describing a call's result: the matched text and its span.
local function show(call, m)
  if m then
    print(("%-29s --> match %q at %d..%d"):format(call, m:group(), m:span()))
  else
    print(("%-29s --> nil"):format(call))
  end
end

show("re.match('a.*a', 'alphabet')", re.match("a.*a", "alphabet"))
show("re.match('h.*t', 'alphabet')", re.match("h.*t", "alphabet"))
show("re.search('h.*t', 'alphabet')", re.search("h.*t", "alphabet"))
show("re.search('a.*z', 'alphabet')", re.search("a.*z", "alphabet"))

print()
local o = re.search("l(.*)e", "alphabet")
print("o = re.search('l(.*)e', 'alphabet')")
print("o.re                          --> " .. tostring(o.re))
print("o.re.pattern                  --> " .. o.re.pattern)
print("o.string                      --> " .. o.string)
print(("o:start(), o:stop()           --> %d, %d"):format(o:start(), o:stop()))
print("o.string:sub(o:span())        --> " .. o.string:sub(o:span()))
print("o:group(1)                    --> " .. o:group(1))
print(("o:span(1)                     --> %d, %d"):format(o:span(1)))
