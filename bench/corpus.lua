--- The benchmark corpus of BENCH.md: about 8 MB of English-like text, made
-- by a deterministic generator (same bytes on every machine).
-- `lua5.4 bench/corpus.lua [PATH]` writes it (default build/corpus.txt);
-- `require("bench.corpus").path()` makes it once and returns its path.
local corpus = {}

local TARGET_BYTES = 8 * 1024 * 1024
local DEFAULT_PATH = "build/corpus.txt"

-- A small linear congruential generator: reproducible across Lua builds.
local function lcg(seed)
  local state = seed
  return function(n)
    state = (state * 1103515245 + 12345) % 2147483648
    return (state >> 16) % n + 1  -- the low bits of an LCG cycle fast
  end
end

local SYLLABLES = { "the", "an", "ar", "be", "ca", "de", "el", "for", "ga",
  "he", "in", "jo", "ka", "lo", "me", "no", "or", "pe", "qu", "re", "st",
  "th", "un", "ve", "wo", "xy", "ye", "zo", "ing", "tion", "er", "ly" }

--- The vocabulary: about 2,000 words, "the" and "The" among them.
local function vocabulary(rand)
  local words, seen = { "the", "The", "of", "and", "to", "a", "in", "is",
    "that", "wood", "road", "other", "there", "them", "then" }, {}
  for _, w in ipairs(words) do seen[w] = true end
  while #words < 2000 do
    local parts = {}
    for i = 1, rand(3) do parts[i] = SYLLABLES[rand(#SYLLABLES)] end
    local w = table.concat(parts)
    if rand(10) == 1 then w = w:sub(1, 1):upper() .. w:sub(2) end
    if not seen[w] then seen[w] = true; words[#words + 1] = w end
  end
  return words
end

--- Generate the corpus text.
function corpus.text()
  local rand = lcg(20241107)
  local words = vocabulary(rand)
  local PUNCT = { ",", ".", ";", ":", "!", "?" }
  local lines, size = {}, 0
  while size < TARGET_BYTES do
    local width = 39 + rand(62)  -- 40..100 characters
    local line = {}
    local len = 0
    while len < width do
      local w
      local r = rand(100)
      if r <= 6 then
        w = "the"
      elseif r == 7 then
        w = ("%04d-%02d-%02d"):format(1990 + rand(40), rand(12), rand(28))
      else
        w = words[rand(#words)]
      end
      if rand(12) == 1 then w = w .. PUNCT[rand(#PUNCT)] end
      line[#line + 1] = w
      len = len + #w + 1
    end
    local text = table.concat(line, " "):sub(1, 100)
    lines[#lines + 1] = text
    size = size + #text + 1
  end
  return table.concat(lines, "\n") .. "\n"
end

--- Write the corpus to `path` unless it exists; return the path.
function corpus.path(path)
  path = path or DEFAULT_PATH
  local f = io.open(path, "rb")
  if f then f:close(); return path end
  os.execute("mkdir -p " .. (path:match("^(.*)/") or "."))
  f = assert(io.open(path, "wb"))
  f:write(corpus.text())
  f:close()
  return path
end

--- The corpus contents (generated on first use).
function corpus.read(path)
  local f = assert(io.open(corpus.path(path), "rb"))
  local text = f:read("a")
  f:close()
  return text
end

if arg and arg[0] and arg[0]:match("corpus%.lua$") then
  print(corpus.path(arg[1]))
end

return corpus
