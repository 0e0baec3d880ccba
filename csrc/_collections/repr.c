/*
** repr.c -- Python-like reprs of Lua values, which tostring of every
** pystd.collections container uses (docs/collections.md).
*/

#include <string.h>

#include "collections.h"

/* {====================================================== Repr of values */

/*
** Python-like reprs of Lua values for tostring: strings quoted (single
** quotes unless the string holds one and no double quote), numbers and
** booleans as Lua writes them, plain tables as ['a', 1] or {'k': v},
** deques inline; anything else through luaL_tolstring (__tostring,
** __name).  `seen` (an absolute index) is the cycle guard: a table of the
** plain tables and deques being written, each to what a cycle back to it
** prints: [...], or {...} for a table written as a dict, as CPython.  There
** is one guard, in the registry, for every repr running: a repr that a
** __tostring runs (a map's, writing its values) sees the containers the
** outer ones are writing, as CPython's Py_ReprEnter does.
*/
static void push_repr (lua_State *L, int idx, int seen);

static const char repr_guard = 0;  /* its address: the registry key */


/* Add repr(value at top) to `b`, popping the value (balanced for `b`). */
void col_add_repr (lua_State *L, luaL_Buffer *b, int seen) {
  push_repr(L, lua_gettop(L), seen);
  lua_remove(L, -2);
  luaL_addvalue(b);
}


/*
** Push the repr of the plain table at `idx`: a sequence (keys exactly
** 1..#t) as [v1, v2], anything else as {k: v} in `next` order, above a
** copy of its keys then (write_container returns the top value only).
*/
static void push_table_repr (lua_State *L, int idx, int seen) {
  lua_Integer n = (lua_Integer)lua_rawlen(L, idx), keys = 0, i;
  luaL_Buffer b;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    keys++;
  }
  if (keys == n && n > 0) {
    luaL_buffinit(L, &b);
    luaL_addchar(&b, '[');
    for (i = 1; i <= n; i++) {
      if (i > 1) luaL_addstring(&b, ", ");
      lua_rawgeti(L, idx, i);
      col_add_repr(L, &b, seen);
    }
    luaL_addchar(&b, ']');
  }
  else {  /* copy the keys first: the buffer needs a balanced stack */
    int ks;
    lua_Integer nkeys = 0;
    lua_pushliteral(L, "{...}");  /* what a cycle back to it writes */
    lua_rawsetp(L, seen, lua_topointer(L, idx));
    lua_createtable(L, (int)keys, 0);
    ks = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
      lua_pop(L, 1);
      lua_pushvalue(L, -1);
      lua_rawseti(L, ks, ++nkeys);
    }
    luaL_buffinit(L, &b);
    luaL_addchar(&b, '{');
    for (i = 1; i <= nkeys; i++) {
      if (i > 1) luaL_addstring(&b, ", ");
      lua_rawgeti(L, ks, i);
      col_add_repr(L, &b, seen);
      luaL_addstring(&b, ": ");
      lua_rawgeti(L, ks, i);
      lua_rawget(L, idx);
      col_add_repr(L, &b, seen);
    }
    luaL_addchar(&b, '}');
  }
  luaL_pushresult(&b);
}


/* Push the repr of the container at 1, the guard at 2 (run protected). */
static int write_container (lua_State *L) {
  if (lua_istable(L, 1)) push_table_repr(L, 1, 2);
  else col_push_deque_repr(L, 1, 2);
  return 1;
}


/*
** Push the repr of the plain table or deque at `idx`, or its mark when a
** cycle reaches it.  It is marked in the guard while it is written, and
** unmarked even when writing it raises (the guard outlives this repr).
** Each container gets a C call of its own, which also bounds the nesting
** (C stack overflow) and gives each level its own Lua stack room.
*/
static void push_container_repr (lua_State *L, int idx, int seen) {
  const void *p = lua_topointer(L, idx);
  int status;
  if (lua_rawgetp(L, seen, p) != LUA_TNIL) return;  /* its mark */
  lua_pop(L, 1);
  lua_pushliteral(L, "[...]");
  lua_rawsetp(L, seen, p);
  lua_pushcfunction(L, write_container);
  lua_pushvalue(L, idx);
  lua_pushvalue(L, seen);
  status = lua_pcall(L, 2, 1, 0);
  lua_pushnil(L);
  lua_rawsetp(L, seen, p);
  if (status != LUA_OK) lua_error(L);
}


static void push_repr (lua_State *L, int idx, int seen) {
  idx = lua_absindex(L, idx);
  switch (lua_type(L, idx)) {
    case LUA_TSTRING: {
      size_t len;
      const char *s = lua_tolstring(L, idx, &len);
      pystd_pushstrrepr(L, s, len);
      break;
    }
    case LUA_TTABLE:
      if (!lua_getmetatable(L, idx)) {
        push_container_repr(L, idx, seen);
        break;
      }
      lua_pop(L, 1);
      luaL_tolstring(L, idx, NULL);
      break;
    case LUA_TUSERDATA:
      if (col_isdeque(L, idx)) {
        push_container_repr(L, idx, seen);
        break;
      }
      luaL_tolstring(L, idx, NULL);
      break;
    default:
      luaL_tolstring(L, idx, NULL);
  }
}


/* Push repr(value at `idx`), under the guard of every repr running. */
void col_push_repr (lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &repr_guard);
  push_repr(L, idx, lua_gettop(L));
  lua_remove(L, -2);
}


/* collections.repr(v) -> the string tostring of containers uses for v */
int col_repr (lua_State *L) {
  luaL_checkany(L, 1);
  col_push_repr(L, 1);
  return 1;
}


/* Make the cycle guard, unless another instance of the module made it. */
void col_open_repr (lua_State *L) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &repr_guard) == LUA_TNIL) {
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &repr_guard);
  }
  lua_pop(L, 1);
}

/* }====================================================== */
