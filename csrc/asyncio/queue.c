/*
** queue.c -- asyncio.Queue, LifoQueue and PriorityQueue.  See asyncio.h.
*/

#include <math.h>
#include <string.h>

#include "asyncio.h"


/* {====================================================== Queues */

/*
** Queue, LifoQueue and PriorityQueue: one userdata type whose items live
** in a table (user value) kept apart from its counters -- or, for a small
** bounded FIFO queue, in the userdata's own user values.  put/get suspend
** on futures queued in the getters/putters arrays, woken front first
** (CPython's Queue._wakeup_next).
*/

#define QUEUE_META  "pystd.asyncio.Queue"

/* a bounded FIFO queue up to this size keeps its items in its own user
   values (a ring of maxsize slots after QUEUE_NUV): a put or a get is
   then one or two user value accesses and no table operation */
#if !defined(ASYNCIO_QUEUE_INLINE_MAX)
#define ASYNCIO_QUEUE_INLINE_MAX  1024
#endif

/* initial capacity of a FIFO ring (a power of two) */
#if !defined(ASYNCIO_QUEUE_MIN)
#define ASYNCIO_QUEUE_MIN  16
#endif

enum discipline {
  QUEUE_FIFO,     /* a ring: items[head + 1 ..] */
  QUEUE_LIFO,     /* a stack: items[1 .. n] */
  QUEUE_PRIORITY  /* a binary heap: items[1 .. n], smallest first */
};

/* user values of a Queue; also the index into nwaiting */
enum {
  UVQ_ITEMS = 1,  /* the items */
  UVQ_GETTERS,    /* futures of tasks waiting in get() */
  UVQ_PUTTERS,    /* futures of tasks waiting in put() */
  UVQ_JOINERS,    /* futures of tasks waiting in join() */
  QUEUE_NUV = UVQ_JOINERS
};

typedef struct Queue {
  int discipline;
  lua_Integer maxsize;      /* 0: unbounded */
  lua_Integer n;            /* items held */
  lua_Integer head, cap;    /* FIFO ring: first slot - 1, capacity */
  int inline_items;         /* items in user values QUEUE_NUV + 1 .. */
  int finalized;            /* its __gc ran: it may be freed unannounced */
  lua_Integer unfinished;   /* put() not matched by task_done() yet */
  int nwaiting[QUEUE_NUV + 1];  /* length of each waiter array */
  lua_Integer whead[QUEUE_NUV + 1];  /* slots before its first waiter */
} Queue;

/*
** The slot of waiter k (0-based) of waiter array `which`: the woken waiter
** leaves from the front in O(1), however many wait behind it.
*/
#define waiter_slot(q, which, k)  ((q)->whead[which] + (k) + 1)

static const char *const queue_names[] = {"Queue", "LifoQueue",
                                          "PriorityQueue"};


/*
** Tables nested deeper than this, compared element by element, raise
** RecursionError, as CPython's recursion limit stops a comparison of
** nested tuples (near 1,000 there).  It is lower here, as lstrlib's
** MAXCCALLS: an __lt met at the bottom may compare again, as deep, up to
** Lua's C-call limit (about 200 times), all on the C stack.
*/
#if !defined(ASYNCIO_COMPARE_DEPTH)
#define ASYNCIO_COMPARE_DEPTH  200
#endif


/*
** Is the value at `i` an array that compares like a Python tuple?  A
** table with an __lt or an __eq is an object, compared by them.
*/
static int is_tuple (lua_State *L, int i) {
  return lua_istable(L, i) && !pystd_hasmetafield(L, i, "__lt") &&
         !pystd_hasmetafield(L, i, "__eq");
}


static int are_tuples (lua_State *L, int a, int b) {
  return is_tuple(L, a) && is_tuple(L, b);
}


static void check_depth (lua_State *L, int depth) {
  if (depth == ASYNCIO_COMPARE_DEPTH)
    pystd_raise(L, "RecursionError",
                "maximum recursion depth exceeded in comparison");
  luaL_checkstack(L, LUA_MINSTACK, "comparison");
}


/*
** Python's == of the values at `a` and `b` (absolute indices), found
** `depth` tables deep: arrays as tuples (same length, elements equal),
** anything else by Lua's == (so __eq runs).
*/
static int py_equal (lua_State *L, int a, int b, int depth) {
  lua_Integer n;
  if (lua_rawequal(L, a, b)) return 1;  /* as Python's identity test */
  if (!are_tuples(L, a, b)) return lua_compare(L, a, b, LUA_OPEQ);
  check_depth(L, depth);
  n = (lua_Integer)lua_rawlen(L, a);
  if ((lua_Integer)lua_rawlen(L, b) != n) return 0;
  for (lua_Integer i = 1; i <= n; i++) {
    int x = (lua_rawgeti(L, a, i), lua_gettop(L));
    int y = (lua_rawgeti(L, b, i), lua_gettop(L));
    int equal = py_equal(L, x, y, depth + 1);
    lua_pop(L, 2);
    if (!equal) return 0;
  }
  return 1;
}


/*
** Python's < of the values at `a` and `b`: numbers and strings with <,
** values with an __lt metamethod by it, arrays like tuples (< of the
** first elements not equal, else the shorter first); anything else (an
** object with only __eq too) is a TypeError.
*/
static int py_less (lua_State *L, int a, int b, int depth) {
  lua_Integer na, nb;
  if (pystd_orderable(L, a, b, "__lt"))
    return lua_compare(L, a, b, LUA_OPLT);
  if (!are_tuples(L, a, b))
    return pystd_ordererror(L, a, b, "<");
  check_depth(L, depth);
  na = (lua_Integer)lua_rawlen(L, a);
  nb = (lua_Integer)lua_rawlen(L, b);
  for (lua_Integer i = 1; i <= na && i <= nb; i++) {
    int x = (lua_rawgeti(L, a, i), lua_gettop(L));
    int y = (lua_rawgeti(L, b, i), lua_gettop(L));
    if (!py_equal(L, x, y, depth + 1)) {
      int less = py_less(L, x, y, depth + 1);
      lua_pop(L, 2);
      return less;
    }
    lua_pop(L, 2);
  }
  return na < nb;
}


static int queue_full (Queue *q) {
  return q->maxsize > 0 && q->n >= q->maxsize;
}


/*
** Whether item i of the heap at `items` is less than item j.  The
** comparison may run Lua code (__lt) that puts or gets on the queue: as
** in CPython's heapq, a change of its size raises RuntimeError.
*/
static int heap_less (lua_State *L, Queue *q, int items, lua_Integer i,
                      lua_Integer j) {
  lua_Integer n = q->n;
  int less;
  lua_rawgeti(L, items, i);
  lua_rawgeti(L, items, j);
  less = py_less(L, lua_gettop(L) - 1, lua_gettop(L), 0);
  lua_pop(L, 2);
  if (q->n != n)
    pystd_raise(L, "RuntimeError", "list changed size during iteration");
  return less;
}


static void swap_items (lua_State *L, int items, lua_Integer i,
                        lua_Integer j) {
  lua_rawgeti(L, items, i);
  lua_rawgeti(L, items, j);
  lua_rawseti(L, items, i);
  lua_rawseti(L, items, j);
}


/*
** Move item `pos` of the heap at `items` toward the root while it is less
** than its parent (heapq._siftdown).  The heap sifts by swaps, as CPython's
** does, not through a hole: whenever a comparison runs, and after one
** raised, the heap holds each of its items once, in CPython's order.
*/
static void heap_sift_up (lua_State *L, Queue *q, int items,
                          lua_Integer pos) {
  while (pos > 1 && heap_less(L, q, items, pos, pos / 2)) {
    swap_items(L, items, pos, pos / 2);
    pos /= 2;
  }
}


/*
** Move the smaller child up from the root of the heap at `items` until a
** leaf is free, then sift the root's item up from that leaf
** (heapq._siftup).
*/
static void heap_sift_down (lua_State *L, Queue *q, int items) {
  lua_Integer pos = 1, child;
  while ((child = 2 * pos) <= q->n) {
    if (child < q->n && !heap_less(L, q, items, child, child + 1)) child++;
    swap_items(L, items, pos, child);
    pos = child;
  }
  heap_sift_up(L, q, items, pos);
}


/*
** Add the value at `item` to the items table at `items`.  A heap takes it
** in before any comparison (heapq.heappush): a put whose comparison raises
** leaves it in the queue, as in CPython.
*/
static void store_item (lua_State *L, Queue *q, int items, int item) {
  lua_Integer i = q->n + 1;
  if (q->discipline == QUEUE_FIFO) {
    if (q->n == q->cap) {
      ring_grow(L, items, q->head, q->cap);
      q->cap *= 2;
    }
    i = ((q->head + q->n) & (q->cap - 1)) + 1;
  }
  lua_pushvalue(L, item);
  lua_rawseti(L, items, i);
  q->n++;
  if (q->discipline == QUEUE_PRIORITY) heap_sift_up(L, q, items, q->n);
}


/*
** Push the next item of a LifoQueue or PriorityQueue, removing it.  A heap
** lets its last item go first, to the root's place, then sifts it
** (heapq.heappop): a get whose comparison raises has lost the smallest
** item, as in CPython.
*/
static void take_item (lua_State *L, Queue *q, int items) {
  lua_rawgeti(L, items, q->n);
  lua_pushnil(L);
  lua_rawseti(L, items, q->n);
  q->n--;
  if (q->discipline == QUEUE_PRIORITY && q->n > 0) {
    lua_rawgeti(L, items, 1);  /* the smallest, to return */
    lua_insert(L, -2);
    lua_rawseti(L, items, 1);  /* the last item in its place */
    heap_sift_down(L, q, items);
  }
}


/*
** Take futures off the front of waiter array `which` of the queue at 1
** until a pending one is found, and finish it.
*/
static void wake_next (lua_State *L, Loop *lp, Queue *q, int which) {
  int w = (lua_getiuservalue(L, 1, which), lua_gettop(L));
  while (q->nwaiting[which] > 0) {
    lua_Integer slot = waiter_slot(q, which, 0);
    int pending;
    lua_rawgeti(L, w, slot);
    pending = ((Future *)lua_touserdata(L, -1))->state == PENDING;
    if (pending)  /* first: a memory error leaves the waiter queued */
      set_results(L, lp, lua_gettop(L), 0);
    lua_pushnil(L);
    lua_rawseti(L, w, slot);
    q->whead[which] = (--q->nwaiting[which] == 0) ? 0 : slot;
    lua_pop(L, 1);
    if (pending) break;
  }
  lua_pop(L, 1);
}


/* Is waiter k of waiter array `which` (at `w`) the future at `fi`? */
static int is_waiter (lua_State *L, Queue *q, int which, int w, int k,
                      int fi) {
  int same = (lua_rawgeti(L, w, waiter_slot(q, which, k)),
              lua_rawequal(L, -1, fi));
  lua_pop(L, 1);
  return same;
}


/*
** The position of the future at `fi` in waiter array `which` (at `w`), or
** -1: looked for from both ends at once, so that one i from the nearer end
** is found in O(i).
*/
static int find_waiter (lua_State *L, Queue *q, int which, int w, int fi) {
  for (int lo = 0, hi = q->nwaiting[which] - 1; lo <= hi; lo++, hi--) {
    if (is_waiter(L, q, which, w, lo, fi)) return lo;
    if (is_waiter(L, q, which, w, hi, fi)) return hi;
  }
  return -1;
}


/*
** Take the future at `fi` out of waiter array `which`, if it is there: the
** waiters on its shorter side move one slot toward its place, so that one
** near either end leaves in O(1), as from CPython's deque (a storm of
** cancelled waiters leaving front first was quadratic).
*/
static void remove_waiter (lua_State *L, Queue *q, int which, int fi) {
  int w = (lua_getiuservalue(L, 1, which), lua_gettop(L));
  int n = q->nwaiting[which], k = find_waiter(L, q, which, w, fi);
  if (k >= 0) {
    int front = k < n - 1 - k, step = front ? -1 : 1, end = front ? 0 : n - 1;
    for (int j = k; j != end; j += step) {
      lua_rawgeti(L, w, waiter_slot(q, which, j + step));
      lua_rawseti(L, w, waiter_slot(q, which, j));
    }
    lua_pushnil(L);
    lua_rawseti(L, w, waiter_slot(q, which, end));
    if (front) q->whead[which]++;
    if (--q->nwaiting[which] == 0) q->whead[which] = 0;
  }
  lua_pop(L, 1);
}


/*
** Suspend the current task on a new future appended to waiter array
** `which` of the queue at 1; `k` runs when it is woken (the future on top).
*/
static int queue_wait (lua_State *L, Queue *q, int which, lua_KFunction k) {
  Loop *lp = getloop(L);
  Future *t = begin_suspend(L, lp);
  int fi;
  new_future(L, lp, KIND_FUTURE, 0);
  fi = lua_gettop(L);
  lua_getiuservalue(L, 1, which);
  lua_pushvalue(L, fi);
  lua_rawseti(L, -2, waiter_slot(q, which, q->nwaiting[which]));
  q->nwaiting[which]++;
  lua_pop(L, 1);
  wait_on(L, lp, t, fi);
  return lua_yieldk(L, 0, 1, k);  /* ctx 1: resumed with the future on top */
}


/*
** A waiter future (on top) of array `which` is back: forget it.  When the
** task was cancelled, pass a wake-up it got on to the next waiter (if
** `can_go_on`), then raise.
*/
static void queue_resumed (lua_State *L, Queue *q, int which, int can_go_on) {
  Loop *lp = getloop(L);
  int fi = lua_gettop(L);
  Future *fut = lua_touserdata(L, fi);
  if (fut->state != FINISHED)  /* a woken one left the array already */
    remove_waiter(L, q, which, fi);
  if (lp->current->must_cancel || fut->state == CANCELLED) {
    if (fut->state == FINISHED && can_go_on) wake_next(L, lp, q, which);
    check_cancel_on(L, lp, fi);
    push_outcome(L, fi);  /* raises its CancelledError */
  }
  lua_pop(L, 1);
}


/*
** The queue at 1.  The last queue checked is remembered (until its __gc),
** so the hot path of put/get is a pointer comparison.  A queue a finalizer
** uses after its own __gc is never remembered: the next collection frees
** it without a word, and another object may take its address.
*/
static Queue *checkqueue (lua_State *L) {
  Loop *lp = getloop(L);
  Queue *q = lua_touserdata(L, 1);
  if (q == NULL || q != lp->queue_seen) {
    q = toclass(L, 1);
    if (q == NULL) q = luaL_checkudata(L, 1, QUEUE_META);
    if (!q->finalized) lp->queue_seen = q;
  }
  return q;
}


static int queue_gc (lua_State *L) {
  Loop *lp = getloop(L);
  Queue *q = lua_touserdata(L, 1);
  q->finalized = 1;
  if (q == lp->queue_seen) lp->queue_seen = NULL;
  return 0;
}


/*
** Store the item at 2 and wake a getter (which cannot fail, once room for
** the wake-up is reserved).
*/
static void put_item (lua_State *L, Queue *q) {
  if (q->nwaiting[UVQ_GETTERS] > 0) ready_reserve(L, getloop(L));
  if (q->inline_items) {  /* slots QUEUE_NUV + 1 + (0 .. maxsize - 1) */
    lua_Integer i = q->head + q->n++;
    if (i >= q->cap) i -= q->cap;
    lua_pushvalue(L, 2);
    lua_setiuservalue(L, 1, QUEUE_NUV + 1 + (int)i);
  }
  else {
    lua_getiuservalue(L, 1, UVQ_ITEMS);
    if (q->discipline == QUEUE_FIFO && q->n < q->cap) {  /* common case */
      lua_pushvalue(L, 2);
      lua_rawseti(L, -2, ((q->head + q->n++) & (q->cap - 1)) + 1);
    }
    else store_item(L, q, lua_gettop(L), 2);
    lua_pop(L, 1);
  }
  q->unfinished++;
  if (q->nwaiting[UVQ_GETTERS] > 0) wake_next(L, getloop(L), q, UVQ_GETTERS);
}


/* Push the next item and wake a putter (which cannot fail, once reserved). */
static int get_item (lua_State *L, Queue *q) {
  if (q->nwaiting[UVQ_PUTTERS] > 0) ready_reserve(L, getloop(L));
  if (q->inline_items) {
    int slot = QUEUE_NUV + 1 + (int)q->head;
    lua_getiuservalue(L, 1, slot);
    lua_pushnil(L);
    lua_setiuservalue(L, 1, slot);
    if (++q->head == q->cap) q->head = 0;
    q->n--;
  }
  else if (lua_getiuservalue(L, 1, UVQ_ITEMS),
           q->discipline == QUEUE_FIFO) {  /* the common case */
    lua_Integer i = q->head + 1;
    lua_rawgeti(L, -1, i);
    lua_pushnil(L);
    lua_rawseti(L, -3, i);
    q->head = i & (q->cap - 1);
    q->n--;
  }
  else take_item(L, q, lua_gettop(L));
  if (q->nwaiting[UVQ_PUTTERS] > 0) wake_next(L, getloop(L), q, UVQ_PUTTERS);
  return 1;
}


static void check_item (lua_State *L) {
  if (lua_isnoneornil(L, 2))
    pystd_raise(L, "ValueError", "cannot put nil in a queue");
}


static int queue_put_nowait (lua_State *L) {
  Queue *q = checkqueue(L);
  check_item(L);
  if (queue_full(q)) return pystd_raise(L, "asyncio.QueueFull", "");
  put_item(L, q);
  return 0;
}


static int queue_get_nowait (lua_State *L) {
  Queue *q = checkqueue(L);
  if (q->n == 0) return pystd_raise(L, "asyncio.QueueEmpty", "");
  return get_item(L, q);
}


/* put, first run (ctx 0) or resumed (ctx 1): stack (queue, item, ...) */
static int queue_put_k (lua_State *L, int status, lua_KContext ctx) {
  Queue *q = lua_touserdata(L, 1);
  (void)status;
  if (ctx) queue_resumed(L, q, UVQ_PUTTERS, !queue_full(q));
  if (queue_full(q)) return queue_wait(L, q, UVQ_PUTTERS, queue_put_k);
  put_item(L, q);
  return 0;
}


static int queue_put (lua_State *L) {
  Queue *q = checkqueue(L);
  check_item(L);
  if (queue_full(q)) return queue_put_k(L, LUA_OK, 0);
  put_item(L, q);
  return 0;
}


/* get, first run (ctx 0) or resumed (ctx 1): stack (queue, ...) */
static int queue_get_k (lua_State *L, int status, lua_KContext ctx) {
  Queue *q = lua_touserdata(L, 1);
  (void)status;
  if (ctx) queue_resumed(L, q, UVQ_GETTERS, q->n > 0);
  if (q->n == 0) return queue_wait(L, q, UVQ_GETTERS, queue_get_k);
  return get_item(L, q);
}


static int queue_get (lua_State *L) {
  Queue *q = checkqueue(L);
  if (q->n == 0) return queue_get_k(L, LUA_OK, 0);
  return get_item(L, q);
}


/*
** join, first run (ctx 0) or resumed (ctx 1).  Woken, it returns even if
** items were put since the count reached 0, as CPython's join, a wait on
** its _finished Event, does.
*/
static int queue_join_k (lua_State *L, int status, lua_KContext ctx) {
  Queue *q = lua_touserdata(L, 1);
  (void)status;
  if (ctx) queue_resumed(L, q, UVQ_JOINERS, 0);
  else if (q->unfinished > 0)
    return queue_wait(L, q, UVQ_JOINERS, queue_join_k);
  return 0;
}


static int queue_join (lua_State *L) {
  checkqueue(L);
  return queue_join_k(L, LUA_OK, 0);
}


static int queue_task_done (lua_State *L) {
  Queue *q = checkqueue(L);
  if (q->unfinished <= 0)
    return pystd_raise(L, "ValueError", "task_done() called too many times");
  if (q->unfinished == 1)  /* the count goes last: a memory error leaves it */
    while (q->nwaiting[UVQ_JOINERS] > 0)
      wake_next(L, getloop(L), q, UVQ_JOINERS);
  q->unfinished--;
  return 0;
}


static int queue_qsize (lua_State *L) {
  lua_pushinteger(L, checkqueue(L)->n);
  return 1;
}


static int queue_empty (lua_State *L) {
  lua_pushboolean(L, checkqueue(L)->n == 0);
  return 1;
}


static int queue_isfull (lua_State *L) {
  lua_pushboolean(L, queue_full(checkqueue(L)));
  return 1;
}


static int queue_tostring (lua_State *L) {
  Queue *q = checkqueue(L);
  lua_pushfstring(L, "<%s maxsize=%I qsize=%I tasks=%I>",
                  queue_names[q->discipline], q->maxsize, q->n, q->unfinished);
  return 1;
}


/*
** The bound of argument 1 (0: none).  As in CPython a queue is full when
** its size reaches maxsize, so a fractional maxsize counts as the next
** integer; NaN and infinity bound nothing.
*/
static lua_Integer check_maxsize (lua_State *L) {
  lua_Number m;
  if (lua_isinteger(L, 1)) return lua_tointeger(L, 1);
  m = luaL_optnumber(L, 1, 0);
  if (!(m > 0) || m >= (lua_Number)LUA_MAXINTEGER) return 0;
  return (lua_Integer)ceil(m);
}


/* Queue([maxsize]), LifoQueue([maxsize]), PriorityQueue([maxsize]) */
static int new_queue (lua_State *L) {
  int discipline = (int)lua_tointeger(L, lua_upvalueindex(2));
  lua_Integer maxsize = check_maxsize(L);
  int inline_items = discipline == QUEUE_FIFO && maxsize > 0 &&
                     maxsize <= ASYNCIO_QUEUE_INLINE_MAX;
  Queue *q = lua_newuserdatauv(L, sizeof(Queue),
                               QUEUE_NUV + (inline_items ? (int)maxsize : 0));
  memset(q, 0, sizeof *q);
  q->discipline = discipline;
  q->maxsize = maxsize > 0 ? maxsize : 0;
  q->inline_items = inline_items;
  q->cap = inline_items ? maxsize : ASYNCIO_QUEUE_MIN;
  luaL_setmetatable(L, QUEUE_META);
  for (int which = UVQ_ITEMS; which <= QUEUE_NUV; which++) {
    if (which == UVQ_ITEMS && inline_items) continue;
    lua_createtable(L, which == UVQ_ITEMS ? ASYNCIO_QUEUE_MIN : 0, 0);
    lua_setiuservalue(L, -2, which);
  }
  return 1;
}


static const luaL_Reg queue_methods[] = {
  {"put", queue_put},
  {"get", queue_get},
  {"put_nowait", queue_put_nowait},
  {"get_nowait", queue_get_nowait},
  {"qsize", queue_qsize},
  {"empty", queue_empty},
  {"full", queue_isfull},
  {"task_done", queue_task_done},
  {"join", queue_join},
  {NULL, NULL}
};

static const luaL_Reg queue_meta[] = {
  {"__gc", queue_gc},
  {"__tostring", queue_tostring},
  {NULL, NULL}
};

/*
** Add the Queue class and the Queue, LifoQueue and PriorityQueue
** constructors to the module table on top; the loop is just below it.
*/
void open_queues (lua_State *L) {
  lua_pushvalue(L, -2);
  new_class(L, QUEUE_META, queue_methods, queue_meta);
  lua_pop(L, 1);
  for (int d = QUEUE_FIFO; d <= QUEUE_PRIORITY; d++) {
    lua_pushvalue(L, -2);
    lua_pushinteger(L, d);
    lua_pushcclosure(L, new_queue, 2);
    lua_setfield(L, -2, queue_names[d]);
  }
}

/* }====================================================== */
