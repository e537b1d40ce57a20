import { describe, it, expect } from 'vitest';
import { FifoLinks } from '../src/sim/links.js';

describe('FifoLinks (a shared link as a FIFO queue)', () => {
  it('lets a transfer through at once when the link is free', () => {
    const l = new FifoLinks(1);
    expect(l.pass(0, 10, 2, true)).toBe(12);
    expect(l.busy[0]).toBe(2);
    expect(l.wait[0]).toBe(0);
    expect(l.count[0]).toBe(1);
  });

  it('queues transfers first come, first served: each leaves after the one before it', () => {
    const l = new FifoLinks(1);
    const leaves = [0, 0.5, 1, 5].map((t) => l.pass(0, t, 2, true));
    // 0 → 2; at 0.5 it waits until 2 → 4; at 1 until 4 → 6; at 5 until 6 → 8.
    expect(leaves).toEqual([2, 4, 6, 8]);
    expect(l.wait[0]).toBeCloseTo(0 + 1.5 + 3 + 1, 12);
    expect(l.busy[0]).toBe(8);
    expect(l.count[0]).toBe(4);
    expect(l.backlog(0, 7)).toBe(1);
    expect(l.backlog(0, 9)).toBe(0);
  });

  it('keeps links apart and counts only measured transfers', () => {
    const l = new FifoLinks(2);
    l.pass(0, 0, 3, false);
    expect(l.pass(1, 1, 1, true)).toBe(2);
    expect(l.pass(0, 1, 1, true)).toBe(4);
    expect(Array.from(l.count)).toEqual([1, 1]);
    expect(Array.from(l.busy)).toEqual([1, 1]);
    expect(Array.from(l.wait)).toEqual([2, 0]);
  });
});
