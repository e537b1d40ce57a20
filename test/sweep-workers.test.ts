import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// Worker threads load compiled JavaScript, so this test runs the built dist/ (npm test builds it first).
const DIST = join(process.cwd(), 'dist', 'sweep');

async function loadDist(): Promise<typeof import('../src/sweep/index.js')> {
  for (const f of ['index.js', 'worker.js']) {
    if (!existsSync(join(DIST, f))) {
      throw new Error(`dist/sweep/${f} is missing: build with \`npx tsc -p .\` before running this test`);
    }
  }
  const url = pathToFileURL(join(DIST, 'index.js')).href;
  return (await import(url)) as typeof import('../src/sweep/index.js');
}

describe('sweep on worker threads', () => {
  it('gives the same result with 1 and 2 workers as in one thread', async () => {
    const { runSweep, parseSet, sweepJson } = await loadDist();
    const run = (workers: number) =>
      runSweep({
        file: 'scenarios/mmc-validation.yaml',
        sets: ['duration=20s', 'warmup=2s', 'services.jobs.arrivals.poisson=200/s,250/s,300/s'].map(parseSet),
        replications: 2,
        workers,
      });
    const one = await run(1);
    const two = await run(2);
    const inThread = await run(0);
    expect(one.points).toHaveLength(3);
    expect(two).toEqual(one);
    expect(sweepJson(two)).toBe(sweepJson(one));
    expect(sweepJson(inThread)).toBe(sweepJson(one));
    // Different rates must give different answers, or the comparison above proves nothing.
    expect(one.points[0].policies[0].metrics['jobs.completed']!.mean).toBeLessThan(
      one.points[2].policies[0].metrics['jobs.completed']!.mean,
    );
  });
});

describe('search on worker threads', () => {
  it('gives the same result with 2 workers as in one thread', async () => {
    const url = pathToFileURL(join(process.cwd(), 'dist', 'search', 'index.js')).href;
    const s = (await import(url)) as typeof import('../src/search/index.js');
    const sw = await loadDist();
    const run = (workers: number) =>
      s.runSearch({
        file: 'scenarios/mmc-validation.yaml',
        vary: ['duration=20s', 'warmup=2s', 'sites.dc.pools.servers.count=1..10:1'].map(sw.parseSet),
        constraints: [s.parseConstraint('jobs.latency_p99_ms<=100')],
        objective: s.parseObjective('energy'),
        replications: 3,
        workers,
      });
    const two = await run(2);
    const inThread = await run(0);
    expect(two.policies[0].winner).not.toBeNull();
    expect(s.searchJson(two)).toBe(s.searchJson(inThread));
  });
});

describe('the sweep thread pool', () => {
  it('fails a task that throws, with its message, and keeps serving the next ones', async () => {
    const url = pathToFileURL(join(DIST, 'runner.js')).href;
    const { threadPoolRunner } = (await import(url)) as typeof import('../src/sweep/runner.js');
    const runner = threadPoolRunner(2);
    const text = 'name: t\n';
    try {
      // A malformed assignment is a bug, not an input error: it comes back as a plain Error.
      const bad = { text, file: 't.yaml', assignments: [{ path: null, value: 1 }], seed: 1 } as never;
      await expect(runner.run('bad', bad)).rejects.toThrow(Error);
      // A typed error keeps its class.
      await expect(runner.run('invalid', { text, file: 't.yaml', assignments: [], seed: 1 })).rejects.toMatchObject({
        name: 'InputError',
      });
      const ok = await runner.run('ok', {
        text: readFileSync('scenarios/mmc-validation.yaml', 'utf8'),
        file: 'scenarios/mmc-validation.yaml',
        assignments: [
          { path: ['duration'], value: '5s' },
          { path: ['warmup'], value: '1s' },
        ],
        seed: 1,
      });
      expect(ok.length).toBeGreaterThan(0);
    } finally {
      await runner.close();
    }
  });
});
