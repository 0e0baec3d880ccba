/*
** task.c -- futures, tasks and coroutine objects of pystd.asyncio: their
** states and outcomes, stepping a task's Lua thread, cancellation, and the
** suspending calls await, sleep and gather.  See asyncio.h.
*/

#include <stdio.h>
#include <string.h>

#include "asyncio.h"


static void future_finish (lua_State *L, Loop *lp, int fi, Future *f);
static int future_cancel (lua_State *L, Loop *lp, int fi, int msg,
                          int depth);
static void push_repr (lua_State *L, int fi);


/* {====================================================== Errors */

/*
** Push a new CancelledError carrying the message at `msg` (nil: none):
** as text in `message`, and as given in `args` (CPython's args, where a
** non-string message round-trips).
*/
static void push_cancelled (lua_State *L, int msg) {
  const char *text;
  lua_pushvalue(L, msg);  /* (lua_tostring converts a number in place) */
  text = lua_tostring(L, -1);
  pystd_newerror(L, CANCELLED_ERROR, "%s", text ? text : "");
  lua_remove(L, -2);
  if (!lua_isnil(L, msg)) {
    lua_createtable(L, 1, 0);
    lua_pushvalue(L, msg);
    lua_rawseti(L, -2, 1);
    lua_setfield(L, -2, "args");
  }
}


/*
** Push the message the done future at `fi` was cancelled with (nil for
** none, or when it was not cancelled).
*/
static void push_cancel_message (lua_State *L, int fi) {
  if (((Future *)lua_touserdata(L, fi))->state == CANCELLED)
    lua_getiuservalue(L, fi, UV_CANCELMSG);
  else
    lua_pushnil(L);
}


/*
** Push the message of a CancelledError made of the done future at `fi`.
** A task cancelled as its coroutine raised (or before it ran) gives its
** message once: CPython's Task hands out the error it caught once, and
** then makes new ones of its own message, which is None (see msg_kept).
*/
static void take_cancel_message (lua_State *L, int fi) {
  Future *f = lua_touserdata(L, fi);
  push_cancel_message(L, fi);
  if (f->kind == KIND_TASK && f->state == CANCELLED && !f->msg_kept) {
    lua_pushnil(L);
    lua_setiuservalue(L, fi, UV_CANCELMSG);
  }
}


/*
** Push a new CancelledError for the done future at `fi`, with its cancel
** message (CPython's _make_cancelled_error).
*/
static void push_cancelled_of (lua_State *L, int fi) {
  take_cancel_message(L, fi);
  push_cancelled(L, lua_gettop(L));
  lua_remove(L, -2);
}


/* Is the value at `idx` a CancelledError object? */
static int is_cancelled_error (lua_State *L, int idx) {
  const char *type = pystd_errortype(L, idx);
  return type != NULL && strcmp(type, CANCELLED_ERROR) == 0;
}


int no_running_loop (lua_State *L) {
  return pystd_raise(L, "RuntimeError", "no running event loop");
}

/* }====================================================== */


/* {====================================================== Futures */

/*
** The userdata at `idx` when its metatable is upvalue 2 -- the class of
** the running method, a pointer comparison -- else NULL.
*/
void *toclass (lua_State *L, int idx) {
  void *p = lua_touserdata(L, idx);
  int same;
  if (p == NULL || !lua_getmetatable(L, idx)) return NULL;
  same = lua_rawequal(L, -1, lua_upvalueindex(2));
  lua_pop(L, 1);
  return same ? p : NULL;
}


/* Give the userdata on top the metatable of `kind`. */
void set_class (lua_State *L, Loop *lp, int kind) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, lp->class_ref[kind]);
  lua_setmetatable(L, -2);
}


/* The kind of our object at `idx`, or -1 for anything else. */
int kind_of (lua_State *L, Loop *lp, int idx) {
  const void *meta;
  if (!lua_getmetatable(L, idx)) return -1;  /* ours are all userdata */
  meta = lua_topointer(L, -1);
  lua_pop(L, 1);
  for (int kind = KIND_FUTURE; kind <= KIND_HANDLE; kind++)
    if (meta == lp->class_ptr[kind]) return kind;
  return -1;
}


static Future *checkfuture (lua_State *L, int idx) {
  Future *f = toclass(L, idx);
  if (f == NULL) {
    int kind = kind_of(L, getloop(L), idx);
    if (kind != KIND_TASK && kind != KIND_FUTURE)
      luaL_typeerror(L, idx, "Future or Task");
    f = lua_touserdata(L, idx);
  }
  return f;
}


/* Push a new pending future with `extra` user values past FUTURE_NUV. */
Future *new_future (lua_State *L, Loop *lp, int kind, int extra) {
  Future *f = lua_newuserdatauv(L, sizeof(Future), FUTURE_NUV + extra);
  memset(f, 0, sizeof *f);
  f->kind = kind;
  f->state = PENDING;
  f->nstart = -1;
  f->timer.index = -1;
  f->timer.kind = kind;
  set_class(L, lp, kind);
  return f;
}


/*
** Futures, tasks and coroutine objects have no __gc: a finalizer per
** object would keep each of them through an extra collection cycle (9%
** of E3's time, whose tasks are made from coroutine objects).  A failed
** future keeps its exception in a small finalized "sentinel" userdata
** (its UV_RESULT), pointing back to it, whose __gc reports the exception
** if nobody retrieved it.  The two die together; the future is still
** intact when the sentinel's finalizer runs.  A coroutine object still
** unused at the end of the loop pass that made it (or made outside a
** run) gets a sentinel without an exception, whose __gc warns that it
** was never awaited.
*/
enum { SENTINEL_FUTURE = 1, SENTINEL_EXCEPTION };


/*
** A future is finished in two steps, so that a memory error leaves it
** pending: prepare_* makes what may fail (its outcome, the ready queue's
** room for the one entry future_finish may queue: its own, or that of
** the gathering future it completes), then commit_* makes the change.
*/

/*
** Replace the exception on top by a sentinel holding it, for the future
** at `fi`.  A gathering future has its sentinel from aio_gather: it fails
** when its failed child has committed already, when nothing may fail.
*/
static void prepare_exception (lua_State *L, Loop *lp, int fi) {
  if (((Future *)lua_touserdata(L, fi))->gathering)
    lua_getiuservalue(L, fi, UV_SENTINEL);
  else
    lua_newuserdatauv(L, 0, 2);
  ready_reserve(L, lp);
  lua_insert(L, -2);
  lua_setiuservalue(L, -2, SENTINEL_EXCEPTION);
  lua_pushvalue(L, fi);
  lua_setiuservalue(L, -2, SENTINEL_FUTURE);
}


/*
** Raise InvalidStateError unless `f` is pending.  Also the check of the
** commit_* functions: a finalizer run by the allocations of prepare_* may
** have finished the future meanwhile.
*/
static void check_pending (lua_State *L, const Future *f) {
  if (f->state != PENDING)
    pystd_raise(L, "asyncio.InvalidStateError", "invalid state");
}


/* Pop the sentinel on top and make it the outcome of the future at `fi`. */
static void commit_exception (lua_State *L, Loop *lp, int fi) {
  Future *f = lua_touserdata(L, fi);
  check_pending(L, f);
  lua_rawgeti(L, LUA_REGISTRYINDEX, lp->sentinel_ref);
  lua_setmetatable(L, -2);
  lua_setiuservalue(L, fi, UV_RESULT);
  f->nresults = -1;
  f->state = FINISHED;
  f->retrieved = 0;  /* a cancel made while pending set it, as CPython's */
  lp->failures++;
  future_finish(L, lp, fi, f);
}


/* Pop the exception on top and make it the outcome of the future at `fi`. */
static void set_exception (lua_State *L, Loop *lp, int fi) {
  prepare_exception(L, lp, fi);
  commit_exception(L, lp, fi);
}


/* Push the exception of the failed future at `fi`; returns its type. */
static int push_exception (lua_State *L, int fi) {
  int type;
  lua_getiuservalue(L, fi, UV_RESULT);  /* its sentinel */
  type = lua_getiuservalue(L, -1, SENTINEL_EXCEPTION);
  lua_replace(L, -2);
  return type;
}


/*
** Push the outcome of the done future at `fi`: its results (returning
** their number), or raise its exception / a CancelledError.
*/
int push_outcome (lua_State *L, int fi) {
  Future *f = lua_touserdata(L, fi);
  if (f->state == CANCELLED) {
    push_cancelled_of(L, fi);
    return lua_error(L);
  }
  if (f->nresults < 0) {
    f->retrieved = 1;
    push_exception(L, fi);
    return lua_error(L);
  }
  lua_getiuservalue(L, fi, UV_RESULT);
  if (f->nresults <= 1) {
    if (f->nresults == 0) lua_pop(L, 1);
    return f->nresults;
  }
  luaL_checkstack(L, f->nresults, "too many results");
  for (int i = 1; i <= f->nresults; i++)
    lua_rawgeti(L, -i, i);
  lua_remove(L, -f->nresults - 1);
  return f->nresults;
}


/* Replace the `n` values on top by what commit_results stores of them. */
static void prepare_results (lua_State *L, Loop *lp, int n) {
  if (n > 1) {
    lua_createtable(L, n, 0);
    lua_insert(L, -n - 1);
    for (int i = n; i >= 1; i--)
      lua_rawseti(L, -i - 1, i);
  }
  ready_reserve(L, lp);
}


/*
** Make the `n` values prepare_results left on top (popping them) the
** results of the pending future at `fi`, and finish it.
*/
static void commit_results (lua_State *L, Loop *lp, int fi, Future *f,
                            int n) {
  check_pending(L, f);
  if (n > 0) lua_setiuservalue(L, fi, UV_RESULT);
  f->nresults = n;
  f->state = FINISHED;
  future_finish(L, lp, fi, f);
}


/*
** Store the `n` values on top of the stack as the results of the pending
** future at `fi` (popping them) and finish it.
*/
void set_results (lua_State *L, Loop *lp, int fi, int n) {
  prepare_results(L, lp, n);
  commit_results(L, lp, fi, lua_touserdata(L, fi), n);
}


/* Finish the pending future at `fi` as cancelled (message at `msg`, 0: none). */
static void set_cancelled (lua_State *L, Loop *lp, int fi, int msg) {
  Future *f = lua_touserdata(L, fi);
  ready_reserve(L, lp);
  if (msg) {
    lua_pushvalue(L, msg);
    lua_setiuservalue(L, fi, UV_CANCELMSG);
  }
  f->state = CANCELLED;
  future_finish(L, lp, fi, f);
}


/*
** Finish the gathering future at `gi` as cancelled with the cancel message
** of its child at `fi`, as CPython's gather does.
*/
static void gather_cancelled (lua_State *L, Loop *lp, int gi, int fi) {
  take_cancel_message(L, fi);
  set_cancelled(L, lp, gi, lua_gettop(L));
  lua_pop(L, 1);
}


/* Does the end of `child` fail the gathering future `g`? */
static int fails (const Future *g, const Future *child) {
  return !g->return_exceptions &&
         (child->state == CANCELLED || child->nresults < 0);
}


/*
** Finish the gathering future at `gi` as the end of its child at `fi`
** decides -- as cancelled when a cancel was forwarded to the children
** (gather_cancel).
*/
static void gather_decide (lua_State *L, Loop *lp, int gi, Future *g, int fi,
                           Future *child) {
  if (!g->return_exceptions && child->state == CANCELLED)
    gather_cancelled(L, lp, gi, fi);
  else if (!g->return_exceptions && child->nresults < 0) {
    child->retrieved = 1;
    push_exception(L, fi);
    set_exception(L, lp, gi);
  }
  else if (g->cancel_requested) {  /* CPython: the last child's message */
    lua_getiuservalue(L, gi, UV_WAITING);
    lua_rawgeti(L, -1, luaL_len(L, -1));
    gather_cancelled(L, lp, gi, lua_gettop(L));
    lua_pop(L, 2);
  }
  else
    set_results(L, lp, gi, 0);
}


/*
** Take back the turn of the GATHER_DECIDED future at `gi`: a child whose
** callback comes first decides instead.  The decider counts as a child
** that ends after the outcome: CPython's callback of it, later, finds the
** gather done and retrieves its exception.
*/
static void undecide (lua_State *L, Loop *lp, int gi, Future *g) {
  ready_void(L, lp, g);
  g->gathering = GATHER_COUNTING;
  lua_getiuservalue(L, gi, UV_DECIDER);
  ((Future *)lua_touserdata(L, -1))->retrieved = 1;
  lua_pop(L, 1);
}


/*
** A child of the gathering future at `gi` is done (the future at `fi`):
** count it.  The first failure (unless return_exceptions) or the last
** child decides the outcome.  CPython's gather counts a child in the
** child's done callback, a loop pass after the child ended; so does a
** child with other callbacks (run_callback).  A child counted `at_once`
** as it ended (future_finish) decides a pass later instead: the gathering
** future is queued, GATHER_DECIDED (gather_finish).  Until its turn, the
** callback of a child with other callbacks that fails comes before the
** decider's would in CPython: that child decides.
*/
void gather_child_done (lua_State *L, Loop *lp, int gi, Future *g, int fi,
                        Future *child, int at_once) {
  g->u.remaining--;
  if (g->state != PENDING ||
      (g->gathering == GATHER_DECIDED && (at_once || !fails(g, child)))) {
    child->retrieved = 1;
    return;
  }
  if (g->u.remaining > 0 && !fails(g, child)) return;
  if (!at_once) {
    if (g->gathering == GATHER_DECIDED) undecide(L, lp, gi, g);
    gather_decide(L, lp, gi, g, fi, child);
    return;
  }
  lua_pushvalue(L, fi);
  lua_setiuservalue(L, gi, UV_DECIDER);
  g->gathering = GATHER_DECIDED;
  ready_push(L, lp, gi);  /* in the room prepare_* made */
}


/* The turn of the GATHER_DECIDED future at `gi`: its outcome. */
void gather_finish (lua_State *L, Loop *lp, int gi) {
  Future *g = lua_touserdata(L, gi);
  lua_getiuservalue(L, gi, UV_DECIDER);
  g->gathering = GATHER_COUNTING;
  gather_decide(L, lp, gi, g, lua_gettop(L), lua_touserdata(L, -1));
  lua_pop(L, 1);
}


/*
** The future at `fi` is done: queue its done callbacks.  When its only
** callback is a gathering future, count it at once instead: that is
** gather's own bookkeeping, which no user code can observe.
*/
static void future_finish (lua_State *L, Loop *lp, int fi, Future *f) {
  Future *g;
  if (!f->has_callbacks) return;
  if (lua_getiuservalue(L, fi, UV_CALLBACKS) == LUA_TUSERDATA &&
      (g = lua_touserdata(L, -1))->kind == KIND_FUTURE) {
    f->has_callbacks = 0;
    lua_pushnil(L);
    lua_setiuservalue(L, fi, UV_CALLBACKS);
    gather_child_done(L, lp, lua_gettop(L), g, fi, f, 1);
  }
  else
    ready_push(L, lp, fi);
  lua_pop(L, 1);
}


/*
** Cancel the pending gathering future at `gi` as CPython's: cancel its
** children instead.  When one of them took it, the future stays pending
** until they are all done, then ends cancelled (gather_child_done), so
** that the gathering task waits for its children to finish cancelling.
*/
static int gather_cancel (lua_State *L, Loop *lp, int gi, Future *g,
                          int msg, int depth) {
  int took = 0;
  lua_getiuservalue(L, gi, UV_WAITING);  /* the children */
  for (lua_Integer i = 1, n = luaL_len(L, -1); i <= n && took != CANCEL_CUT;
       i++) {
    lua_rawgeti(L, -1, i);
    took |= future_cancel(L, lp, lua_gettop(L), msg, depth);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  if (took > 0) g->cancel_requested = 1;
  return took;
}


/*
** Cancel the future or task at `fi` with the message at `msg` (0: none),
** `depth` hops down a chain of awaits.  Returns 1 when it was pending.  Done or not, its exception no longer
** counts as never retrieved (CPython clears _log_traceback first).
*/
static int future_cancel (lua_State *L, Loop *lp, int fi, int msg,
                          int depth) {
  Future *f = lua_touserdata(L, fi);
  f->retrieved = 1;
  if (f->kind == KIND_TASK) return task_cancel(L, lp, fi, msg, depth);
  if (f->state != PENDING) return 0;
  if (f->gathering) return gather_cancel(L, lp, fi, f, msg, depth);
  set_cancelled(L, lp, fi, msg);
  return 1;
}


/*
** Append the value on top (popping it) to the done callbacks of the future
** at `fi`.  UV_CALLBACKS holds nil, one callback, or an array of them.
*/
static void add_callback (lua_State *L, int fi) {
  Future *f = lua_touserdata(L, fi);
  if (!f->has_callbacks) {
    f->has_callbacks = 1;
    lua_setiuservalue(L, fi, UV_CALLBACKS);
    return;
  }
  if (lua_getiuservalue(L, fi, UV_CALLBACKS) != LUA_TTABLE) {
    lua_createtable(L, 2, 0);  /* one callback so far: make the array */
    lua_insert(L, -2);
    lua_rawseti(L, -2, 1);
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, fi, UV_CALLBACKS);
  }
  lua_insert(L, -2);
  lua_rawseti(L, -2, luaL_len(L, -2) + 1);
  lua_pop(L, 1);
}

/* }====================================================== */


/* {====================================================== Tasks */

/* Push the pending task `t` (every pending task is in the tasks array). */
void push_task (lua_State *L, Loop *lp, Future *t) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, lp->tasks_ref);
  lua_rawgeti(L, -1, t->slot);
  lua_remove(L, -2);
}


/*
** Slots: a pending task has a slot, its index in the tasks array.  A done
** task gives its slot back with its thread (kept in the threads array, by
** slot) to the pool, while the pool has fewer than ASYNCIO_POOL_MAX of
** them, so that the next task reuses a thread without any Lua table
** operation; else the slot goes back alone.  A new task takes the pool's
** top slot (see fill_pool).
*/

/* Make the free_slots array hold `n` slots at least. */
static void free_slots_room (lua_State *L, Loop *lp, int n) {
  int cap = lp->free_cap ? lp->free_cap : 64, *slots;
  while (cap < n) cap *= 2;
  if (cap == lp->free_cap) return;
  check_open(L, lp);
  slots = realloc(lp->free_slots, cap * sizeof *slots);
  if (slots == NULL) luaL_error(L, "not enough memory");
  lp->free_slots = slots;
  lp->free_cap = cap;
}


/* Give the slot of the done task `t` back: to the pool, if `kept`. */
static void give_slot (lua_State *L, Loop *lp, Future *t, lua_State *kept) {
  if (kept != NULL) {
    lp->pool[lp->npool].slot = t->slot;
    lp->pool[lp->npool++].thread = kept;
    return;
  }
  if (lp->nfree == lp->free_cap) free_slots_room(L, lp, lp->nfree + 1);
  lp->free_slots[lp->nfree++] = t->slot;
}


/* Keep the value on top (popped), a thread or nil, as the thread of `slot`. */
static void keep_thread (lua_State *L, Loop *lp, int slot) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, lp->threads_ref);
  lua_insert(L, -2);
  lua_rawseti(L, -2, slot);
  lua_pop(L, 1);
}


/*
** Make sure the pool has a slot and thread, whose top one the next task
** takes: a new thread with a free slot if it is empty.  The thread is
** made first, as making it may run finalizers, which may take slots.
*/
static void fill_pool (lua_State *L, Loop *lp) {
  lua_State *thread;
  int slot;
  if (lp->npool > 0) return;
  thread = lua_newthread(L);
  slot = lp->nfree > 0 ? lp->free_slots[lp->nfree - 1] : lp->top_slot + 1;
  keep_thread(L, lp, slot);
  if (lp->nfree > 0) lp->nfree--;
  else lp->top_slot++;
  lp->pool[lp->npool].slot = slot;
  lp->pool[lp->npool++].thread = thread;
}


/*
** Make what starting a task needs: room in the ready queue for its first
** step and a pooled slot and thread.  Finalizers may run here and not
** after, so the caller checks its coroutine object unused afterwards.
*/
static void prepare_start (lua_State *L, Loop *lp) {
  ready_reserve(L, lp);
  fill_pool(L, lp);
}


/* run_body's continuation: the results, or the error passed on. */
static int body_done (lua_State *L, int status, lua_KContext ctx) {
  (void)ctx;
  if (status != LUA_OK && status != LUA_YIELD) lua_error(L);
  return lua_gettop(L);
}


/*
** A task's function runs under this protected call, at the bottom of its
** thread: when it fails, its to-be-closed variables close inside the
** task, where they may still await (as CPython's finally blocks), and
** then the error goes on.
*/
static int run_body (lua_State *L) {
  return body_done(L, lua_pcallk(L, lua_gettop(L) - 1, LUA_MULTRET, 0, 0,
                                 body_done), 0);
}


/*
** Start the task at `ti` (a fresh Task userdata) on the function and
** `nargs` arguments on top of the stack, popping them, after
** prepare_start: it takes the pool's top slot and thread once nothing can
** fail, so that a memory error loses neither; its first step is queued.
*/
static void start_task (lua_State *L, Loop *lp, Future *t, int ti,
                        int nargs) {
  PooledSlot *top = &lp->pool[lp->npool - 1];
  if (nargs + 1 >= LUA_MINSTACK && !lua_checkstack(top->thread, nargs + 2))
    luaL_error(L, "not enough memory");
  lua_rawgeti(L, LUA_REGISTRYINDEX, lp->tasks_ref);
  lua_pushvalue(L, ti);
  lua_rawseti(L, -2, top->slot);
  lua_pop(L, 1);
  t->slot = top->slot;
  t->thread = top->thread;
  lp->npool--;
  t->id = ++lp->task_counter;
  lua_pushcfunction(t->thread, run_body);
  lua_xmove(L, t->thread, nargs + 1);
  t->nstart = nargs + 1;
  lp->ntasks++;
  schedule_step(L, lp, t);
}


/* Make a task of the function and `nargs` arguments on top; push it. */
void new_task (lua_State *L, Loop *lp, int nargs) {
  Future *t = new_future(L, lp, KIND_TASK, 0);
  lua_insert(L, -nargs - 2);  /* task below function and arguments */
  prepare_start(L, lp);
  start_task(L, lp, t, lua_gettop(L) - nargs - 1, nargs);
}


/*
** The task `t` is done: it leaves the tasks array (at `tasks`), and gives
** its slot back, to the pool with its thread while the pool has room.
** The thread is empty: its results or its error were moved out.
*/
static void release_slot (lua_State *L, Loop *lp, Future *t, int tasks) {
  lua_State *kept = NULL;
  if (lp->npool < ASYNCIO_POOL_MAX && lua_status(t->thread) == LUA_OK)
    kept = t->thread;
  else {
    lua_pushnil(L);
    keep_thread(L, lp, t->slot);
  }
  lua_pushnil(L);
  lua_rawseti(L, tasks, t->slot);
  give_slot(L, lp, t, kept);
  t->thread = NULL;
  lp->ntasks--;
}


/* The task at `ti` is done: release_slot. */
static void task_release (lua_State *L, Loop *lp, int ti) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, lp->tasks_ref);
  release_slot(L, lp, lua_touserdata(L, ti), lua_gettop(L));
  lua_pop(L, 1);
}


/*
** At the end of run, end the tasks still pending (a run that failed
** cannot finish them; a working one leaves those its cancel could not
** reach, and those made meanwhile): cancelled, with no done callback, and
** their threads closed, which runs their pending to-be-closed variables
** as coroutine.close does.  They leave the timer heap before any __close
** runs: a __close may run code that collects the tasks released already,
** whose nodes clear_schedule would write, or call run (lp->closing refuses
** it).  Their ready entries, never run, go with clear_schedule.  Past its
** first allocation, which makes room for their slots, nothing here can
** raise.
*/
void close_pending_tasks (lua_State *L, Loop *lp) {
  int tasks;
  free_slots_room(L, lp, lp->nfree + lp->ntasks);
  lp->closing = 1;
  lua_rawgeti(L, LUA_REGISTRYINDEX, lp->tasks_ref);
  tasks = lua_gettop(L);
  for (int slot = 1; slot <= lp->top_slot; slot++) {
    Future *t = (lua_rawgeti(L, tasks, slot), lua_touserdata(L, -1));
    if (t != NULL) {
      t->state = CANCELLED;
      t->must_cancel = 0;
      t->has_callbacks = 0;
      if (t->timer.index >= 0) heap_remove(lp, &t->timer);
    }
    lua_pop(L, 1);
  }
  for (int slot = 1; slot <= lp->top_slot; slot++) {
    Future *t = (lua_rawgeti(L, tasks, slot), lua_touserdata(L, -1));
    if (t != NULL) {
      lua_resetthread(t->thread);
      lua_settop(t->thread, 0);
      release_slot(L, lp, t, tasks);
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  lp->closing = 0;
}


/* Finish the task at `ti` as cancelled (message at `msg`, 0: none). */
static void task_set_cancelled (lua_State *L, Loop *lp, int ti, int msg) {
  task_release(L, lp, ti);
  set_cancelled(L, lp, ti, msg);
}


/*
** The sleep of task `t` takes its pending cancel (see CANCEL_TAKEN): off the
** timer heap (or its wake-up made void), and queued so that its resume
** raises.
*/
static void sleep_takes_cancel (lua_State *L, Loop *lp, Future *t) {
  ready_reserve(L, lp);
  if (t->timer.index >= 0) heap_remove(lp, &t->timer);
  schedule_step(L, lp, t);
  t->must_cancel = CANCEL_TAKEN;
}


/*
** After a suspension with a cancel pending: cancel what the task waits on,
** or take it off the timer heap and queue it, so that its resume raises.
*/
static void task_deliver_cancel (lua_State *L, Loop *lp, int ti) {
  Future *t = lua_touserdata(L, ti);
  if (lua_getiuservalue(L, ti, UV_WAITING) != LUA_TNIL) {
    lua_getiuservalue(L, ti, UV_CANCELMSG);
    if (future_cancel(L, lp, lua_gettop(L) - 1,
                      lua_isnil(L, -1) ? 0 : lua_gettop(L), 0) > 0)
      t->must_cancel = 0;
    lua_pop(L, 1);
  }
  else if (is_sleeping(t))
    sleep_takes_cancel(L, lp, t);
  lua_pop(L, 1);
}


/*
** Cancel the future at `fi` a task awaits, one hop further down a chain
** of awaits; past ASYNCIO_CANCEL_DEPTH hops, CANCEL_CUT.  The depth goes
** down the C calls, so that no error on the way can leave it counted.
*/
static int forward_cancel (lua_State *L, Loop *lp, int fi, int msg,
                           int depth) {
  if (depth >= ASYNCIO_CANCEL_DEPTH) return CANCEL_CUT;
  luaL_checkstack(L, LUA_MINSTACK, "cancel");
  return future_cancel(L, lp, fi, msg, depth + 1);
}


/* Push the RecursionError of a cancel that CANCEL_CUT stopped. */
void push_cancel_cut_error (lua_State *L) {
  pystd_newerror(L, "RecursionError", "maximum recursion depth exceeded "
                 "while cancelling a chain of awaits");
}


/*
** task.cancel as CPython's: forward to the awaited future if that takes
** it, else mark the task so its next resume raises CancelledError.
*/
int task_cancel (lua_State *L, Loop *lp, int ti, int msg, int depth) {
  Future *t = lua_touserdata(L, ti);
  int took = 0, waiting;
  if (t->state != PENDING) return 0;
  waiting = lua_getiuservalue(L, ti, UV_WAITING) != LUA_TNIL;
  if (waiting || is_sleeping(t))
    ready_reserve(L, lp);  /* for the entry the request queues */
  t->num_cancels++;
  if (waiting) took = forward_cancel(L, lp, lua_gettop(L), msg, depth);
  lua_pop(L, 1);
  if (took) return took;  /* taken, or CANCEL_CUT: nothing more, as CPython */
  if (t->must_cancel == CANCEL_TAKEN) return 1;
  t->must_cancel = CANCEL_PENDING;
  if (msg) lua_pushvalue(L, msg);
  else lua_pushnil(L);  /* the message of this request, none: not an older one */
  lua_setiuservalue(L, ti, UV_CANCELMSG);
  if (t != lp->current && is_sleeping(t))
    sleep_takes_cancel(L, lp, t);
  return 1;
}


/*
** The task at `ti` failed with the error on top (popped): finish it.  A
** KeyboardInterrupt or SystemExit then leaves the loop, as CPython's task
** raises it on once it has set it.
*/
static void task_failed (lua_State *L, Loop *lp, int ti) {
  int leaves = leaves_loop(L, lp, -1);
  lua_pushvalue(L, -1);
  prepare_exception(L, lp, ti);
  task_release(L, lp, ti);
  commit_exception(L, lp, ti);
  if (leaves) leave_loop(L, lp, -1);
  lua_pop(L, 1);
}


/*
** A task yielded without going through a suspending asyncio call.  Its
** error is the one a pending __close raised, if one did (as CPython's,
** whose bad-yield error goes through the coroutine's finally blocks).
*/
static void task_bad_yield (lua_State *L, Loop *lp, int ti) {
  Future *t = lua_touserdata(L, ti);
  if (lua_resetthread(t->thread) != LUA_OK)
    lua_xmove(t->thread, L, 1);  /* the pooled thread keeps nothing */
  else
    pystd_newerror(L, "RuntimeError", "Task got bad yield: a task may "
                   "only suspend through asyncio calls, not coroutine.yield");
  task_failed(L, lp, ti);
}


/*
** Push the cancel message the CancelledError at `idx` carries: args[1] as
** given, else its message text, nil for none ("").
*/
static void push_error_message (lua_State *L, int idx) {
  const char *text;
  idx = lua_absindex(L, idx);
  if (lua_getfield(L, idx, "args") == LUA_TTABLE) {
    lua_rawgeti(L, -1, 1);
    lua_remove(L, -2);
    return;
  }
  lua_pop(L, 1);
  lua_getfield(L, idx, "message");
  text = lua_tostring(L, -1);
  if (text == NULL || *text == '\0') {
    lua_pop(L, 1);
    lua_pushnil(L);
  }
}


/*
** The task at `ti` ended with the error on top of its thread: run its
** pending to-be-closed variables and record the outcome.
*/
static void task_ended_in_error (lua_State *L, Loop *lp, int ti) {
  Future *t = lua_touserdata(L, ti);
  lua_State *thread = t->thread;
  /* run the pending __close (an error raised by one replaces the task's);
     the error is left on the top of the thread */
  lua_resetthread(thread);
  lua_xmove(thread, L, 1);
  if (lua_isnil(L, -1)) {  /* error(): else it would read as no error */
    lua_pop(L, 1);
    pystd_newerror(L, "RuntimeError", "error object is a nil value");
  }
  if (is_cancelled_error(L, -1)) {
    push_error_message(L, -1);
    t->must_cancel = 0;
    task_set_cancelled(L, lp, ti, lua_gettop(L));
    lua_pop(L, 2);
    return;
  }
  task_failed(L, lp, ti);
}


/*
** The resume of the task `t` ended otherwise than in a suspension through
** our calls: it returned, failed, yielded by itself, or a cancel request
** came while it ran.  Record what became of it.
*/
void task_stepped (lua_State *L, Loop *lp, Future *t, int status,
                   int nres) {
  lua_State *thread = t->thread;
  int ti;
  lua_rawgeti(L, LUA_REGISTRYINDEX, lp->tasks_ref);  /* at ti - 1 */
  lua_rawgeti(L, -1, t->slot);
  ti = lua_gettop(L);
  switch (status) {
    case LUA_YIELD:
      lua_pop(thread, nres);
      if (!t->suspending) task_bad_yield(L, lp, ti);
      else if (t->must_cancel) task_deliver_cancel(L, lp, ti);
      break;
    case LUA_OK:
      if (ti + nres + 12 > LUA_MINSTACK)  /* else guaranteed */
        luaL_checkstack(L, nres + 4, "too many results");
      lua_xmove(thread, L, nres);
      if (t->must_cancel) {  /* cancelled while running, never suspended */
        lua_pop(L, nres);
        t->must_cancel = 0;
        t->msg_kept = 1;
        task_set_cancelled(L, lp, ti, 0);
      }
      else {
        prepare_results(L, lp, nres);
        release_slot(L, lp, t, ti - 1);
        commit_results(L, lp, ti, t, nres);
      }
      break;
    default:
      task_ended_in_error(L, lp, ti);
  }
  lua_settop(L, ti - 2);
}


/* The task `t`, cancelled before it ever ran, is done. */
void task_cancel_unstarted (lua_State *L, Loop *lp, Future *t) {
  lua_settop(t->thread, 0);
  t->must_cancel = 0;
  push_task(L, lp, t);
  task_set_cancelled(L, lp, lua_gettop(L), 0);
  lua_pop(L, 1);
}


/* Raise the error begin_suspend found: L may not suspend the task. */
static OUT_OF_LINE void cannot_suspend (lua_State *L, Loop *lp) {
  if (lp->current == NULL) no_running_loop(L);
  else if (lp->current->thread != L)
    pystd_raise(L, "RuntimeError", "cannot suspend the task from inside a "
                "nested coroutine (coroutine.wrap/create): asyncio calls "
                "must run on the task's own coroutine");
  luaL_error(L, "attempt to yield across a C-call boundary");
}


/*
** Check that the running thread may suspend: it must be the thread of the
** current task, and yieldable.  Returns the task.
*/
Future *begin_suspend (lua_State *L, Loop *lp) {
  Future *t = lp->current;
  if (t == NULL || t->thread != L || !lua_isyieldable(L))
    cannot_suspend(L, lp);  /* raises */
  return t;
}


/*
** Suspend the current task `t` on the pending future at `fi`: the future's
** done callback steps the task again.  The caller yields right after.
*/
void wait_on (lua_State *L, Loop *lp, Future *t, int fi) {
  push_task(L, lp, lp->current);
  lua_pushvalue(L, fi);
  lua_setiuservalue(L, -2, UV_WAITING);
  add_callback(L, fi);
  t->suspending = 1;
}


/*
** The resume after waiting on the future at `fi`: raise a pending
** cancellation, the future's own CancelledError when it was cancelled (a
** later request found it cancelled already), as CPython's task does.
*/
void check_cancel_on (lua_State *L, Loop *lp, int fi) {
  Future *t = lp->current;
  if (t->must_cancel && ((Future *)lua_touserdata(L, fi))->state == CANCELLED) {
    t->must_cancel = 0;
    push_outcome(L, fi);  /* raises */
  }
  check_cancel(L, lp);
}


/* The resume after a suspension: raise a pending cancellation. */
void check_cancel (lua_State *L, Loop *lp) {
  Future *t = lp->current;
  if (t->must_cancel) {
    t->must_cancel = 0;
    push_task(L, lp, lp->current);
    lua_getiuservalue(L, -1, UV_CANCELMSG);
    push_cancelled(L, lua_gettop(L));
    lua_error(L);
  }
}

/* }====================================================== */


/* {====================================================== Coroutine objects */

/* Is `c` a coroutine object still unused and without its sentinel? */
static int unwatched_coro (const Future *c) {
  return c->kind == KIND_CORO && c->usage == CORO_UNUSED;
}


/*
** Give the unwatched coroutine object at `ci` its sentinel -- unless a
** finalizer that making the sentinel ran has used the object meanwhile.
*/
static void watch_coro (lua_State *L, Loop *lp, int ci) {
  Future *c = lua_touserdata(L, ci);
  ci = lua_absindex(L, ci);
  lua_newuserdatauv(L, 0, 1);  /* SENTINEL_FUTURE alone */
  if (!unwatched_coro(c)) {
    lua_pop(L, 1);
    return;
  }
  lua_pushvalue(L, ci);
  lua_setiuservalue(L, -2, SENTINEL_FUTURE);
  lua_rawgeti(L, LUA_REGISTRYINDEX, lp->sentinel_ref);
  lua_setmetatable(L, -2);
  lua_setiuservalue(L, ci, UV_RESULT);
  c->usage = CORO_WATCHED;
}


/*
** Watch the coroutine objects of the unwatched list (kept in the user
** values of the Loop at `li`) that are still unused, and empty the list;
** with `release`, the user values also let go of them.  An object leaves
** the list before its sentinel is made, since making it may run
** finalizers that make coroutine objects; a memory error leaves that one
** unwatched (it then never warns).
*/
void watch_unused (lua_State *L, Loop *lp, int li, int release) {
  li = lua_absindex(L, li);
  while (lp->nunwatched > 0) {
    int k = lp->nunwatched--;
    Future *c = lp->unwatched[k - 1];
    if (unwatched_coro(c)) {
      lua_getiuservalue(L, li, k);
      watch_coro(L, lp, -1);
      lua_pop(L, 1);
    }
  }
  for (; release && lp->unwatched_kept > 0; lp->unwatched_kept--) {
    lua_pushnil(L);
    lua_setiuservalue(L, li, lp->unwatched_kept);
  }
}


/*
** The coroutine object `c` on top was just made: most are awaited or
** scheduled at once, so it is watched only if still unused at the end of
** this loop pass (outside a run: now).  `li` holds the Loop.
*/
static void watch_later (lua_State *L, Loop *lp, int li, Future *c) {
  if (lp->L == NULL) {
    watch_coro(L, lp, -1);
    return;
  }
  if (lp->nunwatched == ASYNCIO_UNWATCHED_MAX) watch_unused(L, lp, li, 0);
  lua_pushvalue(L, -1);
  lua_setiuservalue(L, li, lp->nunwatched + 1);
  lp->unwatched[lp->nunwatched++] = c;
  if (lp->unwatched_kept < lp->nunwatched)
    lp->unwatched_kept = lp->nunwatched;
}


/*
** Call of a coroutine function: upvalues (loop, fn, name, itself).  The
** name is looked up once from the call site when async() was not given
** one.  The object keeps the coroutine function (fn and name in one user
** value) and the arguments.
*/
static int coro_new (lua_State *L) {
  int nargs = lua_gettop(L);
  Loop *lp = getloop(L);
  Future *c;
  if (lua_isnil(L, lua_upvalueindex(3))) {
    lua_Debug ar;
    if (lua_getstack(L, 0, &ar) && lua_getinfo(L, "n", &ar) && ar.name) {
      lua_pushstring(L, ar.name);
      lua_replace(L, lua_upvalueindex(3));
    }
  }
  check_uservalues(L, FUTURE_NUV + nargs);
  c = new_future(L, lp, KIND_CORO, nargs);
  c->u.nargs = nargs;
  lua_pushvalue(L, lua_upvalueindex(4));
  lua_setiuservalue(L, -2, UV_NAME);
  for (int i = 1; i <= nargs; i++) {
    lua_pushvalue(L, i);
    lua_setiuservalue(L, -2, UV_ARGS + i - 1);
  }
  watch_later(L, lp, lua_upvalueindex(1), c);
  return 1;
}


/* async(fn [, name]) -> coroutine function */
int aio_async (lua_State *L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  luaL_optstring(L, 2, NULL);
  lua_settop(L, 2);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_pushnil(L);
  lua_pushcclosure(L, coro_new, 4);
  lua_pushvalue(L, -1);
  lua_setupvalue(L, -2, 4);  /* itself, for its objects to keep */
  return 1;
}


/*
** A coroutine function given where a plain function is expected: replace
** it (at `idx`) by the function it wraps, which the task runs directly.
*/
void unwrap_async (lua_State *L, int idx) {
  idx = lua_absindex(L, idx);  /* ensure_future gives -1 */
  if (lua_tocfunction(L, idx) == coro_new) {
    lua_getupvalue(L, idx, 2);
    lua_replace(L, idx);
  }
}


/*
** Push the function and arguments of the coroutine object at `ci`,
** returning the number of arguments; the caller marks it consumed.
*/
static int coro_unpack (lua_State *L, int ci, Future *c) {
  if (c->usage == CORO_CONSUMED)
    pystd_raise(L, "RuntimeError", "cannot reuse already awaited coroutine");
  if (lua_gettop(L) + c->u.nargs + 2 > LUA_MINSTACK)  /* else guaranteed */
    luaL_checkstack(L, c->u.nargs + 2, "too many arguments");
  lua_getiuservalue(L, ci, UV_NAME);
  lua_getupvalue(L, -1, 2);
  lua_replace(L, -2);
  for (int i = 0; i < c->u.nargs; i++)
    lua_getiuservalue(L, ci, UV_ARGS + i);
  return c->u.nargs;
}


/*
** Turn the coroutine object at `ci` into a Task in place (the object is
** the task from now on, keeping its function and arguments as CPython's
** Task keeps its coroutine) and start it.
*/
void task_from_coro (lua_State *L, Loop *lp, int ci) {
  Future *c = lua_touserdata(L, ci);
  prepare_start(L, lp);  /* a finalizer it runs may use the object:
                           coro_unpack then refuses it */
  start_task(L, lp, c, ci, coro_unpack(L, ci, c));
  if (c->usage == CORO_WATCHED) {  /* UV_RESULT is the task's from now on */
    lua_pushnil(L);
    lua_setiuservalue(L, ci, UV_RESULT);
  }
  c->usage = CORO_CONSUMED;  /* once started: a memory error leaves it a
                                coroutine */
  c->kind = c->timer.kind = KIND_TASK;
  lua_rawgeti(L, LUA_REGISTRYINDEX, lp->class_ref[KIND_TASK]);
  lua_setmetatable(L, ci);
}


static const char *coro_name (lua_State *L, int ci) {
  const char *name;
  lua_getiuservalue(L, ci, UV_NAME);
  lua_getupvalue(L, -1, 3);
  name = lua_tostring(L, -1);
  lua_pop(L, 2);  /* the coroutine function keeps the string alive */
  return name ? name : "?";
}


/* CPython's warning for the coroutine object at `ci`, never used */
static void warn_never_awaited (lua_State *L, int ci) {
  lua_Debug ar;
  lua_getiuservalue(L, ci, UV_NAME);
  lua_getupvalue(L, -1, 2);
  lua_remove(L, -2);
  if (!lua_getinfo(L, ">S", &ar)) return;
  fprintf(stderr, "%s:%d: RuntimeWarning: coroutine '%s' was never awaited\n",
          ar.short_src, ar.linedefined, coro_name(L, ci));
  fflush(stderr);
}


/* coro:close(): discard without running (no warning) */
static int coro_close (lua_State *L) {
  Future *c = luaL_checkudata(L, 1, CORO_META);
  c->usage = CORO_CONSUMED;
  return 0;
}


static int coro_tostring (lua_State *L) {
  luaL_checkudata(L, 1, CORO_META);
  lua_pushfstring(L, "<coroutine object %s at %p>", coro_name(L, 1),
                  lua_topointer(L, 1));
  return 1;
}

/* }====================================================== */


/* {====================================================== await */

/*
** Push the future for the awaitable at `idx`: a Task or Future itself, a
** coroutine object turned into a task, a function run as a new task.
*/
void ensure_future (lua_State *L, Loop *lp, int idx) {
  switch (kind_of(L, lp, idx)) {
    case KIND_TASK: case KIND_FUTURE:
      lua_pushvalue(L, idx);
      return;
    case KIND_CORO:
      task_from_coro(L, lp, idx);
      lua_pushvalue(L, idx);
      return;
  }
  if (lua_type(L, idx) != LUA_TFUNCTION)
    pystd_raise(L, "TypeError", "An asyncio.Future, a coroutine or an "
                "awaitable is required");  /* CPython's words */
  lua_pushvalue(L, idx);
  unwrap_async(L, -1);
  new_task(L, lp, 0);
}


static int await_k (lua_State *L, int status, lua_KContext ctx) {
  Loop *lp = getloop(L);
  (void)status; (void)ctx;
  lua_settop(L, 1);
  check_cancel_on(L, lp, 1);
  return push_outcome(L, 1);
}


/*
** _inline(aw) -> fn, args...: what awaiting a coroutine object (consumed)
** or a plain function runs inline; nothing for anything else.  The Lua
** side of await calls them by a tail call (lua/pystd/_asyncio.lua): awaits
** nested inline then cost Lua stack, not C stack, so they nest as deep as
** CPython's.
*/
int aio_inline (lua_State *L) {
  Loop *lp = getloop(L);
  int kind = kind_of(L, lp, 1);
  lua_settop(L, 1);
  if (kind != KIND_CORO && lua_type(L, 1) != LUA_TFUNCTION) return 0;
  if (lp->current == NULL) return no_running_loop(L);
  if (kind == KIND_CORO) {
    Future *c = lua_touserdata(L, 1);
    int nargs = coro_unpack(L, 1, c);
    c->usage = CORO_CONSUMED;
    return nargs + 1;
  }
  unwrap_async(L, 1);
  return 1;
}


/*
** await(aw) for a Task or Future: suspend the current task until it is
** done; its results or its error.  (The Lua side runs the inline kinds.)
*/
int aio_await (lua_State *L) {
  Loop *lp = getloop(L);
  int kind = kind_of(L, lp, 1);
  Future *t;
  lua_settop(L, 1);
  if (lp->current == NULL) return no_running_loop(L);
  if (kind != KIND_TASK && kind != KIND_FUTURE)
    return pystd_raise(L, "TypeError", "object %s can't be used in 'await' "
                       "expression", luaL_typename(L, 1));
  if (((Future *)lua_touserdata(L, 1))->state != PENDING)
    return push_outcome(L, 1);
  t = begin_suspend(L, lp);
  if (lua_touserdata(L, 1) == t) {
    push_repr(L, 1);
    return pystd_raise(L, "RuntimeError", "Task cannot await on itself: %s",
                       lua_tostring(L, -1));
  }
  wait_on(L, lp, t, 1);
  return lua_yieldk(L, 0, 0, await_k);
}


/* sleep resumed (ctx is the task, pending so alive): raise a cancellation */
static int sleep_k (lua_State *L, int status, lua_KContext ctx) {
  (void)status;
  if (((Future *)ctx)->must_cancel) check_cancel(L, getloop(L));
  return 0;
}


/* sleep(seconds, result) resumed: return `result` */
static int sleep_result_k (lua_State *L, int status, lua_KContext ctx) {
  sleep_k(L, status, ctx);
  lua_settop(L, 2);
  return 1;
}


/* The seconds sleep was given (none or nil: 0); raises for a non-number. */
static double sleep_delay (lua_State *L) {
  int isnum;
  lua_Integer whole = lua_tointegerx(L, 1, &isnum);  /* sleep(0): one call */
  double delay;
  if (isnum) return (double)whole;
  delay = lua_tonumberx(L, 1, &isnum);
  if (!isnum && !lua_isnoneornil(L, 1)) luaL_checknumber(L, 1);  /* raises */
  return delay;
}


/* sleep(seconds [, result]): sleep(0) yields once through the ready queue */
int aio_sleep (lua_State *L) {
  Loop *lp = getloop(L);
  double delay = sleep_delay(L);
  Future *t = begin_suspend(L, lp);
  if (delay > 0) heap_push(L, lp, &t->timer, loop_time() + delay);
  else schedule_step(L, lp, t);
  t->suspending = 1;
  return lua_yieldk(L, 0, (lua_KContext)t,
                    lua_gettop(L) < 2 ? sleep_k : sleep_result_k);
}


/*
** Push the first result of the done future at `fi` as gather reports it:
** false for nil, the error object for an exception or a cancellation.
*/
static void push_first_outcome (lua_State *L, int fi) {
  Future *f = lua_touserdata(L, fi);
  int type;
  if (f->state == CANCELLED) {  /* CPython writes CancelledError(''), not
                                   CancelledError(), for no message */
    if (f->kind == KIND_TASK && !f->msg_kept) lua_pushnil(L);
    else push_cancel_message(L, fi);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      lua_pushliteral(L, "");
    }
    push_cancelled(L, lua_gettop(L));
    lua_replace(L, -2);
    return;
  }
  if (f->nresults == 0) {
    lua_pushboolean(L, 0);
    return;
  }
  if (f->nresults < 0) {
    f->retrieved = 1;
    type = push_exception(L, fi);
  }
  else {
    type = lua_getiuservalue(L, fi, UV_RESULT);
    if (f->nresults > 1) {
      type = lua_rawgeti(L, -1, 1);
      lua_remove(L, -2);
    }
  }
  if (type == LUA_TNIL) {
    lua_pop(L, 1);
    lua_pushboolean(L, 0);
  }
}


/* gather resumed: stack is (children, return_exceptions, gathering future) */
static int gather_k (lua_State *L, int status, lua_KContext ctx) {
  Future *g = lua_touserdata(L, 3);
  lua_Integer n = luaL_len(L, 1);
  (void)status; (void)ctx;
  lua_settop(L, 3);
  check_cancel_on(L, getloop(L), 3);
  if (g->state != FINISHED || g->nresults < 0) return push_outcome(L, 3);
  lua_createtable(L, (int)n, 0);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, 1, i);
    push_first_outcome(L, 5);
    lua_rawseti(L, 4, i);
    lua_pop(L, 1);
  }
  return 1;
}


/*
** gather(aw, ... [, {return_exceptions = true}]) -> array of the first
** results, in argument order (false for nil, error objects for failures
** when return_exceptions is set).
*/
int aio_gather (lua_State *L) {
  static const char *const options[] = {"return_exceptions", NULL};
  Loop *lp = getloop(L);
  Future *g, *t;
  int n = lua_gettop(L), return_exceptions = 0;
  if (n > 0 && lua_type(L, n) == LUA_TTABLE) {
    pystd_checkoptions(L, n, options);
    lua_getfield(L, n, "return_exceptions");
    return_exceptions = lua_toboolean(L, -1);
    lua_settop(L, --n);
  }
  t = begin_suspend(L, lp);
  lua_createtable(L, n, 0);
  for (int i = 1; i <= n; i++) {
    ensure_future(L, lp, i);
    lua_rawseti(L, n + 1, i);
  }
  lua_insert(L, 1);  /* stack: children, return_exceptions, future */
  lua_settop(L, 1);
  lua_pushboolean(L, return_exceptions);
  g = new_future(L, lp, KIND_FUTURE, 1);
  lua_newuserdatauv(L, 0, 2);
  lua_setiuservalue(L, 3, UV_SENTINEL);
  g->gathering = GATHER_COUNTING;
  g->u.remaining = n;
  g->return_exceptions = return_exceptions;
  lua_pushvalue(L, 1);
  lua_setiuservalue(L, 3, UV_WAITING);
  for (int i = 1; i <= n; i++) {
    lua_rawgeti(L, 1, i);
    if (((Future *)lua_touserdata(L, 4))->state != PENDING)
      ready_push(L, lp, 4);
    lua_pushvalue(L, 3);
    add_callback(L, 4);
    lua_pop(L, 1);
  }
  if (n == 0) set_results(L, lp, 3, 0);
  if (g->state != PENDING) return gather_k(L, LUA_OK, 0);
  wait_on(L, lp, t, 3);
  return lua_yieldk(L, 0, 0, gather_k);
}

/* }====================================================== */


/* {====================================================== Future and Task methods */

static int fut_result (lua_State *L) {
  Future *f = checkfuture(L, 1);
  lua_settop(L, 1);
  if (f->state == PENDING)
    return pystd_raise(L, "asyncio.InvalidStateError", "Result is not set.");
  return push_outcome(L, 1);
}


static int fut_exception (lua_State *L) {
  Future *f = checkfuture(L, 1);
  if (f->state == PENDING)
    return pystd_raise(L, "asyncio.InvalidStateError",
                       "Exception is not set.");
  if (f->state == CANCELLED) return push_outcome(L, 1);
  if (f->nresults >= 0) return 0;
  f->retrieved = 1;
  push_exception(L, 1);
  return 1;
}


static int fut_done (lua_State *L) {
  lua_pushboolean(L, checkfuture(L, 1)->state != PENDING);
  return 1;
}


static int fut_cancelled (lua_State *L) {
  lua_pushboolean(L, checkfuture(L, 1)->state == CANCELLED);
  return 1;
}


static int fut_cancel (lua_State *L) {
  int took;
  checkfuture(L, 1);
  lua_settop(L, 2);
  took = future_cancel(L, getloop(L), 1, lua_isnil(L, 2) ? 0 : 2, 0);
  if (took == CANCEL_CUT) {
    push_cancel_cut_error(L);
    return lua_error(L);
  }
  lua_pushboolean(L, took);
  return 1;
}


/* get_loop() -> the loop (the methods' upvalue 1) */
static int fut_get_loop (lua_State *L) {
  checkfuture(L, 1);
  lua_pushvalue(L, lua_upvalueindex(1));
  return 1;
}


static Future *check_settable (lua_State *L) {
  Future *f = luaL_checkudata(L, 1, FUTURE_META);
  check_pending(L, f);
  return f;
}


static int fut_set_result (lua_State *L) {
  check_settable(L);
  set_results(L, getloop(L), 1, lua_gettop(L) - 1);
  return 0;
}


static int fut_set_exception (lua_State *L) {
  check_settable(L);
  luaL_argexpected(L, !lua_isnoneornil(L, 2), 2, "error value");
  lua_settop(L, 2);
  set_exception(L, getloop(L), 1);
  return 0;
}


/* add_done_callback(fn): fn(fut) runs through the ready queue */
static int fut_add_done_callback (lua_State *L) {
  Future *f = checkfuture(L, 1);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_settop(L, 2);
  if (f->state != PENDING) {  /* as CPython: its own call_soon(fn, fut) */
    lua_pushvalue(L, 1);
    push_call_soon(L, getloop(L), 2);
  }
  else add_callback(L, 1);
  return 0;
}


/*
** remove_done_callback(fn) -> how many were removed.  Only functions: the
** other callbacks (a waiting task, a gathering future) are the loop's own,
** as CPython's task.__wakeup, which no user value equals.
*/
static int fut_remove_done_callback (lua_State *L) {
  int n, kept = 0;
  Future *f = checkfuture(L, 1);
  luaL_checkany(L, 2);
  lua_settop(L, 2);
  if (!f->has_callbacks || f->state != PENDING  /* done: all scheduled */
      || !lua_isfunction(L, 2))
    n = 0;
  else if (lua_getiuservalue(L, 1, UV_CALLBACKS) != LUA_TTABLE) {
    n = lua_rawequal(L, 2, 3);  /* the one callback */
    if (n) {
      f->has_callbacks = 0;
      lua_pushnil(L);
      lua_setiuservalue(L, 1, UV_CALLBACKS);
    }
  }
  else {
    n = (int)luaL_len(L, 3);
    for (int i = 1; i <= n; i++) {
      lua_rawgeti(L, 3, i);
      if (lua_rawequal(L, -1, 2)) lua_pop(L, 1);
      else lua_rawseti(L, 3, ++kept);
    }
    for (int i = kept + 1; i <= n; i++) {
      lua_pushnil(L);
      lua_rawseti(L, 3, i);
    }
  }
  lua_pushinteger(L, n - kept);
  return 1;
}


static Future *checktask (lua_State *L) {
  return luaL_checkudata(L, 1, TASK_META);
}


static void push_task_name (lua_State *L, int ti) {
  Future *t = lua_touserdata(L, ti);
  if (t->named) lua_getiuservalue(L, ti, UV_NAME);
  else lua_pushfstring(L, "Task-%I", t->id);
}


static int task_get_name (lua_State *L) {
  checktask(L);
  push_task_name(L, 1);
  return 1;
}


static int task_set_name (lua_State *L) {
  Future *t = checktask(L);
  luaL_checkany(L, 2);  /* nil is a name ("nil"), as CPython's None */
  luaL_tolstring(L, 2, NULL);  /* first: it may raise */
  t->named = 1;
  lua_setiuservalue(L, 1, UV_NAME);
  return 0;
}


static int task_cancelling (lua_State *L) {
  lua_pushinteger(L, checktask(L)->num_cancels);
  return 1;
}


static int task_uncancel (lua_State *L) {
  Future *t = checktask(L);
  if (t->num_cancels > 0) t->num_cancels--;
  lua_pushinteger(L, t->num_cancels);
  return 1;
}


/*
** Push the repr of the future or task at `fi`; a task's name is quoted
** and escaped as CPython's repr of it (name="it's").  A pending task with
** cancel requests not taken back (cancelling() > 0) is "cancelling", as
** in CPython, also once it caught the CancelledError.
*/
static void push_repr (lua_State *L, int fi) {
  static const char *const states[] = {"pending", "finished", "cancelled"};
  Future *f = lua_touserdata(L, fi);
  size_t len;
  const char *name;
  if (f->kind != KIND_TASK) {
    lua_pushfstring(L, "<Future %s>", states[f->state]);
    return;
  }
  push_task_name(L, fi);
  name = lua_tolstring(L, -1, &len);
  pystd_pushstrrepr(L, name, len);
  lua_pushfstring(L, "<Task %s name=%s>",
                  f->state == PENDING && f->num_cancels > 0
                    ? "cancelling" : states[f->state],
                  lua_tostring(L, -1));
  lua_replace(L, -3);
  lua_pop(L, 1);
}


static int fut_tostring (lua_State *L) {
  checkfuture(L, 1);
  push_repr(L, 1);
  return 1;
}


static int tostring_of (lua_State *L) {
  luaL_tolstring(L, 1, NULL);
  return 1;
}


/*
** Push the text of the error at `idx`, as luaL_tolstring makes it; when
** that raises (a __tostring that fails), CPython's "<exception str()
** failed>".  For reports, which must not fail.
*/
const char *push_error_text (lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  if (lua_type(L, idx) == LUA_TSTRING) {  /* a memory error's, too */
    lua_pushvalue(L, idx);
    return lua_tostring(L, -1);
  }
  lua_pushcfunction(L, tostring_of);
  lua_pushvalue(L, idx);
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
    lua_pop(L, 1);
    lua_pushliteral(L, "<exception str() failed>");
  }
  return lua_tostring(L, -1);
}


/*
** Print the exception of the failed future at `fi` on stderr as CPython's
** loop reports one: `what` happened, then `label`: the future's repr.
*/
void report_exception (lua_State *L, int fi, const char *what,
                       const char *label) {
  const char *repr, *exc;
  fi = lua_absindex(L, fi);
  push_repr(L, fi);
  repr = lua_tostring(L, -1);
  push_exception(L, fi);
  exc = push_error_text(L, -1);
  fprintf(stderr, "%s\n%s: %s\n%s\n", what, label, repr, exc);
  fflush(stderr);
  lua_pop(L, 3);
}


/*
** __gc of a sentinel: report the exception of a failed future nobody
** retrieved, as CPython's loop does (see set_exception), or warn about a
** coroutine object never used (see watch_coro).
*/
int sentinel_gc (lua_State *L) {
  Future *f;
  lua_settop(L, 1);
  lua_getiuservalue(L, 1, SENTINEL_FUTURE);
  f = lua_touserdata(L, 2);
  if (f == NULL) return 0;
  if (lua_getiuservalue(L, 1, SENTINEL_EXCEPTION) == LUA_TNONE) {
    if (f->kind == KIND_CORO && f->usage != CORO_CONSUMED)
      warn_never_awaited(L, 2);
    return 0;
  }
  if (f->state != FINISHED || f->nresults >= 0 || f->retrieved)
    return 0;
  report_exception(L, 2, f->kind == KIND_TASK
                   ? "Task exception was never retrieved"
                   : "Future exception was never retrieved", "future");
  return 0;
}


const luaL_Reg future_methods[] = {
  {"result", fut_result},
  {"exception", fut_exception},
  {"done", fut_done},
  {"cancelled", fut_cancelled},
  {"cancel", fut_cancel},
  {"set_result", fut_set_result},
  {"set_exception", fut_set_exception},
  {"add_done_callback", fut_add_done_callback},
  {"remove_done_callback", fut_remove_done_callback},
  {"get_loop", fut_get_loop},
  {"await", aio_await},
  {NULL, NULL}
};

const luaL_Reg task_methods[] = {
  {"result", fut_result},
  {"exception", fut_exception},
  {"done", fut_done},
  {"cancelled", fut_cancelled},
  {"cancel", fut_cancel},
  {"add_done_callback", fut_add_done_callback},
  {"remove_done_callback", fut_remove_done_callback},
  {"get_name", task_get_name},
  {"set_name", task_set_name},
  {"cancelling", task_cancelling},
  {"uncancel", task_uncancel},
  {"get_loop", fut_get_loop},
  {"await", aio_await},
  {NULL, NULL}
};

const luaL_Reg future_meta[] = {
  {"__tostring", fut_tostring},
  {NULL, NULL}
};

const luaL_Reg coro_methods[] = {  /* the Lua side adds await */
  {"close", coro_close},
  {NULL, NULL}
};

const luaL_Reg coro_meta[] = {
  {"__tostring", coro_tostring},
  {NULL, NULL}
};

/* }====================================================== */
