-- Python's re on PCRE2: 1-based spans, Python syntax, CPython's results.
local re = require "pystd.re"

local m = re.search("(?P<year>\\d{4})-(?P<month>\\d\\d)", "released 2024-11, fixed 2025-01")
print(m, m:group("year"), m.lastgroup)
print("span of the month:", m:span("month"))

print(re.sub("(\\w+) (\\w+)", "\\2 \\1", "hello world"))
print(re.sub("\\d+", function(d) return d[0] * 2 end, "3 apples, 12 pears"))
print(table.concat(re.findall("\\w+", "naïve café déjà vu"), "|"))
print(table.concat(re.split("\\s*[,;]\\s*", "a , b;c ;d"), "|"))

local ok, err = pcall(re.compile, "(unclosed")
print(ok, err.type, err.msg, err.pos)
