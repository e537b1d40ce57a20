import { describe, expect, it } from 'vitest';
import { QUEUE_INLINE, TR, TargetQueues, type TargetTable } from '../src/sim/target-table.js';
import { RingQueue } from '../src/sim/tables.js';

describe('TargetQueues', () => {
  it('is a FIFO per target, past its inline ring too (spill-over refills the ring in order)', () => {
    const n = 3;
    const rec = new Float64Array(n * TR);
    const table = { rec, qi: new Int32Array(rec.buffer) } as unknown as TargetTable;
    const queues = new TargetQueues(table, n);
    const refs = Array.from({ length: n }, () => new RingQueue());
    let seed = 11;
    const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    let next = 0;
    let peak = 0;
    for (let step = 0; step < 20_000; step++) {
      const id = Math.floor(rand() * n);
      // Phases that grow the queues well past the inline ring, then drain them.
      const grow = Math.floor(step / 2500) % 2 === 0;
      if (refs[id].length > 0 && rand() < (grow ? 0.3 : 0.8)) {
        expect(queues.peek(id)).toBe(refs[id].peek());
        expect(queues.shift(id)).toBe(refs[id].shift());
      } else {
        queues.push(id, next);
        refs[id].push(next++);
      }
      expect(queues.length(id)).toBe(refs[id].length);
      peak = Math.max(peak, refs[id].length);
    }
    expect(peak).toBeGreaterThan(2 * QUEUE_INLINE);
    for (let id = 0; id < n; id++) while (refs[id].length > 0) expect(queues.shift(id)).toBe(refs[id].shift());
    for (let id = 0; id < n; id++) expect(queues.length(id)).toBe(0);
  });
});
