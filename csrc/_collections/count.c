/*
** count.c -- bulk counting (Counter over an array or a text) and
** most_common, over the insertion order of order.c.
*/

#include <stdint.h>
#include <string.h>

#include "collections.h"

/* {====================================================== Bulk counting */

/* Raise the TypeError of a count of Lua type `type`, not a number. */
static int count_type_error (lua_State *L, int type) {
  return pystd_raise(L, "TypeError", "counts must be numbers, got %s",
                     lua_typename(L, type));
}


/*
** Add `delta` to t[k] (0 when absent, the key then recorded as new) for
** the key on top of the stack, which is popped: a valid key (tally_key
** refused nil and NaN).  A present count must be a number (TypeError, as
** the other paths of update and subtract raise).
*/
static void add_count (lua_State *L, Order *o, int keys, int pos, int t,
                       lua_Integer delta) {
  int k = lua_gettop(L);
  lua_pushvalue(L, k);
  switch (lua_rawget(L, t)) {
    case LUA_TNIL:
      lua_pop(L, 1);
      col_record_key(L, o, keys, pos, t, k);
      lua_pushinteger(L, delta);
      break;
    case LUA_TNUMBER:
      if (lua_isinteger(L, -1)) {
        lua_Integer n = lua_tointeger(L, -1);
        lua_pop(L, 1);
        lua_pushinteger(L, (lua_Integer)((lua_Unsigned)n + (lua_Unsigned)delta));
      }
      else {
        lua_pushinteger(L, delta);
        lua_arith(L, LUA_OPADD);
      }
      break;
    default:
      count_type_error(L, lua_type(L, -1));
  }
  lua_rawset(L, t);
}


/*
** A tally counts values in C before the table sees them, so a bulk count
** touches t once per distinct value, not once per occurrence.  Values are
** identified by (kind, key): a string by its address, a number by its
** value (integral floats as integers, as table keys are), other values by
** their address.  Equal long strings at different addresses get separate
** entries, which add_count merges in the table.  `slots` is an open-
** addressing table, at most half full, holding the counts themselves (a
** hit touches one slot); `order` lists the used slots in order of first
** occurrence.  Both arrays are userdata at stack indices slots_ud and
** order_ud, so an error frees them.
*/
typedef enum TallyKind {
  TALLY_FREE,     /* an unused slot */
  TALLY_STRING,   /* key: the address of the string's bytes */
  TALLY_INTEGER,  /* key: the integer */
  TALLY_FLOAT,    /* key: the bits of a non-integral float */
  TALLY_BOOLEAN,  /* key: 0 or 1 */
  TALLY_OBJECT,   /* key: lua_topointer of a table, function, userdata... */
  TALLY_BYTE,     /* text: a single byte, counted in Tally.bytes */
  TALLY_CHAR      /* text: a UTF-8 multibyte character, its bytes packed */
} TallyKind;

typedef struct TallySlot {
  uint64_t key;
  lua_Integer count;
  lua_Integer where;  /* arrays: index of the first occurrence */
  TallyKind kind;
} TallySlot;

typedef struct Tally {
  TallySlot *slots;   /* mask + 1 slots */
  size_t mask;
  uint32_t *order;    /* room for (mask + 1) / 2 slot numbers */
  size_t n;           /* used slots */
  int slots_ud, order_ud;
  lua_Integer bytes[256];  /* text: counts of TALLY_BYTE values */
} Tally;


/* Push fresh buffers for a tally of `slots` slots (a power of 2). */
static void tally_buffers (lua_State *L, Tally *ty, size_t slots) {
  if (slots > UINT32_MAX) luaL_error(L, "too many distinct values");
  ty->slots = (TallySlot *)lua_newuserdatauv(L, slots * sizeof(TallySlot), 0);
  memset(ty->slots, 0, slots * sizeof(TallySlot));  /* all TALLY_FREE */
  ty->order = (uint32_t *)lua_newuserdatauv(L, slots / 2 * sizeof(uint32_t), 0);
  ty->mask = slots - 1;
}


/* Push a tally's buffers (2 userdata) and set it up. */
static void tally_init (lua_State *L, Tally *ty) {
  tally_buffers(L, ty, 256);
  ty->n = 0;
  ty->order_ud = lua_gettop(L);
  ty->slots_ud = ty->order_ud - 1;
  memset(ty->bytes, 0, sizeof(ty->bytes));
}


/* The first slot for (kind, key) and the slots after it. */
static size_t tally_hash (uint64_t key, TallyKind kind) {
  uint64_t h = (key ^ (uint64_t)kind) * 0x9E3779B97F4A7C15u;
  return (size_t)(h >> 32);
}


static size_t free_slot (const Tally *ty, uint64_t key, TallyKind kind) {
  size_t h = tally_hash(key, kind) & ty->mask;
  while (ty->slots[h].kind != TALLY_FREE) h = (h + 1) & ty->mask;
  return h;
}


/* Move the tally into buffers of twice the slots, keeping the order. */
static void tally_rehash (lua_State *L, Tally *ty) {
  Tally old = *ty;
  size_t i;
  tally_buffers(L, ty, (old.mask + 1) * 2);
  for (i = 0; i < old.n; i++) {
    const TallySlot *e = &old.slots[old.order[i]];
    size_t h = free_slot(ty, e->key, e->kind);
    ty->slots[h] = *e;
    ty->order[i] = (uint32_t)h;
  }
  lua_replace(L, ty->order_ud);
  lua_replace(L, ty->slots_ud);
}


/* Add 1 to the count of (kind, key), first seen at `where` if new. */
static void tally_add (lua_State *L, Tally *ty, TallyKind kind, uint64_t key,
                       lua_Integer where) {
  size_t h = tally_hash(key, kind) & ty->mask;
  TallySlot *e;
  for (;;) {
    e = &ty->slots[h];
    if (e->kind == TALLY_FREE) break;
    if (e->key == key && e->kind == kind) {
      e->count++;
      return;
    }
    h = (h + 1) & ty->mask;
  }
  e->key = key;
  e->kind = kind;
  e->count = 1;
  e->where = where;
  ty->order[ty->n++] = (uint32_t)h;
  if (ty->n * 2 >= ty->mask + 1) tally_rehash(L, ty);
}


/*
** The tally identity of the value on top of the stack, of Lua type `type`;
** raises ValueError for nil and NaN, which cannot be table keys.
*/
static TallyKind tally_key (lua_State *L, int type, uint64_t *key) {
  switch (type) {
    case LUA_TSTRING:
      *key = (uint64_t)(uintptr_t)lua_tostring(L, -1);
      return TALLY_STRING;
    case LUA_TNUMBER: {
      int isint;
      lua_Integer i = lua_tointegerx(L, -1, &isint);
      lua_Number f;
      if (isint) {
        *key = (uint64_t)i;
        return TALLY_INTEGER;
      }
      f = lua_tonumber(L, -1);
      if (f != f) pystd_raise(L, "ValueError", "cannot count NaN");
      memcpy(key, &f, sizeof(f));
      return TALLY_FLOAT;
    }
    case LUA_TBOOLEAN:
      *key = (uint64_t)lua_toboolean(L, -1);
      return TALLY_BOOLEAN;
    case LUA_TNIL:
      pystd_raise(L, "ValueError", "cannot count nil");
      return TALLY_OBJECT;
    default:
      *key = (uint64_t)(uintptr_t)lua_topointer(L, -1);
      return TALLY_OBJECT;
  }
}


/* values the hot loops leave on the stack before popping them at once */
#if !defined(COUNT_BATCH)
#define COUNT_BATCH   32
#endif

/*
** Count the elements 1..#src (raw) of the array at `src` into t.  This is
** the hot loop of Counter(words): two API calls per element.
*/
static void count_array (lua_State *L, Order *o, int keys, int pos, int t,
                         int src, lua_Integer sign) {
  lua_Integer i, n = (lua_Integer)lua_rawlen(L, src);
  size_t j;
  int base, pending = 0;
  Tally ty;
  tally_init(L, &ty);
  luaL_checkstack(L, COUNT_BATCH + LUA_MINSTACK, "too many elements");
  base = lua_gettop(L);
  for (i = 1; i <= n; i++) {
    uint64_t key;
    TallyKind kind = tally_key(L, lua_rawgeti(L, src, i), &key);
    tally_add(L, &ty, kind, key, i);
    if (++pending == COUNT_BATCH) {
      lua_settop(L, base);
      pending = 0;
    }
  }
  lua_settop(L, base);
  for (j = 0; j < ty.n; j++) {  /* into t, in order of first occurrence */
    const TallySlot *e = &ty.slots[ty.order[j]];
    uint64_t key;
    if (tally_key(L, lua_rawgeti(L, src, e->where), &key) != e->kind ||
        key != e->key)  /* a finalizer changed src */
      pystd_raise(L, "RuntimeError", "array changed during counting");
    add_count(L, o, keys, pos, t, e->count * sign);
  }
  lua_pop(L, 2);
}


/* Length of the valid UTF-8 multibyte sequence at p, or 0. */
static size_t utf8_seqlen (const unsigned char *p, const unsigned char *end) {
  unsigned char c = p[0];
  size_t len, i;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) len = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    else if (c == 0xED) hi = 0x9F;  /* no surrogates */
  }
  else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    else if (c == 0xF4) hi = 0x8F;
  }
  else return 0;
  if ((size_t)(end - p) < len || p[1] < lo || p[1] > hi) return 0;
  for (i = 2; i < len; i++)
    if (p[i] < 0x80 || p[i] > 0xBF) return 0;
  return len;
}


/*
** Count the characters of the string at `src` into t.  Single bytes
** (ASCII, and bytes that start no valid UTF-8 sequence) count in
** ty.bytes, the fast path; multibyte characters in the tally index.
*/
static void count_text (lua_State *L, Order *o, int keys, int pos, int t,
                        int src, lua_Integer sign) {
  size_t len, j;
  const unsigned char *p = (const unsigned char *)lua_tolstring(L, src, &len);
  const unsigned char *end = p + len;
  Tally ty;
  tally_init(L, &ty);
  while (p < end) {
    size_t n;
    if (*p < 0x80 || (n = utf8_seqlen(p, end)) == 0) {
      if (ty.bytes[*p]++ == 0) tally_add(L, &ty, TALLY_BYTE, *p, 0);
      p++;
    }
    else {
      uint64_t code = 0;
      for (j = 0; j < n; j++) code = (code << 8) | p[j];
      tally_add(L, &ty, TALLY_CHAR, code, 0);
      p += n;
    }
  }
  for (j = 0; j < ty.n; j++) {
    const TallySlot *e = &ty.slots[ty.order[j]];
    char utf8[4];
    size_t n = 0;
    int shift;
    lua_Integer count = (e->kind == TALLY_BYTE) ? ty.bytes[e->key] : e->count;
    for (shift = 24; shift >= 0; shift -= 8)  /* the bytes, leading zeros dropped */
      if (((e->key >> shift) & 0xFF) != 0 || n > 0 || shift == 0)
        utf8[n++] = (char)(e->key >> shift);
    lua_pushlstring(L, utf8, n);
    add_count(L, o, keys, pos, t, count * sign);
  }
  lua_pop(L, 2);
}


/*
** count(o, t, source, sign): add `sign` (1 or -1) to t[x] for every
** element x of the array `source`, or every UTF-8 character of the string
** `source`; new keys join the order as they first appear.
*/
int col_order_count (lua_State *L) {
  Order *o = col_checkorder(L, 1);
  lua_Integer sign = luaL_optinteger(L, 4, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 3);
  col_push_order_tables(L, 1);  /* keys at 4, pos at 5 */
  if (lua_type(L, 3) == LUA_TSTRING)
    count_text(L, o, 4, 5, 2, 3, sign);
  else {
    luaL_checktype(L, 3, LUA_TTABLE);
    count_array(L, o, 4, 5, 2, 3, sign);
  }
  return 0;
}

/* }====================================================== */


/* {====================================================== most_common */

/* A candidate of most_common: entry index and count. */
typedef struct Ranked {
  lua_Integer entry;
  int isint;
  lua_Integer i;       /* the count when isint */
  lua_Number f;        /* the count otherwise */
} Ranked;


/*
** The best candidates so far: a heap of at most `cap` entries, worst at
** the root.  Once it is full with an integer count at the root, `floor`
** is that count: an integer count <= floor ranks after the root (a tie
** loses to the older entry), so it is rejected without more work.
*/
typedef struct Ranking {
  Ranked *heap;
  size_t n, cap;
  int floor_set;
  lua_Integer floor;
} Ranking;


/* Is a ranked before b: larger count, or equal count and older entry? */
static int ranks_before (const Ranked *a, const Ranked *b) {
  if (a->isint && b->isint) {
    if (a->i != b->i) return a->i > b->i;
  }
  else {
    lua_Number x = a->isint ? (lua_Number)a->i : a->f;
    lua_Number y = b->isint ? (lua_Number)b->i : b->f;
    if (x != y) return x > y;
    if (a->isint != b->isint)  /* an integer rounded to 2^63: the float wins */
      return !a->isint;
  }
  return a->entry < b->entry;
}


static void swap_ranked (Ranked *heap, size_t a, size_t b) {
  Ranked tmp = heap[a];
  heap[a] = heap[b];
  heap[b] = tmp;
}


/* Restore the heap below `at` (a child never ranks after its parent). */
static void sift_down (Ranked *heap, size_t n, size_t at) {
  for (;;) {
    size_t worst = at, l = 2 * at + 1, r = l + 1;
    if (l < n && ranks_before(&heap[worst], &heap[l])) worst = l;
    if (r < n && ranks_before(&heap[worst], &heap[r])) worst = r;
    if (worst == at) return;
    swap_ranked(heap, at, worst);
    at = worst;
  }
}


/* Add r to the heap: into a free place, or over a root it ranks before. */
static void offer (Ranking *rk, const Ranked *r) {
  if (rk->n < rk->cap) {
    size_t at = rk->n++;
    rk->heap[at] = *r;
    while (at > 0 && ranks_before(&rk->heap[(at - 1) / 2], &rk->heap[at])) {
      swap_ranked(rk->heap, at, (at - 1) / 2);
      at = (at - 1) / 2;
    }
  }
  else if (ranks_before(r, &rk->heap[0])) {
    rk->heap[0] = *r;
    sift_down(rk->heap, rk->n, 0);
  }
  else return;
  rk->floor_set = (rk->n == rk->cap && rk->heap[0].isint);
  rk->floor = rk->heap[0].i;
}


/*
** Rank entry `entry`, whose count (non-nil, of Lua type `type`) is at
** stack index `idx`: offer a number to the heap, raise TypeError for
** anything else (a numeric string included).
*/
static void rank_entry (lua_State *L, Ranking *rk, int idx, int type,
                        lua_Integer entry) {
  Ranked r;
  int isint;
  if (type != LUA_TNUMBER) count_type_error(L, type);
  r.i = lua_tointegerx(L, idx, &isint);
  if (isint && rk->floor_set && r.i <= rk->floor)
    return;  /* the common case once the heap is full */
  r.entry = entry;
  r.isint = isint;
  if (!isint) r.f = lua_tonumber(L, idx);
  offer(rk, &r);
}


/*
** Push the result of most_common: the heap's entries as {key, count},
** best first.  Empties the heap.
*/
static void push_ranking (lua_State *L, Ranking *rk, int keys, int t) {
  size_t j;
  lua_createtable(L, (int)rk->n, 0);  /* filled from its end */
  for (j = rk->n; j > 0; j--) {
    Ranked worst = rk->heap[0];
    rk->heap[0] = rk->heap[j - 1];
    sift_down(rk->heap, j - 1, 0);
    lua_createtable(L, 2, 0);
    lua_rawgeti(L, keys, worst.entry);
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, 1);
    lua_rawget(L, t);
    lua_rawseti(L, -2, 2);
    lua_rawseti(L, -2, (lua_Integer)j);
  }
}


/*
** most_common(o, t [, n]) -> array of {key, count}, the n largest counts
** (all when n is absent), ties in insertion order.  The keys are ranked
** in insertion order, so a later equal count never displaces an earlier
** one.  This is the hot loop of C6: three API calls per key and a cache
** miss (the key's node in t).  The counts of a batch are all read before
** any is ranked, so that the loop doing the reads is short and the CPU
** overlaps more of their misses.  A dead entry's sentinel is never a key
** of t, so it reads nil like a deleted key.
*/
int col_order_most_common (lua_State *L) {
  Order *o = col_checkorder(L, 1);
  lua_Integer want = luaL_optinteger(L, 3, LUA_MAXINTEGER), i, span;
  Ranking rk;
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 3);
  lua_getiuservalue(L, 1, ORDER_KEYS);  /* at 4 */
  if (want < 0) want = 0;
  span = o->n - o->first + 1;  /* entries, dead ones included */
  rk.cap = (size_t)((want < span) ? want : span);
  rk.heap = (Ranked *)lua_newuserdatauv(L, rk.cap * sizeof(Ranked) + 1,
                                        0);  /* at 5 */
  rk.n = 0;
  rk.floor_set = 0;
  rk.floor = 0;
  luaL_checkstack(L, COUNT_BATCH + LUA_MINSTACK, "too many keys");
  for (i = o->first; i <= o->n && rk.cap > 0; i += COUNT_BATCH) {
    int type[COUNT_BATCH];
    int j, batch = (o->n - i < COUNT_BATCH) ? (int)(o->n - i + 1) : COUNT_BATCH;
    for (j = 0; j < batch; j++) {  /* the counts, at 6.. */
      lua_rawgeti(L, 4, i + j);
      type[j] = lua_rawget(L, 2);
    }
    for (j = 0; j < batch; j++)
      if (type[j] != LUA_TNIL)  /* else a dead or deleted entry */
        rank_entry(L, &rk, 6 + j, type[j], i + j);
    lua_settop(L, 5);
  }
  push_ranking(L, &rk, 4, 2);
  return 1;
}

/* }====================================================== */
