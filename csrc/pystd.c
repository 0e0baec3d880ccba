/*
** pystd.c -- helpers shared by every pystd C module (see pystd.h)
*/

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pystd.h"


/* {====================================================== Error objects */

/* err.type .. ": " .. err.message */
static int error_tostring (lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_getfield(L, 1, "type");
  lua_getfield(L, 1, "message");
  lua_pushfstring(L, "%s: %s", luaL_optstring(L, 2, "?"),
                  luaL_optstring(L, 3, ""));
  return 1;
}


void pystd_pusherrormeta (lua_State *L) {
  if (luaL_newmetatable(L, PYSTD_ERROR_META)) {
    lua_pushcfunction(L, error_tostring);
    lua_setfield(L, -2, "__tostring");
  }
}


static void push_error (lua_State *L, const char *type, const char *fmt,
                        va_list ap) {
  lua_createtable(L, 0, 4);
  lua_pushstring(L, type);
  lua_setfield(L, -2, "type");
  lua_pushvfstring(L, fmt, ap);
  lua_setfield(L, -2, "message");
  pystd_pusherrormeta(L);
  lua_setmetatable(L, -2);
}


void pystd_newerror (lua_State *L, const char *type, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  push_error(L, type, fmt, ap);
  va_end(ap);
}


int pystd_raise (lua_State *L, const char *type, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  push_error(L, type, fmt, ap);
  va_end(ap);
  return lua_error(L);
}

/* }====================================================== */


/* {====================================================== Option tables */

static int is_valid_option (const char *key, const char *const valid[]) {
  for (; *valid; valid++)
    if (strcmp(key, *valid) == 0) return 1;
  return 0;
}


int pystd_checkoptions (lua_State *L, int idx, const char *const valid[]) {
  if (lua_isnoneornil(L, idx)) return 0;
  luaL_checktype(L, idx, LUA_TTABLE);
  idx = lua_absindex(L, idx);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);  /* value */
    if (lua_type(L, -1) != LUA_TSTRING ||
        !is_valid_option(lua_tostring(L, -1), valid))
      pystd_raise(L, "TypeError", "unexpected keyword argument '%s'",
                  luaL_tolstring(L, -1, NULL));
  }
  return 1;
}


/*
** Push field `name` of the options table at `idx`; returns its type, or
** LUA_TNIL (pushing nil) when the table is absent.
*/
static int push_option (lua_State *L, int idx, const char *name) {
  if (lua_isnoneornil(L, idx)) {
    lua_pushnil(L);
    return LUA_TNIL;
  }
  return lua_getfield(L, idx, name);
}


static int option_error (lua_State *L, int idx, const char *name,
                         const char *expected) {
  const char *msg = lua_pushfstring(L, "option '%s': %s expected, got %s",
                                    name, expected, luaL_typename(L, -1));
  return luaL_argerror(L, idx, msg);
}


lua_Integer pystd_optinteger (lua_State *L, int idx, const char *name,
                              lua_Integer def) {
  int isint;
  lua_Integer v;
  if (push_option(L, idx, name) == LUA_TNIL) v = def;
  else {
    v = lua_tointegerx(L, -1, &isint);
    if (!isint) option_error(L, idx, name, "integer");
  }
  lua_pop(L, 1);
  return v;
}


lua_Number pystd_optnumber (lua_State *L, int idx, const char *name,
                            lua_Number def) {
  lua_Number v = def;
  int t = push_option(L, idx, name);
  if (t == LUA_TNUMBER) v = lua_tonumber(L, -1);
  else if (t != LUA_TNIL) option_error(L, idx, name, "number");
  lua_pop(L, 1);
  return v;
}


int pystd_optboolean (lua_State *L, int idx, const char *name, int def) {
  int v = def;
  int t = push_option(L, idx, name);
  if (t == LUA_TBOOLEAN) v = lua_toboolean(L, -1);
  else if (t != LUA_TNIL) option_error(L, idx, name, "boolean");
  lua_pop(L, 1);
  return v;
}


/* The string stays valid while the options table holds it. */
const char *pystd_optstring (lua_State *L, int idx, const char *name,
                             const char *def, size_t *len) {
  const char *v = def;
  int t = push_option(L, idx, name);
  if (t == LUA_TSTRING) v = lua_tolstring(L, -1, len);
  else if (t != LUA_TNIL) option_error(L, idx, name, "string");
  else if (len) *len = def ? strlen(def) : 0;
  lua_pop(L, 1);
  return v;
}

/* }====================================================== */


/* {====================================================== Positions */

/*
** The comparisons avoid negating `pos` when it is LUA_MININTEGER,
** as posrelatI in lstrlib.c does.
*/
size_t pystd_startoffset (lua_Integer pos, size_t len) {
  if (pos > 0)
    return ((size_t)pos - 1 < len) ? (size_t)pos - 1 : len;
  else if (pos == 0 || pos < -(lua_Integer)len)
    return 0;
  else
    return len + (size_t)pos;
}


size_t pystd_endoffset (lua_Integer pos, size_t len) {
  if (pos > (lua_Integer)len)
    return len;
  else if (pos >= 0)
    return (size_t)pos;
  else if (pos < -(lua_Integer)len)
    return 0;
  else
    return len + (size_t)pos + 1;
}


size_t pystd_optstart (lua_State *L, int arg, size_t len) {
  return pystd_startoffset(luaL_optinteger(L, arg, 1), len);
}


size_t pystd_optend (lua_State *L, int arg, size_t len) {
  return pystd_endoffset(luaL_optinteger(L, arg, -1), len);
}

/* }====================================================== */


/* {====================================================== Reprs */

void pystd_pushstrrepr (lua_State *L, const char *s, size_t len) {
  luaL_Buffer b;
  char q = (memchr(s, '\'', len) && !memchr(s, '"', len)) ? '"' : '\'';
  luaL_buffinit(L, &b);
  luaL_addchar(&b, q);
  for (size_t k = 0; k < len; k++) {
    unsigned char c = (unsigned char)s[k];
    char buf[8];
    switch (c) {
      case '\n': luaL_addstring(&b, "\\n"); break;
      case '\r': luaL_addstring(&b, "\\r"); break;
      case '\t': luaL_addstring(&b, "\\t"); break;
      case '\\': luaL_addstring(&b, "\\\\"); break;
      default:
        if (c == (unsigned char)q) {
          luaL_addchar(&b, '\\');
          luaL_addchar(&b, (char)c);
        }
        else if (c < 0x20 || c == 0x7F) {
          snprintf(buf, sizeof(buf), "\\x%02x", c);
          luaL_addstring(&b, buf);
        }
        else luaL_addchar(&b, (char)c);
    }
  }
  luaL_addchar(&b, q);
  luaL_pushresult(&b);
}

/* }====================================================== */


/* {====================================================== Classes */

void pystd_newclass (lua_State *L, const char *tname,
                     const luaL_Reg *methods, const luaL_Reg *metamethods) {
  if (!luaL_newmetatable(L, tname)) return;
  if (metamethods) luaL_setfuncs(L, metamethods, 0);
  if (methods) {
    lua_newtable(L);
    luaL_setfuncs(L, methods, 0);
    lua_setfield(L, -2, "__index");
  }
}

/* }====================================================== */
