#!/usr/bin/env python3
"""Random scenario generator for the pystd.asyncio <-> CPython asyncio differential tester.

A scenario is a tree of statements (plain Python tuples/lists, JSON-serialisable).
emit_py(scn) / emit_lua(scn) translate it to a Python asyncio script and a Lua
pystd.asyncio script with the same semantics; both print an event log.
"""
import json
import random
import sys

U = 0.02  # time unit (seconds)

# ----------------------------------------------------------------- generation


class Gen:
    def __init__(self, seed, wait_for_coro=True):
        self.r = random.Random(seed)
        self.ntask = 0
        self.nval = 0
        self.ntg = 0
        self.nmsg = 0
        self.wait_for_coro = wait_for_coro
        self.base_exits = seed >= 9400  # the seeds before keep their scenarios
        self.qkind = self.r.choice(["Queue", "LifoQueue", "PriorityQueue"])
        self.qmax = self.r.choice([0, 1, 2])
        self.semkind = self.r.choice(["Semaphore", "BoundedSemaphore"])
        self.semn = self.r.choice([1, 2])

    def msg(self):
        if self.r.random() < 0.4:
            return None
        self.nmsg += 1
        return "m%d" % self.nmsg

    def val(self):
        self.nval += 1
        return self.nval

    def pick(self, known, k=1):
        return self.r.sample(known, min(k, len(known)))

    def body_fn(self, known, depth):
        """a task/coroutine body: only sees tasks spawned before it (no await cycles)"""
        return self.block(list(known), depth, is_main=False, n=self.r.randint(1, 4))

    def block(self, known, depth, is_main, n, tg=None):
        out = []
        for _ in range(n):
            out.append(self.stmt(known, depth, is_main, tg))
        return out

    def stmt(self, known, depth, is_main, tg):
        r = self.r
        kinds = ["sleep", "sleep", "sleep0", "sleep0", "cancel", "await", "gather",
                 "try", "try", "timeout", "wait_for", "shield", "cancelling", "uncancel",
                 "raise", "qput", "qget", "qputnw", "qgetnw", "qtaskdone", "qjoin",
                 "lock", "lockrel", "evset", "evclear", "evwait", "condwait", "condnotify",
                 "sem", "semrel", "futset", "futawait", "futcancel", "wait", "as_completed",
                 "cancelself", "finally"]
        if self.base_exits:
            kinds.append("raisebase")
        if is_main:
            kinds += ["spawn", "spawn", "spawn", "spawn", "taskgroup"]
        if tg is not None:
            kinds += ["tgspawn", "tgspawn"]
        if depth >= 3:
            kinds = [k for k in kinds if k not in ("try", "timeout", "taskgroup", "lock", "sem", "gather", "wait_for", "spawn", "tgspawn", "finally")]
        k = r.choice(kinds)
        sub = lambda n=None: self.block(known, depth + 1, is_main, n or r.randint(1, 3), tg)
        if k == "sleep":
            return ["sleep", r.choice([1, 2, 3, 5, 8])]
        if k == "sleep0":
            return ["sleep", 0]
        if k in ("spawn", "tgspawn"):
            self.ntask += 1
            name = "t%d" % self.ntask
            body = self.body_fn(known, depth + 1)
            known.append(name)
            if k == "spawn":
                return ["spawn", name, body]
            return ["tgspawn", tg, name, body]
        if k == "cancel":
            cands = known + (["main"] if not is_main else [])
            if not cands:
                return ["sleep", 0]
            return ["cancel", r.choice(cands), self.msg()]
        if k == "cancelself":
            return ["cancelself", self.msg()]
        if k == "await":
            if not known:
                return ["sleep", 0]
            return ["await", r.choice(known)]
        if k == "shield":
            if not known:
                return ["sleep", 0]
            return ["shield", r.choice(known)]
        if k == "gather":
            items = []
            for _ in range(r.randint(1, 3)):
                if known and r.random() < 0.6:
                    items.append(["task", r.choice(known)])
                else:
                    items.append(["coro", self.body_fn(known, depth + 1)])
            return ["gather", items, r.random() < 0.5]
        if k == "try":
            return ["try", sub(), r.random() < 0.5]
        if k == "timeout":
            return ["timeout", r.choice([1, 3, 6, 10]), sub()]
        if k == "finally":  # a cleanup that awaits: Lua's <close>
            self.nfin = getattr(self, "nfin", 0) + 1
            return ["finally", self.nfin, r.choice([0, 1, 2]), sub()]
        if k == "taskgroup":
            self.ntg += 1
            name = "tg%d" % self.ntg
            body = self.block(known, depth + 1, is_main, r.randint(1, 4), name)
            return ["taskgroup", name, body]
        if k == "wait_for":
            to = r.choice([0, 1, 3, 10, None])
            if known and (r.random() < 0.5 or not self.wait_for_coro):
                return ["wait_for", ["task", r.choice(known)], to]
            if not self.wait_for_coro:
                return ["sleep", 0]
            return ["wait_for", ["coro", self.body_fn(known, depth + 1)], to]
        if k in ("cancelling", "uncancel", "qgetnw", "qtaskdone", "qjoin", "evset", "evclear",
                 "evwait", "condwait", "futawait", "semrel", "lockrel", "qget"):
            return [k]
        if k == "raise":
            return ["raise", "v%d" % self.val()]
        if k == "raisebase":  # leaves the loop: run cancels every task
            return ["raisebase", r.choice(["KeyboardInterrupt", "SystemExit"]), "v%d" % self.val()]
        if k in ("qput", "qputnw"):
            return [k, self.val()]
        if k == "condnotify":
            return ["condnotify", r.choice([1, 2, None])]
        if k in ("lock", "sem"):
            return [k, sub()]
        if k == "futset":
            return ["futset", "f%d" % self.val()]
        if k == "futcancel":
            return ["futcancel", self.msg()]
        if k in ("wait", "as_completed"):
            if not known:
                return ["sleep", 0]
            names = self.pick(known, r.randint(1, 3))
            if k == "wait":
                return ["wait", names, r.choice(["FIRST_COMPLETED", "FIRST_EXCEPTION", "ALL_COMPLETED"]),
                        r.choice([None, None, 2, 6])]
            return ["as_completed", names, r.choice([None, None, 4])]
        raise AssertionError(k)

    def scenario(self):
        known = []
        main = self.block(known, 0, True, self.r.randint(3, 9))
        return {"qkind": self.qkind, "qmax": self.qmax, "semkind": self.semkind,
                "semn": self.semn, "main": main}


# ----------------------------------------------------------------- emission

PY_PRELUDE = r'''
import asyncio, sys
U = %r
G = {}
T = {}
ORDER = []
PHASE = [""]
def log(*a):
    print(PHASE[0] + " ".join(str(x) for x in a), flush=True)
def fe(e):
    if isinstance(e, asyncio.CancelledError):
        return "CancelledError(%%s)" %% (e.args[0] if e.args and e.args[0] is not None else "-")
    if isinstance(e, BaseExceptionGroup):
        return "ExceptionGroup[" + ",".join(sorted(fe(x) for x in e.exceptions)) + "]"
    if isinstance(e, TimeoutError):
        return "TimeoutError"
    return "%%s(%%s)" %% (type(e).__name__, e)
def fr(v):
    if isinstance(v, BaseException): return fe(v)
    if isinstance(v, (list, tuple)): return "[" + ",".join(fr(x) for x in v) + "]"
    if v is None: return "nil"
    if v is True: return "true"
    if v is False: return "false"
    return str(v)
def tk(me, n):
    t = T.get(n)
    if t is None:
        log(me, "missing", n)
    return t
def status():
    for n in ORDER:
        t = T[n]
        if not t.done(): s = "pending"
        elif t.cancelled(): s = "cancelled"
        elif t.exception() is not None: s = "exc " + fe(t.exception())
        else: s = "result " + fr(t.result())
        log("status", n, s)
async def watchdog():
    await asyncio.sleep(50 * U)
    for i in range(4):
        log("watchdog", i)
        G["ev"].set()
        async with G["cond"]:
            G["cond"].notify_all()
        if not G["fut"].done(): G["fut"].set_result("wd")
        T["main"].cancel("wd")
        await asyncio.sleep(10 * U)
'''

LUA_PRELUDE = r'''
local asyncio = require "pystd.asyncio"
local errors = require "pystd.errors"
local U = %r
local G = {}
local T = {}
local ORDER = {}
local PHASE = ""
local function tostr(x)
  if math.type(x) == "integer" then return string.format("%%d", x) end
  if x == nil then return "nil" end
  return tostring(x)
end
local function log(...)
  local t = table.pack(...)
  for i = 1, t.n do t[i] = tostr(t[i]) end
  io.write(PHASE .. table.concat(t, " ", 1, t.n) .. "\n"); io.stdout:flush()
end
local fe
fe = function(e)
  if type(e) ~= "table" or type(e.type) ~= "string" then return "LuaError(" .. tostring(e) .. ")" end
  if e.type == "asyncio.CancelledError" then
    local m = e.args and e.args[1]
    if m == nil then m = "-" end  -- "" stays "", as CPython's CancelledError('')
    return "CancelledError(" .. tostr(m) .. ")"
  end
  if e.type == "ExceptionGroup" then
    local s = {}
    for i, x in ipairs(e.exceptions) do s[i] = fe(x) end
    table.sort(s)
    return "ExceptionGroup[" .. table.concat(s, ",") .. "]"
  end
  if e.type == "TimeoutError" then return "TimeoutError" end
  local ty = e.type:gsub("^asyncio%%.", "")
  return ty .. "(" .. tostr(e.message) .. ")"
end
local function fr(v)
  if type(v) == "table" and type(v.type) == "string" then return fe(v) end
  if type(v) == "table" then
    local s = {}
    for i = 1, #v do s[i] = fr(v[i]) end
    return "[" .. table.concat(s, ",") .. "]"
  end
  return tostr(v)
end
local function tk(me, n)
  local t = T[n]
  if t == nil then log(me, "missing", n) end
  return t
end
local function is_cancel(e) return type(e) == "table" and e.type == "asyncio.CancelledError" end
local function status()
  for _, n in ipairs(ORDER) do
    local t = T[n]
    local s
    if not t:done() then s = "pending"
    elseif t:cancelled() then s = "cancelled"
    elseif t:exception() ~= nil then s = "exc " .. fe(t:exception())
    else s = "result " .. fr(t:result()) end
    log("status", n, s)
  end
end
local watchdog = asyncio.async(function()
  asyncio.sleep(50 * U)
  for i = 0, 3 do
    log("watchdog", i)
    G.ev:set()
    do local _ <close> = G.cond:hold(); G.cond:notify_all() end
    if not G.fut:done() then G.fut:set_result("wd") end
    T.main:cancel("wd")
    asyncio.sleep(10 * U)
  end
end)
'''


def pyq(x):
    return repr(x)


def luaq(x):
    if x is None:
        return "nil"
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, str):
        return '"%s"' % x
    return str(x)


class Emitter:
    def __init__(self):
        self.py_funcs = []   # list of lines
        self.lua_funcs = []
        self.nfn = 0

    def fn(self, body):
        """define a coroutine function for a task body; returns its name"""
        self.nfn += 1
        name = "fn%d" % self.nfn
        py = ["async def %s(me):" % name, "    try:"]
        lua = ["local %s = asyncio.async(function(me)" % name, "  local ok, e = pcall(function()"]
        bp, bl = self.block(body, 2, "me")
        py += bp + ["    except BaseException as e:", "        log(me, 'exit', fe(e))", "        raise",
                    "    log(me, 'return')", "    return me + ':r'", ""]
        lua += bl + ["  end)", "  if not ok then log(me, 'exit', fe(e)); error(e, 0) end",
                     "  log(me, 'return')", "  return me .. ':r'", "end)", ""]
        self.py_funcs += py
        self.lua_funcs += lua
        return name

    def block(self, stmts, ind, me):
        py, lua = [], []
        for s in stmts:
            p, l = self.stmt(s, ind, me)
            py += p
            lua += l
        if not stmts:
            py.append("    " * ind + "pass")
        return py, lua

    def stmt(self, s, ind, me):
        P = "    " * ind
        L = "  " * ind
        k = s[0]
        py, lua = [], []

        def both(p, l):
            py.extend(P + x for x in p)
            lua.extend(L + x for x in l)

        if k == "sleep":
            d = s[1]
            both(["await asyncio.sleep(%s)" % ("0" if d == 0 else "%d * U" % d), "log(me, 'slept', %d)" % d],
                 ["asyncio.sleep(%s)" % ("0" if d == 0 else "%d * U" % d), "log(me, 'slept', %d)" % d])
        elif k in ("spawn", "tgspawn"):
            if k == "spawn":
                _, name, body = s
                f = self.fn(body)
                both(["T[%r] = asyncio.create_task(%s(%r), name=%r)" % (name, f, name, name),
                      "ORDER.append(%r)" % name, "log(me, 'spawn', %r)" % name],
                     ['T["%s"] = asyncio.create_task(%s("%s"), "%s")' % (name, f, name, name),
                      'ORDER[#ORDER + 1] = "%s"' % name, 'log(me, "spawn", "%s")' % name])
            else:
                _, tg, name, body = s
                f = self.fn(body)
                both(["T[%r] = %s.create_task(%s(%r), name=%r)" % (name, tg, f, name, name),
                      "ORDER.append(%r)" % name, "log(me, 'tgspawn', %r)" % name],
                     ['T["%s"] = %s:create_task(%s("%s"), "%s")' % (name, tg, f, name, name),
                      'ORDER[#ORDER + 1] = "%s"' % name, 'log(me, "tgspawn", "%s")' % name])
        elif k == "cancel":
            _, n, msg = s
            pm = "" if msg is None else "%r" % msg
            both(["t = tk(me, %r)" % n, "if t: log(me, 'cancel', %r, fr(t.cancel(%s)))" % (n, pm)],
                 ['local t = tk(me, "%s")' % n, 'if t then log(me, "cancel", "%s", fr(t:cancel(%s))) end' % (n, luaq(msg) if msg else "")])
        elif k == "cancelself":
            msg = s[1]
            pm = "" if msg is None else "%r" % msg
            both(["log(me, 'cancelself', fr(asyncio.current_task().cancel(%s)))" % pm],
                 ['log(me, "cancelself", fr(asyncio.current_task():cancel(%s)))' % (luaq(msg) if msg else "")])
        elif k == "await":
            n = s[1]
            both(["t = tk(me, %r)" % n, "if t: log(me, 'awaited', %r, fr(await t))" % n],
                 ['local t = tk(me, "%s")' % n, 'if t then log(me, "awaited", "%s", fr(asyncio.await(t))) end' % n])
        elif k == "shield":
            n = s[1]
            both(["t = tk(me, %r)" % n, "if t: log(me, 'shielded', %r, fr(await asyncio.shield(t)))" % n],
                 ['local t = tk(me, "%s")' % n, 'if t then log(me, "shielded", "%s", fr(asyncio.await(asyncio.shield(t)))) end' % n])
        elif k == "gather":
            _, items, rex = s
            pa, la = [], []
            for i, it in enumerate(items):
                if it[0] == "task":
                    pa.append("tk(me, %r)" % it[1])
                    la.append('tk(me, "%s")' % it[1])
                else:
                    f = self.fn(it[1])
                    pa.append("%s(me + '/g%d')" % (f, i))
                    la.append('%s(me .. "/g%d")' % (f, i))
            both(["args = [a for a in (%s,) if a is not None]" % ", ".join(pa),
                  "log(me, 'gathered', fr(await asyncio.gather(*args%s)))" % (", return_exceptions=True" if rex else "")],
                 ["local args = {}",
                  "local src = table.pack(%s)" % ", ".join(la),
                  "for i = 1, src.n do if src[i] ~= nil then args[#args + 1] = src[i] end end",
                  "if %s then args[#args + 1] = {return_exceptions = true} end" % ("true" if rex else "false"),
                  'log(me, "gathered", fr(asyncio.gather(table.unpack(args))))'])
        elif k == "try":
            _, body, reraise = s
            bp, bl = self.block(body, 1, me)
            py += [P + "try:"] + [P + x for x in bp] + [
                P + "except BaseException as e:",
                P + "    log(me, 'caught', fe(e))"]
            if reraise:
                py.append(P + "    if isinstance(e, asyncio.CancelledError): raise")
            py.append(P + "log(me, 'after-try')")
            lua += [L + "do", L + "  local ok, e = pcall(function()"] + [L + "  " + x for x in bl] + [
                L + "  end)",
                L + '  if not ok then log(me, "caught", fe(e))']
            if reraise:
                lua.append(L + "    if is_cancel(e) then error(e, 0) end")
            lua += [L + "  end", L + '  log(me, "after-try")', L + "end"]
        elif k == "finally":
            _, n, d, body = s
            bp, bl = self.block(body, 1, me)
            wait = "0" if d == 0 else "%d * U" % d
            py += [P + "try:"] + [P + x for x in bp] + [
                P + "finally:", P + "    log(me, 'cleanup', %d)" % n,
                P + "    await asyncio.sleep(%s)" % wait, P + "    log(me, 'cleaned', %d)" % n]
            lua += [L + "do", L + "  local _ <close> = setmetatable({}, { __close = function()",
                    L + '    log(me, "cleanup", %d)' % n, L + "    asyncio.sleep(%s)" % wait,
                    L + '    log(me, "cleaned", %d)' % n, L + "  end })"] + \
                   [L + x for x in bl] + [L + "end"]
        elif k == "timeout":
            _, d, body = s
            bp, bl = self.block(body, 1, me)
            self.nfn += 1
            cmv = "cm%d" % self.nfn
            py += [P + "%s = asyncio.timeout(%d * U)" % (cmv, d), P + "try:", P + "    async with %s:" % cmv] + \
                  ["    " + P + x for x in bp] + [P + "finally:", P + "    log(me, 'timeout-exit', %d, fr(%s.expired()))" % (d, cmv)]
            lua += [L + "do", L + "  local cm", L + "  local ok, e = pcall(function()",
                    L + "    local c <close> = asyncio.timeout(%d * U)" % d, L + "    cm = c"] + \
                   [L + "  " + x for x in bl] + [
                   L + "  end)",
                   L + '  log(me, "timeout-exit", %d, fr(cm:expired()))' % d,
                   L + "  if not ok then error(e, 0) end", L + "end"]
            py.append(P + "log(me, 'timeout-after', %d)" % d)
            lua.append(L + 'log(me, "timeout-after", %d)' % d)
        elif k == "taskgroup":
            _, tg, body = s
            bp, bl = self.block(body, 1, me)
            py += [P + "log(me, 'tg-enter', %r)" % tg, P + "async with asyncio.TaskGroup() as %s:" % tg] + \
                  [P + x for x in bp] + [P + "log(me, 'tg-exit', %r)" % tg]
            lua += [L + 'log(me, "tg-enter", "%s")' % tg, L + "asyncio.TaskGroup(function(%s)" % tg] + \
                   [L + x for x in bl] + [L + "end)", L + 'log(me, "tg-exit", "%s")' % tg]
        elif k == "wait_for":
            _, aw, to = s
            pto = "None" if to is None else "%d * U" % to
            lto = "nil" if to is None else "%d * U" % to
            if aw[0] == "task":
                both(["t = tk(me, %r)" % aw[1], "if t: log(me, 'wait_for', fr(await asyncio.wait_for(t, %s)))" % pto],
                     ['local t = tk(me, "%s")' % aw[1], 'if t then log(me, "wait_for", fr(asyncio.wait_for(t, %s))) end' % lto])
            else:
                f = self.fn(aw[1])
                both(["log(me, 'wait_for', fr(await asyncio.wait_for(%s(me + '/w'), %s)))" % (f, pto)],
                     ['log(me, "wait_for", fr(asyncio.wait_for(%s(me .. "/w"), %s)))' % (f, lto)])
        elif k == "cancelling":
            both(["log(me, 'cancelling', asyncio.current_task().cancelling())"],
                 ['log(me, "cancelling", asyncio.current_task():cancelling())'])
        elif k == "uncancel":
            both(["log(me, 'uncancel', asyncio.current_task().uncancel())"],
                 ['log(me, "uncancel", asyncio.current_task():uncancel())'])
        elif k == "raise":
            both(["raise ValueError(%r)" % s[1]], ['errors.raise("ValueError", "%s")' % s[1]])
        elif k == "raisebase":
            both(["raise %s(%r)" % (s[1], s[2])], ['errors.raise("%s", "%s")' % (s[1], s[2])])
        elif k == "qput":
            both(["await G['q'].put(%d)" % s[1], "log(me, 'put', %d)" % s[1]],
                 ["G.q:put(%d)" % s[1], 'log(me, "put", %d)' % s[1]])
        elif k == "qputnw":
            both(["G['q'].put_nowait(%d)" % s[1], "log(me, 'put_nowait', %d)" % s[1]],
                 ["G.q:put_nowait(%d)" % s[1], 'log(me, "put_nowait", %d)' % s[1]])
        elif k == "qget":
            both(["log(me, 'got', await G['q'].get())"], ['log(me, "got", G.q:get())'])
        elif k == "qgetnw":
            both(["log(me, 'got_nowait', G['q'].get_nowait())"], ['log(me, "got_nowait", G.q:get_nowait())'])
        elif k == "qtaskdone":
            both(["G['q'].task_done()", "log(me, 'task_done')"], ["G.q:task_done()", 'log(me, "task_done")'])
        elif k == "qjoin":
            both(["await G['q'].join()", "log(me, 'joined', G['q'].qsize())"],
                 ["G.q:join()", 'log(me, "joined", G.q:qsize())'])
        elif k == "lock":
            bp, bl = self.block(s[1], 1, me)
            py += [P + "async with G['lock']:", P + "    log(me, 'locked')"] + [P + x for x in bp] + \
                  [P + "log(me, 'unlocked')"]
            lua += [L + "do", L + "  local _ <close> = G.lock:hold()", L + '  log(me, "locked")'] + \
                   [L + x for x in bl] + [L + "end", L + 'log(me, "unlocked")']
        elif k == "lockrel":
            both(["G['lock'].release()", "log(me, 'lock-released')"], ["G.lock:release()", 'log(me, "lock-released")'])
        elif k == "sem":
            bp, bl = self.block(s[1], 1, me)
            py += [P + "async with G['sem']:", P + "    log(me, 'sem-acq')"] + [P + x for x in bp] + \
                  [P + "log(me, 'sem-rel')"]
            lua += [L + "do", L + "  local _ <close> = G.sem:hold()", L + '  log(me, "sem-acq")'] + \
                   [L + x for x in bl] + [L + "end", L + 'log(me, "sem-rel")']
        elif k == "semrel":
            both(["G['sem'].release()", "log(me, 'sem-released', fr(G['sem'].locked()))"],
                 ["G.sem:release()", 'log(me, "sem-released", fr(G.sem:locked()))'])
        elif k == "evset":
            both(["G['ev'].set()", "log(me, 'ev-set')"], ["G.ev:set()", 'log(me, "ev-set")'])
        elif k == "evclear":
            both(["G['ev'].clear()", "log(me, 'ev-clear')"], ["G.ev:clear()", 'log(me, "ev-clear")'])
        elif k == "evwait":
            both(["log(me, 'ev-wait', fr(await G['ev'].wait()))"], ['log(me, "ev-wait", fr(G.ev:wait()))'])
        elif k == "condwait":
            py += [P + "async with G['cond']:", P + "    log(me, 'cond-wait')",
                   P + "    log(me, 'cond-woke', fr(await G['cond'].wait()))"]
            lua += [L + "do", L + "  local _ <close> = G.cond:hold()", L + '  log(me, "cond-wait")',
                    L + '  log(me, "cond-woke", fr(G.cond:wait()))', L + "end"]
        elif k == "condnotify":
            n = s[1]
            if n is None:
                py += [P + "async with G['cond']:", P + "    G['cond'].notify_all()", P + "    log(me, 'notify_all')"]
                lua += [L + "do", L + "  local _ <close> = G.cond:hold()", L + "  G.cond:notify_all()",
                        L + '  log(me, "notify_all")', L + "end"]
            else:
                py += [P + "async with G['cond']:", P + "    G['cond'].notify(%d)" % n, P + "    log(me, 'notify', %d)" % n]
                lua += [L + "do", L + "  local _ <close> = G.cond:hold()", L + "  G.cond:notify(%d)" % n,
                        L + '  log(me, "notify", %d)' % n, L + "end"]
        elif k == "futset":
            both(["G['fut'].set_result(%r)" % s[1], "log(me, 'fut-set')"],
                 ['G.fut:set_result("%s")' % s[1], 'log(me, "fut-set")'])
        elif k == "futawait":
            both(["log(me, 'fut-awaited', fr(await G['fut']))"], ['log(me, "fut-awaited", fr(asyncio.await(G.fut)))'])
        elif k == "futcancel":
            msg = s[1]
            pm = "" if msg is None else "%r" % msg
            both(["log(me, 'fut-cancel', fr(G['fut'].cancel(%s)))" % pm],
                 ['log(me, "fut-cancel", fr(G.fut:cancel(%s)))' % (luaq(msg) if msg else "")])
        elif k == "wait":
            _, names, rw, to = s
            pto = "None" if to is None else "%d * U" % to
            lto = "nil" if to is None else "%d * U" % to
            both(["ts = [t for t in (%s,) if t is not None]" % ", ".join("tk(me, %r)" % n for n in names),
                  "d, p = await asyncio.wait(ts, return_when=asyncio.%s, timeout=%s)" % (rw, pto),
                  "log(me, 'wait', sorted(t.get_name() for t in d), sorted(t.get_name() for t in p))"],
                 ["local ts = {}",
                  "for _, n in ipairs({%s}) do local t = tk(me, n); if t then ts[#ts + 1] = t end end" % ", ".join('"%s"' % n for n in names),
                  'local d, p = asyncio.wait(ts, {return_when = "%s", timeout = %s})' % (rw, lto),
                  "local dn, pn = {}, {}",
                  "for i, t in ipairs(d) do dn[i] = t:get_name() end",
                  "for i, t in ipairs(p) do pn[i] = t:get_name() end",
                  "table.sort(dn); table.sort(pn)",
                  'log(me, "wait", "[\'" .. table.concat(dn, "\', \'") .. "\']", "[\'" .. table.concat(pn, "\', \'") .. "\']")'])
            # python prints lists with repr: ['a', 'b']; empty -> []
            lua[-1] = L + 'local function pl(x) if #x == 0 then return "[]" end return "[\'" .. table.concat(x, "\', \'") .. "\']" end; log(me, "wait", pl(dn), pl(pn))'
        elif k == "as_completed":
            _, names, to = s
            pto = "None" if to is None else "%d * U" % to
            lto = "nil" if to is None else "%d * U" % to
            py += [P + "ts = [t for t in (%s,) if t is not None]" % ", ".join("tk(me, %r)" % n for n in names),
                   P + "for f in asyncio.as_completed(ts, timeout=%s):" % pto,
                   P + "    try:",
                   P + "        log(me, 'ac', fr(await f))",
                   P + "    except asyncio.CancelledError as e:",
                   P + "        log(me, 'ac-exc', fe(e))",
                   P + "        if asyncio.current_task().cancelling(): raise",
                   P + "    except Exception as e:",
                   P + "        log(me, 'ac-exc', fe(e))"]
            lua += [L + "local ts = {}",
                    L + "for _, n in ipairs({%s}) do local t = tk(me, n); if t then ts[#ts + 1] = t end end" % ", ".join('"%s"' % n for n in names),
                    L + "for f in asyncio.as_completed(ts, %s) do" % lto,
                    L + "  local ok, r = pcall(asyncio.await, f)",
                    L + '  if ok then log(me, "ac", fr(r)) else',
                    L + '    log(me, "ac-exc", fe(r))',
                    L + "    if is_cancel(r) and asyncio.current_task():cancelling() > 0 then error(r, 0) end",
                    L + "  end",
                    L + "end"]
        else:
            raise AssertionError(k)
        return py, lua


def emit(scn):
    em = Emitter()
    mp, ml = em.block(scn["main"], 2, "me")
    qmax = scn["qmax"]
    py = [PY_PRELUDE % U] + em.py_funcs + [
        "async def main():",
        "    me = 'main'",
        "    G['q'] = asyncio.%s(%d)" % (scn["qkind"], qmax),
        "    G['lock'] = asyncio.Lock()", "    G['ev'] = asyncio.Event()", "    G['cond'] = asyncio.Condition()",
        "    G['sem'] = asyncio.%s(%d)" % (scn["semkind"], scn["semn"]),
        "    G['fut'] = asyncio.get_running_loop().create_future()",
        "    T['main'] = asyncio.current_task()",
        "    wd = asyncio.create_task(watchdog(), name='wd')",
        "    try:"] + mp + [
        "    except BaseException as e:",
        "        log(me, 'exit', fe(e))",
        "        raise",
        "    finally:",
        "        wd.cancel()",
        "        status()",
        "        PHASE[0] = 'post: '",
        "    log(me, 'return')",
        "    return 'main:r'",
        "",
        "try:",
        "    log('run ->', fr(asyncio.run(main())))",
        "except BaseException as e:",
        "    log('run raised', fe(e))",
    ]
    lua = [LUA_PRELUDE % U] + em.lua_funcs + [
        "local main = asyncio.async(function()",
        "  local me = 'main'",
        "  G.q = asyncio.%s(%d)" % (scn["qkind"], qmax),
        "  G.lock = asyncio.Lock(); G.ev = asyncio.Event(); G.cond = asyncio.Condition()",
        "  G.sem = asyncio.%s(%d)" % (scn["semkind"], scn["semn"]),
        "  G.fut = asyncio.get_running_loop():create_future()",
        "  T.main = asyncio.current_task()",
        "  local wd = asyncio.create_task(watchdog(), 'wd')",
        "  local ok, e = pcall(function()"] + ml + [
        "  end)",
        "  if not ok then log(me, 'exit', fe(e)) end",
        "  wd:cancel()",
        "  status()",
        "  PHASE = 'post: '",
        "  if not ok then error(e, 0) end",
        "  log(me, 'return')",
        "  return 'main:r'",
        "end)",
        "",
        "local ok, r = pcall(asyncio.run, main)",
        "if ok then log('run ->', fr(r)) else log('run raised', fe(r)) end",
    ]
    return "\n".join(py) + "\n", "\n".join(lua) + "\n"


if __name__ == "__main__":
    seed = int(sys.argv[1])
    scn = Gen(seed).scenario()
    print(json.dumps(scn))
