import { describe, it, expect } from 'vitest';
import { Simulator, RandomStream } from '../src/engine/index.js';
import { UnitClock } from '../src/sim/unit-clock.js';

function clock(randomDown: boolean, countFrom = 0) {
  const sim = new Simulator();
  const changes: { t: number; u: number; down: number }[] = [];
  const unitPool = Int32Array.from([0, 0, 1]);
  const specs = [
    { enabled: true, up_s: 100, down_s: 10 },
    { enabled: false, up_s: 0, down_s: 0 },
  ];
  const streams = [new RandomStream('pool:a:failures', 7), new RandomStream('pool:b:failures', 7)];
  const c: UnitClock = new UnitClock(sim, unitPool, specs, streams, randomDown, countFrom, (u) =>
    changes.push({ t: sim.now, u, down: c.down[u] }),
  );
  c.kind = sim.register((u) => c.onEvent(u));
  return { sim, c, changes };
}

describe("UnitClock (a unit's failure or spot clock)", () => {
  it("alternates down and up, drawing each period from the pool's stream", () => {
    const { sim, c, changes } = clock(true);
    c.start(0);
    sim.run(5000);
    const mine = changes.filter((x) => x.u === 0);
    expect(mine.length).toBeGreaterThan(10);
    mine.forEach((x, i) => expect(x.down).toBe(i % 2 === 0 ? 1 : 0));
    // The same draws, in the same order, from a fresh stream of the same name: up, down, up, …
    const ref = new RandomStream('pool:a:failures', 7);
    let t = 0;
    for (let i = 0; i < mine.length; i++) {
      t += ref.exponential(i % 2 === 0 ? 100 : 10);
      expect(mine[i].t).toBeCloseTo(t, 9);
    }
    expect(c.count[0]).toBe(Math.ceil(mine.length / 2));
  });

  it('spot clocks come back after a fixed restart time', () => {
    const { sim, c, changes } = clock(false);
    c.start(1);
    sim.run(3000);
    const mine = changes.filter((x) => x.u === 1);
    for (let i = 1; i < mine.length; i += 2) expect(mine[i].t - mine[i - 1].t).toBeCloseTo(10, 9);
  });

  it('does not run for a pool without the clock, and stops cleanly', () => {
    const { sim, c, changes } = clock(true);
    c.start(2);
    c.start(0);
    sim.run(150);
    const before = changes.length;
    c.stop(0);
    expect(c.down[0]).toBe(0);
    expect(c.event[0]).toBe(-1);
    sim.run(100000);
    expect(changes.length).toBe(before);
    expect(changes.every((x) => x.u === 0)).toBe(true);
  });

  it('counts only flips to down from `countFrom` on', () => {
    const { sim, c, changes } = clock(true, 1e9);
    c.start(0);
    sim.run(5000);
    expect(changes.length).toBeGreaterThan(0);
    expect(c.count[0]).toBe(0);
  });
});
