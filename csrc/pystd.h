/*
** pystd.h -- helpers shared by every pystd C module:
** error objects (API.md section 1), option tables, 1-based positions,
** class metatables.
*/
#ifndef PYSTD_H
#define PYSTD_H

#include <stddef.h>

#include "lua.h"
#include "lauxlib.h"

#define PYSTD_VERSION   "pystd 0.1.0"

/* registry name of the metatable every error object shares */
#define PYSTD_ERROR_META  "pystd.Error"


/* {====================================================== Error objects */

/*
** Push the shared error metatable, creating it on first use.
*/
void pystd_pusherrormeta (lua_State *L);

/*
** The type of the value at `idx` if it is a pystd error object, else NULL.
** Runs no metamethod, so it never raises.
*/
const char *pystd_errortype (lua_State *L, int idx);

/*
** Push a new error object {type = type, message = <formatted>} carrying the
** shared metatable.  Callers add extra fields (`pos`, `errno`, ...) with
** lua_setfield before raising it with lua_error.
*/
void pystd_newerror (lua_State *L, const char *type, const char *fmt, ...);

/*
** Build an error object as pystd_newerror does and raise it.
*/
int pystd_raise (lua_State *L, const char *type, const char *fmt, ...);

/*
** Can Lua order the values at `a` and `b` with `event` ("__lt" or "__le"):
** two numbers, two strings, or a value with that metamethod?  Else
** pystd_ordererror raises CPython's TypeError for `a op b`, with Lua's
** type names.
*/
int pystd_orderable (lua_State *L, int a, int b, const char *event);
int pystd_hasmetafield (lua_State *L, int i, const char *event);
int pystd_ordererror (lua_State *L, int a, int b, const char *op);

/* }====================================================== */


/* {====================================================== Option tables */

/*
** Check that the value at `idx` is nil/absent or a table whose keys all
** appear in the NULL-terminated `valid`; an unknown key raises TypeError
** "unexpected keyword argument 'k'".  Returns 1 if a table is present.
*/
int pystd_checkoptions (lua_State *L, int idx, const char *const valid[]);

/* }====================================================== */


/* {====================================================== Positions */

/*
** Translate a Lua start position (1-based, negative from the end, 0 means
** 1, as in string.sub) into a 0-based offset clipped to [0, len].
*/
size_t pystd_startoffset (lua_Integer pos, size_t len);

/*
** Translate a Lua inclusive end position (1-based, negative from the end)
** into a 0-based exclusive offset clipped to [0, len].
*/
size_t pystd_endoffset (lua_Integer pos, size_t len);

/* Argument `arg` as a start/end offset, defaulting to 0 / len when absent */
size_t pystd_optstart (lua_State *L, int arg, size_t len);
size_t pystd_optend (lua_State *L, int arg, size_t len);

/* Push the Lua position of 0-based offset `off` (that is, off + 1) */
#define pystd_pushpos(L, off)  lua_pushinteger(L, (lua_Integer)(off) + 1)

/* }====================================================== */


/* {====================================================== Reprs */

/*
** Push Python's repr of a str: single quotes unless the text holds a single
** quote and no double one; \n \r \t \\ and the quote escaped, control
** characters and the other non-printable ones CPython knows as \xNN,
** \uNNNN or \UNNNNNNNN, bytes that are not UTF-8 as \xNN.
*/
void pystd_pushstrrepr (lua_State *L, const char *s, size_t len);

/* Push Python's repr of a bytes object: b'...', every byte >= 0x80 as \xNN. */
void pystd_pushbytesrepr (lua_State *L, const char *s, size_t len);

/* }====================================================== */


/* {====================================================== Classes */

/*
** Create (or fetch) the metatable `tname` with `methods` reachable through
** __index and `metamethods` set directly on it; leaves it on the stack.
** Either list may be NULL.  The registry gets it only once it is complete:
** a memory error half-way leaves no broken class behind.
*/
void pystd_newclass (lua_State *L, const char *tname,
                     const luaL_Reg *methods, const luaL_Reg *metamethods);

/*
** Give the userdata on top the class `tname` whose one metamethod is
** __gc = `gc` (made at the first call, as pystd_newclass does).  `gc`
** should take its object with lua_touserdata: it may run for an object
** whose class a memory error kept out of the registry.
*/
void pystd_setgcclass (lua_State *L, const char *tname, lua_CFunction gc);

/* }====================================================== */

#endif
