// Node peer for bench/asyncio.lua (BENCH.md E1-E4): setImmediate, promises
// and timers.
// Usage: node bench/peers/asyncio_bench.js E1|E2|E3|E4 [reps]
// Prints one line "seconds check rss_kb=N xI" per repetition: seconds per run,
// N the peak RSS of the process so far, I how many runs a repetition made (a
// run under 0.2 s is repeated; not when reps is 1).
"use strict";

const SWITCH_TASKS = 1000, SWITCHES = 1000;   // E1
const SLEEPERS = 100000;                      // E2
const SPAWNS = 1000000, BATCH = 1000;         // E3
const ITEMS = 1000000, QUEUE_SIZE = 100;      // E4
const MIN_SECONDS = 0.2;  // a shorter run is repeated (BENCH.md)

const spreadDelay = (i) => (i * 7919 % 1000) / 1000;
const yieldOnce = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

async function e1() {
  let count = 0;
  async function switcher() {
    for (let i = 0; i < SWITCHES; i++) {
      await yieldOnce();
      count++;
    }
  }
  const tasks = [];
  for (let t = 0; t < SWITCH_TASKS; t++) tasks.push(switcher());
  await Promise.all(tasks);
  return count;
}

async function e2() {
  async function sleeper(i) {
    await sleep(spreadDelay(i));
    return 1;
  }
  const tasks = [];
  for (let i = 0; i < SLEEPERS; i++) tasks.push(sleeper(i));
  const results = await Promise.all(tasks);
  return results.reduce((a, b) => a + b, 0);
}

async function e3() {
  async function trivial(i) { return i; }
  let total = 0;
  for (let base = 0; base < SPAWNS; base += BATCH) {
    const batch = [];
    for (let k = 0; k < BATCH; k++) batch.push(trivial(base + k));
    const results = await Promise.all(batch);
    for (const r of results) total += r;
  }
  return total;
}

// A bounded FIFO queue of promises, in the shape of asyncio.Queue.
class Queue {
  constructor(maxsize) {
    this.maxsize = maxsize;
    this.items = [];
    this.head = 0;
    this.getters = [];
    this.putters = [];
  }
  size() { return this.items.length - this.head; }
  async put(item) {
    while (this.size() >= this.maxsize) {
      await new Promise((resolve) => this.putters.push(resolve));
    }
    this.items.push(item);
    const getter = this.getters.shift();
    if (getter) getter();
  }
  async get() {
    while (this.size() === 0) {
      await new Promise((resolve) => this.getters.push(resolve));
    }
    const item = this.items[this.head++];
    if (this.head > 1024) { this.items = this.items.slice(this.head); this.head = 0; }
    const putter = this.putters.shift();
    if (putter) putter();
    return item;
  }
}

async function e4() {
  const queue = new Queue(QUEUE_SIZE);
  async function producer() {
    for (let i = 1; i <= ITEMS; i++) await queue.put(i);
  }
  async function consumer() {
    let total = 0;
    for (let i = 0; i < ITEMS; i++) total += await queue.get();
    return total;
  }
  const [, total] = await Promise.all([producer(), consumer()]);
  return total;
}

const workloads = { E1: e1, E2: e2, E3: e3, E4: e4 };

// Run `workload` `inner` times; seconds per run and the check.
async function timedRuns(workload, inner) {
  const t0 = process.hrtime.bigint();
  let check;
  for (let i = 0; i < inner; i++) check = await workload();
  return [Number(process.hrtime.bigint() - t0) / 1e9 / inner, check];
}

async function main() {
  const workload = workloads[process.argv[2]];
  if (!workload) throw new Error("usage: asyncio_bench.js E1|E2|E3|E4 [reps]");
  const reps = Number(process.argv[3] || 5);
  let inner = 1;
  while (reps > 1) {  // repeat a short workload until a run takes MIN_SECONDS
    const [seconds] = await timedRuns(workload, inner);
    if (seconds * inner >= MIN_SECONDS) break;
    inner *= 2;
  }
  for (let r = 0; r < reps; r++) {
    const [seconds, check] = await timedRuns(workload, inner);
    const rssKb = process.resourceUsage().maxRSS;
    console.log(`${seconds.toFixed(6)} ${check} rss_kb=${rssKb} x${inner}`);
  }
}

main();
