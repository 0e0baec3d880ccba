/*
** pystd.c -- helpers shared by every pystd C module (see pystd.h)
*/

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pystd.h"


/* {====================================================== Error objects */

/* err.type .. ": " .. err.message, embedded zeros included */
static int error_tostring (lua_State *L) {
  size_t typelen, msglen;
  const char *type, *message;
  luaL_Buffer b;
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  lua_getfield(L, 1, "type");
  lua_getfield(L, 1, "message");
  type = luaL_optlstring(L, 2, "?", &typelen);
  message = luaL_optlstring(L, 3, "", &msglen);
  luaL_buffinit(L, &b);
  luaL_addlstring(&b, type, typelen);
  luaL_addstring(&b, ": ");
  luaL_addlstring(&b, message, msglen);
  luaL_pushresult(&b);
  return 1;
}


static const luaL_Reg error_meta[] = {
  {"__tostring", error_tostring},
  {NULL, NULL}
};


void pystd_pusherrormeta (lua_State *L) {
  pystd_newclass(L, PYSTD_ERROR_META, NULL, error_meta);
}


const char *pystd_errortype (lua_State *L, int idx) {
  const char *type = NULL;
  idx = lua_absindex(L, idx);
  if (lua_type(L, idx) != LUA_TTABLE || !lua_getmetatable(L, idx))
    return NULL;
  luaL_getmetatable(L, PYSTD_ERROR_META);
  if (lua_rawequal(L, -1, -2)) {
    lua_pushliteral(L, "type");
    if (lua_rawget(L, idx) == LUA_TSTRING)
      type = lua_tostring(L, -1);  /* the object keeps the string alive */
    lua_pop(L, 1);
  }
  lua_pop(L, 2);
  return type;
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


int pystd_hasmetafield (lua_State *L, int i, const char *event) {
  if (luaL_getmetafield(L, i, event) == LUA_TNIL) return 0;
  lua_pop(L, 1);
  return 1;
}


int pystd_orderable (lua_State *L, int a, int b, const char *event) {
  int ta = lua_type(L, a);
  return (ta == lua_type(L, b) && (ta == LUA_TNUMBER || ta == LUA_TSTRING))
      || pystd_hasmetafield(L, a, event) || pystd_hasmetafield(L, b, event);
}


int pystd_ordererror (lua_State *L, int a, int b, const char *op) {
  return pystd_raise(L, "TypeError",
                     "'%s' not supported between instances of '%s' and '%s'",
                     op, luaL_typename(L, a), luaL_typename(L, b));
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

/*
** The code point of the valid UTF-8 sequence at s[0..len), len >= 1, and
** its length in *n; or -1 (overlong, surrogate, past U+10FFFF, cut short).
*/
static long utf8_decode (const unsigned char *s, size_t len, size_t *n) {
  static const long least[] = {0, 0, 0x80, 0x800, 0x10000};
  long cp;
  size_t k, need = (s[0] >= 0xF0) ? 4 : (s[0] >= 0xE0) ? 3 : 2;
  if (s[0] < 0xC2 || s[0] > 0xF4 || need > len) return -1;
  cp = s[0] & (0x7F >> need);
  for (k = 1; k < need; k++) {
    if ((s[k] & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (s[k] & 0x3F);
  }
  if (cp < least[need] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return -1;
  *n = need;
  return cp;
}


/*
** Does CPython's repr show non-ASCII code point `cp` as an escape?  Its
** rule is str.isprintable; this knows the controls, separators, format
** characters, private use and noncharacters (not the unassigned points).
*/
static int repr_escapes (long cp) {
  static const long ranges[][2] = {
    {0x80, 0xA0}, {0xAD, 0xAD}, {0x600, 0x605}, {0x61C, 0x61C},
    {0x6DD, 0x6DD}, {0x70F, 0x70F}, {0x890, 0x891}, {0x8E2, 0x8E2},
    {0x1680, 0x1680}, {0x180E, 0x180E}, {0x2000, 0x200F}, {0x2028, 0x202F},
    {0x205F, 0x2064}, {0x2066, 0x206F}, {0x3000, 0x3000}, {0xE000, 0xF8FF},
    {0xFDD0, 0xFDEF}, {0xFEFF, 0xFEFF}, {0xFFF9, 0xFFFB}, {0x110BD, 0x110BD},
    {0x110CD, 0x110CD}, {0x13430, 0x13438}, {0x1BCA0, 0x1BCA3},
    {0x1D173, 0x1D17A}, {0xE0001, 0xE0001}, {0xE0020, 0xE007F},
    {0xF0000, 0x10FFFF}
  };
  if ((cp & 0xFFFE) == 0xFFFE) return 1;  /* U+xFFFE, U+xFFFF */
  for (size_t k = 0; k < sizeof(ranges) / sizeof(ranges[0]); k++)
    if (cp >= ranges[k][0] && cp <= ranges[k][1]) return 1;
  return 0;
}


/* Add the escape \xNN, \uNNNN or \UNNNNNNNN of `cp` (or of a stray byte) */
static void add_escape (luaL_Buffer *b, long cp) {
  char buf[16];
  snprintf(buf, sizeof(buf), (cp <= 0xFF) ? "\\x%02lx" : (cp <= 0xFFFF)
           ? "\\u%04lx" : "\\U%08lx", cp);
  luaL_addstring(b, buf);
}


/* Push the repr of s[0..len): of a bytes object when `bytes`, else of a str. */
static void push_repr (lua_State *L, const char *s, size_t len, int bytes) {
  const unsigned char *u = (const unsigned char *)s;
  luaL_Buffer b;
  char q = (memchr(s, '\'', len) && !memchr(s, '"', len)) ? '"' : '\'';
  luaL_buffinit(L, &b);
  if (bytes) luaL_addchar(&b, 'b');
  luaL_addchar(&b, q);
  for (size_t k = 0; k < len; k++) {
    unsigned char c = u[k];
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
        else if (c < 0x20 || c == 0x7F || (bytes && c >= 0x80))
          add_escape(&b, c);
        else if (c < 0x80) luaL_addchar(&b, (char)c);
        else {
          size_t n;
          long cp = utf8_decode(u + k, len - k, &n);
          if (cp < 0) add_escape(&b, c);  /* a byte of no character */
          else {
            if (repr_escapes(cp)) add_escape(&b, cp);
            else luaL_addlstring(&b, s + k, n);
            k += n - 1;
          }
        }
    }
  }
  luaL_addchar(&b, q);
  luaL_pushresult(&b);
}


void pystd_pushstrrepr (lua_State *L, const char *s, size_t len) {
  push_repr(L, s, len, 0);
}


void pystd_pushbytesrepr (lua_State *L, const char *s, size_t len) {
  push_repr(L, s, len, 1);
}

/* }====================================================== */


/* {====================================================== Classes */

void pystd_newclass (lua_State *L, const char *tname,
                     const luaL_Reg *methods, const luaL_Reg *metamethods) {
  if (luaL_getmetatable(L, tname) != LUA_TNIL) return;
  lua_pop(L, 1);
  lua_createtable(L, 0, 4);
  lua_pushstring(L, tname);
  lua_setfield(L, -2, "__name");  /* as luaL_newmetatable */
  if (metamethods) luaL_setfuncs(L, metamethods, 0);
  if (methods) {
    lua_newtable(L);
    luaL_setfuncs(L, methods, 0);
    lua_setfield(L, -2, "__index");
  }
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, tname);
}


void pystd_setgcclass (lua_State *L, const char *tname, lua_CFunction gc) {
  const luaL_Reg meta[] = {{"__gc", gc}, {NULL, NULL}};
  pystd_newclass(L, tname, NULL, meta);
  lua_setmetatable(L, -2);
}

/* }====================================================== */
