import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import * as hdr from 'hdr-histogram-js';
import { LatencyStats, slotOf, slotValue, CDF_FRACTIONS } from '../src/metrics/latency.js';

/** The reference: every sample handed to the histogram as it comes (what LatencyStats did before). */
function direct(samples: number[]) {
  const h = hdr.build({
    bitBucketSize: 64,
    autoResize: true,
    lowestDiscernibleValue: 1,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
  for (const s of samples) h.recordValue(Math.round(s * 1e6));
  const max = Math.max(...samples) * 1000;
  return {
    p: [50, 95, 99].map((p) => Math.min(h.getValueAtPercentile(p) / 1000, max)),
    cdf: CDF_FRACTIONS.slice(0, -1).map((f) => Math.min(h.getValueAtPercentile(f * 100) / 1000, max)),
  };
}

describe('LatencyStats', () => {
  it('slots: a value and the lowest value of its slot share the histogram slot', () => {
    const h = hdr.build({ bitBucketSize: 64, autoResize: true, numberOfSignificantValueDigits: 3 });
    for (const v of [0, 1, 2047, 2048, 2049, 4095, 4096, 1_000_003, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1]) {
      const s = slotOf(v);
      expect(slotOf(slotValue(s))).toBe(s);
      // Percentile 0 of a histogram holding only v is the lowest value of v's histogram slot.
      h.reset();
      h.recordValue(v);
      expect(h.getValueAtPercentile(0)).toBe(slotValue(s));
    }
  });

  it('gives exactly the percentiles of recording every sample directly', () => {
    const rng = seedrandom.alea('latency');
    for (let run = 0; run < 60; run++) {
      const n = 1 + Math.floor(rng() * 300);
      // Mostly short samples (unit-resolution slots), some long ones (wide slots), some exact slot edges.
      const samples = Array.from({ length: n }, () => {
        const r = rng();
        if (r < 0.4) return rng() * 0.01;
        if (r < 0.9) return rng() * 5000;
        return (2048 * 2 ** Math.floor(rng() * 20) + (rng() < 0.5 ? -1 : 0)) / 1e6;
      });
      const s = new LatencyStats();
      for (const x of samples) s.record(x);
      const ref = direct(samples);
      const sum = s.summaryMs()!;
      expect([sum.p50, sum.p95, sum.p99]).toEqual(ref.p);
      expect(
        s
          .cdfMs()!
          .slice(0, -1)
          .map((c) => c.ms),
      ).toEqual(ref.cdf);
    }
  });

  it('gives exactly the value of the histogram at any percentile, 0 and 100 included, with or without huge samples', () => {
    const rng = seedrandom.alea('latency-percentiles');
    const ps = [0, 0.001, 1, 12.5, 33.3, 50, 66.7, 90, 99, 99.9, 99.999, 100];
    for (let run = 0; run < 40; run++) {
      const n = 1 + Math.floor(rng() * 500);
      const samples = Array.from({ length: n }, () => (rng() < 0.5 ? rng() * 0.003 : rng() * 900));
      if (run % 10 === 9) samples.push(20_000); // 2e10 µs: beyond the typed slots (the histogram answers)
      const h = hdr.build({ bitBucketSize: 64, autoResize: true, numberOfSignificantValueDigits: 3 });
      const s = new LatencyStats();
      for (const x of samples) {
        h.recordValue(Math.round(x * 1e6));
        s.record(x);
      }
      const max = Math.max(...samples) * 1000;
      for (const p of ps) expect(s.percentileMs(p)).toBe(Math.min(h.getValueAtPercentile(p) / 1000, max));
    }
  });

  it('adds samples held for counting in bulk in the order they came (mean, count, max), recordCount between', () => {
    const rng = seedrandom.alea('pending');
    const s = new LatencyStats();
    let n = 0;
    let sum = 0;
    let max = 0;
    for (let i = 0; i < 2_000; i++) {
      const x = rng() * 0.05;
      if (i % 700 === 699) {
        s.recordCount(x, 3);
        n += 3;
        sum += x * 3;
      } else {
        s.record(x);
        n++;
        sum += x;
      }
      if (x > max) max = x;
      if (i % 333 === 0) expect(s.count).toBe(n);
    }
    expect(s.count).toBe(n);
    expect(s.mean()).toBe(sum / n);
    expect(s.summaryMs()!.max).toBe(max * 1000);
  });

  it('counts samples beyond 2^32 µs, summarises after more records, refuses after dispose', () => {
    const s = new LatencyStats();
    s.record(0.002);
    s.record(10_000); // 1e10 µs: beyond the typed slots
    expect(s.summaryMs()!.max).toBe(10_000_000);
    s.record(0.001);
    expect(s.summaryMs()!.p50).toBeCloseTo(2, 2);
    expect(s.count).toBe(3);
    s.dispose();
    expect(() => s.summaryMs()).toThrow(/dispose/);
    expect(new LatencyStats().summaryMs()).toBeNull();
  });
});
