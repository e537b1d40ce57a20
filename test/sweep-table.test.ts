/**
 * What `placesim sweep` shows while and after it runs: progress counted in runs as they finish, and the
 * results table printed on stdout at the end.
 */
import { describe, it, expect } from 'vitest';
import { createProgress, parseSet, runSweep, sweepTable } from '../src/sweep/index.js';
import { meanPlusMinus } from '../src/sweep/report.js';
import type { SweepResult } from '../src/metrics/sweep-result.js';
import { spawnSync } from 'node:child_process';
import { CHILD_TIMEOUT_MS } from './helpers/timeouts.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FILE = 'scenarios/mmc-validation.yaml';
const SHORT = ['duration=20s', 'warmup=2s'].map(parseSet);

describe('sweep progress', () => {
  it('counts every run (point × seed) as it finishes, not only whole points', async () => {
    const runs: [number, number][] = [];
    const points: [number, number][] = [];
    await runSweep({
      file: FILE,
      sets: [...SHORT, parseSet('services.jobs.arrivals.poisson=100/s,200/s')],
      replications: 3,
      workers: 0,
      onRunProgress: (d, t) => runs.push([d, t]),
      onProgress: (d, t) => points.push([d, t]),
    });
    expect(runs).toEqual([0, 1, 2, 3, 4, 5, 6].map((d) => [d, 6]));
    expect(points).toEqual([
      [0, 2],
      [1, 2],
      [2, 2],
    ]);
  });

  it('names the unit it counts', () => {
    let out = '';
    const p = createProgress(false, (s) => (out += s), 'run');
    p.update(0, 4);
    p.update(1, 4);
    expect(out).toMatch(/^run 1\/4 done \(25%/);
    let bar = '';
    const b = createProgress(true, (s) => (bar += s), 'run');
    b.update(1, 4);
    b.stop();
    expect(bar).toContain('1/4 runs');
  });
});

describe('meanPlusMinus', () => {
  it('gives the mean to 4 significant digits and the half-width to the same last digit', () => {
    expect(meanPlusMinus({ mean: 3623.6921500000003, ci95: 12.3456, n: 5 })).toBe('3624 ± 12');
    expect(meanPlusMinus({ mean: 0.0334157, ci95: 0.00130906, n: 2 })).toBe('0.03342 ± 0.0013');
    // Float noise of identical replications reads 0.
    expect(meanPlusMinus({ mean: 3623.69215, ci95: 6.31e-13, n: 5 })).toBe('3624 ± 0');
    expect(meanPlusMinus({ mean: 0, ci95: 0, n: 1 })).toBe('0 ± 0');
    expect(meanPlusMinus(null)).toBe('—');
  });
});

function sample(): SweepResult {
  const stat = (mean: number, ci95: number) => ({ mean, ci95, n: 2 });
  return {
    format_version: 1,
    placesim_version: 'x',
    scenario: { name: 's', file: 's.yaml', seed: 1 },
    axes: [{ path: 'a.b', values: [1, 2] }],
    replications: 2,
    seeds: [1, 2],
    metrics: [
      'cost_usd',
      'cost_usd_per_1k',
      'chat.latency_p99_ms',
      'chat.latency_p50_ms',
      'chat.slo_attainment',
      'x/y.utilisation',
    ].map((name) => ({ name, description: name })),
    points: [1, 2].map((v, index) => ({
      index,
      values: { 'a.b': v },
      policies: [
        {
          policy: 'edge-only',
          metrics: {
            cost_usd: stat(10 * v, 0.5),
            'chat.latency_p99_ms': stat(200, 3),
            'chat.slo_attainment': stat(0.95, 0.01),
          },
        },
        {
          policy: 'cloud-only',
          metrics: { cost_usd: stat(20 * v, 1), 'chat.latency_p99_ms': null, 'chat.slo_attainment': stat(0.5, 0) },
        },
      ],
    })),
  };
}

describe('sweepTable', () => {
  it('prints a row per point and policy with the main metrics as mean ± half-width', () => {
    const lines = sweepTable(sample()).trimEnd().split('\n');
    expect(lines[0].split(/ {2,}/)).toEqual([
      'point',
      'a.b',
      'policy',
      'cost_usd',
      'chat.latency_p99_ms',
      'chat.slo_attainment_frac',
    ]);
    expect(lines[1].split(/ {2,}/)).toEqual(['0', '1', 'edge-only', '10 ± 0.5', '200 ± 3', '0.95 ± 0.01']);
    expect(lines[2].split(/ {2,}/)).toEqual(['0', '1', 'cloud-only', '20 ± 1', '—', '0.5 ± 0']);
    expect(lines).toHaveLength(6);
    expect(lines[5]).toBe('(mean ± 95% half-width over 2 replications; every metric is in sweep.csv)');
  });
});

/** The binary: a sweep's worker threads load the compiled dist/ (built by `npm test`). */
function placesim(...argv: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, ['bin/placesim', ...argv], { encoding: 'utf8', timeout: CHILD_TIMEOUT_MS });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('placesim sweep on stdout', () => {
  it('ends with the table, unless --json', { timeout: 2 * CHILD_TIMEOUT_MS + 10_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'placesim-sweep-table-'));
    try {
      const args = [
        'sweep',
        FILE,
        '--set',
        'duration=20s',
        '--set',
        'warmup=2s',
        '--set',
        'services.jobs.arrivals.poisson=100/s,200/s',
        '--workers',
        '1',
      ];
      const r = placesim(...args, '--out', join(dir, 'a'));
      expect(r.code, r.err).toBe(0);
      const lines = r.out.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^point +duration +warmup +services\.jobs\.arrivals\.poisson +policy +cost_usd /);
      expect(lines[1]).toMatch(/^0 +20s +2s +100\/s +least-latency +0 ± 0 /);
      expect(lines.at(-1)).toMatch(/^2 point\(s\) × 1 replication\(s\): wrote /);
      const j = placesim(...args, '--out', join(dir, 'b'), '--json');
      expect(j.code, j.err).toBe(0);
      expect(JSON.parse(j.out).points).toHaveLength(2);
      expect(j.err).toMatch(/^wrote /m);
      // --quiet: the table alone, no progress, no footnote, no "wrote" line.
      const q = placesim(...args, '--out', join(dir, 'c'), '--quiet');
      expect(q.code, q.err).toBe(0);
      expect(q.err).toBe('');
      expect(q.out).toBe(lines.slice(0, 3).join('\n') + '\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
