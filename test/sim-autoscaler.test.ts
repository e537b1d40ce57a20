import { describe, it, expect } from 'vitest';
import { wantedUnits } from '../src/sim/autoscaler.js';
import type { AutoscaleSpec } from '../src/model/types.js';

const spec = (over: Partial<AutoscaleSpec>): AutoscaleSpec =>
  ({
    min: 1,
    max: 10,
    initial: 1,
    metric: 'utilisation',
    target_utilisation: 0.5,
    target_queue: 4,
    scale_in_after_s: 60,
    check_every_s: 10,
    ...over,
  }) as AutoscaleSpec;

describe('wantedUnits (the autoscaler decision)', () => {
  it('utilisation: sizes the pool so that demand runs at the target utilisation', () => {
    const a = spec({ metric: 'utilisation', target_utilisation: 0.5 });
    // 3 busy replicas + 8 queued in batches of 4 = 5 replicas of demand; at 50 % that is 10 replicas = 5 units of 2.
    expect(wantedUnits(a, 2, 4, 3, 8, 4, 2, 0)).toBe(5);
    // Exactly on a boundary does not round up (the 1e-9 guard).
    expect(wantedUnits(a, 1, 1, 2, 0, 4, 4, 0)).toBe(4);
  });

  it('utilisation: stays within min and max', () => {
    expect(wantedUnits(spec({ min: 2 }), 1, 1, 0, 0, 2, 2, 0)).toBe(2);
    expect(wantedUnits(spec({ max: 3 }), 1, 1, 100, 0, 3, 3, 0)).toBe(3);
  });

  it('queue: adds one unit when the queue per serving replica passes the target', () => {
    const a = spec({ metric: 'queue', target_queue: 4 });
    expect(wantedUnits(a, 1, 1, 2, 9, 2, 2, 0)).toBe(3);
    expect(wantedUnits(a, 1, 1, 2, 8, 2, 2, 0)).toBe(2);
    // Nothing serving and requests waiting: one more.
    expect(wantedUnits(a, 1, 1, 0, 1, 0, 0, 0)).toBe(1);
  });

  it('queue: waits for a booting unit before adding another', () => {
    const a = spec({ metric: 'queue', target_queue: 4 });
    expect(wantedUnits(a, 1, 1, 2, 20, 2, 3, 1)).toBe(3);
  });

  it('queue: asks for one fewer when idle below the target utilisation, never below min', () => {
    const a = spec({ metric: 'queue', target_utilisation: 0.5, min: 1 });
    expect(wantedUnits(a, 1, 1, 1, 0, 4, 4, 0)).toBe(3);
    expect(wantedUnits(a, 1, 1, 3, 0, 4, 4, 0)).toBe(4);
    expect(wantedUnits(a, 1, 1, 0, 0, 1, 1, 0)).toBe(1);
  });
});
