import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  frontier,
  parseConstraint,
  parseDemand,
  parseObjective,
  runSearch,
  searchCsv,
  searchJson,
  searchTable,
  writeSearchOutputs,
  type SearchOptions,
  type EvaluatedPoint,
} from '../src/search/index.js';
import { parseSet, runSweep } from '../src/sweep/index.js';
import { renderSearchHtml } from '../src/report/html.js';
import { InputError } from '../src/errors.js';
import { TEST_TIMEOUT_MS } from './helpers/timeouts.js';

// M/M/c (320/s, 10 ms exponential service: 3.2 Erlangs) over 20 s: a few milliseconds per run.
const dir = mkdtempSync(join(tmpdir(), 'placesim-search-'));
const FILE = join(dir, 'mmc.yaml');
writeFileSync(
  FILE,
  readFileSync('scenarios/mmc-validation.yaml', 'utf8')
    .replace('duration: 5000s', 'duration: 20s')
    .replace('warmup: 200s', 'warmup: 2s'),
);
const COUNT = 'sites.dc.pools.servers.count';
const P99 = 'jobs.latency_p99_ms';

function opts(o: Partial<SearchOptions>): SearchOptions {
  return { file: FILE, vary: [], constraints: [], replications: 3, workers: 0, ...o };
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

describe('search flags', () => {
  it('parses constraints, objectives and demand ranges', () => {
    expect(parseConstraint('chat.latency_p99_ms<=800')).toEqual({
      metric: 'chat.latency_p99_ms',
      op: '<=',
      bound: 800,
    });
    expect(parseConstraint('chat.slo_attainment >= 0.99')).toEqual({
      metric: 'chat.slo_attainment',
      op: '>=',
      bound: 0.99,
    });
    expect(parseObjective('cost')).toEqual({ text: 'cost_usd', terms: [{ metric: 'cost_usd', weight: 1 }] });
    expect(parseObjective('cost+20*carbon').terms).toEqual([
      { metric: 'cost_usd', weight: 1 },
      { metric: 'carbon_kg', weight: 20 },
    ]);
    expect(parseDemand('services.chat.arrivals.poisson=1/s..64/s')).toEqual({
      path: 'services.chat.arrivals.poisson',
      low: 1,
      high: 64,
      unit: '/s',
    });
  });

  it('refuses malformed flags with the flag named', () => {
    for (const bad of ['p99<800', 'p99<=fast', '<=3', 'p99<=1e999'])
      expect(() => parseConstraint(bad)).toThrow(/--require/);
    for (const bad of ['', 'cost+', '-1*cost', 'x*cost']) expect(() => parseObjective(bad)).toThrow(/--minimise/);
    for (const bad of ['a.b=1..', 'a.b=5/s..1/s', 'a.b=1/s..5ms', 'a.b=0..4', 'a.b'])
      expect(() => parseDemand(bad)).toThrow(/--max-demand/);
  });

  it('refuses unknown metrics with a did-you-mean, and incomplete questions', async () => {
    const e = await inputError(
      runSearch(
        opts({
          vary: [parseSet(`${COUNT}=4..6:1`)],
          constraints: [parseConstraint('jobs.latency_p99ms<=50')],
          objective: parseObjective('cost'),
        }),
      ),
    );
    expect(e.message).toMatch(/unknown metric "jobs.latency_p99ms".*did you mean "jobs.latency_p99_ms"/);
    await inputError(
      runSearch(opts({ vary: [parseSet(`${COUNT}=4..6:1`)], constraints: [parseConstraint(`${P99}<=50`)] })),
    );
    await inputError(runSearch(opts({ vary: [parseSet(`${COUNT}=4..6:1`)], objective: parseObjective('cost') })));
    await inputError(
      runSearch(
        opts({
          vary: [parseSet(`${COUNT}=a,b`)],
          constraints: [parseConstraint(`${P99}<=50`)],
          objective: parseObjective('cost'),
        }),
      ),
    );
  });
});

describe('cheapest configuration', () => {
  it(
    'bisects a count to the same answer as trying every value, with fewer runs',
    async () => {
      const c = parseConstraint(`${P99}<=100`);
      const result = await runSearch(
        opts({ vary: [parseSet(`${COUNT}=1..16:1`)], constraints: [c], objective: parseObjective('energy') }),
      );
      const sweep = await runSweep({
        file: FILE,
        sets: [parseSet(`${COUNT}=1..16:1`)],
        replications: 3,
        workers: 0,
      });
      const feasibleCounts = sweep.points
        .filter((p) => {
          const s = p.policies[0].metrics[P99];
          return s !== null && s.mean + s.ci95 <= 100;
        })
        .map((p) => p.values[COUNT]);
      expect(feasibleCounts.length).toBeGreaterThan(0);
      const smallest = Math.min(...(feasibleCounts as number[]));
      const p = result.policies[0];
      expect(p.winner).not.toBeNull();
      const w = result.evaluated[p.winner!];
      expect(w.values[COUNT]).toBe(smallest);
      expect(w.feasible).toBe(true);
      // A bisection over 16 values asks at most 1 + ceil(log2 16) = 5 configurations.
      expect(result.evaluated.length).toBeLessThanOrEqual(5);
      // Its metrics are the sweep's at that point (same seeds, common random numbers).
      const at = sweep.points.find((x) => x.values[COUNT] === smallest)!;
      expect(w.metrics[P99]).toEqual(at.policies[0].metrics[P99]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'enumerates non-monotone axes and monotone ones on request; reports none when nothing is feasible',
    async () => {
      const result = await runSearch(
        opts({
          vary: [parseSet(`${COUNT}=4,5,6`), parseSet('services.jobs.service_time.exponential=5ms,10ms')],
          enumerate: [COUNT],
          constraints: [parseConstraint(`${P99}<=40`)],
          objective: parseObjective('energy'),
        }),
      );
      expect(result.axes.map((a) => a.monotone)).toEqual([false, false]);
      expect(result.evaluated.length).toBe(6);
      const none = await runSearch(
        opts({
          vary: [parseSet(`${COUNT}=1,2`)],
          constraints: [parseConstraint(`${P99}<=40`)],
          objective: parseObjective('energy'),
        }),
      );
      expect(none.policies[0].winner).toBeNull();
      expect(searchTable(none)).toMatch(/none meets every constraint/);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'writes CSV, JSON and HTML; resumes from its journal without running again; same bytes',
    async () => {
      const out = mkdtempSync(join(tmpdir(), 'placesim-search-out-'));
      try {
        const journal = join(out, 'search.journal.jsonl');
        const o = opts({
          vary: [parseSet(`${COUNT}=1..12:1`)],
          constraints: [parseConstraint(`${P99}<=100`)],
          objective: parseObjective('energy'),
          journal,
        });
        const first = await runSearch(o);
        writeSearchOutputs(first, out);
        expect(existsSync(join(out, 'search.csv'))).toBe(true);
        expect(readFileSync(join(out, 'search.csv'), 'utf8').split('\n')[0]).toMatch(
          /^evaluation,policy,sites.dc.pools.servers.count,feasible,objective:energy_kwh,cost_usd,cost_usd_ci95/,
        );
        let runs = 0;
        const again = await runSearch({ ...o, onRunProgress: (done) => (runs = done) });
        expect(runs).toBe(0);
        expect(searchJson(again)).toBe(searchJson(first));
        expect(searchCsv(again)).toBe(searchCsv(first));
        const html = renderSearchHtml(first);
        expect(html).toContain('data-chart="search-frontier"');
        expect(html).toContain('class="winner"');
        // Another question on the same journal is refused, not mixed in.
        await inputError(runSearch({ ...o, constraints: [parseConstraint(`${P99}<=70`)] }));
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
    TEST_TIMEOUT_MS,
  );
});

describe('max demand', () => {
  it(
    'brackets the highest arrival rate a fleet serves within the SLO',
    async () => {
      const result = await runSearch(
        opts({
          constraints: [parseConstraint(`${P99}<=100`)],
          demand: parseDemand('services.jobs.arrivals.poisson=50/s..1000/s'),
          tolerance: 0.05,
        }),
      );
      const a = result.policies[0].demand[0];
      expect(a.max).not.toBeNull();
      expect(a.failed_at).not.toBeNull();
      expect(a.failed_at! / a.max!).toBeLessThanOrEqual(1.05 + 1e-9);
      // 4 servers of 100/s each: the knee is below 400/s.
      expect(a.max!).toBeLessThan(400);
      expect(a.max!).toBeGreaterThan(200);
      const byRate = (r: number) =>
        result.evaluated.find((e) => e.values['services.jobs.arrivals.poisson'] === `${r}/s`)!;
      expect(byRate(a.max!).feasible).toBe(true);
      expect(byRate(a.failed_at!).feasible).toBe(false);
      expect(searchTable(result)).toMatch(/fails at/);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('frontier', () => {
  it('keeps the points no other point beats on both the objective and the constrained metric', () => {
    const pt = (index: number, objective: number, y: number): EvaluatedPoint => ({
      index,
      policy: 'p',
      values: {},
      feasible: true,
      objective,
      metrics: { m: { mean: y, ci95: 0, n: 1 } },
    });
    const pts = [pt(0, 1, 100), pt(1, 2, 50), pt(2, 3, 60), pt(3, 4, 10), pt(4, 2, 80)];
    expect(frontier(pts, { metric: 'm', op: '<=', bound: 70 })).toEqual([0, 1, 3]);
    expect(frontier(pts, { metric: 'm', op: '>=', bound: 70 })).toEqual([0]);
  });
});

process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
