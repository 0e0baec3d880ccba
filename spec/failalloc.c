/*
** failalloc.c -- a helper of the specs, never installed: Lua's allocator
** wrapped so that a spec can refuse every allocation from the n-th on and
** check that pystd then raises Lua's memory error, loses nothing and stays
** usable (helper.each_allocation_failure).  `require "spec.failalloc"`
** installs it on the state that loads it.
*/

#include "lua.h"
#include "lauxlib.h"

/* registry key of the wrapper's data */
#define FAULTS_KEY  "spec.failalloc"

typedef struct Faults {
  lua_Alloc alloc;       /* the allocator wrapped */
  void *ud;              /* and its user data */
  lua_Integer allowed;   /* allocations still granted; -1: all of them */
  lua_Integer granted;   /* allocations granted since fail_after */
  lua_Integer refused;   /* allocations refused since fail_after */
} Faults;


/*
** Only requests for more memory count (and can be refused): Lua assumes
** that freeing and shrinking never fail.
*/
static void *faulty_alloc (void *ud, void *ptr, size_t osize, size_t nsize) {
  Faults *f = (Faults *)ud;
  if (nsize > 0 && (ptr == NULL || nsize > osize)) {
    if (f->allowed == 0) {
      f->refused++;
      return NULL;
    }
    if (f->allowed > 0) f->allowed--;
    f->granted++;
  }
  return f->alloc(f->ud, ptr, osize, nsize);
}


static Faults *get_faults (lua_State *L) {
  return (Faults *)lua_touserdata(L, lua_upvalueindex(1));
}


/* fail_after(n): grant n more allocations, then refuse every one */
static int fail_after (lua_State *L) {
  Faults *f = get_faults(L);
  lua_Integer n = luaL_checkinteger(L, 1);
  luaL_argcheck(L, n >= 0, 1, "must be >= 0");
  f->granted = f->refused = 0;
  f->allowed = n;
  return 0;
}


/*
** stop(): grant all allocations again; returns how many were refused and
** how many granted since fail_after.
*/
static int stop (lua_State *L) {
  Faults *f = get_faults(L);
  f->allowed = -1;
  lua_pushinteger(L, f->refused);
  lua_pushinteger(L, f->granted);
  return 2;
}


/* At lua_close the wrapper's data dies: Lua's own allocator takes over. */
static int faults_gc (lua_State *L) {
  Faults *f = (Faults *)lua_touserdata(L, 1);
  lua_setallocf(L, f->alloc, f->ud);
  return 0;
}


static const luaL_Reg funcs[] = {
  {"fail_after", fail_after},
  {"stop", stop},
  {NULL, NULL}
};


/* Push the wrapper's data, wrapping Lua's allocator at the first call. */
static void push_faults (lua_State *L) {
  Faults *f;
  if (lua_getfield(L, LUA_REGISTRYINDEX, FAULTS_KEY) == LUA_TUSERDATA)
    return;  /* wrapped already: busted may load a module again */
  lua_pop(L, 1);
  f = (Faults *)lua_newuserdatauv(L, sizeof(Faults), 0);
  f->alloc = lua_getallocf(L, &f->ud);
  f->allowed = -1;
  f->granted = f->refused = 0;
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, faults_gc);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);  /* anchored for the state's whole life */
  lua_setfield(L, LUA_REGISTRYINDEX, FAULTS_KEY);
  lua_setallocf(L, faulty_alloc, f);
}


int luaopen_spec_failalloc (lua_State *L) {
  push_faults(L);
  luaL_newlibtable(L, funcs);
  lua_insert(L, -2);
  luaL_setfuncs(L, funcs, 1);
  return 1;
}
