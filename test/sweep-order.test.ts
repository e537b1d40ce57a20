/**
 * Runs start longest point first (src/sweep/run-sweep.ts, longestFirst): the order must show in when points
 * finish (the journal's lines) and never in the result.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSet, runSweep, sweepJson } from '../src/sweep/index.js';
import { longestFirst } from '../src/sweep/run-sweep.js';

const FILE = 'scenarios/mmc-validation.yaml';
const SHORT = ['duration=20s', 'warmup=2s'];
const RATES = ['150/s', '200/s', '250/s', '300/s'];

const sweep = (rates: string[], journal?: string) =>
  runSweep({
    file: FILE,
    sets: [...SHORT, `services.jobs.arrivals.poisson=${rates.join(',')}`].map(parseSet),
    replications: 2,
    workers: 0,
    ...(journal !== undefined ? { journal } : {}),
  });

describe('longest point first', () => {
  it('orders by estimated events, ties in grid order', () => {
    const points = [3, 9, 3, 1, 9].map((events, index) => ({ index, events }));
    expect(longestFirst(points).map((p) => p.index)).toEqual([1, 4, 0, 2, 3]);
    expect(points.map((p) => p.index)).toEqual([0, 1, 2, 3, 4]);
  });

  it('starts the highest arrival rate first; each point as if it ran alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'placesim-order-'));
    try {
      const journal = join(dir, 'sweep.journal.jsonl');
      const whole = await sweep(RATES, journal);
      const finished = readFileSync(journal, 'utf8')
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((l) => (JSON.parse(l) as { index: number }).index);
      // One thread: points finish in the order they start, the highest rate (the most events) first.
      expect(finished).toEqual([3, 2, 1, 0]);
      // The result is in grid order, and each point is what a sweep of that point alone gives.
      expect(whole.points.map((p) => p.index)).toEqual([0, 1, 2, 3]);
      for (const [i, rate] of RATES.entries()) {
        const alone = await sweep([rate]);
        expect(whole.points[i].policies).toEqual(alone.points[0].policies);
      }
      // And once more in the same order gives the same bytes.
      expect(sweepJson(await sweep(RATES))).toBe(sweepJson(whole));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
