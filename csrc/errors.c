/*
** errors.c -- pystd.errors: the error objects of API.md section 1 and the
** subtype relation between their types.
*/

#include <string.h>

#include "pystd.h"

/* registry key of the table type -> array of parent types */
#define PARENTS_KEY  "pystd.ErrorParents"


/*
** CPython's hierarchy for every type pystd raises: a type, then its parents.
** A type absent from this list is a direct subtype of Exception.
*/
static const char *const hierarchy[][4] = {
  {"Exception", "BaseException"},
  {"KeyboardInterrupt", "BaseException"},
  {"SystemExit", "BaseException"},
  {"ArithmeticError", "Exception"},
  {"LookupError", "Exception"},
  {"OverflowError", "ArithmeticError"},
  {"ZeroDivisionError", "ArithmeticError"},
  {"IndexError", "LookupError"},
  {"KeyError", "LookupError"},
  {"UnicodeError", "ValueError"},
  {"NotImplementedError", "RuntimeError"},
  {"RecursionError", "RuntimeError"},
  {"EOFError", "Exception"},
  {"BaseExceptionGroup", "BaseException"},
  {"ExceptionGroup", "BaseExceptionGroup", "Exception"},
  /* OSError and its subtypes */
  {"FileNotFoundError", "OSError"},
  {"FileExistsError", "OSError"},
  {"IsADirectoryError", "OSError"},
  {"NotADirectoryError", "OSError"},
  {"PermissionError", "OSError"},
  {"TimeoutError", "OSError"},
  {"InterruptedError", "OSError"},
  {"ChildProcessError", "OSError"},
  {"ProcessLookupError", "OSError"},
  {"BlockingIOError", "OSError"},
  {"ConnectionError", "OSError"},
  {"ConnectionRefusedError", "ConnectionError"},
  {"ConnectionResetError", "ConnectionError"},
  {"ConnectionAbortedError", "ConnectionError"},
  {"BrokenPipeError", "ConnectionError"},
  /* decimal signals */
  {"decimal.DecimalException", "ArithmeticError"},
  {"decimal.Clamped", "decimal.DecimalException"},
  {"decimal.Rounded", "decimal.DecimalException"},
  {"decimal.Inexact", "decimal.DecimalException"},
  {"decimal.Subnormal", "decimal.DecimalException"},
  {"decimal.InvalidOperation", "decimal.DecimalException"},
  {"decimal.FloatOperation", "decimal.DecimalException", "TypeError"},
  {"decimal.DivisionByZero", "decimal.DecimalException", "ZeroDivisionError"},
  {"decimal.Overflow", "decimal.Inexact", "decimal.Rounded"},
  {"decimal.Underflow", "decimal.Inexact", "decimal.Rounded",
                        "decimal.Subnormal"},
  {"decimal.ConversionSyntax", "decimal.InvalidOperation"},
  {"decimal.DivisionImpossible", "decimal.InvalidOperation"},
  {"decimal.DivisionUndefined", "decimal.InvalidOperation",
                                "ZeroDivisionError"},
  {"decimal.InvalidContext", "decimal.InvalidOperation"},
  /* asyncio */
  {"asyncio.TimeoutError", "TimeoutError"},
  {"asyncio.IncompleteReadError", "EOFError"},
  /* subprocess */
  {"subprocess.CalledProcessError", "subprocess.SubprocessError"},
  {"subprocess.TimeoutExpired", "subprocess.SubprocessError"},
  /* http: requests' RequestException is an OSError */
  {"http.RequestException", "OSError"},
  {"http.HTTPError", "http.RequestException"},
  {"http.ConnectionError", "http.RequestException", "ConnectionError"},
  {"http.Timeout", "http.RequestException", "TimeoutError"},
  {"http.TooManyRedirects", "http.RequestException"},
  {"http.InvalidURL", "http.RequestException", "ValueError"},
  /* zoneinfo */
  {"zoneinfo.ZoneInfoNotFoundError", "KeyError"},
};


/* Push the parents table from the registry, creating it on first use. */
static void push_parents (lua_State *L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, PARENTS_KEY) != LUA_TNIL) return;
  lua_pop(L, 1);
  lua_newtable(L);
  for (size_t i = 0; i < sizeof(hierarchy) / sizeof(hierarchy[0]); i++) {
    lua_newtable(L);
    for (int p = 1; p < 4 && hierarchy[i][p]; p++) {
      lua_pushstring(L, hierarchy[i][p]);
      lua_rawseti(L, -2, p);
    }
    lua_setfield(L, -2, hierarchy[i][0]);
  }
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, PARENTS_KEY);
}


/* Is the string at `idx` the type name `name` (a zero in it counts)? */
static int is_named (lua_State *L, int idx, const char *name) {
  size_t len;
  const char *s = lua_tolstring(L, idx, &len);
  return len == strlen(name) && memcmp(s, name, len) == 0;
}


/*
** Push onto the array `todo` (ending at *n) the parents of the type at
** `type`, read from the parents table at `parents`: its declared ones,
** else Exception (BaseException has none).
*/
static void push_parents_of (lua_State *L, int parents, int type,
                             int todo, lua_Integer *n) {
  lua_pushvalue(L, type);
  if (lua_rawget(L, parents) == LUA_TTABLE) {
    for (lua_Integer i = 1; lua_rawgeti(L, -1, i) == LUA_TSTRING; i++)
      lua_rawseti(L, todo, ++*n);
    lua_pop(L, 1);  /* nil ending the array */
  }
  else if (!is_named(L, type, "BaseException")) {
    lua_pushliteral(L, "Exception");
    lua_rawseti(L, todo, ++*n);
  }
  lua_pop(L, 1);  /* parents of `type` */
}


/* single-parent steps taken before the general search (see is_subtype) */
#define CHAIN_STEPS  16

/*
** How many parents the type at `type` has in the parents table at
** `parents` (2: two or more); when it has one, the parent replaces it.
** Undeclared types have Exception, but BaseException.
*/
static int count_parents (lua_State *L, int parents, int type) {
  int n;
  lua_pushvalue(L, type);
  if (lua_rawget(L, parents) != LUA_TTABLE) {
    lua_pop(L, 1);
    if (is_named(L, type, "BaseException")) return 0;
    lua_pushliteral(L, "Exception");
    lua_replace(L, type);
    return 1;
  }
  lua_rawgeti(L, -1, 1);
  lua_rawgeti(L, -2, 2);  /* as push_parents_of: up to a non-string */
  n = (lua_type(L, -2) != LUA_TSTRING) ? 0
    : 1 + (lua_type(L, -1) == LUA_TSTRING);
  if (n == 1) lua_copy(L, -2, type);
  lua_pop(L, 3);
  return n;
}


/*
** Is the type at `type` below the one at `wanted`, searching each type
** once with a work list, so that cycles and diamonds of registered types
** cost no more than their size?  The parents table is at `parents`, on
** the top of the stack.
*/
static int search_parents (lua_State *L, int parents, int type,
                           int wanted) {
  int seen = parents + 1, todo = parents + 2, name = parents + 3;
  lua_Integer n = 1;
  int found = 0;
  lua_newtable(L);  /* seen: type -> true */
  lua_newtable(L);  /* todo: the types still to search */
  lua_pushvalue(L, type);
  lua_rawseti(L, todo, 1);
  while (n > 0 && !found) {
    lua_rawgeti(L, todo, n--);  /* at `name` */
    if (lua_rawequal(L, name, wanted)) found = 1;
    else {
      lua_pushvalue(L, name);
      if (lua_rawget(L, seen) == LUA_TNIL) {
        lua_pushvalue(L, name);
        lua_pushboolean(L, 1);
        lua_rawset(L, seen);
        push_parents_of(L, parents, name, todo, &n);
      }
    }
    lua_settop(L, todo);  /* drop `name` (and the seen mark) */
  }
  lua_settop(L, parents);
  return found;
}


/*
** Is the type at `type` equal to the one at `wanted` or below it?  Type
** names are compared as Lua strings, embedded zeros included.  Expects
** the parents table on the top of the stack and leaves the stack as it
** found it, but for the string at `type`, which becomes an ancestor.
** Chains of single parents (every built-in type's) need no search.
*/
static int is_subtype (lua_State *L, int type, int wanted) {
  int parents = lua_gettop(L);
  for (int step = 0; step < CHAIN_STEPS; step++) {
    int n;
    if (lua_rawequal(L, type, wanted)) return 1;
    n = count_parents(L, parents, type);
    if (n == 0) return 0;
    if (n > 1) break;
  }
  return search_parents(L, parents, type, wanted);
}


/*
** is(err [, type]): is `err` a pystd error object (of `type` or a subtype)?
** Never raises for a bad `err`.
*/
static int errors_is (lua_State *L) {
  int any = luaL_optstring(L, 2, NULL) == NULL;
  int iserror = pystd_errortype(L, 1) != NULL;
  if (!iserror || any) {
    lua_pushboolean(L, iserror);
    return 1;
  }
  lua_settop(L, 2);  /* 2: the wanted type, a string now */
  lua_pushliteral(L, "type");
  lua_rawget(L, 1);  /* 3: the type of `err` */
  push_parents(L);
  lua_pushboolean(L, is_subtype(L, 3, 2));
  return 1;
}


/* Copy the fields of the table at `from` (any key) into the top table. */
static void copy_fields (lua_State *L, int from) {
  lua_pushnil(L);
  while (lua_next(L, from)) {
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_settable(L, -4);
  }
}


/*
** new(type, message [, fields]) -> error object.  Type and message are
** set last, as given (embedded zeros included): fields never override them.
*/
static int errors_new (lua_State *L) {
  size_t typelen, msglen;
  const char *type = luaL_checklstring(L, 1, &typelen);
  const char *message = luaL_optlstring(L, 2, "", &msglen);
  int hasfields = !lua_isnoneornil(L, 3);
  if (hasfields) luaL_checktype(L, 3, LUA_TTABLE);
  pystd_newerror(L, type, "");
  if (hasfields) copy_fields(L, 3);
  lua_pushlstring(L, type, typelen);
  lua_setfield(L, -2, "type");
  lua_pushlstring(L, message, msglen);
  lua_setfield(L, -2, "message");
  return 1;
}


/* raise(type, message [, fields]): raises a new error object */
static int errors_raise (lua_State *L) {
  errors_new(L);
  return lua_error(L);
}


/* register(type, parent, ...): declare a new type below its parents */
static int errors_register (lua_State *L) {
  int n = lua_gettop(L);
  luaL_checkstring(L, 1);
  luaL_checkstring(L, 2);  /* at least one parent */
  push_parents(L);
  lua_pushvalue(L, 1);
  lua_createtable(L, n - 1, 0);
  for (int i = 2; i <= n; i++) {
    luaL_checkstring(L, i);
    lua_pushvalue(L, i);
    lua_rawseti(L, -2, i - 1);
  }
  lua_rawset(L, -3);
  return 0;
}


static const luaL_Reg errors_funcs[] = {
  {"is", errors_is},
  {"new", errors_new},
  {"raise", errors_raise},
  {"register", errors_register},
  {NULL, NULL}
};


int luaopen_pystd_errors (lua_State *L) {
  luaL_newlib(L, errors_funcs);
  pystd_pusherrormeta(L);
  lua_setfield(L, -2, "metatable");
  return 1;
}
