/*
** order.c -- the insertion order behind Counter, defaultdict and
** OrderedDict (see the Order struct in collections.h).
*/

#include "collections.h"

/* {====================================================== Insertion order */

#define SWEEP_MIN   32

static const char dead_entry = 0;  /* its address marks a dead entry */

#define push_dead(L)  lua_pushlightuserdata(L, (void *)&dead_entry)
#define is_dead(L, i) (lua_touserdata(L, i) == (void *)&dead_entry)


void col_open_order (lua_State *L) {
  pystd_newclass(L, ORDER_META, NULL, NULL);
  lua_pop(L, 1);
}


Order *col_checkorder (lua_State *L, int arg) {
  return (Order *)luaL_checkudata(L, arg, ORDER_META);
}


/* order([ordered]) -> a new, empty insertion order; ordered: an
** OrderedDict's */
int col_order_new (lua_State *L) {
  int ordered = lua_toboolean(L, 1);
  Order *o = (Order *)lua_newuserdatauv(L, sizeof(Order), 2);
  o->ordered = ordered;
  o->n = 0;
  o->first = o->lo = 1;
  o->sweep_at = SWEEP_MIN;
  o->version = 0;
  luaL_setmetatable(L, ORDER_META);
  lua_newtable(L);
  lua_setiuservalue(L, -2, ORDER_KEYS);
  lua_newtable(L);
  lua_setiuservalue(L, -2, ORDER_POS);
  return 1;
}


/*
** Push the key of entry i and return 1 if the entry is live in the table
** at `t`; otherwise push nothing and return 0.
*/
static int push_live_key (lua_State *L, int keys, int t, lua_Integer i) {
  lua_rawgeti(L, keys, i);
  if (!is_dead(L, -1)) {
    lua_pushvalue(L, -1);
    if (lua_rawget(L, t) != LUA_TNIL) {
      lua_pop(L, 1);
      return 1;
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return 0;
}


/*
** Push the key of entry i and its value and return 1 if the entry is live
** in the table at `t`; otherwise push nothing and return 0.
*/
static int push_live_item (lua_State *L, int keys, int t, lua_Integer i) {
  lua_rawgeti(L, keys, i);
  if (!is_dead(L, -1)) {
    lua_pushvalue(L, -1);
    if (lua_rawget(L, t) != LUA_TNIL) return 1;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return 0;
}


/* Forget the place of the key in entry i unless the entry is dead. */
static void forget_entry (lua_State *L, int keys, int pos, lua_Integer i) {
  lua_rawgeti(L, keys, i);
  if (!is_dead(L, -1)) {  /* a deleted key (entries lo..n are never nil) */
    lua_pushnil(L);
    lua_rawset(L, pos);
  }
  else lua_pop(L, 1);
}


/* Mark entry i dead (making its slot when it lies past either end). */
static void kill_entry (lua_State *L, int keys, lua_Integer i) {
  push_dead(L);
  lua_rawseti(L, keys, i);
}


/*
** Renumber the `live` live entries 1..live, in place: pack them from lo
** up (each write at or below its read), then move them up to 1 from the
** top (each write at or above its read), setting their places; clear the
** rest.  When entries run below 1, 1..live may reach past n: those slots
** are made first, as dead entries past the end, since making a slot may
** raise a memory error and no other write below allocates.
*/
static void compact (lua_State *L, Order *o, int keys, int pos, int t,
                     lua_Integer live) {
  lua_Integer i, j = o->lo - 1, shift;
  for (i = o->n + 1; i <= live; i++) kill_entry(L, keys, i);
  for (i = o->lo; i <= o->n; i++) {
    if (i >= o->first && push_live_key(L, keys, t, i))
      lua_rawseti(L, keys, ++j);
    else forget_entry(L, keys, pos, i);
  }
  shift = 1 - o->lo;
  for (i = j; i >= o->lo; i--) {
    lua_rawgeti(L, keys, i);
    lua_pushvalue(L, -1);
    lua_pushinteger(L, i + shift);
    lua_rawset(L, pos);
    lua_rawseti(L, keys, i + shift);
  }
  for (i = o->lo; i <= o->n; i++) {
    if (i < 1 || i > j + shift) {
      lua_pushnil(L);
      lua_rawseti(L, keys, i);
    }
  }
  o->n = j + shift;
  o->first = o->lo = 1;
  o->version++;  /* the entries moved: iterators stop, even if the change
                    that swept fails */
}


/*
** Drop dead entries from `keys` (in place) and their keys from `pos`,
** when they are at least half of the entries.
*/
static void sweep (lua_State *L, Order *o, int keys, int pos, int t) {
  lua_Integer i, live = 0, span = o->n - o->lo + 1;
  for (i = o->first; i <= o->n; i++) {
    if (push_live_key(L, keys, t, i)) {
      live++;
      lua_pop(L, 1);
    }
  }
  if (live * 2 <= span) {
    compact(L, o, keys, pos, t, live);
    span = o->n;
  }
  o->sweep_at = (span * 2 > SWEEP_MIN) ? span * 2 : SWEEP_MIN;
}


/*
** Record the key at `k` as the newest entry of `o` (the oldest when
** `front`); t[k] is about to be stored, or was just.  A stale entry for
** the same key dies.  The stores that may raise a memory error come
** first: the new entry (outside the order until `o` takes it in; a front
** one is made dead until then, since an entry below `first` may be
** forgotten) and pos[k].  Nothing after them allocates, so a memory error
** leaves the order as it was.
*/
static void place_key (lua_State *L, Order *o, int keys, int pos, int t,
                       int k, int front) {
  lua_Integer at, stale = 0;
  int has_stale;
  if (o->n - o->lo + 1 >= o->sweep_at) sweep(L, o, keys, pos, t);
  if (front) {
    at = o->first - 1;
    if (at >= o->lo)  /* an old entry, never live */
      forget_entry(L, keys, pos, at);
    kill_entry(L, keys, at);
  }
  else {
    at = o->n + 1;
    lua_pushvalue(L, k);
    lua_rawseti(L, keys, at);
  }
  lua_pushvalue(L, k);
  has_stale = (lua_rawget(L, pos) == LUA_TNUMBER);
  if (has_stale) stale = lua_tointeger(L, -1);
  lua_pop(L, 1);
  lua_pushvalue(L, k);
  lua_pushinteger(L, at);
  lua_rawset(L, pos);
  if (has_stale) kill_entry(L, keys, stale);
  if (front) {
    lua_pushvalue(L, k);
    lua_rawseti(L, keys, at);
    o->first = at;
    if (at < o->lo) o->lo = at;
  }
  else o->n = at;
  o->version++;
}


void col_record_key (lua_State *L, Order *o, int keys, int pos, int t,
                        int k) {
  place_key(L, o, keys, pos, t, k, 0);
}


/* Push the keys and pos tables of the order at `arg`; keys is at top-1. */
void col_push_order_tables (lua_State *L, int arg) {
  lua_getiuservalue(L, arg, ORDER_KEYS);
  lua_getiuservalue(L, arg, ORDER_POS);
}


/*
** The __newindex of the map classes, (t, k, v) for a key absent from t:
** records k in the order upvalue[t] and stores t[k] = v; v == nil does
** nothing (deleting a missing key).  C, and a closure over the Lua
** layer's table of orders, because every new key of a Counter passes here
** (BENCH.md C7).
*/
static int order_newindex (lua_State *L) {
  Order *o;
  lua_settop(L, 3);
  if (lua_isnil(L, 3)) return 0;
  if (lua_isnil(L, 2)) return luaL_error(L, "index is nil");
  if (lua_type(L, 2) == LUA_TNUMBER && lua_tonumber(L, 2) != lua_tonumber(L, 2))
    return luaL_error(L, "index is NaN");
  lua_pushvalue(L, 1);
  lua_rawget(L, lua_upvalueindex(1));  /* the order, at 4 */
  o = col_checkorder(L, 4);
  col_push_order_tables(L, 4);  /* keys at 5, pos at 6 */
  col_record_key(L, o, 5, 6, 1, 2);
  lua_settop(L, 3);
  lua_rawset(L, 1);
  return 0;
}


/* newindex(orders) -> the __newindex of maps whose orders are orders[t] */
int col_order_newindex (lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  lua_pushcclosure(L, order_newindex, 1);
  return 1;
}


/*
** The iterator of pairs / keys / values / items: upvalues are the order,
** the table, the next entry index, the version when iteration began,
** what to yield (1 keys, 2 values, 3 both) and, for an OrderedDict,
** whether the key it gave last was the last one.  CPython's OrderedDict
** iterator finds the next key as it gives one, so once it has given the
** last key it is done, whatever changed meanwhile; its dict iterator
** (Counter, defaultdict) checks the size first, and raises.
*/
static int order_step (lua_State *L) {
  Order *o = (Order *)lua_touserdata(L, lua_upvalueindex(1));
  int t = lua_upvalueindex(2), keys, from_first;
  lua_Integer i = lua_tointeger(L, lua_upvalueindex(3));
  int what = (int)lua_tointeger(L, lua_upvalueindex(5));
  if (lua_toboolean(L, lua_upvalueindex(6))) return 0;
  if ((lua_Unsigned)lua_tointeger(L, lua_upvalueindex(4)) != o->version)
    return pystd_raise(L, "RuntimeError", o->ordered
                       ? "OrderedDict mutated during iteration"
                       : "dictionary changed size during iteration");
  lua_settop(L, 0);
  lua_getiuservalue(L, lua_upvalueindex(1), ORDER_KEYS);
  keys = 1;
  from_first = (i <= o->first);
  if (i < o->first) i = o->first;
  while (i <= o->n && !push_live_item(L, keys, t, i)) i++;
  if (from_first) o->first = i;  /* what it skipped is never live again */
  if (i <= o->n && o->ordered) {  /* look ahead for a live entry after i */
    lua_Integer j = i + 1;
    while (j <= o->n && !push_live_key(L, keys, t, j)) j++;
    if (j > o->n) {
      lua_pushboolean(L, 1);
      lua_replace(L, lua_upvalueindex(6));
    }
    else lua_pop(L, 1);  /* the next step starts at j */
    lua_pushinteger(L, j);
  }
  else lua_pushinteger(L, i + 1);
  lua_replace(L, lua_upvalueindex(3));
  if (i > o->n) return 0;
  if (what == 1) lua_pop(L, 1);  /* the value */
  return (what == 3) ? 2 : 1;
}


/* iterate(o, t [, what]) -> iterator, t, nil; what: 1 keys, 2 values,
** 3 keys and values (default) */
int col_order_iterate (lua_State *L) {
  Order *o = col_checkorder(L, 1);
  lua_Integer what = luaL_optinteger(L, 3, 3);
  luaL_checktype(L, 2, LUA_TTABLE);
  luaL_argcheck(L, what >= 1 && what <= 3, 3, "1, 2 or 3 expected");
  lua_pushvalue(L, 1);
  lua_pushvalue(L, 2);
  lua_pushinteger(L, o->first);
  lua_pushinteger(L, (lua_Integer)o->version);
  lua_pushinteger(L, what);
  lua_pushboolean(L, 0);
  lua_pushcclosure(L, order_step, 6);
  lua_pushvalue(L, 2);
  lua_pushnil(L);
  return 3;
}


/* len(o, t) -> number of live keys (O(n)) */
int col_order_len (lua_State *L) {
  Order *o = col_checkorder(L, 1);
  lua_Integer i, live = 0;
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  lua_getiuservalue(L, 1, ORDER_KEYS);
  for (i = o->first; i <= o->n; i++) {
    if (push_live_key(L, 3, 2, i)) {
      live++;
      lua_pop(L, 1);
    }
  }
  lua_pushinteger(L, live);
  return 1;
}


/*
** Find the first (or last) live entry: its index in *at and its key
** pushed; 0 if there is none.  The entries it passes over are never live
** again: `first` moves past them, or they go from the end.
*/
static int end_entry (lua_State *L, Order *o, int keys, int pos, int t,
                      int last, lua_Integer *at) {
  if (last) {
    for (; o->n >= o->first; o->n--) {
      if (push_live_key(L, keys, t, o->n)) return (*at = o->n, 1);
      forget_entry(L, keys, pos, o->n);
      lua_pushnil(L);
      lua_rawseti(L, keys, o->n);
    }
  }
  else {
    for (; o->first <= o->n; o->first++)
      if (push_live_key(L, keys, t, o->first)) return (*at = o->first, 1);
  }
  return 0;
}


/* popitem(o, t [, last]) -> k, v removed from the end (or the start) */
int col_order_popitem (lua_State *L) {
  Order *o = col_checkorder(L, 1);
  int last = lua_isnone(L, 3) || lua_toboolean(L, 3);
  lua_Integer i;
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  col_push_order_tables(L, 1);  /* keys at 3, pos at 4 */
  if (!end_entry(L, o, 3, 4, 2, last, &i))
    return pystd_raise(L, "KeyError", "dictionary is empty");
  if (last) {  /* entry i is the last one */
    lua_pushnil(L);
    lua_rawseti(L, 3, i);
    o->n = i - 1;
  }
  else {
    kill_entry(L, 3, i);
    o->first = i + 1;
  }
  lua_pushvalue(L, 5);  /* key */
  lua_pushnil(L);
  lua_rawset(L, 4);     /* pos[k] = nil */
  lua_pushvalue(L, 5);
  lua_rawget(L, 2);     /* the value */
  lua_pushvalue(L, 5);
  lua_pushnil(L);
  lua_rawset(L, 2);     /* t[k] = nil */
  return 2;
}


/* move_to_end(o, t, k [, last]): KeyError when k is not in t */
int col_order_move_to_end (lua_State *L) {
  Order *o = col_checkorder(L, 1);
  int last = lua_isnoneornil(L, 4) || lua_toboolean(L, 4);
  lua_Integer at;
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 3);
  col_push_order_tables(L, 1);  /* keys at 4, pos at 5 */
  lua_pushvalue(L, 3);
  if (lua_rawget(L, 2) == LUA_TNIL) {  /* t[nil] reads nil */
    col_push_repr(L, 3);
    return pystd_raise(L, "KeyError", "%s", lua_tostring(L, -1));
  }
  if (!end_entry(L, o, 4, 5, 2, last, &at) || !lua_rawequal(L, 3, -1))
    place_key(L, o, 4, 5, 2, 3, !last);  /* a change: iterators stop */
  return 0;
}

/* }====================================================== */
