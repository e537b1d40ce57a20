import { describe, it, expect } from 'vitest';
import { IntervalSeries, chooseInterval } from '../src/metrics/interval-series.js';
import { runScenario } from '../src/sim/index.js';
import { queueScenario } from './helpers/build-scenario.js';

describe('IntervalSeries', () => {
  it('splits a span across the intervals it covers', () => {
    const s = new IntervalSeries(10, 4);
    s.addSpan(5, 27, 2); // 5 in [0,10), 10 in [10,20), 7 in [20,30)
    expect(Array.from(s.values)).toEqual([10, 20, 14, 0]);
    s.addSpan(38, 55, 1); // runs past the end: only [38,40) counts
    expect(s.values[3]).toBe(2);
    s.addAt(39.9, 1);
    s.addAt(40, 1); // outside
    expect(s.values[3]).toBe(3);
  });

  it('chooses readable intervals with at most 240 points', () => {
    expect(chooseInterval(60)).toBe(1);
    expect(chooseInterval(7200)).toBe(30);
    expect(chooseInterval(86400)).toBe(600);
    for (const d of [1, 100, 5000, 1e5, 1e6, 1e8]) expect(d / chooseInterval(d)).toBeLessThanOrEqual(240);
  });
});

describe('time series of a run', () => {
  const lambda = 300;
  const result = runScenario(
    queueScenario({
      servers: 4,
      rate: lambda,
      serviceTime: { kind: 'exponential', mean_s: 0.01 },
      duration: 2400,
      warmup: 0,
      seed: 9,
    }),
  );
  const p = result.policies[0];
  const ts = p.timeseries;

  it('counts every arrival and completion once', () => {
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    expect(sum(ts.services[0].arrivals)).toBe(p.conservation.arrivals);
    expect(sum(ts.services[0].completions)).toBe(p.conservation.completed);
    expect(ts.t_s.length).toBe(2400 / ts.interval_s);
  });

  it('integrates utilisation and queue length exactly (Little: Lq = λ·Wq)', () => {
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    expect(mean(ts.pools[0].utilisation)).toBeCloseTo(p.pools[0].utilisation, 6);
    const wq = p.services[0].breakdown_ms!.queue / 1000;
    expect(Math.abs(mean(ts.pools[0].queue_length) / (lambda * wq) - 1)).toBeLessThan(0.01);
    // Power: 4 idle CPUs at 50 W plus 150 W per busy one.
    expect(mean(ts.pools[0].power_w)).toBeCloseTo(4 * 50 + 150 * 4 * p.pools[0].utilisation, 3);
  });

  it('gives a monotone latency CDF ending at the maximum', () => {
    const cdf = p.services[0].latency_cdf_ms!;
    for (let i = 1; i < cdf.length; i++) {
      expect(cdf[i].fraction).toBeGreaterThan(cdf[i - 1].fraction);
      expect(cdf[i].ms).toBeGreaterThanOrEqual(cdf[i - 1].ms);
    }
    expect(cdf[cdf.length - 1]).toEqual({ fraction: 1, ms: p.services[0].latency_ms!.max });
    expect(cdf.find((x) => x.fraction === 0.99)!.ms).toBe(p.services[0].latency_ms!.p99);
  });
});
