--- The re examples of the tour (examples/re/*.lua), each run as a child
-- process and checked for exactly what it prints and its exit code.
local helper = require "spec.helper"

local function run(name, args, opts)
  return helper.run_example("examples/re/" .. name .. ".lua", args, opts)
end

local function tmpfile(contents)
  local path = os.tmpname()
  local f = assert(io.open(path, "wb"))
  f:write(contents)
  f:close()
  return path
end

-- The tour prints exactly these lines (Python's `print(..., end='')` keeps
-- each line's own ending: a tab on most lines).
local POEM_THE_LINES = table.concat({
  "5: To where it bent in --- undergrowth;\n",
  "7: Then took --- o---r, as just as fair,\t\n",
  "8: And having perhaps --- better claim,\t\n",
  "10: Though as for that --- passing ---re\t\n",
  "11: Had worn ---m really about --- same,\n",
  "15: Oh, I kept --- first for ano---r day!\t\n",
  "22: I took --- one less traveled by,\t\n",
  "23: And that has made all --- difference.\n",
})

describe("examples/re", function()
  describe("tour.lua", function()
    it("replays the tour's match/search demo", function()
      local out, err, code = run("tour")
      assert.are.equal("", err)
      assert.are.equal(0, code)
      local lines = {}
      for line in out:gmatch("([^\n]*)\n") do lines[#lines + 1] = line end
      assert.are.equal("re.match('a.*a', 'alphabet')  --> match \"alpha\" at 1..5", lines[1])
      assert.are.equal("re.match('h.*t', 'alphabet')  --> nil", lines[2])
      assert.are.equal("re.search('h.*t', 'alphabet') --> match \"habet\" at 4..8", lines[3])
      assert.are.equal("re.search('a.*z', 'alphabet') --> nil", lines[4])
      assert.are.equal("", lines[5])
      assert.are.equal("o = re.search('l(.*)e', 'alphabet')", lines[6])
      -- CPython 3.11's repr of the Match's pattern (the tour's 3.7 printed
      -- re.compile(r'l(.*)e', re.UNICODE)).
      assert.are.equal("o.re                          --> "
        .. helper.python("import re; print(repr(re.search('l(.*)e', 'alphabet').re))")
          :gsub("\n$", ""), lines[7])
      assert.are.equal("o.re                          --> re.compile('l(.*)e')", lines[7])
      assert.are.equal("o.re.pattern                  --> l(.*)e", lines[8])
      assert.are.equal("o.string                      --> alphabet", lines[9])
      assert.are.equal("o:start(), o:stop()           --> 2, 7", lines[10])
      assert.are.equal("o.string:sub(o:span())        --> lphabe", lines[11])
      assert.are.equal("o:group(1)                    --> phab", lines[12])
      assert.are.equal("o:span(1)                     --> 3, 6", lines[13])
      assert.are.equal(13, #lines)
    end)

    it("prints usage with --help", function()
      local out, _, code = run("tour", { "--help" })
      assert.are.equal(0, code)
      assert.matches("Usage", out)
    end)
  end)

  describe("poem_sub.lua", function()
    it("prints exactly the tour's 8 lines", function()
      local out, err, code = run("poem_sub")
      assert.are.equal("", err)
      assert.are.equal(0, code)
      assert.are.equal(POEM_THE_LINES, out)
    end)

    it("finds its data file from another directory", function()
      local pipe = assert(io.popen("pwd"))
      local root = pipe:read("l")
      pipe:close()
      -- the search paths this run has (the build under test: make check's
      -- is build/asan), made absolute
      local function absolute(var, default)
        return ((os.getenv(var) or default):gsub("[^;]+", function(template)
          if template:sub(1, 1) == "/" then return template end
          return root .. "/" .. template:gsub("^%./", "")
        end))
      end
      local out, _, code = helper.run({ "sh", "-c",
        "cd / && exec \"${LUA:-lua5.4}\" \"$0\"",
        root .. "/examples/re/poem_sub.lua" },
        { env = { LUA_PATH = absolute("LUA_PATH", "./?.lua;./?/init.lua;;"),
                  LUA_CPATH = absolute("LUA_CPATH", "./?.so;;") } })
      assert.are.equal(0, code)
      assert.are.equal(POEM_THE_LINES, out)
    end)

    it("agrees with CPython on the same file", function()
      local expected = helper.python([[
import re
for n, line in enumerate(open('examples/data/poem.txt', encoding='utf-8'), 1):
    if re.search('the', line):
        print('{}: {}'.format(n, re.sub('the', '---', line)), end='')
]])
      assert.are.equal(expected, (run("poem_sub")))
    end)

    it("takes another pattern, replacement and file", function()
      local path = tmpfile("one wood\ntwo\nwood wood\n")
      local out, _, code = run("poem_sub", { "-p", "(wo)od", "-r", "[\\1]", path })
      os.remove(path)
      assert.are.equal(0, code)
      assert.are.equal("1: one [wo]\n3: [wo] [wo]\n", out)
    end)

    it("prints usage with --help", function()
      local out, _, code = run("poem_sub", { "--help" })
      assert.are.equal(0, code)
      assert.matches("Usage: poem_sub.lua", out)
    end)
  end)

  describe("grep.lua", function()
    local poem = "examples/data/poem.txt"

    it("prints the matching lines of a file", function()
      local out, err, code = run("grep", { "wood", poem })
      assert.are.equal("", err)
      assert.are.equal(0, code)
      assert.are.equal("Two roads diverged in a yellow wood,\t\n"
        .. "Two roads diverged in a wood, and I\u{2014}\t\n", out)
    end)

    it("uses Python's regex syntax", function()
      local out, _, code = run("grep", { [[^(?P<w>\w+) .*\b(?P=w)\b]], poem })
      assert.are.equal(0, code)
      assert.are.equal("I doubted if I should ever come back.\n", out)
      out = run("grep", { [[(?<=\bthe )\w+\b]], "-o", poem })
      assert.are.equal("undergrowth\nother\nbetter\npassing\nsame\nfirst\none\ndifference\n", out)
    end)

    it("exits 1 when nothing matches", function()
      local out, err, code = run("grep", { "zebra", poem })
      assert.are.equal("", out)
      assert.are.equal("", err)
      assert.are.equal(1, code)
    end)

    it("reads standard input when no file is given", function()
      local out, _, code = run("grep", { "b.t" }, { stdin = "abc\nbat\nbut not\nx\n" })
      assert.are.equal(0, code)
      assert.are.equal("bat\nbut not\n", out)
      local _, _, none = run("grep", { "q" }, { stdin = "abc\n" })
      assert.are.equal(1, none)
    end)

    it("takes \"-\" as standard input among files, as grep does", function()
      -- GNU grep: "(standard input):road" then the poem's two lines, status 0
      local out, err, code = run("grep", { "road", "-", poem }, { stdin = "road\nx\n" })
      assert.are.equal("", err)
      assert.are.equal(0, code)
      assert.are.equal("(standard input):road\n"
        .. poem .. ":Two roads diverged in a yellow wood,\t\n"
        .. poem .. ":Two roads diverged in a wood, and I\u{2014}\t\n", out)
      local count, _, count_code = run("grep", { "-c", "road", "-" },
        { stdin = "road\nroad\n" })
      assert.are.equal("2\n", count)
      assert.are.equal(0, count_code)
    end)

    it("-i ignores case, Unicode-aware", function()
      local out, _, code = run("grep", { "-i", "^and b" , poem })
      assert.are.equal(0, code)
      assert.are.equal("And be one traveler, long I stood\t\n"
        .. "And both that morning equally lay\t\n", out)
      out = run("grep", { "-i", "ÉTÉ" }, { stdin = "un été\nwinter\n" })
      assert.are.equal("un été\n", out)
    end)

    it("-v selects the lines that do not match", function()
      local out, _, code = run("grep", { "-v", "a" }, { stdin = "a\nb\nca\nd\n" })
      assert.are.equal(0, code)
      assert.are.equal("b\nd\n", out)
      local _, _, none = run("grep", { "-v", "." }, { stdin = "a\nb\n" })
      assert.are.equal(1, none)
    end)

    it("-n numbers the lines", function()
      local out = run("grep", { "-n", "the", poem })
      local numbers = {}
      for n in out:gmatch("(%d+):[^\n]*\n") do numbers[#numbers + 1] = tonumber(n) end
      assert.are.same({ 5, 7, 8, 10, 11, 15, 22, 23 }, numbers)
      assert.matches("^5:To where it bent in the undergrowth;\n", out)
    end)

    it("-c counts the selected lines", function()
      local out, _, code = run("grep", { "-c", "the", poem })
      assert.are.equal(0, code)
      assert.are.equal("8\n", out)
      out = run("grep", { "-vc", "the", poem })
      assert.are.equal("15\n", out)
      local zero, _, none = run("grep", { "-c", "zebra", poem })
      assert.are.equal("0\n", zero)
      assert.are.equal(1, none)
    end)

    it("-o prints each match on its own line", function()
      local out, _, code = run("grep", { "-o", [[\b\w*oo\w*\b]], poem })
      assert.are.equal(0, code)
      assert.are.equal("wood\nstood\nlooked\ntook\nwood\ntook\n", out)
      out = run("grep", { "-on", "\\d+" }, { stdin = "a1b22\nx\n333\n" })
      assert.are.equal("1:1\n1:22\n3:333\n", out)
    end)

    it("prefixes lines with the file name when given several files", function()
      local a, b = tmpfile("apple\nbanana\n"), tmpfile("cherry\napricot\n")
      local out, _, code = run("grep", { "^a", a, b })
      assert.are.equal(0, code)
      assert.are.equal(a .. ":apple\n" .. b .. ":apricot\n", out)
      out = run("grep", { "-c", "an", a, b })
      assert.are.equal(a .. ":1\n" .. b .. ":0\n", out)
      out = run("grep", { "-n", "--no-filename", "r", a, b })
      assert.are.equal("1:cherry\n2:apricot\n", out)
      out = run("grep", { "-H", "ch", b })
      assert.are.equal(b .. ":cherry\n", out)
      os.remove(a); os.remove(b)
    end)

    it("exits 2 on a bad pattern and points at its position", function()
      local out, err, code = run("grep", { "a(b", poem })
      assert.are.equal("", out)
      assert.are.equal(2, code)
      assert.are.equal("grep.lua: bad pattern: missing ), unterminated subpattern"
        .. " at position 2\n  a(b\n   ^\n", err)
      out, err, code = run("grep", { "ab[c" }, { stdin = "abc\n" })
      assert.are.equal("", out)
      assert.are.equal(2, code)
      assert.matches("unterminated character set at position 3", err, 1, true)
      out, err, code = run("grep", { "x**" }, { stdin = "x\n" })
      assert.are.equal(2, code)
      assert.matches("multiple repeat at position 3", err, 1, true)
      assert.are.equal("", out)
    end)

    it("exits 2 on an unreadable file, after searching the others", function()
      local out, err, code = run("grep", { "wood", "/nonexistent/file", poem })
      assert.are.equal(2, code)
      assert.matches("/nonexistent/file", err, 1, true)
      assert.matches("yellow wood", out, 1, true)
    end)

    it("exits 2, not 1, on a file that opens but cannot be read", function()
      -- A directory opens on Linux and fails at the first read (GNU grep:
      -- "grep: DIR: Is a directory", status 2 even when another file matched).
      local out, err, code = run("grep", { "wood", "examples/data", poem })
      assert.are.equal(2, code)
      assert.are.equal("grep.lua: examples/data: Is a directory\n", err)
      assert.matches("yellow wood", out, 1, true)
      out, err, code = run("grep", { "wood", "examples/data" })
      assert.are.equal("", out)
      assert.are.equal(2, code)
      assert.are.equal("grep.lua: examples/data: Is a directory\n", err)
    end)

    it("exits 2 on a usage error", function()
      local _, err, code = run("grep", {})
      assert.are.equal(2, code)
      assert.matches("pattern", err)
    end)

    it("says to use --bytes when the input is not UTF-8", function()
      local out, err, code = run("grep", { "b" }, { stdin = "a\255b\n" })
      assert.are.equal("", out)
      assert.are.equal(2, code)
      assert.matches("ValueError", err, 1, true)
      assert.matches("--bytes", err, 1, true)
    end)

    it("--bytes matches raw bytes", function()
      local out, _, code = run("grep", { "--bytes", "\\xff" }, { stdin = "a\255b\nc\n" })
      assert.are.equal(0, code)
      assert.are.equal("a\255b\n", out)
    end)

    it("prints usage with --help", function()
      local out, _, code = run("grep", { "--help" })
      assert.are.equal(0, code)
      assert.matches("Usage: grep.lua", out)
      for _, option in ipairs { "-i", "-v", "-n", "-c", "-o" } do
        assert.matches("%s" .. option:gsub("%-", "%%-") .. "[, ]", out)
      end
    end)
  end)

  describe("plural.lua", function()
    it("follows the lab's rules and examples", function()
      local out, err, code = run("plural", { "ax", "loss", "moth", "match",
        "baby", "boy", "box", "quiz", "bush", "beach", "cat", "city", "day" })
      assert.are.equal("", err)
      assert.are.equal(0, code)
      assert.are.equal(table.concat({
        "ax => axes", "loss => losses", "moth => moths", "match => matches",
        "baby => babies", "boy => boys", "box => boxes", "quiz => quizes",
        "bush => bushes", "beach => beaches", "cat => cats", "city => cities",
        "day => days", "" }, "\n"), out)
    end)

    it("keeps the case of the word", function()
      local out = run("plural", { "Baby", "BOX", "Match" })
      assert.are.equal("Baby => Babies\nBOX => BOXES\nMatch => Matches\n", out)
    end)

    it("explains the rule with --explain", function()
      local out = run("plural", { "--explain", "moth", "match" })
      assert.are.equal("moth => moths  (otherwise: add 's')\n"
        .. "match => matches  (ends in an 'h' not after a vowel or d, g, k, p, r, t: add 'es')\n",
        out)
    end)

    it("reads words from standard input when none are given", function()
      local out, _, code = run("plural", {}, { stdin = "ax\n  boy \n\n" })
      assert.are.equal(0, code)
      assert.are.equal("ax => axes\nboy => boys\n", out)
    end)

    it("prints usage with --help", function()
      local out, _, code = run("plural", { "--help" })
      assert.are.equal(0, code)
      assert.matches("Usage: plural.lua", out)
    end)
  end)
end)
