import { describe, it, expect } from 'vitest';
import seedrandom from 'seedrandom';
import { Simulator, RandomStreams } from '../src/engine/index.js';
import { normalCos } from '../src/engine/random.js';

describe('Simulator', () => {
  it('runs events in time order', () => {
    const sim = new Simulator();
    const seen: number[] = [];
    const k = sim.register((arg) => seen.push(arg));
    for (const t of [5, 1, 4, 2, 3, 0.5, 10, 7]) sim.scheduleAt(t, k, t);
    sim.run();
    expect(seen).toEqual([0.5, 1, 2, 3, 4, 5, 7, 10]);
    expect(sim.now).toBe(10);
    expect(sim.processed).toBe(8);
  });

  it('runs equal-time events in scheduling order, also when scheduled from handlers', () => {
    const sim = new Simulator();
    const seen: number[] = [];
    let kRec = -1;
    const kSpawn = sim.register((arg) => {
      seen.push(arg);
      // Spawned at the current time: must run after everything already scheduled for this time.
      if (arg < 3) sim.schedule(0, kRec, 100 + arg);
    });
    kRec = sim.register((arg) => seen.push(arg));
    for (let i = 0; i < 6; i++) sim.scheduleAt(1, kSpawn, i);
    sim.run();
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 100, 101, 102]);
  });

  it('keeps (time, seq) order over many random events, through heap growth', () => {
    const sim = new Simulator();
    const rng = new RandomStreams(3).stream('t');
    const order: number[] = [];
    const times: number[] = [];
    const k = sim.register((arg) => order.push(arg));
    for (let i = 0; i < 5000; i++) {
      const t = Math.floor(rng.uniform() * 200); // many ties
      times.push(t);
      sim.scheduleAt(t, k, i);
    }
    sim.run();
    const expected = times
      .map((t, i) => ({ t, i }))
      .sort((a, b) => a.t - b.t || a.i - b.i)
      .map((e) => e.i);
    expect(order).toEqual(expected);
  });

  it('cancels events', () => {
    const sim = new Simulator();
    const seen: number[] = [];
    const k = sim.register((arg) => seen.push(arg));
    const a = sim.schedule(1, k, 1);
    sim.schedule(2, k, 2);
    const c = sim.schedule(3, k, 3);
    expect(sim.cancel(a)).toBe(true);
    expect(sim.cancel(c)).toBe(true);
    expect(sim.cancel(999)).toBe(false);
    sim.run();
    expect(seen).toEqual([2]);
    expect(sim.processed).toBe(1);
  });

  it('a handler can cancel a later event', () => {
    const sim = new Simulator();
    const seen: number[] = [];
    let victim = -1;
    const k = sim.register((arg) => {
      seen.push(arg);
      if (arg === 1) sim.cancel(victim);
    });
    sim.schedule(1, k, 1);
    victim = sim.schedule(2, k, 2);
    sim.schedule(3, k, 3);
    sim.run();
    expect(seen).toEqual([1, 3]);
  });

  it('run(until) stops after events at `until` and advances the clock', () => {
    const sim = new Simulator();
    const seen: number[] = [];
    const k = sim.register((arg) => seen.push(arg));
    sim.scheduleAt(1, k, 1);
    sim.scheduleAt(2, k, 2);
    sim.scheduleAt(3, k, 3);
    expect(sim.run(2)).toBe(2);
    expect(seen).toEqual([1, 2]);
    expect(sim.now).toBe(2);
    sim.run(2.5);
    expect(sim.now).toBe(2.5);
    expect(sim.pending).toBe(1);
    expect(sim.peek()).toBe(3);
  });

  it('rejects bad schedules', () => {
    const sim = new Simulator();
    const k = sim.register(() => {});
    expect(() => sim.schedule(-1, k)).toThrow(RangeError);
    expect(() => sim.schedule(NaN, k)).toThrow(RangeError);
    expect(() => sim.schedule(1, k + 5)).toThrow(RangeError);
    sim.scheduleAt(5, k);
    sim.run();
    expect(() => sim.scheduleAt(4, k)).toThrow(RangeError);
  });

  it('is deterministic: the same seeded workload gives the same trace', () => {
    const trace = (seed: number) => {
      const sim = new Simulator();
      const rng = new RandomStreams(seed).stream('arrivals');
      const out: number[] = [];
      const k = sim.register((arg) => {
        out.push(sim.now, arg);
        if (arg < 2000) sim.schedule(rng.exponential(1), k, arg + 1);
      });
      sim.schedule(0, k, 0);
      sim.run();
      return out;
    };
    expect(trace(7)).toEqual(trace(7));
    expect(trace(7)).not.toEqual(trace(8));
  });
});

describe('Simulator dispatcher', () => {
  it('runs every event through the dispatcher when set, in the same order, with handler(kind) for the rest', () => {
    const trace = (withDispatcher: boolean) => {
      const sim = new Simulator();
      const seen: string[] = [];
      const a = sim.register((x) => {
        seen.push(`a${x}@${sim.now}`);
        if (x < 5) sim.schedule(0.5, b, x + 1);
      });
      const b = sim.register((x) => {
        seen.push(`b${x}@${sim.now}`);
        sim.schedule(x % 2 === 0 ? 0 : 1, a, x + 1);
      });
      const calls: number[] = [];
      if (withDispatcher)
        sim.setDispatcher(
          (t, kind, arg) => {
            t.calls.push(kind);
            if (kind === t.a) sim.handler(t.a)(arg);
            else sim.handler(kind)(arg);
          },
          { calls, a },
        );
      sim.schedule(0, a, 0);
      sim.schedule(0, b, 10);
      const cancelled = sim.schedule(0.1, a, 99);
      sim.cancel(cancelled);
      sim.run();
      return { seen, calls, processed: sim.processed };
    };
    const plain = trace(false);
    const dispatched = trace(true);
    expect(dispatched.seen).toEqual(plain.seen);
    expect(dispatched.processed).toBe(plain.processed);
    // Cancelled events never reach the dispatcher.
    expect(dispatched.calls.length).toBe(plain.processed);
  });
});

describe('RandomStreams', () => {
  it("draws exactly seedrandom's alea double() sequence (the stream combines its 32-bit outputs itself)", () => {
    const ref = seedrandom.alea('5\u0000svc');
    const s = new RandomStreams(5).stream('svc');
    for (let i = 0; i < 1000; i++) {
      if (i % 2 === 0) expect(s.uniform()).toBe(ref.double());
      else expect(s.exponential(0.25)).toBe(-0.25 * Math.log(1 - ref.double()));
    }
  });

  it("keeps seedrandom's order across block refills when one-output and two-output draws mix", () => {
    // integer() takes one 32-bit output, the others two: the block's refills land on both parities, and the
    // block grows from 8 to 256 outputs on the way.
    const ref = seedrandom.alea('7\u0000mix');
    const s = new RandomStreams(7).stream('mix');
    for (let i = 0; i < 5000; i++) {
      if (i % 3 === 0) expect(s.integer(1, 6)).toBe(1 + Math.floor(ref() * 6));
      else if (i % 3 === 1) expect(s.uniform()).toBe(ref.double());
      else expect(s.normal()).toBe(normalCos(1 - ref.double(), ref.double()));
    }
  });

  it('gives independent, reproducible named streams', () => {
    const a = new RandomStreams(1);
    const b = new RandomStreams(1);
    const xa = [a.stream('x').uniform(), a.stream('x').uniform()];
    // Drawing from another stream in between must not shift stream x.
    b.stream('y').uniform();
    const xb = [b.stream('x').uniform(), b.stream('x').uniform()];
    expect(xa).toEqual(xb);
    expect(a.stream('x')).toBe(a.stream('x'));
    expect(new RandomStreams(1).stream('x').uniform()).not.toBe(new RandomStreams(1).stream('z').uniform());
  });

  it('draws with the right means', () => {
    const s = new RandomStreams(11).stream('m');
    const n = 200_000;
    let e = 0;
    let l = 0;
    let l2 = 0;
    let z = 0;
    for (let i = 0; i < n; i++) {
      e += s.exponential(2);
      const x = s.lognormal(3, 0.5);
      l += x;
      l2 += x * x;
      z += s.normal();
    }
    expect(e / n).toBeCloseTo(2, 1);
    const lm = l / n;
    expect(lm).toBeCloseTo(3, 1);
    const sd = Math.sqrt(l2 / n - lm * lm);
    expect(sd / lm).toBeGreaterThan(0.47);
    expect(sd / lm).toBeLessThan(0.53);
    expect(Math.abs(z / n)).toBeLessThan(0.01);
  });
});
