/**
 * A pool's batching and dispatch, driven directly: a run context from a one-pool scenario, the pool
 * component, and stand-ins for the parts it talks to (delivery, retries, capacity, …).
 */
import { describe, it, expect } from 'vitest';
import { queueScenario } from './helpers/build-scenario.js';
import { buildPlan } from '../src/sim/plan.js';
import { RunContext, type Parts } from '../src/sim/context.js';
import { Pools } from '../src/sim/pools.js';
import { builtinPolicy } from '../src/placement/builtin.js';

function setup(opts: { replicas: number; maxBatch: number; maxWait: number; maxQueue?: number }) {
  const s = queueScenario({
    servers: opts.replicas,
    rate: 1,
    serviceTime: { kind: 'deterministic', mean_s: 1 },
    duration: 100,
    warmup: 0,
    maxQueue: opts.maxQueue,
  });
  s.services[0].batching = { max_batch: opts.maxBatch, max_wait_s: opts.maxWait };
  const plan = buildPlan(s);
  const ctx = new RunContext(plan, builtinPolicy('least-latency')!, null);
  const pools = new Pools(ctx);
  const delivered: { slot: number; t: number; started: number }[] = [];
  const rejected: number[] = [];
  const retried: number[] = [];
  const stub = {
    arrivals: { retry: (slot: number) => retried.push(slot) },
    outcomes: { rejectSlot: (slot: number) => rejected.push(slot) },
    links: { deliver: (slot: number) => delivered.push({ slot, t: ctx.sim.now, started: ctx.rq.started[slot] }) },
    capacity: { canServe: () => true, poolBooting: new Int32Array(1), trainingLevel: [{ value: 0 }] },
    uplinks: { down: new Int32Array(1), siteOfPool: new Int32Array(1) },
    autoscaler: { autoscale: () => {} },
    apis: { start: () => {} },
    jobs: { yieldPool: () => {} },
  };
  pools.link({ ...stub, pools } as unknown as Parts);
  const k = ctx.kinds;
  k.enqueue = ctx.sim.register((slot) => pools.onEnqueue(slot));
  k.timer = ctx.sim.register((p) => pools.onTimer(p));
  k.done = ctx.sim.register((server) => pools.onDone(server));
  // Capacity would bring the units up: here every unit serves from the start.
  for (let u = 0; u < plan.pools[0].simUnits; u++) pools.setUnitServing(0, u, true);
  /** A request of service time `st` reaching the pool at time `at`. */
  const request = (at: number, st = 1): number => {
    const rq = ctx.rq;
    const slot = rq.alloc();
    rq.arrival[slot] = at;
    rq.serviceTime[slot] = st;
    rq.target[slot] = 0;
    rq.service[slot] = 0;
    rq.user[slot] = 0;
    ctx.sim.scheduleAt(at, k.enqueue, slot);
    return slot;
  };
  return { ctx, pools, request, delivered, rejected, retried };
}

describe('Pools: batching and dispatch', () => {
  it('starts a batch as soon as max_batch requests wait', () => {
    const { ctx, pools, request, delivered } = setup({ replicas: 1, maxBatch: 3, maxWait: 10 });
    for (let i = 0; i < 3; i++) request(i * 0.1);
    ctx.sim.run(50);
    expect(delivered.map((d) => d.started)).toEqual([0.2, 0.2, 0.2]);
    expect(delivered.map((d) => d.t)).toEqual([1.2, 1.2, 1.2]);
    // The pool's figures reach its tallies when the run closes the books.
    pools.closePool(0);
    expect(ctx.poolTallies[0].batches).toBe(1);
    expect(ctx.poolTallies[0].batchedRequests).toBe(3);
  });

  it('starts a smaller batch when the oldest request has waited max_wait (the batch timer)', () => {
    const { ctx, request, delivered } = setup({ replicas: 1, maxBatch: 4, maxWait: 0.5 });
    request(0);
    request(0.2);
    ctx.sim.run(50);
    expect(delivered.map((d) => d.started)).toEqual([0.5, 0.5]);
  });

  it('a batch runs as long as its longest drawn service time; the replica then takes the next batch', () => {
    const { ctx, request, delivered } = setup({ replicas: 1, maxBatch: 2, maxWait: 0 });
    request(0, 1);
    request(0, 3);
    request(0.1, 1);
    ctx.sim.run(50);
    // The first request is alone at t = 0 (max_wait 0): batch of 1, done at 1. Then the two others: done at 4.
    expect(delivered.map((d) => [d.slot, d.started, d.t])).toEqual([
      [0, 0, 1],
      [1, 1, 4],
      [2, 1, 4],
    ]);
  });

  it('uses every free replica, and queues the rest in FIFO order', () => {
    const { ctx, request, delivered, pools } = setup({ replicas: 2, maxBatch: 1, maxWait: 0 });
    for (let i = 0; i < 5; i++) request(0);
    ctx.sim.run(0);
    expect(pools.busyOf(0)).toBe(2);
    expect(pools.queuedOf(0)).toBe(3);
    ctx.sim.run(50);
    expect(delivered.map((d) => d.slot)).toEqual([0, 1, 2, 3, 4]);
    expect(delivered.map((d) => d.t)).toEqual([1, 1, 2, 2, 3]);
  });

  it('turns requests away beyond max_queue', () => {
    const { ctx, request, rejected, delivered } = setup({ replicas: 1, maxBatch: 1, maxWait: 0, maxQueue: 1 });
    for (let i = 0; i < 4; i++) request(0);
    ctx.sim.run(50);
    // One runs, one waits, two are turned away.
    expect(rejected).toEqual([2, 3]);
    expect(delivered.map((d) => d.slot)).toEqual([0, 1]);
  });

  it('a replica that stops serving aborts its batch, and a pool left with nothing drains its queue', () => {
    const { ctx, request, retried, pools } = setup({ replicas: 1, maxBatch: 2, maxWait: 0 });
    request(0);
    request(0);
    ctx.sim.run(0.5);
    expect(pools.busyOf(0)).toBe(1);
    pools.setUnitServing(0, 0, false);
    // Request 0 ran (alone: max_wait 0) and is placed again; request 1 waited and is placed again too.
    expect(retried).toEqual([0, 1]);
    expect(pools.queuedOf(0)).toBe(0);
    expect(pools.busyOf(0)).toBe(0);
    expect(pools.servingOf(0)).toBe(0);
  });
});
