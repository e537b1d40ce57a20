/**
 * Managed API latencies are drawn from two uniforms taken at arrival; the draws are the engine's own
 * (src/engine/random.ts), so an API latency and a stream's draw of the same distribution agree.
 */
import { describe, it, expect } from 'vitest';
import { RandomStream } from '../src/engine/index.js';
import { exponentialOf, lognormalOf, normalCos, normalSin } from '../src/engine/random.js';

describe('draws from given uniforms', () => {
  it('match the streams draw for draw', () => {
    const a = new RandomStream('x', 3);
    const b = new RandomStream('x', 3);
    for (let i = 0; i < 100; i++) {
      expect(a.exponential(2)).toBe(exponentialOf(2, 1 - b.uniform()));
      const u = 1 - b.uniform();
      const v = b.uniform();
      expect(a.normal()).toBe(normalCos(u, v));
      const u2 = 1 - b.uniform();
      const v2 = b.uniform();
      expect(a.lognormal(5, 0.5)).toBe(lognormalOf(5, 0.5, normalCos(u2, v2)));
    }
  });

  it('the two Box–Muller branches are uncorrelated standard normals', () => {
    const s = new RandomStream('bm', 11);
    const n = 20000;
    let sc = 0;
    let ss = 0;
    let scs = 0;
    let sc2 = 0;
    for (let i = 0; i < n; i++) {
      const u = 1 - s.uniform();
      const v = s.uniform();
      const c = normalCos(u, v);
      const z = normalSin(u, v);
      sc += c;
      ss += z;
      scs += c * z;
      sc2 += c * c;
    }
    expect(Math.abs(sc / n)).toBeLessThan(0.03);
    expect(Math.abs(ss / n)).toBeLessThan(0.03);
    expect(Math.abs(scs / n)).toBeLessThan(0.03);
    expect(sc2 / n).toBeGreaterThan(0.95);
    expect(sc2 / n).toBeLessThan(1.05);
  });

  it('a lognormal from z has the asked mean', () => {
    const s = new RandomStream('ln', 5);
    let sum = 0;
    const n = 40000;
    for (let i = 0; i < n; i++) sum += lognormalOf(2, 0.3, normalCos(1 - s.uniform(), s.uniform()));
    expect(sum / n).toBeGreaterThan(1.98);
    expect(sum / n).toBeLessThan(2.02);
  });
});
