-- deque, Counter, defaultdict and OrderedDict: Python's containers as Lua values.
local collections = require "pystd.collections"
local Counter, deque = collections.Counter, collections.deque

local line = deque({ "First", "Second", "Third", "Fourth" })
line:rotate(2)
print(line)
print("popleft:", line:popleft(), "then", line:popleft())

local words = Counter()  -- a real table: c[w] is the count, 0 when missing
for w in ("the cat and the hat and the bat"):gmatch("%a+") do words[w] = words[w] + 1 end
print(words, "top:", Counter.most_common(words, 1)[1][1])
print(Counter("hello") + Counter("world"))

local by_letter = collections.defaultdict(function() return {} end)
for _, name in ipairs { "ada", "bob", "alan", "barbara" } do
  table.insert(by_letter[name:sub(1, 1)], name)
end
print(by_letter)
