/*
** loop.c -- the event loop of pystd.asyncio on luv's libuv loop: the ready
** queue, the timer heap, the libuv callbacks that drive them, the running
** loop's methods, asyncio.run, and luaopen_pystd_asyncio.  See asyncio.h.
*/

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asyncio.h"


/* {====================================================== Ready queue */

/*
** The ready queue is a ring of entries (lp->ready, capacity a power of
** two): tasks to step, done futures whose callbacks must run, handles to
** call.  A task to step is only a pointer (pending tasks are anchored in
** the tasks table), so sleep(0) costs no Lua table operation.  The values
** of the other entries (READY_CALL) wait, in the same order, in a second
** ring: a Lua table (calls_ref) as large as the most of them queued at
** once.  Slots are cleared when taken, so it keeps nothing alive.  A free
** slot holds false, never nil, so that every slot stays a key of the
** table: storing into it cannot raise a memory error (only ready_grow can).
*/

/* Store false into the slots from..to of the ring table at `ring`. */
static void ring_free (lua_State *L, int ring, lua_Integer from,
                       lua_Integer to) {
  for (lua_Integer i = from; i <= to; i++) {
    lua_pushboolean(L, 0);
    lua_rawseti(L, ring, i);
  }
}


/*
** Make room in the full ring table at `ring` (slots 1..cap, the first
** item at head + 1) for a capacity of 2 * cap: the slots before head move
** past the old end, so the items stay in order from head + 1.  The slots
** they leave are cleared after all are copied: a memory error leaves the
** ring as it was, and the ring keeps no item it gave out.
*/
void ring_grow (lua_State *L, int ring, lua_Integer head,
                lua_Integer cap) {
  for (lua_Integer i = 1; i <= head; i++) {
    lua_rawgeti(L, ring, i);
    lua_rawseti(L, ring, cap + i);
  }
  ring_free(L, ring, 1, head);
}


static void idle_cb (uv_idle_t *idle);

/*
** Double the capacity of each full ring (the rare case of ready_append and
** ready_push).  A memory error leaves each ring whole, at its capacity.
*/
void ready_grow (lua_State *L, Loop *lp) {
  int cap = lp->ready_cap;
  check_open(L, lp);
  if (lp->ready_count == cap) {
    ReadyEntry *ring = realloc(lp->ready, 2 * cap * sizeof *ring);
    if (ring == NULL) luaL_error(L, "not enough memory");
    memcpy(ring + cap, ring, lp->ready_head * sizeof *ring);
    lp->ready = ring;
    lp->ready_cap = 2 * cap;
  }
  cap = lp->calls_cap;
  if (lp->calls_count == cap) {  /* the new keys first: they allocate */
    int calls = (lua_rawgeti(L, LUA_REGISTRYINDEX, lp->calls_ref),
                 lua_gettop(L));
    ring_free(L, calls, cap + 1, 2 * cap);
    ring_grow(L, calls, lp->calls_head, cap);
    lua_pop(L, 1);
    lp->calls_cap = 2 * cap;
  }
}


/* The ready queue is no longer empty: wake the idle handle, if running. */
void ready_wake (Loop *lp) {
  if (lp->handles) uv_idle_start(&lp->handles->idle, idle_cb);
}


/* the 1-based slot of the calls ring that holds its i-th value (0-based) */
static int calls_slot (Loop *lp, int i) {
  return ((lp->calls_head + i) & (lp->calls_cap - 1)) + 1;
}


/* Queue the value at `idx`: a done future, or a handle. */
void ready_push (lua_State *L, Loop *lp, int idx) {
  idx = lua_absindex(L, idx);
  ready_reserve(L, lp);  /* both rings: ready_append then cannot fail */
  ready_append(L, lp, lua_touserdata(L, idx), READY_CALL);
  lua_rawgeti(L, LUA_REGISTRYINDEX, lp->calls_ref);
  lua_pushvalue(L, idx);
  lua_rawseti(L, -2, calls_slot(lp, lp->calls_count++));
  lua_pop(L, 1);
}


/*
** Move the entry queued last, a READY_CALL one, to the front of the queue
** (and its value to the front of the calls ring).
*/
static void ready_last_to_front (lua_State *L, Loop *lp) {
  int calls = (lua_rawgeti(L, LUA_REGISTRYINDEX, lp->calls_ref),
               lua_gettop(L));
  int last = calls_slot(lp, lp->calls_count - 1);
  ReadyEntry entry = lp->ready[(lp->ready_head + lp->ready_count - 1) &
                               (lp->ready_cap - 1)];
  lp->ready_head = (lp->ready_head + lp->ready_cap - 1) & (lp->ready_cap - 1);
  lp->ready[lp->ready_head] = entry;
  lua_rawgeti(L, calls, last);
  ring_free(L, calls, last, last);  /* before the store: in a full ring,
                                       the front is the last slot */
  lp->calls_head = (lp->calls_head + lp->calls_cap - 1) & (lp->calls_cap - 1);
  lua_rawseti(L, calls, calls_slot(lp, 0));
  lua_pop(L, 1);
}


/*
** Take the next entry; for one that is not a task to step, push its value
** from the calls ring at `calls`.
*/
static ReadyEntry ready_pop (lua_State *L, Loop *lp, int calls) {
  ReadyEntry entry = lp->ready[lp->ready_head];
  if (entry.step == READY_CALL) {  /* take the value out: the ring must
                                     not keep it */
    int slot = calls_slot(lp, 0);
    lua_rawgeti(L, calls, slot);
    ring_free(L, calls, slot, slot);
    lp->calls_head = (lp->calls_head + 1) & (lp->calls_cap - 1);
    lp->calls_count--;
  }
  lp->ready_head = (lp->ready_head + 1) & (lp->ready_cap - 1);
  lp->ready_count--;
  return entry;
}


/*
** Make the queued entry that runs `obj` (a gathering future's turn, see
** gather_child_done) do nothing: it steps lp->no_task instead, and its
** value leaves the calls ring (the values queued after it move up).
*/
void ready_void (lua_State *L, Loop *lp, void *obj) {
  int calls = (lua_rawgeti(L, LUA_REGISTRYINDEX, lp->calls_ref),
               lua_gettop(L));
  for (int i = 0, k = 0; i < lp->ready_count; i++) {
    ReadyEntry *e = &lp->ready[(lp->ready_head + i) & (lp->ready_cap - 1)];
    if (e->step != READY_CALL) continue;
    if (e->obj == obj) {
      e->obj = &lp->no_task;
      e->step = READY_STEP;
      lp->calls_count--;
      for (; k < lp->calls_count; k++) {
        lua_rawgeti(L, calls, calls_slot(lp, k + 1));
        lua_rawseti(L, calls, calls_slot(lp, k));
      }
      ring_free(L, calls, calls_slot(lp, k), calls_slot(lp, k));
      break;
    }
    k++;
  }
  lua_pop(L, 1);
}


/* }====================================================== */


/* {====================================================== Timer heap */

/* loop time: monotonic seconds */
double loop_time (void) {
  return (double)uv_hrtime() / 1e9;
}


/*
** The heap is 4-ary, and each array entry carries its deadline, so that
** sifting compares neighbouring entries instead of chasing node pointers
** (100,000 sleeping tasks: a binary heap of pointers spent most of its
** time in cache misses).  Only equal deadlines, rare, look at the nodes
** (the insertion order breaks ties).
*/
#define HEAP_ARITY  4

static int heap_less (const HeapEntry *a, const HeapEntry *b) {
  return a->when < b->when ||
         (a->when == b->when && a->node->seq < b->node->seq);
}


static void heap_place (Loop *lp, HeapEntry entry, int i) {
  lp->heap[i] = entry;
  entry.node->index = i;
}


/* Restore the heap order around position i, moving its entry up or down. */
static void heap_sift (Loop *lp, int i) {
  HeapEntry entry = lp->heap[i];
  while (i > 0 && heap_less(&entry, &lp->heap[(i - 1) / HEAP_ARITY])) {
    heap_place(lp, lp->heap[(i - 1) / HEAP_ARITY], i);
    i = (i - 1) / HEAP_ARITY;
  }
  for (;;) {
    int first = HEAP_ARITY * i + 1, best = first;
    if (first >= lp->heap_n) break;
    for (int c = first + 1; c < first + HEAP_ARITY && c < lp->heap_n; c++)
      if (heap_less(&lp->heap[c], &lp->heap[best])) best = c;
    if (!heap_less(&lp->heap[best], &entry)) break;
    heap_place(lp, lp->heap[best], i);
    i = best;
  }
  heap_place(lp, entry, i);
}


static void arm_timer (Loop *lp);

/* Insert `node`, due at `when`; re-arms the uv timer when it is first. */
void heap_push (lua_State *L, Loop *lp, HeapNode *node, double when) {
  HeapEntry entry;
  if (lp->heap_n == lp->heap_cap) {
    int cap = lp->heap_cap ? lp->heap_cap * 2 : 64;
    HeapEntry *heap;
    check_open(L, lp);
    heap = realloc(lp->heap, cap * sizeof *heap);
    if (heap == NULL) luaL_error(L, "not enough memory");
    lp->heap = heap;
    lp->heap_cap = cap;
  }
  entry.when = when;
  entry.node = node;
  node->seq = lp->heap_seq++;
  heap_place(lp, entry, lp->heap_n++);
  heap_sift(lp, node->index);
  if (node->index == 0) arm_timer(lp);
}


void heap_remove (Loop *lp, HeapNode *node) {
  int i = node->index;
  node->index = -1;
  if (--lp->heap_n > i) {
    heap_place(lp, lp->heap[lp->heap_n], i);
    heap_sift(lp, i);
  }
}


static void timer_cb (uv_timer_t *timer);

/* the longest the uv timer is armed for (ms, some 30,000 years): later
   deadlines (sleep(math.huge)) re-arm it when it fires */
#define TIMER_MAX_MS  1e15

/*
** Arm the uv timer for the heap's first deadline (stop it when the heap
** is empty).  Updates libuv's cached time first, as code may have run a
** while since the loop last did.
*/
static void arm_timer (Loop *lp) {
  double delay;
  if (lp->handles == NULL) return;
  if (lp->heap_n == 0) {
    uv_timer_stop(&lp->handles->timer);
    lp->armed_when = -1;
    return;
  }
  if (lp->heap[0].when == lp->armed_when) return;
  lp->armed_when = lp->heap[0].when;
  uv_update_time(lp->uv);
  delay = ceil((lp->armed_when - loop_time()) * 1000.0);
  uv_timer_start(&lp->handles->timer, timer_cb,
                 delay > 0 ? (uint64_t)fmin(delay, TIMER_MAX_MS) : 0, 0);
}

/* }====================================================== */


/* {====================================================== Loop callbacks */

/*
** Call fn(...) protected; a failure is reported on stderr, as CPython's
** loop reports it -- unless it leaves the loop (leaves_loop).
*/
static void call_reporting (lua_State *L, Loop *lp, int nargs) {
  if (lua_pcall(L, nargs, 0, 0) != LUA_OK) {
    if (leaves_loop(L, lp, -1))
      leave_loop(L, lp, -1);
    else {
      fprintf(stderr, "Exception in callback: %s\n", push_error_text(L, -1));
      fflush(stderr);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
}


/*
** Run the done callback on top (popping it) of the future at `fi`: wake a
** waiting task, count a gathered child, or call a function with fi.
*/
static void run_callback (lua_State *L, Loop *lp, int fi) {
  int ci = lua_gettop(L);
  if (lua_type(L, ci) == LUA_TUSERDATA) {
    Future *waiter = lua_touserdata(L, ci);
    if (waiter->kind != KIND_TASK)
      gather_child_done(L, lp, ci, waiter, fi, lua_touserdata(L, fi), 0);
    else if (waiter->state == PENDING &&
             lua_getiuservalue(L, ci, UV_WAITING) != LUA_TNIL &&
             lua_rawequal(L, -1, fi)) {
      lua_pushnil(L);
      lua_setiuservalue(L, ci, UV_WAITING);
      task_step(L, lp, waiter);
    }
  }
  else {
    lua_pushvalue(L, fi);
    call_reporting(L, lp, 1);
  }
  lua_settop(L, ci - 1);
}


/*
** Queue again, at the front, the done callbacks i..n of the array at
** `list` for the future at `fi`: one of its callbacks left the loop
** (leave_loop), and the rest run first in the pass after run has
** cancelled the tasks, as each of CPython's callbacks is a handle of its
** own, queued right behind.
*/
static void requeue_callbacks (lua_State *L, Loop *lp, int fi, int list,
                               lua_Integer i, lua_Integer n) {
  lua_createtable(L, (int)(n - i + 1), 0);
  for (lua_Integer k = 1; i <= n; i++, k++) {
    lua_rawgeti(L, list, i);
    lua_rawseti(L, -2, k);
  }
  ready_push(L, lp, fi);  /* first: it may raise a memory error */
  ready_last_to_front(L, lp);
  lua_setiuservalue(L, fi, UV_CALLBACKS);
  ((Future *)lua_touserdata(L, fi))->has_callbacks = 1;
}


/* Run the done callbacks of the future at `fi`, until one leaves the loop. */
static void run_callbacks (lua_State *L, Loop *lp, int fi) {
  Future *f = lua_touserdata(L, fi);
  int list, type;
  lua_Integer i, n;
  if (!f->has_callbacks) return;
  f->has_callbacks = 0;
  type = lua_getiuservalue(L, fi, UV_CALLBACKS);
  lua_pushnil(L);
  lua_setiuservalue(L, fi, UV_CALLBACKS);
  if (type != LUA_TTABLE) {
    run_callback(L, lp, fi);
    return;
  }
  list = lua_gettop(L);
  for (i = 1, n = luaL_len(L, list); i <= n && !lp->pass_ends; i++) {
    lua_rawgeti(L, list, i);
    run_callback(L, lp, fi);
  }
  if (i <= n) requeue_callbacks(L, lp, fi, list, i, n);
  lua_pop(L, 1);
}


static void run_handle (lua_State *L, Loop *lp, int hi) {
  Handle *h = lua_touserdata(L, hi);
  if (h->cancelled) return;
  luaL_checkstack(L, h->nargs + 1, "too many arguments");
  for (int i = 1; i <= h->nargs + 1; i++)
    lua_getiuservalue(L, hi, i);
  call_reporting(L, lp, h->nargs);
}


/*
** The turn of a READY_WAKE entry: queue the step of its task, unless a
** cancel took the sleep meanwhile.  The entry just taken leaves room for
** the step's.
*/
static void end_sleep (lua_State *L, Loop *lp, Future *t) {
  if (t->scheduled == READY_WAKE) {
    t->scheduled = 0;
    schedule_step(L, lp, t);
  }
}


/*
** Run what was queued when this pass began (what those queue runs in the
** next pass, as CPython's _run_once), unless leave_loop ends the pass.
** Called protected.
*/
static int run_ready (lua_State *L) {
  Loop *lp = lua_touserdata(L, 1);
  int n = lp->ready_count;
  lua_rawgeti(L, LUA_REGISTRYINDEX, lp->calls_ref);  /* calls ring at 2 */
  while (n-- > 0 && lp->ready_count > 0 && !lp->pass_ends) {
    ReadyEntry entry = ready_pop(L, lp, 2);
    if (entry.step == READY_STEP)
      task_step(L, lp, entry.obj);
    else if (entry.step == READY_WAKE)
      end_sleep(L, lp, entry.obj);
    else {
      if (kind_at(entry.obj) == KIND_HANDLE) run_handle(L, lp, 3);
      else if (((Future *)entry.obj)->gathering == GATHER_DECIDED)
        gather_finish(L, lp, 3);
      else run_callbacks(L, lp, 3);
      lua_settop(L, 2);
    }
  }
  if (lp->unwatched_kept > 0) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, lp->self_ref);
    watch_unused(L, lp, -1, 1);
  }
  return 0;
}


/*
** Move every due heap entry to the ready queue: a handle to run, or the
** wake-up of a sleeping task.  Called protected.
*/
static int run_timers (lua_State *L) {
  Loop *lp = lua_touserdata(L, 1);
  double now = loop_time() + 0.0005;  /* within half a ms counts as due */
  while (lp->heap_n > 0 && lp->heap[0].when <= now) {
    HeapNode *node = lp->heap[0].node;
    ready_reserve(L, lp);  /* a memory error leaves the entry in the heap */
    heap_remove(lp, node);
    if (node->kind == KIND_TASK) {
      Future *t = node_owner(node, Future);
      ready_append(L, lp, t, READY_WAKE);
      t->scheduled = READY_WAKE;
    }
    else {
      Handle *h = node_owner(node, Handle);
      lua_rawgeti(L, LUA_REGISTRYINDEX, lp->timers_ref);
      lua_rawgetp(L, -1, h);
      ready_push(L, lp, -1);
      lua_pushnil(L);
      lua_rawsetp(L, -3, h);
      lua_pop(L, 2);
    }
  }
  return 0;
}


/* Run `f` protected on the run thread; an error stops the loop. */
static void protected_pass (Loop *lp, lua_CFunction f) {
  lua_State *L = lp->L;
  int top = lua_gettop(L);
  lua_pushcfunction(L, f);
  lua_pushlightuserdata(L, lp);
  if (lua_pcall(L, 1, 0, 0) != LUA_OK && !lp->failed) {
    lp->failed = 1;
    lua_rawseti(L, LUA_REGISTRYINDEX, lp->failed_ref);
    uv_stop(lp->uv);
  }
  lp->pass_ends = 0;
  lua_settop(L, top);
  if (lp->handles) {
    if (lp->ready_count == 0) uv_idle_stop(&lp->handles->idle);
    lp->armed_when = -1;
    arm_timer(lp);
  }
}


static void idle_cb (uv_idle_t *idle) {
  protected_pass(idle->data, run_ready);
}


static void timer_cb (uv_timer_t *timer) {
  protected_pass(timer->data, run_timers);
}


/*
** SIGINT: cancel the main task; run ends with KeyboardInterrupt -- or with
** RecursionError when the cancel cannot reach the end of the chain of
** awaits (a cycle of tasks awaiting each other), where CPython 3.11 logs
** that error and goes on waiting.  The second one, or one after main is
** done, leaves the loop with KeyboardInterrupt, as CPython's _on_sigint
** raises it.
*/
static int interrupt_main (lua_State *L) {
  Loop *lp = lua_touserdata(L, 1);
  Future *main;
  lua_rawgeti(L, LUA_REGISTRYINDEX, lp->main_ref);
  main = lua_touserdata(L, -1);
  if (lp->interrupted++ > 0 || main == NULL || main->state != PENDING) {
    pystd_newerror(L, "KeyboardInterrupt", "");
    leave_loop(L, lp, -1);
    return 0;
  }
  if (task_cancel(L, lp, lua_gettop(L), 0, 0) == CANCEL_CUT) {
    push_cancel_cut_error(L);
    return lua_error(L);
  }
  return 0;
}


static void sigint_cb (uv_signal_t *signal, int signum) {
  (void)signum;
  protected_pass(signal->data, interrupt_main);
}


/*
** Is the value at `idx` a KeyboardInterrupt or a SystemExit (or of a type
** registered below one)?  CPython lets them out of its loop (leave_loop).
*/
int leaves_loop (lua_State *L, Loop *lp, int idx) {
  static const char *const types[] = {"KeyboardInterrupt", "SystemExit"};
  int found = 0;
  idx = lua_absindex(L, idx);
  if (pystd_errortype(L, idx) == NULL) return 0;
  for (int i = 0; i < 2 && !found; i++) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, lp->is_ref);
    lua_pushvalue(L, idx);
    lua_pushstring(L, types[i]);
    lua_call(L, 2, 1);
    found = lua_toboolean(L, -1);
    lua_pop(L, 1);
  }
  return found;
}


/*
** The error at `idx`, raised by a task or a callback, leaves the loop, as
** KeyboardInterrupt and SystemExit leave CPython's run_forever: the pass
** ends (what is queued stays queued), and run cancels the tasks pending,
** runs the loop until they are done, then raises the error.  One more
** while run does that stops it at once, as a failure, as it would leave
** the close of CPython's runner.
*/
void leave_loop (lua_State *L, Loop *lp, int idx) {
  if (lp->failed) return;
  lua_pushvalue(L, idx);
  lua_rawseti(L, LUA_REGISTRYINDEX, lp->failed_ref);
  if (lp->escaped || lp->shutting_down) lp->failed = 1;
  else lp->escaped = 1;
  lp->pass_ends = 1;
  uv_stop(lp->uv);
}

/* }====================================================== */


/* {====================================================== Loop functions */

static Loop *running_loop (lua_State *L) {
  Loop *lp = getloop(L);
  if (lp->L == NULL) no_running_loop(L);
  return lp;
}


/*
** create_task(coro [, name]) | create_task(fn, ...) | create_task(future)
*/
static int aio_create_task (lua_State *L) {
  Loop *lp = running_loop(L);
  int top, named, type = lua_type(L, 1);
  if (type == LUA_TFUNCTION) {
    unwrap_async(L, 1);
    new_task(L, lp, lua_gettop(L) - 1);
    return 1;
  }
  luaL_argexpected(L, type > LUA_TNIL, 1, "coroutine");
  named = lua_gettop(L) >= 2 && !lua_isnil(L, 2);
  if (named) {  /* as CPython's str(name), before the task starts */
    luaL_tolstring(L, 2, NULL);
    lua_replace(L, 2);
  }
  top = lua_gettop(L);
  ensure_future(L, lp, 1);  /* at top + 1 */
  if (named && lua_rawequal(L, 1, top + 1)) {
    ((Future *)lua_touserdata(L, top + 1))->named = 1;
    lua_pushvalue(L, 2);
    lua_setiuservalue(L, top + 1, UV_NAME);
  }
  return 1;
}


/* current_task() -> the running task, or nothing in a callback */
static int aio_current_task (lua_State *L) {
  Loop *lp = running_loop(L);
  if (lp->current == NULL) return 0;
  push_task(L, lp, lp->current);
  return 1;
}


/* Push an array of the pending tasks. */
static void push_tasks (lua_State *L, Loop *lp) {
  int n = 0;
  lua_createtable(L, lp->ntasks, 0);
  lua_rawgeti(L, LUA_REGISTRYINDEX, lp->tasks_ref);
  for (int slot = 1; slot <= lp->top_slot; slot++) {
    if (lua_rawgeti(L, -1, slot) != LUA_TUSERDATA) lua_pop(L, 1);
    else lua_rawseti(L, -3, ++n);
  }
  lua_pop(L, 1);
}


static int aio_all_tasks (lua_State *L) {
  push_tasks(L, running_loop(L));
  return 1;
}


/*
** _kind(v) -> "task" | "future" | "coroutine" | nil, for the Lua surface
** (a Handle, KIND_HANDLE, is none of them: nil)
*/
static int aio_kind (lua_State *L) {
  static const char *const names[] = {"future", "task", "coroutine"};
  int kind = kind_of(L, getloop(L), 1);
  if (kind < KIND_FUTURE || kind > KIND_CORO) return 0;
  lua_pushstring(L, names[kind]);
  return 1;
}


/*
** _check_suspend(): raise where the caller could not suspend its task, for
** the Lua surface to check before it changes anything (Condition.wait)
*/
static int aio_check_suspend (lua_State *L) {
  begin_suspend(L, getloop(L));
  return 0;
}


static int aio_get_running_loop (lua_State *L) {
  running_loop(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  return 1;
}


static int loop_time_f (lua_State *L) {
  lua_pushnumber(L, loop_time());
  return 1;
}


static int loop_create_future (lua_State *L) {
  new_future(L, getloop(L), KIND_FUTURE, 0);
  return 1;
}


/* A Handle for fn and its arguments from `first` to the top; pushes it. */
static Handle *new_handle (lua_State *L, Loop *lp, int first) {
  int nargs = lua_gettop(L) - first;
  Handle *h;
  luaL_checktype(L, first, LUA_TFUNCTION);
  check_uservalues(L, nargs + 1);
  h = lua_newuserdatauv(L, sizeof(Handle), nargs + 1);
  h->kind = KIND_HANDLE;
  h->cancelled = 0;
  h->timed = 0;
  h->nargs = nargs;
  h->timer.index = -1;
  h->timer.kind = KIND_HANDLE;
  set_class(L, lp, KIND_HANDLE);
  for (int i = 0; i <= nargs; i++) {
    lua_pushvalue(L, first + i);
    lua_setiuservalue(L, -2, i + 1);
  }
  return h;
}


/*
** Queue the call of the function at `first` with the values above it, as
** CPython's call_soon; pushes its Handle.
*/
void push_call_soon (lua_State *L, Loop *lp, int first) {
  new_handle(L, lp, first);
  ready_push(L, lp, -1);
}


/*
** A loop kept from a run schedules nothing between runs (each run starts
** a fresh schedule): CPython's loop is closed once asyncio.run returns.
*/
static Loop *open_loop (lua_State *L) {
  Loop *lp = getloop(L);
  check_open(L, lp);
  if (lp->L == NULL) pystd_raise(L, "RuntimeError", "Event loop is closed");
  return lp;
}


static int loop_call_soon (lua_State *L) {
  push_call_soon(L, open_loop(L), 2);
  return 1;
}


/* A Handle calling fn(...) at loop time `when` (NaN: at once, as CPython). */
static int call_at (lua_State *L, double when) {
  Loop *lp = open_loop(L);
  Handle *h = new_handle(L, lp, 3);
  h->timed = 1;
  h->when = when;
  lua_rawgeti(L, LUA_REGISTRYINDEX, lp->timers_ref);
  lua_pushvalue(L, -2);
  lua_rawsetp(L, -2, h);
  lua_pop(L, 1);
  heap_push(L, lp, &h->timer, isnan(when) ? -HUGE_VAL : when);
  return 1;
}


static int loop_call_later (lua_State *L) {
  return call_at(L, loop_time() + luaL_checknumber(L, 2));
}


static int loop_call_at (lua_State *L) {
  return call_at(L, luaL_checknumber(L, 2));
}


static int loop_is_running (lua_State *L) {
  lua_pushboolean(L, getloop(L)->L != NULL);
  return 1;
}


static int handle_cancel (lua_State *L) {
  Loop *lp = getloop(L);
  Handle *h = luaL_checkudata(L, 1, HANDLE_META);
  h->cancelled = 1;
  if (h->timer.index >= 0) {
    heap_remove(lp, &h->timer);
    lua_rawgeti(L, LUA_REGISTRYINDEX, lp->timers_ref);
    lua_pushnil(L);
    lua_rawsetp(L, -2, h);
  }
  return 0;
}


static int handle_cancelled (lua_State *L) {
  lua_pushboolean(L, ((Handle *)luaL_checkudata(L, 1, HANDLE_META))->cancelled);
  return 1;
}


/* when() -> the loop time a call_later/call_at handle is due; nil for call_soon's */
static int handle_when (lua_State *L) {
  Handle *h = luaL_checkudata(L, 1, HANDLE_META);
  if (h->timed) lua_pushnumber(L, h->when);
  else lua_pushnil(L);
  return 1;
}


/*
** CPython's reprs: <Handle fn(1, 'a') at file.lua:12>, <TimerHandle
** when=5.5 fn() at file.lua:12>, <Handle cancelled>, <TimerHandle
** cancelled when=5.5>; where the function was defined, as CPython shows.
*/
static int handle_tostring (lua_State *L) {
  Handle *h = luaL_checkudata(L, 1, HANDLE_META);
  int top = lua_gettop(L);
  lua_pushstring(L, h->timed ? "<TimerHandle" : "<Handle");
  if (h->cancelled) lua_pushliteral(L, " cancelled");
  if (h->timed) lua_pushfstring(L, " when=%f", (lua_Number)h->when);
  if (!h->cancelled) {
    lua_Debug ar;
    lua_pushliteral(L, " fn(");
    for (int i = 1; i <= h->nargs; i++) {
      if (i > 1) lua_pushliteral(L, ", ");
      lua_getiuservalue(L, 1, i + 1);
      if (lua_type(L, -1) == LUA_TSTRING) {
        size_t len;
        const char *s = lua_tolstring(L, -1, &len);
        pystd_pushstrrepr(L, s, len);
      }
      else luaL_tolstring(L, -1, NULL);
      lua_remove(L, -2);
      lua_concat(L, lua_gettop(L) - top);  /* keeps the stack short */
    }
    lua_pushliteral(L, ")");
    lua_getiuservalue(L, 1, 1);
    lua_getinfo(L, ">S", &ar);
    if (ar.linedefined > 0)
      lua_pushfstring(L, " at %s:%d", ar.short_src, ar.linedefined);
  }
  lua_pushliteral(L, ">");
  lua_concat(L, lua_gettop(L) - top);
  return 1;
}

/* }====================================================== */


/* {====================================================== run */

static void handle_closed (uv_handle_t *handle) {
  RunHandles *rh = handle->data;
  if (--rh->open == 0) free(rh);
}


static void open_handles (lua_State *L, Loop *lp) {
  RunHandles *rh = malloc(sizeof *rh);
  if (rh == NULL) luaL_error(L, "not enough memory");
  uv_idle_init(lp->uv, &rh->idle);
  uv_timer_init(lp->uv, &rh->timer);
  uv_signal_init(lp->uv, &rh->sigint);
  rh->idle.data = rh->timer.data = rh->sigint.data = lp;
  rh->open = 3;
  uv_signal_start(&rh->sigint, sigint_cb, SIGINT);
  uv_unref((uv_handle_t *)&rh->sigint);
  lp->handles = rh;
  lp->armed_when = -1;
  if (lp->ready_count > 0) uv_idle_start(&rh->idle, idle_cb);
  arm_timer(lp);
}


static void close_handles (Loop *lp) {
  RunHandles *rh = lp->handles;
  lp->handles = NULL;
  rh->idle.data = rh->timer.data = rh->sigint.data = rh;
  uv_close((uv_handle_t *)&rh->idle, handle_closed);
  uv_close((uv_handle_t *)&rh->timer, handle_closed);
  uv_close((uv_handle_t *)&rh->sigint, handle_closed);
  uv_run(lp->uv, UV_RUN_NOWAIT);  /* lets libuv finish the closes */
}


/*
** Run the loop until the task at `ti` is done (or nothing can happen, or
** an error leaves the loop).
*/
static void run_until_done (lua_State *L, Loop *lp, int ti) {
  Future *t = lua_touserdata(L, ti);
  while (t->state == PENDING && !lp->failed && !lp->escaped) {
    if (!uv_run(lp->uv, UV_RUN_ONCE) && lp->ready_count == 0 &&
        t->state == PENDING)
      break;
  }
}


/*
** The first index from `i` of the array at `arr` (of n tasks, false for
** those whose cancel was cut) that holds a task still pending; n + 1 if
** none does.
*/
static int first_pending (lua_State *L, int arr, int i, int n) {
  for (; i <= n; i++) {
    Future *t = (lua_rawgeti(L, arr, i), lua_touserdata(L, -1));
    lua_pop(L, 1);
    if (t != NULL && t->state == PENDING) break;
  }
  return i;
}


/*
** Cancel every pending task and run the loop until they are done, as
** CPython's run gathers them: not the tasks made meanwhile.  A cancel cut
** short on a cycle of tasks awaiting each other (CANCEL_CUT) leaves them
** pending, as CPython's loop leaves them when its cancel raises
** RecursionError; run does not raise it here, and waits for them only
** while the loop has something ready (a luv handle of the program could
** keep it waiting for ever).
*/
static void cancel_leftovers (lua_State *L, Loop *lp) {
  int n, arr, first = 1, cut = 0;
  push_tasks(L, lp);
  arr = lua_gettop(L);
  n = (int)lua_rawlen(L, arr);
  for (int i = 1; i <= n; i++) {
    lua_rawgeti(L, arr, i);
    if (task_cancel(L, lp, lua_gettop(L), 0, 0) == CANCEL_CUT) {
      cut = 1;
      lua_pushboolean(L, 0);
      lua_rawseti(L, arr, i);  /* an existing key: cannot fail */
    }
    lua_pop(L, 1);
  }
  while (!lp->failed) {
    first = first_pending(L, arr, first, n);
    if (first > n && (!cut || lp->ready_count == 0)) break;
    if (!uv_run(lp->uv, UV_RUN_ONCE) && lp->ready_count == 0) break;
  }
  for (int i = 1; i <= n && !lp->failed; i++) {  /* their errors are
      shown, not raised (a failure skips this, as it leaves CPython's) */
    Future *t = (lua_rawgeti(L, arr, i), lua_touserdata(L, -1));
    if (t != NULL && t->state == FINISHED && t->nresults < 0)
      report_exception(L, -1, "unhandled exception during asyncio.run() "
                       "shutdown", "task");
    if (t != NULL) t->retrieved = 1;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}


/*
** Forget what is queued or timed -- callbacks, the done callbacks of
** futures, the entries of the tasks close_pending_tasks ended (no task is
** pending by then) -- as CPython's loop drops its handles as it closes
** (each run starts with a new loop; a new Loop gets its empty queue here
** too).  It allocates first: a memory error leaves the schedule as it was.
*/
static void clear_schedule (lua_State *L, Loop *lp) {
  int cap = ASYNCIO_READY_MIN;
  ReadyEntry *ready;
  lua_newtable(L);  /* the timers table to be */
  lua_createtable(L, cap, 0);  /* the calls ring to be, empty */
  ring_free(L, lua_gettop(L), 1, cap);
  ready = malloc(cap * sizeof *ready);
  if (ready == NULL) luaL_error(L, "not enough memory");
  for (int i = 0; i < lp->heap_n; i++) lp->heap[i].node->index = -1;
  lp->heap_n = 0;
  free(lp->ready);
  lp->ready = ready;
  lp->ready_head = lp->calls_head = 0;
  lp->ready_count = lp->calls_count = 0;
  lp->ready_cap = lp->calls_cap = cap;
  lua_rawseti(L, LUA_REGISTRYINDEX, lp->calls_ref);
  lua_rawseti(L, LUA_REGISTRYINDEX, lp->timers_ref);
}


/*
** The body of run, called protected so that the loop is always torn down:
** (loop, aw, ...) -> results of aw.
*/
static int run_protected (lua_State *L) {
  Loop *lp = lua_touserdata(L, 1);
  Future *m;
  int main, stalled;
  if (kind_of(L, lp, 2) == KIND_CORO) {
    lua_settop(L, 2);
    task_from_coro(L, lp, 2);
  }
  else {  /* a function (aio_run checked) */
    unwrap_async(L, 2);
    new_task(L, lp, lua_gettop(L) - 2);
  }
  main = lua_gettop(L);
  lua_pushvalue(L, main);
  lua_rawseti(L, LUA_REGISTRYINDEX, lp->main_ref);
  run_until_done(L, lp, main);
  m = lua_touserdata(L, main);
  stalled = m->state == PENDING;
  if (!stalled && !lp->failed && !lp->escaped)  /* CPython stops its loop
      from the main task's done callback, a pass later: the tasks made in
      main's last step take their first step before they are cancelled */
    uv_run(lp->uv, UV_RUN_NOWAIT);
  if (lp->escaped && m->state == FINISHED)  /* as run_until_complete */
    m->retrieved = 1;
  lp->shutting_down = 1;
  cancel_leftovers(L, lp);
  /* CPython's run then awaits shutdown_asyncgens and
     shutdown_default_executor, two passes each: what was queued by then
     (the done callbacks of the tasks just cancelled) runs in them */
  for (int pass = 0; pass < 4 && lp->ready_count > 0 && !lp->failed; pass++)
    uv_run(lp->uv, UV_RUN_NOWAIT);
  if (lp->failed || lp->escaped) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, lp->failed_ref);
    return lua_error(L);
  }
  if (stalled)
    return pystd_raise(L, "RuntimeError",
                       "Event loop stopped before Future completed.");
  if (lp->interrupted && ((Future *)lua_touserdata(L, main))->state ==
      CANCELLED && ((Future *)lua_touserdata(L, main))->num_cancels <= 1)
    return pystd_raise(L, "KeyboardInterrupt", "");  /* (CPython: when
      uncancel() leaves no other request, as SIGINT's was the only one) */
  lua_settop(L, main);
  return push_outcome(L, main);
}


/*
** What the end of a run leaves for the next: its tasks still pending end
** (as CPython's loop drops them as it closes), the coroutine objects it
** made unused are watched, its callbacks forgotten.  Each may raise a
** memory error: until they are done the next run starts by doing them.
*/
static void end_run (lua_State *L, Loop *lp, int li) {
  close_pending_tasks(L, lp);
  watch_unused(L, lp, li, 1);
  clear_schedule(L, lp);  /* a memory error: last */
  lp->ended = 1;
}


/*
** CPython's run enters a Runner, whose close runs two coroutines as tasks
** (shutdown_asyncgens, shutdown_default_executor): they take two numbers
** of the "Task-<n>" names after each run, also one given a wrong argument.
*/
#define RUNNER_CLOSE_TASKS  2

/* Raise unless `kind`, the kind of run's argument, is one run takes. */
static void check_runnable (lua_State *L, Loop *lp, int kind) {
  if (kind == KIND_CORO || (kind < 0 && lua_type(L, 1) == LUA_TFUNCTION))
    return;
  lp->task_counter += RUNNER_CLOSE_TASKS;
  if (kind < 0) luaL_checktype(L, 1, LUA_TFUNCTION);
  pystd_raise(L, "ValueError", "a coroutine was expected, got %s",
              luaL_tolstring(L, 1, NULL));
}


/* run(aw, ...) -> the results of aw */
static int aio_run (lua_State *L) {
  Loop *lp = getloop(L);
  int status, top = lua_gettop(L);
  if (lp->L != NULL || lp->closing)  /* closing: a __close of its tasks */
    return pystd_raise(L, "RuntimeError", "asyncio.run() cannot be called "
                       "from a running event loop");
  check_runnable(L, lp, kind_of(L, lp, 1));
  luaL_checkstack(L, top + 2, "too many arguments");
  check_open(L, lp);
  if (!lp->ended) end_run(L, lp, lua_upvalueindex(1));
  open_handles(L, lp);
  lp->L = L;
  lp->failed = lp->escaped = lp->shutting_down = 0;
  lp->interrupted = lp->ended = 0;
  lua_pushcfunction(L, run_protected);
  lua_pushvalue(L, lua_upvalueindex(1));
  for (int i = 1; i <= top; i++) lua_pushvalue(L, i);
  status = lua_pcall(L, top + 1, LUA_MULTRET, 0);
  lp->task_counter += RUNNER_CLOSE_TASKS;
  close_handles(lp);
  lp->L = NULL;
  lp->current = NULL;
  lua_pushboolean(L, 0);  /* never nil: a nil slot confuses luaL_ref */
  lua_rawseti(L, LUA_REGISTRYINDEX, lp->failed_ref);
  lua_pushboolean(L, 0);
  lua_rawseti(L, LUA_REGISTRYINDEX, lp->main_ref);
  end_run(L, lp, lua_upvalueindex(1));
  if (lp->failures > 0) {  /* report the errors nobody retrieved, if dropped */
    lp->failures = 0;
    lua_gc(L, LUA_GCCOLLECT);
  }
  if (status != LUA_OK) return lua_error(L);
  return lua_gettop(L) - top;
}

/* }====================================================== */


/* {====================================================== Module */

/*
** Lua is closing (a Loop lives as long as its state).  Finalizers that run
** later may still call asyncio: every array is empty and full, so that
** the first store into one raises (check_open).
*/
static int loop_gc (lua_State *L) {
  Loop *lp = lua_touserdata(L, 1);
  free(lp->heap);
  lp->heap = NULL;
  lp->heap_n = lp->heap_cap = 0;
  free(lp->ready);
  lp->ready = NULL;
  lp->ready_head = lp->ready_count = lp->ready_cap = 0;
  lp->calls_head = lp->calls_count = lp->calls_cap = 0;
  free(lp->free_slots);
  lp->free_slots = NULL;
  lp->nfree = lp->free_cap = 0;
  lp->closed = 1;
  return 0;
}


/* Raise if the loop is closed: Lua is closing (see loop_gc). */
void check_open (lua_State *L, Loop *lp) {
  if (lp->closed)
    luaL_error(L, "pystd.asyncio: used by a finalizer as Lua closes");
}


static int loop_tostring (lua_State *L) {
  lua_pushfstring(L, "<pystd.asyncio loop running=%s>",
                  getloop(L)->L ? "true" : "false");
  return 1;
}


static const luaL_Reg handle_methods[] = {
  {"cancel", handle_cancel},
  {"cancelled", handle_cancelled},
  {"when", handle_when},
  {NULL, NULL}
};

static const luaL_Reg handle_meta[] = {
  {"__tostring", handle_tostring},
  {NULL, NULL}
};

static const luaL_Reg loop_methods[] = {
  {"time", loop_time_f},
  {"call_soon", loop_call_soon},
  {"call_later", loop_call_later},
  {"call_at", loop_call_at},
  {"create_future", loop_create_future},
  {"is_running", loop_is_running},
  {NULL, NULL}
};

static const luaL_Reg loop_meta[] = {
  {"__gc", loop_gc},
  {"__tostring", loop_tostring},
  {NULL, NULL}
};

static const luaL_Reg asyncio_funcs[] = {
  {"async", aio_async},
  {"run", aio_run},
  {"await", aio_await},
  {"_inline", aio_inline},
  {"sleep", aio_sleep},
  {"create_task", aio_create_task},
  {"ensure_future", aio_create_task},
  {"current_task", aio_current_task},
  {"all_tasks", aio_all_tasks},
  {"get_running_loop", aio_get_running_loop},
  {"_kind", aio_kind},
  {"_check_suspend", aio_check_suspend},
  {"gather", aio_gather},
  {NULL, NULL}
};


/*
** Create a class whose methods and metamethods all get the loop (on top
** of the stack) as upvalue 1 and the class's metatable as upvalue 2.
*/
void new_class (lua_State *L, const char *tname,
                const luaL_Reg *methods, const luaL_Reg *meta) {
  luaL_newmetatable(L, tname);
  if (meta) {
    lua_pushvalue(L, -2);
    lua_pushvalue(L, -2);
    luaL_setfuncs(L, meta, 2);
  }
  lua_newtable(L);
  lua_pushvalue(L, -3);
  lua_pushvalue(L, -3);
  luaL_setfuncs(L, methods, 2);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}


static Loop *new_loop (lua_State *L) {
  Loop *lp;
  luv_ctx_t *ctx;
  lua_getglobal(L, "require");
  lua_pushliteral(L, "luv");
  lua_call(L, 1, 0);
  lua_getfield(L, LUA_REGISTRYINDEX, "luv_context");
  ctx = lua_touserdata(L, -1);
  if (ctx == NULL || ctx->loop == NULL)
    luaL_error(L, "pystd.asyncio: luv's loop is not available");
  lua_pop(L, 1);
  lp = lua_newuserdatauv(L, sizeof(Loop), ASYNCIO_UNWATCHED_MAX);
  memset(lp, 0, sizeof *lp);
  lp->no_task.kind = KIND_TASK;
  lp->no_task.state = CANCELLED;
  lp->uv = ctx->loop;
  lp->armed_when = -1;
  lua_newtable(L);
  lp->calls_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_newtable(L);
  lp->tasks_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_newtable(L);
  lp->threads_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_newtable(L);
  lp->timers_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  clear_schedule(L, lp);  /* the empty ready queue, at its smallest */
  lp->ended = 1;
  lua_pushboolean(L, 0);
  lp->failed_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_getglobal(L, "require");
  lua_pushliteral(L, "pystd.errors");
  lua_call(L, 1, 1);
  lua_getfield(L, -1, "is");
  lp->is_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pop(L, 1);
  lua_pushboolean(L, 0);
  lp->main_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, -1);
  lp->self_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return lp;
}


/*
** Remember the metatable of each kind: a reference for set_class, its
** address for kind_of.
*/
static void register_kinds (lua_State *L, Loop *lp) {
  static const char *const names[] = {FUTURE_META, TASK_META, CORO_META,
                                      HANDLE_META};
  for (int kind = KIND_FUTURE; kind <= KIND_HANDLE; kind++) {
    luaL_getmetatable(L, names[kind]);
    lp->class_ptr[kind] = lua_topointer(L, -1);
    lp->class_ref[kind] = luaL_ref(L, LUA_REGISTRYINDEX);
  }
}


int luaopen_pystd_asyncio (lua_State *L) {
  new_loop(L);
  new_class(L, LOOP_META, loop_methods, loop_meta);
  luaL_setmetatable(L, LOOP_META);
  new_class(L, FUTURE_META, future_methods, future_meta);
  new_class(L, TASK_META, task_methods, future_meta);
  new_class(L, CORO_META, coro_methods, coro_meta);
  new_class(L, HANDLE_META, handle_methods, handle_meta);
  register_kinds(L, lua_touserdata(L, -1));
  lua_createtable(L, 0, 1);  /* the sentinels' metatable (task.c) */
  lua_pushvalue(L, -2);
  lua_pushcclosure(L, sentinel_gc, 1);
  lua_setfield(L, -2, "__gc");
  ((Loop *)lua_touserdata(L, -2))->sentinel_ref =
    luaL_ref(L, LUA_REGISTRYINDEX);
  luaL_newlibtable(L, asyncio_funcs);
  lua_pushvalue(L, -2);
  luaL_setfuncs(L, asyncio_funcs, 1);
  open_queues(L);
  lua_pushvalue(L, -2);
  lua_setfield(L, -2, "_loop");
  luaL_getmetatable(L, CORO_META);  /* where the Lua side puts await */
  lua_getfield(L, -1, "__index");
  lua_setfield(L, -3, "_coroutine_methods");
  lua_pop(L, 1);
  /* the Lua surface completes the module: require("pystd._asyncio")(M) */
  lua_getglobal(L, "require");
  lua_pushliteral(L, "pystd._asyncio");
  lua_call(L, 1, 1);
  lua_insert(L, -2);
  lua_call(L, 1, 1);
  return 1;
}

/* }====================================================== */
