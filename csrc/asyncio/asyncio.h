/*
** asyncio.h -- what the files of pystd.asyncio share (csrc/asyncio/):
**   task.c   futures, tasks, coroutine objects, await/sleep/gather
**   loop.c   the ready queue, the timer heap, libuv callbacks, run, luaopen
**   queue.c  Queue, LifoQueue, PriorityQueue
** The Python-shaped rest (wait_for, timeout, TaskGroup, locks, ...) is Lua
** over these: lua/pystd/_asyncio.lua.
**
** How it sits on the loop: while asyncio.run runs, one uv_idle handle is
** active whenever the ready queue is not empty (so libuv polls without
** blocking), one uv_timer is armed for the earliest entry of the timer heap,
** and one unreferenced uv_signal catches SIGINT.  All three are closed when
** run returns, so luv's own handles are untouched and the loop is left
** as the script made it.
*/

#ifndef PYSTD_ASYNCIO_H
#define PYSTD_ASYNCIO_H

#include "luv/luv.h"

#include <limits.h>
#include <stddef.h>

#include "lua.h"
#include "lauxlib.h"

#include "pystd.h"


/* what the files share is hidden: calls between them are direct (no PLT),
   and inlinable; luaopen_pystd_asyncio alone is exported */
#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

/* marks a path kept out of line, so that its hot caller stays small */
#if defined(__GNUC__)
#define OUT_OF_LINE  __attribute__((noinline))
#else
#define OUT_OF_LINE
#endif


#define LOOP_META    "pystd.asyncio.Loop"
#define FUTURE_META  "pystd.asyncio.Future"
#define TASK_META    "pystd.asyncio.Task"
#define CORO_META    "pystd.asyncio.Coroutine"
#define HANDLE_META  "pystd.asyncio.Handle"

#define CANCELLED_ERROR  "asyncio.CancelledError"

/* finished task threads kept for reuse */
#if !defined(ASYNCIO_POOL_MAX)
#define ASYNCIO_POOL_MAX  1024
#endif

/*
** Coroutine objects made during a loop pass that are watched (given the
** sentinel that warns if they are never used) at the end of the pass,
** if still unused then; the Loop's user values keep them meanwhile.
*/
#if !defined(ASYNCIO_UNWATCHED_MAX)
#define ASYNCIO_UNWATCHED_MAX  64
#endif

/* initial capacity of the ready ring (a power of two) */
#if !defined(ASYNCIO_READY_MIN)
#define ASYNCIO_READY_MIN  64
#endif

/*
** Hops a cancel request is forwarded down a chain of tasks awaiting each
** other (or around a cycle of them) before it stops, as CPython's
** recursion limit stops it near there: cancel() raises RecursionError.
*/
#if !defined(ASYNCIO_CANCEL_DEPTH)
#define ASYNCIO_CANCEL_DEPTH  1000
#endif

#define CANCEL_CUT  (-1)  /* future_cancel's result when that limit cut it */

/*
** Values of a task's must_cancel besides 0.  A cancel request the task's
** sleep took (CPython's sleep awaits a future, which the request cancels)
** fixes the message the task's resume raises: later requests before that
** resume leave it, as they find that future cancelled already.
*/
#define CANCEL_PENDING  1
#define CANCEL_TAKEN    2


/* {====================================================== Types */

/* the first field of every object the loop queues says what it is */
enum kind {
  KIND_FUTURE,   /* a Future: a value that will be set later */
  KIND_TASK,     /* a Future driven by a Lua thread */
  KIND_CORO,     /* a coroutine object: a function and its arguments,
                    which create_task turns into a Task in place */
  KIND_HANDLE    /* a callback from call_soon/call_later/call_at */
};

enum state {
  PENDING,       /* not done yet */
  FINISHED,      /* done with results or with an exception */
  CANCELLED      /* done by cancellation */
};

/*
** user values of a Future/Task (a coroutine object has them too, since it
** becomes its task in place).  Few and shared: 100,000 sleeping tasks pay
** 16 bytes each for every one.
*/
enum {
  UV_RESULT = 1, /* one result, a table of several, or the sentinel of
                    an exception (task.c); the message given to cancel()
                    while pending or cancelled (UV_CANCELMSG) */
  UV_CALLBACKS,  /* done callback(s): nil, one, or an array of them
                    (functions, waiting tasks, a gathering future) */
  UV_WAITING,    /* task: the future it is suspended on;
                    gathering future: the array of its children */
  UV_NAME,       /* coroutine: its coroutine function (a closure holding
                    the function and the name); task: its name once named */
  FUTURE_NUV = UV_NAME,
  UV_ARGS        /* coroutine: its arguments */
};
#define UV_CANCELMSG  UV_RESULT
#define UV_SENTINEL   UV_ARGS  /* gathering future: the sentinel its
                                  exception will go in (task.c) */
#define UV_DECIDER    UV_RESULT  /* gathering future, GATHER_DECIDED: the
                                    child whose end decides its outcome */

/* Future.usage: a coroutine object CORO_WATCHED has a sentinel (task.c) */
enum { CORO_UNUSED, CORO_WATCHED, CORO_CONSUMED };

/* Future.gathering */
enum { GATHER_COUNTING = 1, GATHER_DECIDED };

/* a deadline of the timer heap, embedded in a Task or a Handle */
typedef struct HeapNode {
  uint64_t seq;       /* insertion order, breaking ties between deadlines */
  int index;          /* position in the heap, -1 when not in it */
  int kind;           /* KIND_TASK or KIND_HANDLE: what owns the node */
} HeapNode;

/* the Future (kind KIND_TASK) or Handle owning a heap node */
#define node_owner(node, type) \
  ((type *)((char *)(node) - offsetof(type, timer)))

/* an entry of the timer heap array */
typedef struct HeapEntry {
  double when;        /* loop time it is due */
  HeapNode *node;
} HeapEntry;

/* an entry of the ready queue */
typedef struct ReadyEntry {
  void *obj;          /* a Future, Task or Handle */
  int step;           /* READY_CALL, READY_STEP or READY_WAKE */
} ReadyEntry;

/* what a ready entry asks: run the Handle or the Future's callbacks; step
   the pending task; queue the step of the task whose sleep ended (a pass
   later, as CPython's sleep, which goes through a future's callback) */
#define READY_CALL  0
#define READY_STEP  1
#define READY_WAKE  2

/* Raise unless a userdata may have `n` user values (Lua counts them in
   16 bits): the arguments a Handle or a coroutine object keeps. */
static inline void check_uservalues (lua_State *L, int n) {
  if (n >= USHRT_MAX) luaL_error(L, "too many arguments");
}

/* the first byte of every object the ready queue holds is its kind */
#define kind_at(obj)  (*(unsigned char *)(obj))

/* 64 bytes: with its 4 user values and Lua's header, a task's userdata
   takes 168 bytes (184 with one argument kept from its coroutine) */
typedef struct Future {
  unsigned char kind;      /* KIND_FUTURE, KIND_TASK or KIND_CORO */
  unsigned char state;
  unsigned char retrieved : 1; /* the exception was looked at */
  unsigned char msg_kept : 1; /* task: cancelled as its coroutine returned,
      its Future part keeps the cancel message (CPython's Task cancels it
      with the message then, and without one if its coroutine raised) */
  unsigned char usage;     /* coroutine: CORO_UNUSED, CORO_WATCHED or
                              CORO_CONSUMED (awaited, scheduled or closed) */
  unsigned char has_callbacks; /* UV_CALLBACKS holds callbacks */
  /* gathering futures only */
  unsigned char gathering; /* GATHER_COUNTING its children (see
                              gather_child_done), or GATHER_DECIDED */
  unsigned char return_exceptions;
  unsigned char cancel_requested; /* its children were cancelled: it ends
                                     cancelled once they are all done */
  /* tasks only */
  unsigned char must_cancel; /* deliver CancelledError at the next resume:
                                CANCEL_PENDING, or CANCEL_TAKEN */
  unsigned char suspending;  /* set by our suspending calls before yielding */
  unsigned char named;     /* UV_NAME holds the task's name */
  unsigned char scheduled; /* in the ready queue: READY_STEP to be stepped,
                              READY_WAKE woken from its sleep */
  int nresults;       /* results stored in UV_RESULT (-1: an exception) */
  union {
    int nargs;        /* coroutine: arguments from UV_ARGS */
    int remaining;    /* gathering future: children not done yet */
  } u;
  int nstart;         /* task: arguments waiting for the first resume, -1 after */
  int num_cancels;    /* task: cancel() requests not yet uncancel()ed */
  int slot;           /* task: index in the tasks array while pending */
  lua_State *thread;  /* task: its thread, NULL once done */
  lua_Integer id;     /* task: "Task-<id>" */
  HeapNode timer;     /* task: sleep() deadline */
} Future;

typedef struct Handle {
  unsigned char kind; /* KIND_HANDLE */
  unsigned char cancelled;
  unsigned char timed;  /* made by call_later/call_at (else call_soon) */
  int nargs;          /* user values: 1 function, 2.. arguments */
  double when;        /* timed: loop time it is due */
  HeapNode timer;
} Handle;

/* a slot of the tasks array given back with its thread (task.c) */
typedef struct PooledSlot {
  lua_State *thread;  /* kept for the next task given the slot */
  int slot;
} PooledSlot;

/* the libuv handles that exist while asyncio.run runs */
typedef struct RunHandles {
  uv_idle_t idle;
  uv_timer_t timer;
  uv_signal_t sigint;
  int open;           /* handles not closed yet */
} RunHandles;

typedef struct Loop {
  lua_State *L;       /* thread inside asyncio.run; NULL when not running */
  uv_loop_t *uv;      /* luv's loop */
  RunHandles *handles;
  Future *current;    /* the task being stepped */
  ReadyEntry *ready;  /* the ready queue's ring */
  int ready_head, ready_count, ready_cap;
  int calls_ref;      /* registry: ring of the values of its READY_CALL
                         entries, in their order */
  int calls_head, calls_count, calls_cap;
  int tasks_ref;      /* registry: array of the pending tasks, by slot */
  int threads_ref;    /* registry: array of the thread each slot keeps */
  PooledSlot pool[ASYNCIO_POOL_MAX];  /* slots given back with a thread */
  int *free_slots;    /* slots given back without one */
  int nfree, free_cap;
  int top_slot;       /* highest slot used so far */
  int timers_ref;     /* registry: handles in the heap, lightuserdata -> handle */
  int ntasks;
  HeapEntry *heap;    /* the timer heap */
  int heap_n, heap_cap;
  uint64_t heap_seq;
  double armed_when;  /* deadline the uv timer is armed for, or -1 */
  lua_Integer task_counter;
  int npool;          /* pooled slots */
  int interrupted;    /* SIGINTs that arrived during run */
  int failed;         /* an internal error is waiting in the registry */
  int escaped;        /* a KeyboardInterrupt or SystemExit left the loop
                         (see leave_loop); it waits in the registry */
  int shutting_down;  /* run is ending the tasks left: another one is a
                         failure */
  int pass_ends;      /* leave_loop ended the pass running */
  int closing;        /* run is closing the tasks still pending */
  int ended;          /* the last run's end is done (see end_run) */
  int closed;         /* its __gc ran: Lua is closing (see loop_gc) */
  int failures;       /* futures failed during this run */
  int failed_ref;     /* registry: that error */
  int is_ref;         /* registry: errors.is */
  int main_ref;       /* registry: the main task of run */
  int sentinel_ref;   /* registry: metatable of the sentinels (task.c) */
  int self_ref;       /* registry: this Loop */
  Future *unwatched[ASYNCIO_UNWATCHED_MAX];  /* coroutine objects made
                         during this pass, in the Loop's user values */
  int nunwatched;
  int unwatched_kept; /* user values 1..this may keep objects */
  int class_ref[KIND_HANDLE + 1];  /* registry: the metatable of each kind */
  const void *class_ptr[KIND_HANDLE + 1];  /* and its address */
  void *queue_seen;   /* the queue checkqueue last checked */
  Future no_task;     /* a done task: what entries ready_void voided step */
} Loop;

#define getloop(L)  ((Loop *)lua_touserdata(L, lua_upvalueindex(1)))


/* }====================================================== */


/* {====================================================== task.c */

/* objects: classes, kinds, construction */
int no_running_loop (lua_State *L);
void *toclass (lua_State *L, int idx);
void set_class (lua_State *L, Loop *lp, int kind);
int kind_of (lua_State *L, Loop *lp, int idx);
Future *new_future (lua_State *L, Loop *lp, int kind, int extra);

/* futures and tasks: outcomes, stepping, cancellation */
int push_outcome (lua_State *L, int fi);
void set_results (lua_State *L, Loop *lp, int fi, int n);
void push_task (lua_State *L, Loop *lp, Future *t);
void new_task (lua_State *L, Loop *lp, int nargs);
int task_cancel (lua_State *L, Loop *lp, int ti, int msg, int depth);
void push_cancel_cut_error (lua_State *L);
/* the rare outcomes of task_step (below) */
void task_stepped (lua_State *L, Loop *lp, Future *t, int status, int nres);
void task_cancel_unstarted (lua_State *L, Loop *lp, Future *t);
void gather_child_done (lua_State *L, Loop *lp, int gi, Future *g, int fi,
                        Future *child, int at_once);
void gather_finish (lua_State *L, Loop *lp, int gi);
void close_pending_tasks (lua_State *L, Loop *lp);

/* suspending the current task (begin_suspend raises where it cannot) */
Future *begin_suspend (lua_State *L, Loop *lp);
void wait_on (lua_State *L, Loop *lp, Future *t, int fi);
void check_cancel (lua_State *L, Loop *lp);
void check_cancel_on (lua_State *L, Loop *lp, int fi);

/* coroutine objects and awaitables; the module functions of task.c */
int aio_async (lua_State *L);
void watch_unused (lua_State *L, Loop *lp, int li, int release);
void unwrap_async (lua_State *L, int idx);
void task_from_coro (lua_State *L, Loop *lp, int ci);
void ensure_future (lua_State *L, Loop *lp, int idx);
int aio_inline (lua_State *L);
int aio_await (lua_State *L);
int aio_sleep (lua_State *L);
int aio_gather (lua_State *L);

/* the classes' methods and metamethods */
extern const luaL_Reg future_methods[];
extern const luaL_Reg task_methods[];
extern const luaL_Reg future_meta[];
extern const luaL_Reg coro_methods[];
extern const luaL_Reg coro_meta[];
int sentinel_gc (lua_State *L);
void report_exception (lua_State *L, int fi, const char *what,
                       const char *label);

/*
** Resume the pending task `t` once and record what became of it.  The
** common case, a suspension through our calls (which yield no values),
** touches no Lua value; inline, as each switch between tasks passes here.
*/
static inline void task_step (lua_State *L, Loop *lp, Future *t) {
  int nargs = 0, nres, status;
  t->scheduled = 0;
  if (t->state != PENDING) return;
  if (t->nstart >= 0) {
    nargs = t->nstart;
    t->nstart = -1;
    if (t->must_cancel) {
      task_cancel_unstarted(L, lp, t);
      return;
    }
  }
  lp->current = t;
  t->suspending = 0;
  status = lua_resume(t->thread, L, nargs, &nres);
  lp->current = NULL;
  if (status != LUA_YIELD || !t->suspending || t->must_cancel || nres > 0)
    task_stepped(L, lp, t, status, nres);
}

/* }====================================================== */


/* {====================================================== loop.c */

/* the ready queue and the timer heap */
void ring_grow (lua_State *L, int ring, lua_Integer head, lua_Integer cap);
void ready_grow (lua_State *L, Loop *lp);
void check_open (lua_State *L, Loop *lp);
const char *push_error_text (lua_State *L, int idx);
void ready_void (lua_State *L, Loop *lp, void *obj);
void ready_wake (Loop *lp);
void ready_push (lua_State *L, Loop *lp, int idx);
void push_call_soon (lua_State *L, Loop *lp, int first);
double loop_time (void);
void heap_push (lua_State *L, Loop *lp, HeapNode *node, double when);
void heap_remove (Loop *lp, HeapNode *node);
int leaves_loop (lua_State *L, Loop *lp, int idx);
void leave_loop (lua_State *L, Loop *lp, int idx);

/*
** Append an entry for `obj` (`step`: a pending task to step, else a value
** whose Lua side ready_push keeps).  Inline, with its rare cases out of
** line: sleep(0) and every wake-up pass here.
*/
static inline void ready_append (lua_State *L, Loop *lp, void *obj,
                                 int step) {
  int slot;
  if (lp->ready_count == lp->ready_cap) ready_grow(L, lp);
  slot = (lp->ready_head + lp->ready_count++) & (lp->ready_cap - 1);
  lp->ready[slot].obj = obj;
  lp->ready[slot].step = step;
  if (lp->ready_count == 1) ready_wake(lp);
}

/*
** Make sure that the next entry can be queued: call it before a change
** that queues one, so that a memory error comes before the change.
*/
static inline void ready_reserve (lua_State *L, Loop *lp) {
  if (lp->ready_count == lp->ready_cap || lp->calls_count == lp->calls_cap)
    ready_grow(L, lp);
}

/* Queue the pending task `t` to be stepped (once, however often asked). */
static inline void schedule_step (lua_State *L, Loop *lp, Future *t) {
  if (t->scheduled != READY_STEP) {
    ready_append(L, lp, t, READY_STEP);  /* first: it may raise a memory error */
    t->scheduled = READY_STEP;
  }
}

/* Is the task `t` in a sleep: timed, or ended with its wake-up queued? */
static inline int is_sleeping (const Future *t) {
  return t->timer.index >= 0 || t->scheduled == READY_WAKE;
}

/* a class whose functions get (loop, metatable) as upvalues */
void new_class (lua_State *L, const char *tname,
                const luaL_Reg *methods, const luaL_Reg *meta);

/* }====================================================== */


/* {====================================================== queue.c */

/* add Queue, LifoQueue, PriorityQueue to the module (loop just below) */
void open_queues (lua_State *L);

/* }====================================================== */

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#endif
