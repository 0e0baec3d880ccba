/*
** deque.c -- the deque of pystd.collections: a ring buffer of Lua values
** in a userdata (API.md section 5, docs/collections.md).
*/

#include <limits.h>

#include "collections.h"

#define DEQUE_META   "pystd.deque"

/* smallest ring a deque keeps */
#if !defined(DEQUE_MINCAP)
#define DEQUE_MINCAP   8
#endif

#define DEQUE_UNBOUNDED   (-1)


/* {====================================================== Deque storage */

/*
** Method calls are the deque's hot path (d:append(x), d:popleft()), so a
** method must be found without calling a function: every deque has its
** own metatable, a copy of the class table DEQUE_META (methods and
** metamethods) whose __index is itself.  Keys it lacks (integers, unknown
** names) fall through to ITS metatable, DEQUE_ELEMENTS, whose __index
** finds the deque under the key &deque_self and reads the element.
*/
#define DEQUE_ELEMENTS  "pystd.deque.elements"

static const char deque_magic = 0;  /* its address tags every Deque */
static const char deque_self = 0;   /* key of the deque in its metatable */

/*
** A deque is a userdata holding the ring's geometry; the values live in
** its user value 1, a table used as an array of `cap` slots (slot s,
** 0-based, at index s + 1), so the collector sees them.  Element i (0-based)
** is at slot (head + i) mod cap; empty slots hold nil.  Any cap >= 1
** works: a deque built from an array or a deque of n values gets a ring
** of exactly n slots (at least DEQUE_MINCAP), so until it grows it is
** full and rotate only moves `head`.
*/
typedef struct Deque {
  const char *magic;       /* &deque_magic: marks the userdata as a deque */
  lua_Integer head;        /* slot of the first element, 0 <= head < cap */
  lua_Integer count;       /* number of elements, 0 <= count <= cap */
  lua_Integer cap;         /* slots in the ring */
  lua_Integer maxlen;      /* bound, or DEQUE_UNBOUNDED */
  lua_Unsigned mutations;  /* bumped by every change of length or order */
} Deque;

/* the user value holding the ring */
#define UV_RING     1


/* The 1-based index of the slot of element i (-cap <= i < 2 * cap). */
static lua_Integer slot_of (const Deque *d, lua_Integer i) {
  lua_Integer s = d->head + i;
  if (s >= d->cap) s -= d->cap;
  else if (s < 0) s += d->cap;
  return s + 1;
}


/* Move the head one slot left (step -1) or right (step 1). */
static void step_head (Deque *d, int step) {
  d->head += step;
  if (d->head == d->cap) d->head = 0;
  else if (d->head < 0) d->head = d->cap - 1;
}

/* push element i (0-based, in range) of the deque whose ring is at `ring` */
#define get_at(L, d, ring, i)   lua_rawgeti(L, ring, slot_of(d, i))

/* pop the top value into element i (0-based) */
#define set_at(L, d, ring, i)   lua_rawseti(L, ring, slot_of(d, i))


/*
** The deque at `arg`, or NULL.  The metatables differ per deque, so the
** type shows in the block itself: its exact size and the magic tag (a
** full userdata of another size is never read).
*/
static Deque *to_deque (lua_State *L, int arg) {
  Deque *d = (Deque *)lua_touserdata(L, arg);
  if (d != NULL && lua_rawlen(L, arg) == sizeof(Deque) &&
      d->magic == &deque_magic)
    return d;
  return NULL;
}


int col_isdeque (lua_State *L, int idx) {
  return to_deque(L, idx) != NULL;
}


/* isdeque(v) -> whether v is a deque */
int col_deque_is (lua_State *L) {
  lua_pushboolean(L, col_isdeque(L, 1));
  return 1;
}


static Deque *check_deque (lua_State *L, int arg) {
  Deque *d = to_deque(L, arg);
  if (d == NULL) luaL_typeerror(L, arg, DEQUE_META);
  return d;
}


/* Push the ring of the deque at `arg`; returns its stack index. */
static int push_ring (lua_State *L, int arg) {
  lua_getiuservalue(L, arg, UV_RING);
  return lua_gettop(L);
}


/* Make the table on top of the stack (popped) the ring of the deque at `arg`. */
#define set_ring(L, arg)  lua_setiuservalue(L, arg, UV_RING)


/* Reload the ring at `ring`: user code, a finalizer too, may replace it. */
static void refresh_ring (lua_State *L, int arg, int ring) {
  lua_getiuservalue(L, arg, UV_RING);
  lua_replace(L, ring);
}


/*
** The ring size the deque wants before it gains an element (`adding`)
** or loses one: twice the size when full, unless at its maxlen (adding
** then drops an element); half the size when it will be under a quarter
** full (DEQUE_MINCAP at least).
*/
static lua_Integer wanted_cap (lua_State *L, const Deque *d, int adding) {
  if (adding) {
    if (d->count < d->cap || d->count == d->maxlen) return d->cap;
    if (d->cap > INT_MAX / 2)  /* lua_createtable takes an int */
      luaL_error(L, "deque too large");
    return d->cap * 2;
  }
  if (d->count > 0 && d->cap > DEQUE_MINCAP && d->count - 1 < d->cap / 4)
    return (d->cap / 2 < DEQUE_MINCAP) ? DEQUE_MINCAP : d->cap / 2;
  return d->cap;
}


/*
** Move the elements into the fresh ring of `slots` slots on top (popped),
** which replaces the ring at stack index `ring` and that of the deque at
** `arg`.
*/
static void move_ring (lua_State *L, Deque *d, int arg, int ring,
                       lua_Integer slots) {
  lua_Integer i;
  for (i = 0; i < d->count; i++) {
    get_at(L, d, ring, i);
    lua_rawseti(L, -2, i + 1);
  }
  d->head = 0;
  d->cap = slots;
  lua_pushvalue(L, -1);
  set_ring(L, arg);
  lua_replace(L, ring);
}


/*
** Resize the ring (at `ring`, of the deque at `arg`) as the deque wants
** before it gains (`adding`) or loses an element.  Called before the
** change, so that a memory error leaves the deque as it was.  Making the
** new ring may run a finalizer that changes the deque, its ring included,
** so the geometry is read again after it.
*/
static void fit_ring (lua_State *L, Deque *d, int arg, int ring, int adding) {
  lua_Integer slots;
  while ((slots = wanted_cap(L, d, adding)) != d->cap) {
    lua_createtable(L, (int)slots, 0);
    refresh_ring(L, arg, ring);
    if (wanted_cap(L, d, adding) == slots) move_ring(L, d, arg, ring, slots);
    else lua_pop(L, 1);  /* a finalizer changed the deque: size it again */
  }
}


static int nil_element_error (lua_State *L) {
  return pystd_raise(L, "ValueError", "deque elements cannot be nil");
}


/* Remove the first element into nothing (the ring keeps its size). */
static void drop_left (lua_State *L, Deque *d, int ring) {
  lua_pushnil(L);
  set_at(L, d, ring, 0);
  step_head(d, 1);
  d->count--;
}


static void drop_right (lua_State *L, Deque *d, int ring) {
  lua_pushnil(L);
  set_at(L, d, ring, d->count - 1);
  d->count--;
}


/*
** Append the value at `v` on the right (or left when `left`), discarding
** from the other end when the deque is at its maxlen.
*/
static void push_value (lua_State *L, Deque *d, int arg, int ring, int v,
                        int left) {
  if (lua_isnil(L, v)) nil_element_error(L);
  if (d->maxlen == 0) return;
  fit_ring(L, d, arg, ring, 1);
  if (d->count == d->maxlen) {  /* then the ring has room */
    if (left) drop_right(L, d, ring);
    else drop_left(L, d, ring);
  }
  d->mutations++;  /* once nothing can fail: an iterator goes on after a
                      memory error */
  lua_pushvalue(L, v);
  if (left) {
    step_head(d, -1);
    d->count++;
    set_at(L, d, ring, 0);
  }
  else {
    d->count++;
    set_at(L, d, ring, d->count - 1);
  }
}


/* Pop and push the first (or last) element, shrinking the ring if due. */
static int pop_value (lua_State *L, int left) {
  Deque *d = check_deque(L, 1);
  lua_Integer slot;
  int ring;
  lua_settop(L, 1);
  ring = push_ring(L, 1);
  fit_ring(L, d, 1, ring, 0);
  if (d->count == 0)
    return pystd_raise(L, "IndexError", "pop from an empty deque");
  slot = slot_of(d, left ? 0 : d->count - 1);
  lua_rawgeti(L, ring, slot);
  lua_pushnil(L);
  lua_rawseti(L, ring, slot);
  if (left) step_head(d, 1);
  d->count--;
  d->mutations++;
  return 1;
}


/*
** The keys a deque's metatable gets first, after __index, most used
** first: a key inserted into a table before the others keeps its main
** position, so the two lookups of a method call (__index, then the name)
** find them without following a collision chain.
*/
static const char *const hot_keys[] = {
  "append", "popleft", "pop", "appendleft", "rotate", "__len", NULL
};


/*
** Push a new deque bounded by `maxlen` (DEQUE_UNBOUNDED for none) with
** a ring of `slots` slots (DEQUE_MINCAP at least); returns it, at the top
** of the stack.
*/
static Deque *new_deque (lua_State *L, lua_Integer maxlen,
                         lua_Integer slots) {
  Deque *d;
  int k;
  if (slots < DEQUE_MINCAP || slots > INT_MAX / 2)
    slots = DEQUE_MINCAP;  /* (a hint too large to take: grow instead) */
  d = (Deque *)lua_newuserdatauv(L, sizeof(Deque), 1);
  d->magic = &deque_magic;
  d->head = 0;
  d->count = 0;
  d->cap = slots;
  d->maxlen = maxlen;
  d->mutations = 0;
  lua_createtable(L, (int)slots, 0);
  lua_setiuservalue(L, -2, UV_RING);
  lua_createtable(L, 0, 32);  /* its metatable: a copy of the class */
  lua_pushvalue(L, -1);
  lua_setfield(L, -2, "__index");  /* the first key of all */
  luaL_getmetatable(L, DEQUE_META);
  for (k = 0; hot_keys[k] != NULL; k++) {  /* hot keys first */
    lua_getfield(L, -1, hot_keys[k]);
    lua_setfield(L, -3, hot_keys[k]);
  }
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pushvalue(L, -2);
    if (lua_rawget(L, -5) == LUA_TNIL) {  /* not copied yet */
      lua_pop(L, 1);
      lua_pushvalue(L, -2);
      lua_insert(L, -2);
      lua_rawset(L, -5);
    }
    else lua_pop(L, 2);
  }
  lua_pop(L, 1);
  if (maxlen != DEQUE_UNBOUNDED) {
    lua_pushinteger(L, maxlen);
    lua_setfield(L, -2, "maxlen");
  }
  lua_pushvalue(L, -2);
  lua_rawsetp(L, -2, &deque_self);
  luaL_setmetatable(L, DEQUE_ELEMENTS);
  lua_setmetatable(L, -2);
  return d;
}

/* }====================================================== */


/* {====================================================== Deque sources */

/*
** Push an array of the elements of the deque at `idx`: those it holds
** once the array is made (making it may run a finalizer that changes the
** deque).  Returns their number.
*/
static lua_Integer push_snapshot (lua_State *L, int idx) {
  Deque *d = (Deque *)lua_touserdata(L, idx);
  lua_Integer i;
  int ring;
  lua_createtable(L, (int)d->count, 0);
  ring = push_ring(L, idx);
  for (i = 0; i < d->count; i++) {
    get_at(L, d, ring, i);
    lua_rawseti(L, ring - 1, i + 1);
  }
  lua_pop(L, 1);
  return d->count;
}


typedef void (*AddValue) (lua_State *L, Deque *d, int arg, int ring, int v);

/*
** Call `add(L, d, arg, ring, v)` for every value of the iterable at `src`:
** an array table (1..#t), a deque (its elements copied first, so a deque
** may extend itself), or a function called until it returns nil.
*/
static void for_each_value (lua_State *L, int src, Deque *d, int arg,
                            int ring, AddValue add) {
  lua_Integer i, n;
  if (to_deque(L, src)) {
    push_snapshot(L, src);
    src = lua_gettop(L);
  }
  switch (lua_type(L, src)) {
    case LUA_TTABLE:
      n = luaL_len(L, src);
      for (i = 1; i <= n; i++) {
        lua_geti(L, src, i);
        refresh_ring(L, arg, ring);
        add(L, d, arg, ring, lua_gettop(L));
        lua_pop(L, 1);
      }
      break;
    case LUA_TFUNCTION:
      for (;;) {
        lua_pushvalue(L, src);
        lua_call(L, 0, 1);
        if (lua_isnil(L, -1)) break;
        refresh_ring(L, arg, ring);
        add(L, d, arg, ring, lua_gettop(L));
        lua_pop(L, 1);
      }
      lua_pop(L, 1);
      break;
    default:
      luaL_typeerror(L, src, "table, deque or function");
  }
}


static void add_right (lua_State *L, Deque *d, int arg, int ring, int v) {
  push_value(L, d, arg, ring, v, 0);
}


static void add_left (lua_State *L, Deque *d, int arg, int ring, int v) {
  push_value(L, d, arg, ring, v, 1);
}


/*
** The number of values the iterable at `src` will add (0 when unknown),
** to size a new ring.
*/
static lua_Integer size_hint (lua_State *L, int src) {
  Deque *s = to_deque(L, src);
  if (s != NULL) return s->count;
  if (lua_type(L, src) == LUA_TTABLE) return (lua_Integer)lua_rawlen(L, src);
  return 0;
}


/* deque([iterable [, maxlen]]) */
int col_deque_new (lua_State *L) {
  lua_Integer maxlen = DEQUE_UNBOUNDED, slots;
  Deque *d;
  lua_settop(L, 2);
  if (!lua_isnil(L, 2)) {
    maxlen = luaL_checkinteger(L, 2);
    if (maxlen < 0)
      return pystd_raise(L, "ValueError", "maxlen must be non-negative");
  }
  slots = size_hint(L, 1);
  if (maxlen != DEQUE_UNBOUNDED && slots > maxlen) slots = maxlen;
  d = new_deque(L, maxlen, slots);  /* at 3 */
  if (!lua_isnil(L, 1)) for_each_value(L, 1, d, 3, push_ring(L, 3), add_right);
  d->mutations = 0;
  lua_settop(L, 3);
  return 1;
}

/* }====================================================== */


/* {====================================================== Deque methods */

/*
** Is there room in the deque for one more element without growing the
** ring or reaching maxlen?
*/
#define has_room(d) \
  ((d)->count < (d)->cap && \
   ((d)->maxlen == DEQUE_UNBOUNDED || (d)->count < (d)->maxlen))


/*
** append(x) and appendleft(x), the general case: growing the ring,
** dropping at maxlen, errors.
*/
static int add_value (lua_State *L, int left) {
  Deque *d = check_deque(L, 1);
  luaL_checkany(L, 2);
  lua_settop(L, 2);
  push_value(L, d, 1, push_ring(L, 1), 2, left);
  if (d->maxlen == 0)  /* CPython adds x and drops it: a mutation */
    d->mutations++;
  return 0;
}


/*
** The hot methods start with a fast path for the common case (room in
** the ring and below maxlen; for pops, no shrink due): the type check,
** the ring, and one to three table accesses.
*/
static int deque_append (lua_State *L) {
  Deque *d = to_deque(L, 1);
  if (d != NULL && has_room(d) && lua_type(L, 2) > LUA_TNIL) {
    lua_getiuservalue(L, 1, UV_RING);
    lua_pushvalue(L, 2);
    lua_rawseti(L, -2, slot_of(d, d->count));
    d->count++;
    d->mutations++;
    return 0;
  }
  return add_value(L, 0);
}


static int deque_appendleft (lua_State *L) {
  Deque *d = to_deque(L, 1);
  if (d != NULL && has_room(d) && lua_type(L, 2) > LUA_TNIL) {
    lua_getiuservalue(L, 1, UV_RING);
    lua_pushvalue(L, 2);
    step_head(d, -1);
    lua_rawseti(L, -2, d->head + 1);
    d->count++;
    d->mutations++;
    return 0;
  }
  return add_value(L, 1);
}


/* Push the value of slot `slot` (1-based) of the deque at 1, emptying it. */
static void take_slot (lua_State *L, lua_Integer slot) {
  lua_getiuservalue(L, 1, UV_RING);
  lua_rawgeti(L, -1, slot);
  lua_pushnil(L);
  lua_rawseti(L, -3, slot);
}


static int deque_pop (lua_State *L) {
  Deque *d = to_deque(L, 1);
  if (d != NULL && d->count > 0 && wanted_cap(L, d, 0) == d->cap) {
    take_slot(L, slot_of(d, d->count - 1));
    d->count--;
    d->mutations++;
    return 1;
  }
  return pop_value(L, 0);
}


static int deque_popleft (lua_State *L) {
  Deque *d = to_deque(L, 1);
  if (d != NULL && d->count > 0 && wanted_cap(L, d, 0) == d->cap) {
    lua_Integer slot = d->head + 1;
    take_slot(L, slot);
    d->head = (slot == d->cap) ? 0 : slot;
    d->count--;
    d->mutations++;
    return 1;
  }
  return pop_value(L, 1);
}


static int deque_extend (lua_State *L) {
  Deque *d = check_deque(L, 1);
  lua_settop(L, 2);
  for_each_value(L, 2, d, 1, push_ring(L, 1), add_right);
  return 0;
}


static int deque_extendleft (lua_State *L) {
  Deque *d = check_deque(L, 1);
  lua_settop(L, 2);
  for_each_value(L, 2, d, 1, push_ring(L, 1), add_left);
  return 0;
}


/* Move element `from` to element `to` (0-based), leaving nil behind. */
static void move_element (lua_State *L, Deque *d, int ring, lua_Integer from,
                          lua_Integer to) {
  get_at(L, d, ring, from);
  set_at(L, d, ring, to);
  lua_pushnil(L);
  set_at(L, d, ring, from);
}


/*
** Rotate the deque (its ring at stack index `ring`) n steps
** to the right (negative: to the left).  A full ring only moves its head;
** otherwise min(n, count - n) elements move.
*/
static void rotate_ring (lua_State *L, Deque *d, int ring, lua_Integer n) {
  lua_Integer i;
  if (d->count <= 1) return;  /* no order to change, as in CPython */
  d->mutations++;
  if (n >= d->count || n <= -d->count) n %= d->count;
  if (n < 0) n += d->count;
  if (n == 0) return;
  if (d->count == d->cap) {
    d->head -= n;
    if (d->head < 0) d->head += d->cap;
  }
  else if (n <= d->count / 2) {
    for (i = 0; i < n; i++) {  /* last element to the front */
      move_element(L, d, ring, d->count - 1, -1);
      step_head(d, -1);
    }
  }
  else {
    for (i = n; i < d->count; i++) {  /* first element to the back */
      move_element(L, d, ring, 0, d->count);
      step_head(d, 1);
    }
  }
}


/* rotate([n]), the general case */
static int rotate_any (lua_State *L) {
  Deque *d = check_deque(L, 1);
  lua_Integer n = luaL_optinteger(L, 2, 1);
  lua_settop(L, 1);
  rotate_ring(L, d, push_ring(L, 1), n);
  return 0;
}


/* rotate([n]): a full ring and |n| < #d, the fast path, only move the head */
static int deque_rotate (lua_State *L) {
  Deque *d = to_deque(L, 1);
  lua_Integer n = 1;
  int isint = 1;
  if (d == NULL || d->count != d->cap) return rotate_any(L);
  if (lua_gettop(L) >= 2) n = lua_tointegerx(L, 2, &isint);
  if (!isint || n <= -d->cap || n >= d->cap) return rotate_any(L);
  d->mutations++;
  d->head -= n;
  if (d->head < 0) d->head += d->cap;
  else if (d->head >= d->cap) d->head -= d->cap;
  return 0;
}


/* clear(): an empty deque stays as it is, iterators too, as in CPython */
static int deque_clear (lua_State *L) {
  Deque *d = check_deque(L, 1);
  if (d->count == 0) return 0;
  lua_createtable(L, DEQUE_MINCAP, 0);  /* first: it may fail */
  set_ring(L, 1);
  d->head = 0;
  d->count = 0;
  d->cap = DEQUE_MINCAP;
  d->mutations++;
  return 0;
}


/* copy(): the copy's ring is a snapshot of the elements, head at 0 */
static int deque_copy (lua_State *L) {
  Deque *d = check_deque(L, 1), *copy;
  lua_settop(L, 1);
  copy = new_deque(L, d->maxlen, DEQUE_MINCAP);  /* at 2 */
  copy->count = push_snapshot(L, 1);
  copy->cap = (copy->count > DEQUE_MINCAP) ? copy->count : DEQUE_MINCAP;
  lua_setiuservalue(L, 2, UV_RING);
  return 1;
}


/*
** Compare element i with the value at `v` (==, so __eq runs); raises
** `etype` "deque mutated during iteration" when __eq changed the deque
** (CPython: IndexError for remove, RuntimeError for count and index).
*/
static int element_equals (lua_State *L, Deque *d, int ring, lua_Integer i,
                           int v, const char *etype) {
  lua_Unsigned before = d->mutations;
  int eq;
  get_at(L, d, ring, i);
  eq = lua_compare(L, -1, v, LUA_OPEQ);
  lua_pop(L, 1);
  if (d->mutations != before)
    pystd_raise(L, etype, "deque mutated during iteration");
  return eq;
}


static int deque_count (lua_State *L) {
  Deque *d = check_deque(L, 1);
  lua_Integer i, n = 0;
  int ring;
  luaL_checkany(L, 2);
  lua_settop(L, 2);
  ring = push_ring(L, 1);
  for (i = 0; i < d->count; i++)
    n += element_equals(L, d, ring, i, 2, "RuntimeError");
  lua_pushinteger(L, n);
  return 1;
}


static int not_in_deque (lua_State *L, int v) {
  col_push_repr(L, v);
  return pystd_raise(L, "ValueError", "%s is not in deque",
                     lua_tostring(L, -1));
}


/* index(x [, start [, stop]]) -> 1-based position; stop is inclusive */
static int deque_index (lua_State *L) {
  Deque *d = check_deque(L, 1);
  size_t start = pystd_optstart(L, 3, (size_t)d->count);
  size_t stop = pystd_optend(L, 4, (size_t)d->count);
  int ring;
  luaL_checkany(L, 2);
  lua_settop(L, 4);
  ring = push_ring(L, 1);
  for (; start < stop; start++) {  /* stop <= count; a change raises */
    if (element_equals(L, d, ring, (lua_Integer)start, 2, "RuntimeError")) {
      pystd_pushpos(L, start);
      return 1;
    }
  }
  return not_in_deque(L, 2);
}


/*
** Open a hole at element `at` (0 <= at <= count): the shorter side moves
** one step outward.  Room for one more element must exist.
*/
static void open_hole (lua_State *L, Deque *d, int ring, lua_Integer at) {
  lua_Integer i;
  if (at < d->count - at) {
    step_head(d, -1);
    for (i = 0; i < at; i++) move_element(L, d, ring, i + 1, i);
  }
  else {
    for (i = d->count; i > at; i--) move_element(L, d, ring, i - 1, i);
  }
  d->count++;
}


/* Close the hole left by removing element `at`; the shorter side moves. */
static void close_hole (lua_State *L, Deque *d, int ring, lua_Integer at) {
  lua_Integer i;
  lua_pushnil(L);
  set_at(L, d, ring, at);
  if (at < d->count - 1 - at) {
    for (i = at; i > 0; i--) move_element(L, d, ring, i - 1, i);
    step_head(d, 1);
  }
  else {
    for (i = at; i < d->count - 1; i++) move_element(L, d, ring, i + 1, i);
  }
  d->count--;
}


/* insert(i, x): x goes before the element now at i */
static int deque_insert (lua_State *L) {
  Deque *d = check_deque(L, 1);
  lua_Integer i = luaL_checkinteger(L, 2), at;
  int ring;
  luaL_checkany(L, 3);
  lua_settop(L, 3);
  if (lua_isnil(L, 3)) return nil_element_error(L);
  ring = push_ring(L, 1);
  fit_ring(L, d, 1, ring, 1);  /* first: a finalizer it runs may change d */
  if (d->count == d->maxlen)
    return pystd_raise(L, "IndexError", "deque already at its maximum size");
  if (i > 0) at = (i - 1 < d->count) ? i - 1 : d->count;
  else if (i == 0 || i < -d->count) at = 0;
  else at = d->count + i;
  d->mutations++;
  open_hole(L, d, ring, at);
  lua_pushvalue(L, 3);
  set_at(L, d, ring, at);
  return 0;
}


static int deque_remove (lua_State *L) {
  Deque *d = check_deque(L, 1);
  lua_Integer i;
  int ring;
  luaL_checkany(L, 2);
  lua_settop(L, 2);
  ring = push_ring(L, 1);
  for (;;) {
    lua_Unsigned before;
    for (i = 0; i < d->count; i++)
      if (element_equals(L, d, ring, i, 2, "IndexError")) break;
    if (i == d->count) return not_in_deque(L, 2);
    before = d->mutations;
    fit_ring(L, d, 1, ring, 0);  /* once found: a missing value shrinks none */
    if (d->mutations == before) break;
    /* a finalizer run by fit_ring changed the deque: search again */
  }
  d->mutations++;
  close_hole(L, d, ring, i);
  return 0;
}


static int deque_reverse (lua_State *L) {
  Deque *d = check_deque(L, 1);
  lua_Integer i, j;
  int ring;
  lua_settop(L, 1);
  ring = push_ring(L, 1);  /* no mutation, as in CPython: iterators go on */
  for (i = 0, j = d->count - 1; i < j; i++, j--) {
    get_at(L, d, ring, i);
    get_at(L, d, ring, j);
    set_at(L, d, ring, i);
    set_at(L, d, ring, j);
  }
  return 0;
}


/*
** The iterator of d:iter() (values) and pairs(d) (index, value):
** upvalues are the deque, the next 0-based position, the mutation count
** when iteration began and whether to yield the index.
*/
static int deque_step (lua_State *L) {
  Deque *d = (Deque *)lua_touserdata(L, lua_upvalueindex(1));
  lua_Integer i = lua_tointeger(L, lua_upvalueindex(2));
  if ((lua_Unsigned)lua_tointeger(L, lua_upvalueindex(3)) != d->mutations)
    return pystd_raise(L, "RuntimeError", "deque mutated during iteration");
  if (i >= d->count) return 0;
  lua_pushinteger(L, i + 1);
  lua_replace(L, lua_upvalueindex(2));
  if (lua_toboolean(L, lua_upvalueindex(4))) lua_pushinteger(L, i + 1);
  get_at(L, d, push_ring(L, lua_upvalueindex(1)), i);
  lua_remove(L, -2);
  return lua_toboolean(L, lua_upvalueindex(4)) ? 2 : 1;
}


static void push_iterator (lua_State *L, int with_index) {
  Deque *d = check_deque(L, 1);
  lua_pushvalue(L, 1);
  lua_pushinteger(L, 0);
  lua_pushinteger(L, (lua_Integer)d->mutations);
  lua_pushboolean(L, with_index);
  lua_pushcclosure(L, deque_step, 4);
}


static int deque_iter (lua_State *L) {
  push_iterator(L, 0);
  return 1;
}


static int deque_pairs (lua_State *L) {
  push_iterator(L, 1);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

/* }====================================================== */


/* {====================================================== Deque metamethods */

/*
** The 0-based element of integer key `k` (1-based, negative from the end),
** -1 when k is count + 1 (reads as nil, so ipairs stops), or raise.
*/
static lua_Integer element_of_key (lua_State *L, Deque *d, int k,
                                   int reading) {
  int isint = 0;
  lua_Integer i = 0;
  if (lua_type(L, k) == LUA_TNUMBER) i = lua_tointegerx(L, k, &isint);
  if (!isint)
    pystd_raise(L, "TypeError", "deque indices must be integers, not %s",
                luaL_typename(L, k));
  if (i >= 1 && i <= d->count) return i - 1;
  if (i < 0 && i >= -d->count) return d->count + i;
  if (reading && i == d->count + 1) return -1;
  pystd_raise(L, "IndexError", "deque index out of range");
  return -1;
}


/*
** __index of DEQUE_ELEMENTS, called with a deque's metatable for keys it
** lacks: unknown names read nil, integers read elements.
*/
static int deque_element (lua_State *L) {
  Deque *d;
  lua_Integer i;
  if (lua_type(L, 2) == LUA_TSTRING) return 0;
  luaL_checktype(L, 1, LUA_TTABLE);  /* a deque's metatable, unless misused */
  lua_rawgetp(L, 1, &deque_self);
  d = check_deque(L, 3);
  i = element_of_key(L, d, 2, 1);
  if (i < 0) return 0;
  get_at(L, d, push_ring(L, 3), i);
  return 1;
}


static int deque_newindex (lua_State *L) {
  Deque *d = check_deque(L, 1);
  lua_Integer i = element_of_key(L, d, 2, 0);
  lua_settop(L, 3);  /* first: a value missing is nil too */
  if (lua_isnil(L, 3)) return nil_element_error(L);
  push_ring(L, 1);
  lua_pushvalue(L, 3);
  set_at(L, d, 4, i);
  return 0;
}


static int deque_len (lua_State *L) {
  lua_pushinteger(L, check_deque(L, 1)->count);
  return 1;
}


/*
** Compare the deques at 1 and 2 element by element with == (so __eq
** runs), up to the shorter length.  Returns the first index where they
** differ, leaving its two elements on the stack, or the shorter length.
** Raises RuntimeError when an __eq that found its elements equal changed
** either deque: CPython's iterators then fail at their next step.
*/
static lua_Integer first_difference (lua_State *L, Deque *a, Deque *b) {
  lua_Unsigned before_a = a->mutations, before_b = b->mutations;
  lua_Integer i, n = (a->count < b->count) ? a->count : b->count;
  int ring_a, ring_b, eq;
  lua_settop(L, 2);
  ring_a = push_ring(L, 1);
  ring_b = push_ring(L, 2);
  for (i = 0; i < n; i++) {
    get_at(L, a, ring_a, i);
    get_at(L, b, ring_b, i);
    eq = lua_compare(L, -2, -1, LUA_OPEQ);
    if (!eq) break;
    if (a->mutations != before_a || b->mutations != before_b)
      pystd_raise(L, "RuntimeError", "deque mutated during iteration");
    lua_pop(L, 2);
  }
  return i;
}


/* a == b: false for anything but two deques (maxlen is ignored) */
static int deque_eq (lua_State *L) {
  Deque *a = to_deque(L, 1), *b = to_deque(L, 2);
  lua_Integer n = (a != NULL) ? a->count : 0;  /* an __eq may change it */
  lua_pushboolean(L, a != NULL && b != NULL && n == b->count &&
                     first_difference(L, a, b) == n);
  return 1;
}


/*
** a < b, or a <= b when `orequal`: CPython's lexicographic order, the
** first differing elements deciding (TypeError when Lua cannot order
** them, as CPython's), else the lengths.
*/
static int compare_order (lua_State *L, int orequal) {
  Deque *a = check_deque(L, 1), *b = check_deque(L, 2);
  lua_Integer na = a->count, nb = b->count;  /* an __eq may change them */
  lua_Integer i = first_difference(L, a, b);
  if (i < na && i < nb) {  /* its elements are on top */
    if (!pystd_orderable(L, -2, -1, orequal ? "__le" : "__lt"))
      pystd_ordererror(L, -2, -1, orequal ? "<=" : "<");
    lua_pushboolean(L, lua_compare(L, -2, -1, orequal ? LUA_OPLE : LUA_OPLT));
  }
  else
    lua_pushboolean(L, orequal ? na <= nb : na < nb);
  return 1;
}


static int deque_lt (lua_State *L) {
  return compare_order(L, 0);
}


static int deque_le (lua_State *L) {
  return compare_order(L, 1);
}


/* deque([e1, e2]) or deque([e1, e2], maxlen=3), as CPython writes it */
void col_push_deque_repr (lua_State *L, int idx, int seen) {
  Deque *d = (Deque *)lua_touserdata(L, idx);
  lua_Integer i, n = push_snapshot(L, idx);  /* as CPython: an element's
                                                repr may change d */
  int items = lua_gettop(L);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  luaL_addstring(&b, "deque([");
  for (i = 1; i <= n; i++) {
    if (i > 1) luaL_addstring(&b, ", ");
    lua_rawgeti(L, items, i);
    col_add_repr(L, &b, seen);
  }
  luaL_addstring(&b, "]");
  if (d->maxlen != DEQUE_UNBOUNDED) {
    lua_pushfstring(L, ", maxlen=%I", (LUAI_UACINT)d->maxlen);
    luaL_addvalue(&b);
  }
  luaL_addstring(&b, ")");
  luaL_pushresult(&b);
  lua_remove(L, items);
}


static int deque_tostring (lua_State *L) {
  check_deque(L, 1);
  col_push_repr(L, 1);
  return 1;
}


static const luaL_Reg deque_methods[] = {
  {"append", deque_append},
  {"appendleft", deque_appendleft},
  {"pop", deque_pop},
  {"popleft", deque_popleft},
  {"extend", deque_extend},
  {"extendleft", deque_extendleft},
  {"rotate", deque_rotate},
  {"clear", deque_clear},
  {"copy", deque_copy},
  {"count", deque_count},
  {"index", deque_index},
  {"insert", deque_insert},
  {"remove", deque_remove},
  {"reverse", deque_reverse},
  {"iter", deque_iter},
  {NULL, NULL}
};


static const luaL_Reg deque_metamethods[] = {
  {"__newindex", deque_newindex},
  {"__len", deque_len},
  {"__eq", deque_eq},
  {"__lt", deque_lt},
  {"__le", deque_le},
  {"__tostring", deque_tostring},
  {"__pairs", deque_pairs},
  {NULL, NULL}
};


/* The class table every deque's metatable copies, and DEQUE_ELEMENTS. */
void col_open_deque (lua_State *L) {
  static const luaL_Reg element_metamethods[] = {
    {"__index", deque_element},
    {NULL, NULL}
  };
  pystd_newclass(L, DEQUE_META, NULL, deque_metamethods);
  luaL_setfuncs(L, deque_methods, 0);
  lua_pop(L, 1);
  pystd_newclass(L, DEQUE_ELEMENTS, NULL, element_metamethods);
  lua_pop(L, 1);
}

/* }====================================================== */
