import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseSet,
  runSweep,
  sweepCsv,
  sweepJson,
  writeSweepOutputs,
  createProgress,
  summarize,
  studentTQuantile,
  gridIndices,
  type SweepOptions,
} from '../src/sweep/index.js';
import { InputError } from '../src/scenario/errors.js';
import { loadScenarioText } from '../src/scenario/load.js';
import { runScenario } from '../src/sim/index.js';
import type { SweepResult } from '../src/metrics/sweep-result.js';

const FILE = 'scenarios/mmc-validation.yaml';
// The file runs 5000 s with 200 s of warm-up; 20 s with 2 s keeps every run to a few milliseconds.
const SHORT = ['duration=20s', 'warmup=2s'];

function sweep(extra: string[], opts: Partial<SweepOptions> = {}): Promise<SweepResult> {
  return runSweep({ file: FILE, sets: [...SHORT, ...extra].map(parseSet), replications: 2, workers: 0, ...opts });
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'placesim-sweep-'));
}

async function inputError(p: Promise<unknown> | (() => unknown)): Promise<InputError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('parseSet', () => {
  it('reads lists: numbers as numbers, anything else as strings', () => {
    expect(parseSet('sites.dc.pools.servers.count=1,2,4')).toEqual({
      path: 'sites.dc.pools.servers.count',
      values: [1, 2, 4],
    });
    expect(parseSet('services.jobs.arrivals.poisson=100/s, 200/s')).toEqual({
      path: 'services.jobs.arrivals.poisson',
      values: ['100/s', '200/s'],
    });
    expect(parseSet('a=-1.5,2e3,true,../traces/x.csv').values).toEqual([-1.5, 2000, 'true', '../traces/x.csv']);
    expect(parseSet('services.jobs.users[0].weight=1').path).toBe('services.jobs.users[0].weight');
  });

  it('expands numeric ranges, end included', () => {
    expect(parseSet('a=2..10:2').values).toEqual([2, 4, 6, 8, 10]);
    expect(parseSet('a=1..4:2').values).toEqual([1, 3]);
    expect(parseSet('a=5..5:1').values).toEqual([5]);
  });

  it('expands ranges with a unit suffix', () => {
    expect(parseSet('a=2/s..10/s:2/s').values).toEqual(['2/s', '4/s', '6/s', '8/s', '10/s']);
    expect(parseSet('a=0.5s..1.5s:0.5s').values).toEqual(['0.5s', '1s', '1.5s']);
  });

  it('expands decimal ranges without float drift', () => {
    // Plain accumulation gives 0.30000000000000004 and may drop the end point.
    expect(parseSet('a=0.1..0.3:0.1').values).toEqual([0.1, 0.2, 0.3]);
    const tenths = parseSet('a=0..1:0.1').values;
    expect(tenths).toHaveLength(11);
    expect(tenths[3]).toBe(0.3);
    expect(tenths[10]).toBe(1);
  });

  it.each([
    ['a', /expected PATH=VALUES/],
    ['a=', /no values/],
    ['=1', /path before "=" is empty/],
    ['a=1,,2', /empty value/],
    ['a=1,1', /listed twice/],
    ['a=1..5', /START\.\.END:STEP/],
    ['a=5..1:1', /empty/],
    ['a=1..5:0', /step must be > 0/],
    ['a=1..5:-1', /step must be > 0/],
    ['a=1s..5:1s', /same unit/],
    ['a=1..x:1', /not a number/],
    ['a.b[x]=1', /list index/],
    ['a..b=1', /empty key/],
    ['a.=1', /ends with "."/],
    ['a=0..1e9:1', /at most/],
  ])('refuses %s', async (text, why) => {
    const e = await inputError(() => parseSet(text));
    expect(e.message).toContain(`--set ${JSON.stringify(text)}`);
    expect(e.message).toMatch(why);
  });
});

describe('statistics', () => {
  it('matches a hand computation for [1, 2, 3, 4]', () => {
    // mean 2.5; s² = (2.25 + 0.25 + 0.25 + 2.25) / 3 = 5/3; t(0.975, 3) = 3.182446305 (t tables).
    const s = summarize([1, 2, 3, 4])!;
    expect(s.mean).toBe(2.5);
    expect(s.n).toBe(4);
    expect(s.ci95).toBeCloseTo((3.182446305 * Math.sqrt(5 / 3)) / 2, 8);
  });

  it('has ci95 = 0 for one value, skips nulls, and is null with no value', () => {
    expect(summarize([7])).toEqual({ mean: 7, ci95: 0, n: 1 });
    expect(summarize([null, 7, null])).toEqual({ mean: 7, ci95: 0, n: 1 });
    expect(summarize([null, null])).toBeNull();
    expect(summarize([])).toBeNull();
    // Two values a, b: s = |a − b| / √2, half-width t(0.975, 1) · s / √2 = t · |a − b| / 2.
    expect(summarize([1, 3, null])!.ci95).toBeCloseTo(12.7062047362, 8);
  });

  it('gives Student t quantiles that match closed forms and tables', () => {
    // ν = 1 is Cauchy: tan(π(p − ½)); ν = 2: (2p − 1) / √(2p(1 − p)).
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(Math.tan(Math.PI * 0.475), 9);
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(0.95 / Math.sqrt(2 * 0.975 * 0.025), 10);
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228138852, 8);
    expect(studentTQuantile(0.975, 30)).toBeCloseTo(2.042272456, 8);
    // Towards the normal quantile 1.959963985 as ν grows.
    expect(studentTQuantile(0.975, 1e7)).toBeCloseTo(1.959963985, 5);
  });
});

describe('grid', () => {
  it('varies the last axis fastest', () => {
    expect(gridIndices([2, 3])).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 1],
      [1, 2],
    ]);
    expect(gridIndices([])).toEqual([[]]);
  });

  it('runs the points in grid order with their values', async () => {
    const r = await runSweep({
      file: FILE,
      sets: [...SHORT, 'services.jobs.arrivals.poisson=100/s,200/s', 'sites.dc.pools.servers.count=3..4:1'].map(
        parseSet,
      ),
      replications: 1,
      workers: 0,
    });
    expect(
      r.points.map((p) => [
        p.index,
        p.values['services.jobs.arrivals.poisson'],
        p.values['sites.dc.pools.servers.count'],
      ]),
    ).toEqual([
      [0, '100/s', 3],
      [1, '100/s', 4],
      [2, '200/s', 3],
      [3, '200/s', 4],
    ]);
    expect(r.axes.map((a) => a.path)).toEqual([
      'duration',
      'warmup',
      'services.jobs.arrivals.poisson',
      'sites.dc.pools.servers.count',
    ]);
    // Doubling the rate roughly doubles completed requests over 18 measured seconds (≈ 1800 → ≈ 3600).
    const completed = r.points.map((p) => p.policies[0].metrics['jobs.completed']!.mean);
    expect(completed[0]).toBeGreaterThan(1500);
    expect(completed[0]).toBeLessThan(2100);
    expect(completed[2]).toBeGreaterThan(3200);
    expect(completed[2]).toBeLessThan(4000);
  });
});

describe('runSweep', () => {
  it('runs replication r with seed + r: each point equals direct runs, and the CI is the t interval', async () => {
    const r = await sweep(['services.jobs.arrivals.poisson=200/s,300/s'], { seed: 11 });
    expect(r.seeds).toEqual([11, 12]);
    expect(r.scenario).toEqual({ name: 'mmc-validation', file: FILE, seed: 11 });
    const text = readFileSync(FILE, 'utf8')
      .replace('duration: 5000s', 'duration: 20s')
      .replace('warmup: 200s', 'warmup: 2s')
      .replace('poisson: 320/s', 'poisson: 300/s');
    const direct = [11, 12].map((seed) => runScenario(loadScenarioText(text, FILE, { seed })).policies[0].services[0]);
    const stat = r.points[1].policies[0].metrics['jobs.completed']!;
    const [a, b] = direct.map((s) => s.completed);
    expect(a).not.toBe(b);
    expect(stat.mean).toBe((a + b) / 2);
    expect(stat.n).toBe(2);
    expect(stat.ci95).toBeCloseTo((12.7062047362 * Math.abs(a - b)) / 2, 6);
    expect(r.points[1].policies[0].metrics['jobs.latency_p99_ms']!.mean).toBe(
      (direct[0].latency_ms!.p99 + direct[1].latency_ms!.p99) / 2,
    );
  });

  it('uses common random numbers: a parameter that does not touch the randomness leaves latency identical', async () => {
    const r = await sweep(['sites.dc.pools.servers.usd_per_hour=0,1']);
    const [free, paid] = r.points.map((p) => p.policies[0].metrics);
    expect(paid['jobs.latency_mean_ms']).toEqual(free['jobs.latency_mean_ms']);
    expect(paid['jobs.latency_p99_ms']).toEqual(free['jobs.latency_p99_ms']);
    expect(paid['jobs.completed']).toEqual(free['jobs.completed']);
    expect(free.cost_usd!.mean).toBe(0);
    expect(paid.cost_usd!.mean).toBeGreaterThan(0);
  });

  it('tracks a fleet per pool of its site template (mean and highest utilisation), not per instance', async () => {
    // A fleet's instance pools are rows of the fleet in the Result, not of its `pools`: the sweep follows it.
    const file = 'scenarios/retail-chain.yaml';
    const r = await runSweep({ file, sets: ['duration=120s', 'warmup=0s'].map(parseSet), replications: 1, workers: 0 });
    const names = r.metrics.map((m) => m.name);
    expect(names.filter((n) => n.startsWith('store/box.'))).toEqual([
      'store/box.utilisation_mean',
      'store/box.utilisation_max',
    ]);
    expect(names.some((n) => n.startsWith('store-'))).toBe(false);
    const text = readFileSync(file, 'utf8')
      .replace(/^duration: .*$/m, 'duration: 120s')
      .replace(/^warmup: .*$/m, 'warmup: 0s');
    const direct = runScenario(loadScenarioText(text, file, { seed: r.seeds[0] }));
    for (const [i, pol] of r.points[0].policies.entries()) {
      const row = direct.policies[i].fleets![0];
      const m = pol.metrics;
      if (pol.policy === 'cloud-only') {
        // Not provisioned under the policy: empty, as an unprovisioned pool's utilisation is.
        expect(m['store/box.utilisation_mean']).toBeNull();
        continue;
      }
      expect(m['store/box.utilisation_mean']!.mean).toBe(row.utilisation_mean);
      expect(m['store/box.utilisation_max']!.mean).toBe(row.utilisation_max);
    }
    expect(sweepCsv(r).split('\n')[0]).toContain(
      'store/box.utilisation_mean_frac,store/box.utilisation_mean_frac_ci95',
    );
  });

  it('is deterministic', async () => {
    const a = await sweep(['services.jobs.arrivals.poisson=200/s,300/s']);
    const b = await sweep(['services.jobs.arrivals.poisson=200/s,300/s']);
    expect(sweepJson(a)).toBe(sweepJson(b));
  });

  it('refuses a --set path the scenario does not have, suggesting the nearest key', async () => {
    const e = await inputError(sweep(['services.jobs.arrivals.poison=1/s']));
    expect(e.message).toBe(`--set services.jobs.arrivals.poison: no such field in ${FILE} (did you mean "poisson"?)`);
    const e2 = await inputError(sweep(['sevices.jobs.arrivals.poisson=1/s']));
    expect(e2.message).toContain('(did you mean "services"?)');
  });

  it('checks every point before running any, and reports a bad value where the field is in the file', async () => {
    let progressCalls = 0;
    const dir = tmp();
    try {
      const journal = join(dir, 'j.jsonl');
      const e = await inputError(
        sweep(['services.jobs.arrivals.poisson=100/s,-3/s'], { onProgress: () => progressCalls++, journal }),
      );
      expect(e.message).toMatch(
        /^scenarios\/mmc-validation\.yaml:\d+:\d+: services\.jobs\.arrivals\.poisson: bad rate "-3\/s"/,
      );
      expect(e.message).toContain('sweep point 2');
      const line =
        readFileSync(FILE, 'utf8')
          .split('\n')
          .findIndex((l) => l.includes('poisson: 320/s')) + 1;
      expect(e.line).toBe(line);
      expect(progressCalls).toBe(0);
      expect(existsSync(journal)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses sweeping the seed, repeated paths and bad replication counts', async () => {
    expect((await inputError(sweep(['seed=1,2']))).message).toMatch(/--set seed: the seed is not a sweep parameter/);
    expect((await inputError(sweep(['duration=30s']))).message).toMatch(/--set duration is given twice/);
    expect((await inputError(sweep([], { replications: 0 }))).message).toMatch(/--replications/);
  });

  it('with no --set, runs the file as it is', async () => {
    const text = readFileSync(FILE, 'utf8')
      .replace('duration: 5000s', 'duration: 20s')
      .replace('warmup: 200s', 'warmup: 2s');
    const dir = tmp();
    try {
      const file = join(dir, 'short.yaml');
      writeFileSync(file, text);
      const r = await runSweep({ file, sets: [], replications: 1, workers: 0 });
      expect(r.points).toHaveLength(1);
      expect(r.points[0].values).toEqual({});
      const direct = runScenario(loadScenarioText(text, file)).policies[0];
      expect(r.points[0].policies[0].metrics['jobs.completed']).toEqual({
        mean: direct.services[0].completed,
        ci95: 0,
        n: 1,
      });
      expect(r.points[0].policies[0].metrics['dc/servers.utilisation']!.mean).toBe(direct.pools[0].utilisation);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('journal and resume', () => {
  const SETS = ['services.jobs.arrivals.poisson=150/s..300/s:50/s'];

  it('resumes an interrupted sweep without losing or repeating a point', async () => {
    const dir = tmp();
    try {
      const journal = join(dir, 'sweep.journal.jsonl');
      const whole = await sweep(SETS, { journal });
      const lines = readFileSync(journal, 'utf8').split('\n');
      expect(lines.filter((l) => l !== '')).toHaveLength(1 + 4);

      // Interrupted after the first point, in the middle of writing the second.
      writeFileSync(journal, `${lines[0]}\n${lines[1]}\n${lines[2].slice(0, Math.floor(lines[2].length / 2))}`);
      const progress: [number, number][] = [];
      const resumed = await sweep(SETS, { journal, onProgress: (d, t) => progress.push([d, t]) });
      expect(progress[0]).toEqual([1, 4]);
      expect(progress).toHaveLength(4);
      expect(resumed).toEqual(whole);
      expect(sweepJson(resumed)).toBe(sweepJson(whole));

      const after = readFileSync(journal, 'utf8');
      expect(after.endsWith('\n')).toBe(true);
      const indices = after
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((l) => (JSON.parse(l) as { index: number }).index)
        .sort();
      expect(indices).toEqual([0, 1, 2, 3]);

      // A finished journal: nothing left to run.
      const again: number[] = [];
      const done = await sweep(SETS, { journal, onProgress: (d) => again.push(d) });
      expect(again).toEqual([4]);
      expect(done).toEqual(whole);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a journal from a different sweep, or a file that is not a journal', async () => {
    const dir = tmp();
    try {
      const journal = join(dir, 'sweep.journal.jsonl');
      await sweep(['services.jobs.arrivals.poisson=200/s'], { journal });
      const e = await inputError(sweep(['services.jobs.arrivals.poisson=200/s'], { journal, replications: 3 }));
      expect(e.message).toContain(journal);
      expect(e.message).toMatch(/different sweep.*delete it.*choose another output/);
      await inputError(sweep(['services.jobs.arrivals.poisson=250/s'], { journal }));

      const other = join(dir, 'notes.txt');
      writeFileSync(other, 'my notes\n');
      expect((await inputError(sweep([], { journal: other }))).message).toMatch(/not a placesim sweep journal/);
      expect(readFileSync(other, 'utf8')).toBe('my notes\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('reports', () => {
  // A hand-written result: two axes, two points, one policy with a missing latency at point 1.
  const result: SweepResult = {
    format_version: 1,
    placesim_version: '0.0.0',
    scenario: { name: 's', file: 's.yaml', seed: 5 },
    axes: [
      { path: 'services.a.arrivals.poisson', values: ['1/s', '2/s'] },
      { path: 'sites.x.pools.p.count', values: [3] },
    ],
    replications: 2,
    seeds: [5, 6],
    metrics: [
      { name: 'cost_usd', description: 'cost' },
      { name: 'a.latency_p99_ms', description: 'p99' },
    ],
    points: [
      {
        index: 0,
        values: { 'sites.x.pools.p.count': 3, 'services.a.arrivals.poisson': '1/s' },
        policies: [
          {
            policy: 'edge-first',
            metrics: { 'a.latency_p99_ms': { mean: 12.5, ci95: 0.25, n: 2 }, cost_usd: { mean: 1, ci95: 0, n: 2 } },
          },
        ],
      },
      {
        index: 1,
        values: { 'services.a.arrivals.poisson': '2/s', 'sites.x.pools.p.count': 3 },
        policies: [
          { policy: 'edge-first', metrics: { cost_usd: { mean: 2, ci95: 0.5, n: 2 }, 'a.latency_p99_ms': null } },
        ],
      },
    ],
  };

  it('writes a CSV row per point and policy, a column per axis, then mean and _ci95 per metric', () => {
    expect(sweepCsv(result)).toBe(
      'point,services.a.arrivals.poisson,sites.x.pools.p.count,policy,cost_usd,cost_usd_ci95,a.latency_p99_ms,a.latency_p99_ms_ci95\n' +
        '0,1/s,3,edge-first,1,0,12.5,0.25\n' +
        '1,2/s,3,edge-first,2,0.5,,\n',
    );
  });

  it('writes JSON with keys in declared order, which parses back to the result', () => {
    const text = sweepJson(result);
    expect(JSON.parse(text)).toEqual(result);
    const point0 = (JSON.parse(text) as SweepResult).points[0];
    expect(Object.keys(point0.values)).toEqual(['services.a.arrivals.poisson', 'sites.x.pools.p.count']);
    expect(Object.keys(point0.policies[0].metrics)).toEqual(['cost_usd', 'a.latency_p99_ms']);
    expect(Object.keys(JSON.parse(text) as object)).toEqual([
      'format_version',
      'placesim_version',
      'scenario',
      'axes',
      'replications',
      'seeds',
      'metrics',
      'points',
    ]);
  });

  it('writes sweep.csv and sweep.json', () => {
    const dir = tmp();
    try {
      const paths = writeSweepOutputs(result, join(dir, 'out'));
      expect(paths).toEqual([join(dir, 'out', 'sweep.csv'), join(dir, 'out', 'sweep.json')]);
      expect(readFileSync(paths[0], 'utf8')).toBe(sweepCsv(result));
      expect(readFileSync(paths[1], 'utf8')).toBe(sweepJson(result));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints plain progress lines when not on a TTY', () => {
    let out = '';
    const p = createProgress(false, (s) => (out += s));
    p.update(0, 3);
    p.update(1, 3);
    p.update(3, 3);
    p.stop();
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^point 1\/3 done \(33%, elapsed \d+s, ETA \S+\)$/);
    expect(lines[1]).toMatch(/^point 3\/3 done \(100%, elapsed \d+s, ETA 0s\)$/);
  });

  it('draws a bar with points and ETA on a TTY', () => {
    let out = '';
    const p = createProgress(true, (s) => (out += s));
    p.update(1, 4);
    p.update(4, 4);
    p.stop();
    expect(out).toContain('1/4 points');
    expect(out).toContain('ETA');
  });
});
