/*
** collections.h -- what the files of pystd._collections share: the C core
** of pystd.collections (API.md section 5), which
** lua/pystd/collections.lua shapes into the deque and the map classes.
**   deque.c   the deque: ring storage, sources, methods, metamethods
**   repr.c    Python-like reprs of Lua values, for tostring
**   order.c   the insertion order behind Counter / defaultdict / OrderedDict
**   count.c   bulk counting of arrays and UTF-8 text, and most_common
**   module.c  the function table and luaopen_pystd__collections
*/
#ifndef PYSTD_COLLECTIONS_H
#define PYSTD_COLLECTIONS_H

#include "pystd.h"


/* {====================================================== deque.c */

/* Register the deque classes (metatables) in the registry. */
void col_open_deque (lua_State *L);

/* collections.deque([iterable [, maxlen]]) */
int col_deque_new (lua_State *L);

/* Is the value at `idx` a deque? */
int col_isdeque (lua_State *L, int idx);

/* isdeque(v): whether v is a deque (for the Lua layer) */
int col_deque_is (lua_State *L);

/* Push the repr of the deque at `idx` (see col_add_repr for `seen`). */
void col_push_deque_repr (lua_State *L, int idx, int seen);

/* }====================================================== */


/* {====================================================== repr.c */

/* Make the cycle guard of the reprs (the registry holds it). */
void col_open_repr (lua_State *L);

/*
** Push repr(value at `idx`); a container that a repr running (an outer
** one included) is writing prints [...].
*/
void col_push_repr (lua_State *L, int idx);

/*
** Add repr(value at the top) to `b`, popping the value; `seen` is the
** cycle guard of the repr being written.
*/
void col_add_repr (lua_State *L, luaL_Buffer *b, int seen);

/* collections.repr(v) */
int col_repr (lua_State *L);

/* }====================================================== */


/* {====================================================== order.c */

#define ORDER_META  "pystd.collections.order"

/*
** The insertion order of a map-like table t (Counter, defaultdict,
** OrderedDict) is an Order userdata, kept beside t by the Lua layer.
** User value ORDER_KEYS (`keys`) is an array of t's keys in insertion
** order; user value ORDER_POS (`pos`) maps each key to its index in `keys`.
** Lua does not report deletions (t[k] = nil on a present key is a raw
** store), so an entry is live only while t[k] is non-nil; an entry whose
** key moved (it was deleted and stored again, or moved to an end) holds a
** private light-userdata sentinel instead, which is never a key of t (so
** t[sentinel] reads nil, as for a deleted key).  Dead entries are swept
** when `keys` has grown to `sweep_at`, which keeps every operation
** amortized O(1).
*/
typedef struct Order {
  lua_Integer n;           /* index of the last entry, dead ones included */
  lua_Integer first;       /* no live entry sits before this index */
  lua_Integer lo;          /* no entry at all sits before this index (lo <=
                              first: move_to_end(k, false) puts k before) */
  lua_Integer sweep_at;    /* span n - lo + 1 at which the next sweep runs */
  lua_Unsigned version;    /* bumped when keys are added or moved */
  int ordered;             /* an OrderedDict's (CPython's messages differ) */
} Order;

#define ORDER_KEYS  1
#define ORDER_POS   2

void col_open_order (lua_State *L);
Order *col_checkorder (lua_State *L, int arg);

/* Push the keys and pos tables of the order at `arg`; keys is at top-1. */
void col_push_order_tables (lua_State *L, int arg);

/*
** Record the key at `k` as the newest entry of `o` (its keys and pos
** tables at `keys` and `pos`); t[k] is absent and about to be stored.
*/
void col_record_key (lua_State *L, Order *o, int keys, int pos, int t, int k);

/* The functions of order.c and count.c in the module table */
int col_order_new (lua_State *L);
int col_order_newindex (lua_State *L);
int col_order_iterate (lua_State *L);
int col_order_len (lua_State *L);
int col_order_popitem (lua_State *L);
int col_order_move_to_end (lua_State *L);
int col_order_count (lua_State *L);
int col_order_most_common (lua_State *L);

/* }====================================================== */

#endif
