/*
** stderr.c -- a helper of the specs, never installed: capture what the
** process writes to its standard error (file descriptor 2, where C code
** prints its reports), so that a spec can check it instead of showing it.
**   local capture = require "spec.stderr"
**   capture.start(); ...; local text = capture.stop()
*/

#include <stdio.h>
#include <unistd.h>

#include "lua.h"
#include "lauxlib.h"

/* registry key of the capture under way: a full userdata (a Capture) */
#define CAPTURE_KEY  "spec.stderr"

typedef struct Capture {
  FILE *file;   /* where descriptor 2 writes meanwhile */
  int saved;    /* a copy of the real descriptor 2 */
} Capture;


static Capture *current (lua_State *L) {
  Capture *c;
  lua_getfield(L, LUA_REGISTRYINDEX, CAPTURE_KEY);
  c = (Capture *)lua_touserdata(L, -1);
  lua_pop(L, 1);  /* the registry keeps it */
  return c;
}


/* Put descriptor 2 back and close the capture; returns the file. */
static FILE *restore (Capture *c) {
  FILE *f = c->file;
  fflush(stderr);
  dup2(c->saved, 2);
  close(c->saved);
  c->file = NULL;
  return f;
}


static int capture_gc (lua_State *L) {
  Capture *c = (Capture *)lua_touserdata(L, 1);
  if (c->file != NULL) fclose(restore(c));
  return 0;
}


/* start(): from now on, what goes to descriptor 2 is kept */
static int capture_start (lua_State *L) {
  Capture *c = current(L);
  if (c != NULL && c->file != NULL)
    return luaL_error(L, "a capture is under way");
  if (c == NULL) {
    c = (Capture *)lua_newuserdatauv(L, sizeof(Capture), 0);
    c->file = NULL;
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, capture_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, CAPTURE_KEY);
  }
  fflush(stderr);
  if ((c->file = tmpfile()) == NULL)
    return luaL_error(L, "cannot make a temporary file");
  c->saved = dup(2);
  if (c->saved < 0 || dup2(fileno(c->file), 2) < 0) {
    fclose(c->file);
    c->file = NULL;
    return luaL_error(L, "cannot redirect descriptor 2");
  }
  return 0;
}


/* stop(): descriptor 2 as before; returns what was written meanwhile */
static int capture_stop (lua_State *L) {
  Capture *c = current(L);
  luaL_Buffer b;
  FILE *f;
  size_t n;
  if (c == NULL || c->file == NULL)
    return luaL_error(L, "no capture is under way");
  f = restore(c);
  rewind(f);
  luaL_buffinit(L, &b);
  do {
    char *p = luaL_prepbuffer(&b);
    n = fread(p, 1, LUAL_BUFFERSIZE, f);
    luaL_addsize(&b, n);
  } while (n == LUAL_BUFFERSIZE);
  fclose(f);
  luaL_pushresult(&b);
  return 1;
}


static const luaL_Reg funcs[] = {
  {"start", capture_start},
  {"stop", capture_stop},
  {NULL, NULL}
};


int luaopen_spec_stderr (lua_State *L) {
  luaL_newlib(L, funcs);
  return 1;
}
