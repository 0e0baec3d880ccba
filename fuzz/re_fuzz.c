/*
** re_fuzz.c -- libFuzzer harness for pystd.re.
** Input: one flags byte, one byte splitting the rest into pattern and
** subject, then the bytes themselves.  Every operation runs under pcall
** in a fresh lua_State: errors are fine, crashes and leaks are not.
** When bit 6 of the flags byte is set, the state refuses every request
** for memory after 4 * (the split byte) of them: Lua's memory error may
** then escape too.
*/

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"

int luaopen_pystd_re (lua_State *L);

/* exercises every entry point with the fuzzed pattern and subject */
static const char fuzz_script[] =
  "local re, pat, flags, s = ...\n"
  "re.set_match_limit(20000)\n"
  "local ok, p = pcall(re.compile, pat, flags)\n"
  "if not ok then assert(type(p) == 'table', p); return end\n"
  "local _ = tostring(p), p.pattern, p.flags, p.groups, p.groupindex\n"
  "local function try(f, ...) return pcall(f, ...) end\n"
  "local function poke(m)\n"
  "  if type(m) ~= 'userdata' then return end\n"
  "  local _ = tostring(m), m.lastindex, m.lastgroup, m.pos, m.endpos\n"
  "  try(m.groups, m, '') try(m.groupdict, m) try(m.span, m, p.groups)\n"
  "  try(m.expand, m, '\\\\g<0>\\\\1') local _ = m[0], m[p.groups]\n"
  "end\n"
  "for _, mode in ipairs { 'search', 'match', 'fullmatch' } do\n"
  "  local ok2, m = try(p[mode], p, s) if ok2 then poke(m) end\n"
  "  ok2, m = try(p[mode], p, s, 2, -2) if ok2 then poke(m) end\n"
  "end\n"
  "try(p.findall, p, s)\n"
  "try(function() for m in p:finditer(s) do poke(m) end end)\n"
  "try(p.sub, p, '<\\\\g<0>|\\\\1>', s)\n"
  "try(p.subn, p, function(m) poke(m) return false end, s, 3)\n"
  "try(p.sub, p, {}, s)\n"
  "try(p.split, p, s)\n"
  "try(p.split, p, s, 2)\n"
  "try(re.sub, pat, s, s, 0, flags)\n"
  /* differential: (?:pat) takes none of the literal fast paths */
  "local okw, w = pcall(re.compile, '(?:' .. pat .. (flags & 64 ~= 0 and '\\n)' or ')'), flags)\n"
  "if not okw or w.groups ~= p.groups then return end\n"
  "local function same(a, b)\n"
  "  if type(a) ~= 'table' or type(b) ~= 'table' then return a == b end\n"
  "  if #a ~= #b then return false end\n"
  "  for i = 1, #a do if not same(a[i], b[i]) then return false end end\n"
  "  return true\n"
  "end\n"
  "local function agree(f, ...)\n"
  "  local r1 = table.pack(pcall(f, p, ...))\n"
  "  local r2 = table.pack(pcall(f, w, ...))\n"
  "  if r1[1] and r2[1] and not same({ table.unpack(r1, 2, r1.n) }, { table.unpack(r2, 2, r2.n) }) then\n"
  "    error('(?:pattern) disagrees')\n"
  "  end\n"
  "end\n"
  "local function span(q, ...) local m = q:search(...) if m then return m:span() end end\n"
  "agree(p.findall, s) agree(p.findall, s, 2, -2) agree(p.sub, '-', s)\n"
  "agree(function(q, ...) return span(q, ...) end, s)\n"
  "agree(function(q, ...) return span(q, ...) end, s, 3)\n";

/* requests for more memory still granted (-1: all); any refused? */
typedef struct Budget {
  long left;
  int refused;
} Budget;

static void *budget_alloc (void *ud, void *ptr, size_t osize, size_t nsize) {
  Budget *b = (Budget *)ud;
  if (nsize == 0) {
    free(ptr);
    return NULL;
  }
  if (ptr == NULL || nsize > osize) {  /* (osize is a type tag for NULL) */
    if (b->left == 0) {
      b->refused = 1;
      return NULL;
    }
    if (b->left > 0) b->left--;
  }
  return realloc(ptr, nsize);
}


int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size) {
  static const lua_Integer flag_bits[] = { 2, 8, 16, 64, 256, 4096 };
  lua_Integer flags = 0;
  size_t split;
  lua_State *L;
  Budget budget = { -1, 0 };
  long limit;
  if (size < 2) return 0;
  for (int k = 0; k < 6; k++)
    if (data[0] & (1 << k)) flags |= flag_bits[k];
  limit = (data[0] & 0x40) ? 4L * data[1] : -1;
  split = data[1] % (size - 1);
  data += 2;
  size -= 2;
  if (split > size) split = size;
  L = lua_newstate(budget_alloc, &budget);
  if (L == NULL) return 0;
  luaL_openlibs(L);
  if (luaL_loadbuffer(L, fuzz_script, sizeof(fuzz_script) - 1, "fuzz") != 0)
    __builtin_trap();
  luaL_requiref(L, "pystd.re", luaopen_pystd_re, 0);
  lua_pushlstring(L, (const char *)data, split);
  lua_pushinteger(L, flags);
  lua_pushlstring(L, (const char *)data + split, size - split);
  budget.left = limit;
  if (lua_pcall(L, 4, 0, 0) != 0) {
    budget.left = -1;
    /* only error objects may escape (and memory errors when memory was
       refused); a string is a bug in the module */
    if (lua_type(L, -1) == LUA_TSTRING && !budget.refused) {
      const char *msg = lua_tostring(L, -1);
      (void)msg;
      __builtin_trap();
    }
  }
  budget.left = -1;
  lua_close(L);
  return 0;
}
