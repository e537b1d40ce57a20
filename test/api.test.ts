/**
 * The public API, imported by the package's name as a user's code would: `import … from 'placesim'` resolves
 * through package.json "exports" (Node's self-reference inside the package) to the built dist/index.js, and
 * tsc checks this file against dist/index.d.ts. npm test builds dist/ first, as `npm install` does.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  check,
  describeFailure,
  EXIT_BAD_INPUT,
  EXIT_BUG,
  InputError,
  loadScenario,
  parseSet,
  PolicyError,
  renderJson,
  run,
  sweep,
  type Policy,
  type Result,
} from 'placesim';

const SCENARIO = 'test/fixtures/cli/base.yaml';

describe("import { … } from 'placesim'", () => {
  it('loads and runs a scenario, giving what `placesim run --json` gives', async () => {
    const result: Result = run(await loadScenario(SCENARIO));
    const cli = spawnSync(process.execPath, ['bin/placesim', 'run', SCENARIO, '--json'], { encoding: 'utf8' });
    expect(cli.status).toBe(0);
    expect(renderJson(result)).toBe(cli.stdout);
  });

  it('takes policy objects of your own, guarded like a module', async () => {
    const first: Policy = { name: 'first-available', place: (_r, v) => v.candidates.findIndex((c) => c.available) };
    const loaded = await loadScenario(SCENARIO, { policies: ['first-available'], userPolicies: [first] });
    expect(run(loaded).policies.map((p) => p.policy)).toEqual(['first-available']);

    const broken: Policy = { name: 'broken', place: () => 7 };
    const bad = await loadScenario(SCENARIO, { policies: ['broken'], userPolicies: [broken] });
    const err = (() => {
      try {
        run(bad);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(PolicyError);
    expect(describeFailure(err).code).toBe(EXIT_BAD_INPUT);
    await expect(loadScenario(SCENARIO, { userPolicies: [{ name: 'nearest', place: () => -1 }] })).rejects.toThrow(
      /is a built-in policy's name/,
    );
  });

  it('bad input is an InputError (exit 2), anything else a bug (exit 3)', async () => {
    await expect(loadScenario('no/such.yaml')).rejects.toThrow(InputError);
    await expect(loadScenario('no/such.yaml')).rejects.toThrow('no/such.yaml: cannot read scenario: file not found');
    expect(describeFailure(new InputError('x')).code).toBe(EXIT_BAD_INPUT);
    expect(describeFailure(new TypeError('y'))).toEqual({ code: EXIT_BUG, message: 'internal error: y' });
  });

  it('sweeps and checks', async () => {
    const s = await sweep({
      file: SCENARIO,
      sets: [parseSet('duration=60s'), parseSet('warmup=6s')],
      replications: 1,
      workers: 0,
    });
    expect(s.points).toHaveLength(1);
    const dir = mkdtempSync(join(tmpdir(), 'placesim-api-'));
    try {
      expect((await check({ files: [SCENARIO], baselineDir: dir, update: true })).scenarios[0].status).toBe('updated');
      const report = await check({ files: [SCENARIO], baselineDir: dir });
      expect(report.failed).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the packaged files are declared: types and exports point into dist/', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      types: string;
      exports: Record<string, { types: string; default: string }>;
    };
    expect(pkg.types).toBe('./dist/index.d.ts');
    expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
  });
});

describe('docs/api.md example (examples/api/compare.mjs), run by node as a user would', () => {
  const node = (...args: string[]) =>
    spawnSync(process.execPath, ['examples/api/compare.mjs', ...args], { encoding: 'utf8' });

  it('prints each policy and the Pareto set', () => {
    const r = node(SCENARIO);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^cli-base, seed 3, 540 s measured\n/);
    for (const name of ['cloud-only', 'edge-only', 'fast-within-2x-cheapest']) expect(r.stdout).toContain(name);
    expect(r.stdout).toMatch(/Pareto set: /);
  });

  it('bad input: exit 2 and one line', () => {
    const r = node('no/such.yaml');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('compare: no/such.yaml: cannot read scenario: file not found\n');
  });
});
