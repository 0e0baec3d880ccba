/*
** match.c -- pystd.re Match objects: a copy of the offsets of one match,
** with the subject as user value.  Each Pattern has its own Match
** metatable (a copy of the class's plus the field `re`), which keeps the
** Pattern alive at no cost per Match.
*/

#include <string.h>

#include "re.h"

/* user value of a Match with a long subject */
#define MATCH_SUBJECT  1

/*
** A subject up to this long is copied into the Match, which then needs
** no user value: it is built faster and the collector never traverses
** it (on 70-byte lines a Match cost about 40% less).  m.string
** pushes the copy, an equal string (the very same one up to 40 bytes,
** which Lua interns).
*/
#if !defined(RE_INLINE_SUBJECT)
#define RE_INLINE_SUBJECT  128
#endif

/* its address tags every Match: the metatables differ per Pattern */
static const char match_tag = 'M';

#define is_set(m, g)  ((m)->ov[2 * (g)] != PCRE2_UNSET)


/* {====================================================== Creation */

/*
** Push the Match metatable for the Pattern at `pidx`: a copy of the
** class metatable with the Pattern as field `re`.
*/
void pyre_newmatchmeta (lua_State *L, int pidx) {
  lua_createtable(L, 0, 6);
  luaL_getmetatable(L, RE_MATCH_META);
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, -5);
  }
  lua_pop(L, 1);
  lua_pushvalue(L, pidx);
  lua_setfield(L, -2, "re");
  lua_pushliteral(L, RE_MATCH_META);  /* getmetatable cannot reach `re` */
  lua_setfield(L, -2, "__metatable");
}


/*
** Push a Match for the offsets `f` found; `pidx` holds the Pattern, `sidx`
** the subject s[0..len); the search window was [pos, endpos).
*/
ReMatch *pyre_newmatch (lua_State *L, int pidx, int sidx, RePattern *p,
                        ReFound *f, size_t len, size_t pos, size_t endpos) {
  const char *s = f->s;
  int n = 2 * (p->groups + 1);
  size_t size = sizeof(ReMatch) + (size_t)(n - 1) * sizeof(PCRE2_SIZE);
  int copy = len <= RE_INLINE_SUBJECT;
  ReMatch *m = (ReMatch *)lua_newuserdatauv(L, size + (copy ? len : 0),
                                            !copy);
  if (copy) {
    char *inside = (char *)m + size;
    memcpy(inside, s, len);
    m->subject = inside;
    m->sublen = (int)len;
  }
  else {
    m->subject = s;
    m->sublen = -1;
  }
  m->tag = &match_tag;
  m->pos = pos;
  m->endpos = endpos;
  m->groups = p->groups;
  memcpy(m->ov, pyre_offsets(L, p, f), (size_t)n * sizeof(PCRE2_SIZE));
  pyre_pushmatchmeta(L, pidx);
  lua_setmetatable(L, -2);
  if (!copy) {
    lua_pushvalue(L, sidx);
    lua_setiuservalue(L, -2, MATCH_SUBJECT);
  }
  return m;
}


/* The Match at argument 1 (tagged, in a block at least a ReMatch long). */
static ReMatch *check_match (lua_State *L) {
  ReMatch *m = (ReMatch *)lua_touserdata(L, 1);
  if (m == NULL || lua_rawlen(L, 1) < sizeof(ReMatch) || m->tag != &match_tag)
    luaL_typeerror(L, 1, RE_MATCH_META);
  return m;
}


/* Push the Pattern of the Match at argument 1. */
static void push_pattern (lua_State *L) {
  lua_getmetatable(L, 1);
  lua_getfield(L, -1, "re");
  lua_remove(L, -2);
}


/* Group number of argument `arg` (a number or a name) of Match 1. */
static int group_arg (lua_State *L, ReMatch *m, int arg) {
  int g;
  if (lua_type(L, arg) == LUA_TNUMBER) {  /* the fast path */
    int isint;
    lua_Integer n = lua_tointegerx(L, arg, &isint);
    if (isint && n >= 0 && n <= m->groups) return (int)n;
  }
  push_pattern(L);
  g = pyre_groupnumber(L, lua_gettop(L), arg);
  lua_pop(L, 1);
  return g;
}


/* Push the text of group g, or `dflt` (a stack index, 0 for nil). */
static void push_group (lua_State *L, ReMatch *m, int g, int dflt) {
  if (is_set(m, g))
    lua_pushlstring(L, m->subject + m->ov[2 * g],
                    m->ov[2 * g + 1] - m->ov[2 * g]);
  else if (dflt) lua_pushvalue(L, dflt);
  else lua_pushnil(L);
}


/*
** Python's lastindex: the matched group that closed last.  PCRE2 keeps
** no such record; the matched group whose ')' comes last in the pattern
** is the same one except when a loop matched groups out of order.
*/
static int last_index (lua_State *L, ReMatch *m) {
  const int *order;
  int best = 0;
  push_pattern(L);
  order = pyre_topattern(L, -1)->order;
  lua_pop(L, 1);
  if (order == NULL) return 0;  /* the Pattern was finalized */
  for (int g = 1; g <= m->groups; g++)
    if (is_set(m, g) && (best == 0 || order[g] > order[best])) best = g;
  return best;
}

/* }====================================================== */


/* {====================================================== Methods */

/* m:group(...) -> whole match, or one result per argument */
static int match_group (lua_State *L) {
  ReMatch *m = check_match(L);
  int n = lua_gettop(L) - 1;
  if (n <= 0) {
    push_group(L, m, 0, 0);
    return 1;
  }
  if (n + 3 > LUA_MINSTACK)  /* the texts, and group_arg's 3 temporaries */
    luaL_checkstack(L, n + 3, "too many groups");
  for (int k = 2; k <= n + 1; k++) push_group(L, m, group_arg(L, m, k), 0);
  return n;
}


/* m:groups([default]) -> every group as multiple results */
static int match_groups (lua_State *L) {
  ReMatch *m = check_match(L);
  int dflt = lua_isnoneornil(L, 2) ? 0 : 2;
  luaL_checkstack(L, m->groups, "too many groups");
  for (int g = 1; g <= m->groups; g++) push_group(L, m, g, dflt);
  return m->groups;
}


/* m:groupdict([default]) -> table name -> text */
static int match_groupdict (lua_State *L) {
  ReMatch *m = check_match(L);
  int dflt = lua_isnoneornil(L, 2) ? 0 : 2;
  lua_settop(L, 2);
  lua_newtable(L);
  push_pattern(L);
  pyre_pushgroupindex(L, 4);
  lua_pushnil(L);
  while (lua_next(L, 5)) {
    int g = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    if (is_set(m, g) || dflt) {
      lua_pushvalue(L, -1);
      push_group(L, m, g, dflt);
      lua_rawset(L, 3);
    }
  }
  lua_settop(L, 3);
  return 1;
}


/* m:span([g]) -> start, stop (Lua positions), or nil if unmatched */
static int match_span (lua_State *L) {
  ReMatch *m = check_match(L);
  int g = lua_isnoneornil(L, 2) ? 0 : group_arg(L, m, 2);
  if (!is_set(m, g)) {
    lua_pushnil(L);
    return 1;
  }
  pystd_pushpos(L, m->ov[2 * g]);
  lua_pushinteger(L, (lua_Integer)m->ov[2 * g + 1]);
  return 2;
}


static int match_start (lua_State *L) {
  ReMatch *m = check_match(L);
  int g = lua_isnoneornil(L, 2) ? 0 : group_arg(L, m, 2);
  if (!is_set(m, g)) lua_pushnil(L);
  else pystd_pushpos(L, m->ov[2 * g]);
  return 1;
}


static int match_stop (lua_State *L) {
  ReMatch *m = check_match(L);
  int g = lua_isnoneornil(L, 2) ? 0 : group_arg(L, m, 2);
  if (!is_set(m, g)) lua_pushnil(L);
  else lua_pushinteger(L, (lua_Integer)m->ov[2 * g + 1]);
  return 1;
}


/* m:expand(template) -> the template with the groups substituted */
static int match_expand (lua_State *L) {
  ReMatch *m = check_match(L);
  const void *tpl;
  luaL_Buffer b;
  luaL_checkstring(L, 2);
  lua_settop(L, 2);
  push_pattern(L);
  tpl = pyre_pushtemplate(L, 3, 2);
  luaL_buffinit(L, &b);
  pyre_expand(tpl, m->subject, m->ov, &b);
  luaL_pushresult(&b);
  return 1;
}


/*
** <re.Match object; span=(2, 7), match='lphabe'> (match=b'...' for
** re.BYTES); the match's repr is cut after 50 characters, as CPython's
** %.50R does (the quotes of a repr depend on the whole text).
*/
static int match_tostring (lua_State *L) {
  ReMatch *m = check_match(L);
  const char *s = m->subject + m->ov[0], *r;
  size_t len = m->ov[1] - m->ov[0];
  int bytes;
  push_pattern(L);
  bytes = (pyre_topattern(L, -1)->flags & RE_BYTES) != 0;
  lua_pushfstring(L, "<re.Match object; span=(%I, %I), match=",
                  (lua_Integer)m->ov[0] + 1, (lua_Integer)m->ov[1]);
  (bytes ? pystd_pushbytesrepr : pystd_pushstrrepr)(L, s, len);
  r = lua_tolstring(L, -1, &len);
  lua_pushlstring(L, r, pyre_utf8prefix(r, len, 50));
  lua_replace(L, -2);
  lua_pushliteral(L, ">");
  lua_concat(L, 3);
  return 1;
}


/* m[n] -> group n; methods; fields string re pos endpos lastindex lastgroup */
static int match_index (lua_State *L) {
  ReMatch *m;
  const char *k;
  if (lua_type(L, 2) == LUA_TSTRING) {  /* a method: the methods check */
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) return 1;
    lua_pop(L, 1);
  }
  m = check_match(L);
  if (lua_type(L, 2) == LUA_TNUMBER) {
    int isint;
    lua_Integer n = lua_tointegerx(L, 2, &isint);
    if (!isint || n < 0 || n > m->groups)
      pystd_raise(L, "IndexError", "no such group");
    push_group(L, m, (int)n, 0);
    return 1;
  }
  if (lua_type(L, 2) != LUA_TSTRING) {
    lua_pushnil(L);
    return 1;
  }
  k = lua_tostring(L, 2);
  if (strcmp(k, "string") == 0) {
    if (m->sublen >= 0) lua_pushlstring(L, m->subject, (size_t)m->sublen);
    else lua_getiuservalue(L, 1, MATCH_SUBJECT);
  }
  else if (strcmp(k, "re") == 0) push_pattern(L);
  else if (strcmp(k, "pos") == 0) pystd_pushpos(L, m->pos);
  else if (strcmp(k, "endpos") == 0) lua_pushinteger(L, (lua_Integer)m->endpos);
  else if (strcmp(k, "lastindex") == 0) {
    int g = last_index(L, m);
    if (g) lua_pushinteger(L, g);
    else lua_pushnil(L);
  }
  else if (strcmp(k, "lastgroup") == 0) {
    int g = last_index(L, m);
    push_pattern(L);
    if (g) pyre_pushgroupname(L, lua_gettop(L), g);
    else lua_pushnil(L);
  }
  else lua_pushnil(L);
  return 1;
}


static const luaL_Reg match_methods[] = {
  {"group", match_group},
  {"groups", match_groups},
  {"groupdict", match_groupdict},
  {"span", match_span},
  {"start", match_start},
  {"stop", match_stop},
  {"expand", match_expand},
  {NULL, NULL}
};

static const luaL_Reg match_meta[] = {
  {"__tostring", match_tostring},
  {NULL, NULL}
};


/*
** Create the Match class metatable, the model of the per-Pattern ones,
** once per state (require may run again after package.loaded is cleared).
*/
void pyre_openmatch (lua_State *L) {
  if (luaL_getmetatable(L, RE_MATCH_META) == LUA_TNIL) {
    lua_pop(L, 1);
    pystd_newclass(L, RE_MATCH_META, match_methods, match_meta);
    lua_getfield(L, -1, "__index");
    lua_pushcclosure(L, match_index, 1);
    lua_setfield(L, -2, "__index");
  }
  lua_pop(L, 1);
}

/* }====================================================== */
