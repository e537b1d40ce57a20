/**
 * Users' own policies loaded with --policy-module: the example policy's rule on hand-made views, the CLI
 * running it next to the scenario's policies, and every way a module can be wrong — each one exit 2 and one
 * line naming the file. The bad modules are in test/fixtures/policies/.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, expectOneLineBadInput, withoutDebugTraces } from './helpers/cli.js';
import { guardPolicy, loadPolicyModule, loadPolicyModules, PolicyError } from '../src/placement/plugin.js';
import type { SiteKind } from '../src/model/types.js';
import type { Candidate, PlacementRequest, PlacementView, Policy } from '../src/placement/policy.js';
import type { Result } from '../src/metrics/result.js';

withoutDebugTraces();

const EXAMPLE = 'examples/policies/greenest-within-slo.mjs';
const FIX = 'test/fixtures/policies';
const CARBON = 'scenarios/carbon-regions.yaml';
const BASE = 'test/fixtures/cli/base.yaml';

// ------------------------------------------------------------------------------------------------ the example

function cand(i: number, over: Partial<Candidate>): Candidate {
  return {
    pool: `s${i}/p`,
    poolIndex: i,
    site: `s${i}`,
    kind: 'cloud',
    region: 'r',
    available: true,
    rtt_s: 0.01,
    network_s: 0.02,
    queue_s: 0,
    exec_s: 0.05,
    latency_s: 0.07,
    ttft_s: 0.07,
    queue_length: 0,
    busy_servers: 0,
    servers: 1,
    cost_usd: 0.001,
    carbon_g: 0.1,
    ...over,
  };
}

const req = (slo_latency_s: number | null, slo_ttft_s: number | null = null): PlacementRequest => ({
  service: 'svc',
  serviceIndex: 0,
  user: 'u',
  userIndex: 0,
  arrival_s: 0,
  slo_latency_s,
  slo_ttft_s,
  input_tokens: 0,
  output_tokens: 0,
  upload_bytes: 0,
  download_bytes: 0,
});

describe('examples/policies/greenest-within-slo.mjs', () => {
  // fast and dirty, slow and clean, in between: which one wins depends only on the SLO.
  const view: PlacementView = {
    now: 0,
    candidates: [
      cand(0, { latency_s: 0.1, ttft_s: 0.05, carbon_g: 0.5 }),
      cand(1, { latency_s: 0.3, ttft_s: 0.2, carbon_g: 0.1 }),
      cand(2, { latency_s: 0.2, ttft_s: 0.1, carbon_g: 0.3 }),
    ],
  };

  it('takes the lowest carbon among candidates meeting the SLO', async () => {
    const [p] = await loadPolicyModule(EXAMPLE);
    expect(p.name).toBe('greenest-within-slo');
    expect(p.place(req(null), view)).toBe(1); // no SLO: cleanest of all
    expect(p.place(req(0.25), view)).toBe(2); // 1 is too slow (0.3 s)
    expect(p.place(req(null, 0.15), view)).toBe(2); // 1's TTFT (0.2 s) misses a TTFT SLO
    expect(p.place(req(0.25, 0.08), view)).toBe(0); // only 0 meets both
  });

  it('falls back to the fastest when none meets the SLO, and skips unavailable candidates', async () => {
    const [p] = await loadPolicyModule(EXAMPLE);
    expect(p.place(req(0.05), view)).toBe(0);
    const some: PlacementView = { now: 0, candidates: view.candidates.map((c, i) => ({ ...c, available: i !== 1 })) };
    expect(p.place(req(null), some)).toBe(2);
    const none: PlacementView = { now: 0, candidates: view.candidates.map((c) => ({ ...c, available: false })) };
    expect(p.place(req(null), none)).toBe(-1);
  });
});

// ------------------------------------------------------------------------------------------------ run, validate

describe('placesim run --policy-module', () => {
  it("runs the example after the scenario's policies, on the same requests", async () => {
    const r = await cli('run', CARBON, '--policy-module', EXAMPLE, '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out) as Result;
    // Appended to the four policies the scenario lists, since --policy was not given.
    expect(result.policies.map((p) => p.policy)).toEqual([
      'virginia',
      'oregon',
      'least-latency',
      'lowest-carbon',
      'greenest-within-slo',
    ]);
    const svc = (name: string) => result.policies.find((p) => p.policy === name)!.services[0];
    const green = svc('greenest-within-slo');
    // Same hardware in both regions, Oregon's grid at 79 g/kWh against Virginia's 323: Oregon is cleaner, and its
    // 87 ms of extra round trip plus ~30 ms of work is well inside the 250 ms SLO. So every request goes there,
    // except while the scenario's 5-minute cut of the cross-country link makes Oregon unavailable.
    expect(green.arrivals).toBeGreaterThan(2_500_000); // 800/s over 3,300 s measured
    const cut = green.placements['virginia/l4'];
    expect(Math.abs(cut - 800 * 300)).toBeLessThan(3 * Math.sqrt(800 * 300));
    expect(green.placements['oregon/l4']).toBe(green.arrivals - cut);
    // lowest-carbon makes the same choices; with common random numbers the outcomes are then identical.
    const lc = svc('lowest-carbon');
    expect(green.completed).toBe(lc.completed);
    expect(green.latency_ms).toEqual(lc.latency_ms);
  });

  it('lets --policy name the loaded policies, and loads CommonJS modules', async () => {
    const r = await cli(
      'run',
      BASE,
      '--policy-module',
      `${FIX}/first-available.cjs`,
      '--policy',
      'first-available,edge-only',
      '--json',
    );
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out) as Result;
    expect(result.policies.map((p) => p.policy)).toEqual(['first-available', 'edge-only']);
    // One pool: "first available" and "fastest edge pool" are the same choice, so the same outcome.
    const [fa, eo] = result.policies.map((p) => p.services[0]);
    expect(fa.placements['seoul-edge/orin']).toBe(fa.arrivals - fa.rejected);
    expect(fa).toEqual(eo);
  });

  it("validate lists the loaded policies after the scenario's", async () => {
    const r = await cli('validate', BASE, '--policy-module', EXAMPLE, '--policy-module', `${FIX}/first-available.cjs`);
    expect(r.code).toBe(0);
    expect(r.out).toContain('policies edge-only, greenest-within-slo, first-available\n');
  });

  it("does not know a module's policy names without the module", async () => {
    const line = expectOneLineBadInput(await cli('run', CARBON, '--policy', 'greenest-within-slo'));
    expect(line).toContain('unknown policy "greenest-within-slo"');
  });
});

// ------------------------------------------------------------------------------------------------ bad modules

describe('bad policy modules: exit 2, one line naming the file', () => {
  const validate = (file: string) => cli('validate', BASE, '--policy-module', file);

  const cases: [fixture: string, expected: RegExp][] = [
    ['missing-name.mjs', /missing-name\.mjs: the default export: "name" must be a non-empty string, got undefined$/],
    ['clashing-name.mjs', /clashing-name\.mjs: the default export: policy name "nearest" is a built-in policy's name/],
    [
      'place-not-function.mjs',
      /place-not-function\.mjs: export "policy": policy "no-place": "place" must be a function .*, got "nearest"$/,
    ],
    [
      'bad-site-kinds.mjs',
      /bad-site-kinds\.mjs: the default export: policy "bad-kinds": "siteKinds": "fog" is not a kind of site/,
    ],
    ['throws-at-import.mjs', /throws-at-import\.mjs: cannot load policy module: cannot reach the carbon API$/],
    ['syntax-error.mjs', /syntax-error\.mjs:5: cannot load policy module: SyntaxError: Unexpected token '\}'$/],
    [
      'typescript-policy.ts',
      /typescript-policy\.ts: cannot load a TypeScript policy module: .*compile it to JavaScript first/,
    ],
    ['does-not-exist.mjs', /does-not-exist\.mjs: cannot load policy module: file not found$/],
  ];
  for (const [fixture, expected] of cases) {
    it(fixture, async () => {
      const line = expectOneLineBadInput(await validate(`${FIX}/${fixture}`));
      expect(line).toMatch(new RegExp(`^placesim: ${FIX}/`));
      expect(line).toMatch(expected);
    });
  }

  it('a name used by two modules', async () => {
    const line = expectOneLineBadInput(
      await cli('validate', BASE, '--policy-module', EXAMPLE, '--policy-module', `${FIX}/same-name-as-example.mjs`),
    );
    expect(line).toBe(
      `placesim: ${FIX}/same-name-as-example.mjs: policy name "greenest-within-slo" is already used by a policy from ${EXAMPLE}; give each policy its own name`,
    );
  });

  describe('export shapes (modules written to a temporary folder)', () => {
    let dir = '';
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'placesim-policy-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const load = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return loadPolicyModule(join(dir, name));
    };

    it('no usable export', async () => {
      await expect(load('none.mjs', 'export const notAPolicy = 1;\n')).rejects.toThrow(
        /none\.mjs: the module exports no policy/,
      );
    });
    it('a factory that throws, or returns an empty list', async () => {
      await expect(
        load('f1.mjs', "export default () => { throw new RangeError('no table\\nmore'); };\n"),
      ).rejects.toThrow(/f1\.mjs: the default export \(a factory\) threw: RangeError: no table$/);
      await expect(load('f2.mjs', 'export default async () => [];\n')).rejects.toThrow(
        /f2\.mjs: the default export \(a factory\) is an empty list/,
      );
    });
    it('an array item with a bad name, and two policies of one module with the same name', async () => {
      await expect(
        load(
          'a1.mjs',
          "export const policies = [{ name: 'ok', place: () => -1 }, { name: 'has space', place: () => -1 }];\n",
        ),
      ).rejects.toThrow(/a1\.mjs: export "policies", item 1: policy name "has space" may hold only letters/);
      writeFileSync(
        join(dir, 'a2.mjs'),
        "export const policies = [{ name: 'twin', place: () => -1 }, { name: 'twin', place: () => -1 }];\n",
      );
      await expect(loadPolicyModules([join(dir, 'a2.mjs')])).rejects.toThrow(
        /policy name "twin" is already used by a policy from this module/,
      );
    });
    it('an async factory yielding several policies', async () => {
      const ps = await load(
        'ok.mjs',
        "export default async () => [{ name: 'a', siteKinds: ['edge'], place: () => -1 }, { name: 'b', pools: ['x/y'], place: () => -1 }];\n",
      );
      expect(ps.map((p) => [p.name, p.siteKinds, p.pools])).toEqual([
        ['a', ['edge'], undefined],
        ['b', undefined, ['x/y']],
      ]);
    });
  });

  it('siteKinds and pools are copied at load time', () => {
    const kinds: SiteKind[] = ['edge'];
    const pools = ['x/y'];
    const guarded = guardPolicy({ name: 'a', siteKinds: kinds, pools, place: () => -1 }, 'a.mjs');
    kinds.push('cloud');
    pools.push('x/z');
    expect(guarded.siteKinds).toEqual(['edge']);
    expect(guarded.pools).toEqual(['x/y']);
  });

  it('an optional scheduleJob hook is kept, and checked like place()', () => {
    type ScheduleArgs = Parameters<NonNullable<Policy['scheduleJob']>>;
    const job: ScheduleArgs[0] = { job: 'train', earliest_s: 0, deadline_s: 3600 };
    const options = [{}, {}] as unknown as ScheduleArgs[1];
    const ok = guardPolicy({ name: 'jobs', place: () => -1, scheduleJob: () => 1 }, 'jobs.mjs');
    expect(ok.scheduleJob!(job, options)).toBe(1);
    const bad = guardPolicy({ name: 'jobs', place: () => -1, scheduleJob: () => 2 }, 'jobs.mjs');
    expect(() => bad.scheduleJob!(job, options)).toThrow(
      'policy "jobs" (from jobs.mjs) returned 2 from scheduleJob for job "train": expected an option\'s index (0..1)',
    );
    expect(guardPolicy({ name: 'plain', place: () => -1 }, 'p.mjs').scheduleJob).toBeUndefined();
  });

  it('a pool the scenario does not have', async () => {
    expect(expectOneLineBadInput(await validate(`${FIX}/pools-unknown.mjs`))).toBe(
      `placesim: ${FIX}/pools-unknown.mjs: policy "pinned": pools: no pool "nowhere/gpu" in scenario cli-base (it has seoul-edge/orin)`,
    );
  });

  it('the same file twice', async () => {
    await expect(loadPolicyModules([EXAMPLE, `./${EXAMPLE}`])).rejects.toThrow(/names this file twice/);
  });
});

describe('policies that misbehave at run time: exit 2 naming the policy, its file, the service and the value', () => {
  // carbon-regions has one service, "classify", with two candidate pools (0..1); the first arrival fails.
  const run = (name: string) => cli('run', CARBON, '--policy-module', `${FIX}/${name}.mjs`, '--policy', name);

  it('returns an index out of range', async () => {
    expect(expectOneLineBadInput(await run('returns-99'))).toBe(
      `placesim: policy "returns-99" (from ${FIX}/returns-99.mjs) returned 99 for service "classify": ` +
        'expected -1 or the index of an available candidate (0..1)',
    );
  });

  it('throws inside place()', async () => {
    expect(expectOneLineBadInput(await run('throws-in-place'))).toBe(
      `placesim: policy "throws-in-place" (from ${FIX}/throws-in-place.mjs) threw for service "classify": TypeError: no carbon data for classify`,
    );
  });

  it('picks a candidate that is not available (a pool its siteKinds does not provision)', async () => {
    expect(expectOneLineBadInput(await run('picks-unavailable'))).toBe(
      `placesim: policy "picks-unavailable" (from ${FIX}/picks-unavailable.mjs) returned 0 for service "classify": ` +
        'candidate 0 (virginia/l4) is not available',
    );
  });

  it('the loaded policy checks its answer itself (library use, no CLI)', async () => {
    const [p] = await loadPolicyModule(`${FIX}/returns-99.mjs`);
    const empty: PlacementView = { now: 0, candidates: [] };
    expect(() => p.place(req(null), empty)).toThrow(PolicyError);
    expect(() => p.place(req(null), empty)).toThrow(
      'returned 99 for service "svc": expected -1 (there are no candidates)',
    );
  });
});

describe('a scenario file cannot load code', () => {
  it('rejects a policy_module field as unknown', async () => {
    const line = expectOneLineBadInput(await cli('validate', `${FIX}/scenario-with-module.yaml`));
    expect(line).toMatch(
      new RegExp(`^placesim: ${FIX}/scenario-with-module\\.yaml:32:1: unknown field "policy_module"`),
    );
  });
});

describe('--policy-module on sweep and check', () => {
  it('sweeps a user policy next to the built-ins (in-process and in workers alike)', async () => {
    const { runSweep } = await import('../src/sweep/index.js');
    const result = await runSweep({
      file: 'scenarios/carbon-regions.yaml',
      sets: [
        { path: 'duration', values: ['400s'] },
        { path: 'warmup', values: ['40s'] },
      ],
      replications: 2,
      policies: ['lowest-carbon', 'greenest-within-slo'],
      policyModules: [EXAMPLE],
      workers: 0,
    });
    const names = result.points[0].policies.map((p) => p.policy);
    expect(names).toEqual(['lowest-carbon', 'greenest-within-slo']);
    // Same choices as lowest-carbon here (see above), so the same metrics under common random numbers.
    const [lc, green] = result.points[0].policies;
    expect(green.metrics['cost_usd']).toEqual(lc.metrics['cost_usd']);
  });

  it('checks a scenario with a user policy: its metrics are added, nothing fails', async () => {
    const { runCheck } = await import('../src/check/index.js');
    const report = await runCheck({
      files: ['scenarios/carbon-regions.yaml'],
      baselineDir: 'results',
      policyModules: [EXAMPLE],
    });
    expect(report.failed).toBe(false);
    const added = report.scenarios[0].diffs.filter((d) => d.verdict === 'added');
    expect(added.length).toBeGreaterThan(0);
    expect(added.every((d) => d.metric.startsWith('carbon-regions/greenest-within-slo/'))).toBe(true);
  });
});

describe("a user module's deferRequest takes effect in a run", () => {
  const DEFERRABLE = `${FIX}/deferrable.yaml`;
  const runJson = async (...modules: string[]): Promise<Result> => {
    const r = await cli('run', DEFERRABLE, ...modules.flatMap((m) => ['--policy-module', m]), '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.out) as Result;
  };

  it('holds each request ten minutes, which a policy without the hook does not', async () => {
    const result = await runJson(`${FIX}/defers-ten-minutes.mjs`, `${FIX}/first-available.cjs`);
    const byName = new Map(result.policies.map((p) => [p.policy, p.services[0]]));
    const deferred = byName.get('defers-ten-minutes')!;
    const atOnce = byName.get('first-available')!;
    // Same pool, same requests (common random numbers): the only difference is the 600 s hold.
    expect(deferred.latency_ms!.p50).toBeGreaterThan(600_000);
    expect(deferred.latency_ms!.max).toBeLessThan(601_000);
    expect(atOnce.latency_ms!.max).toBeLessThan(1_000);
    expect(deferred.latency_ms!.p50 - atOnce.latency_ms!.p50).toBeCloseTo(600_000, -3);
    // Requests arriving in the last ten minutes are still held at the end of the run.
    const held = result.policies.find((p) => p.policy === 'defers-ten-minutes')!.conservation.in_flight;
    expect(held).toBeGreaterThan(0);
  });

  it("a deferral past the window is the policy's error: exit 2, one line", async () => {
    expect(expectOneLineBadInput(await cli('run', DEFERRABLE, '--policy-module', `${FIX}/defers-too-long.mjs`))).toBe(
      `placesim: policy "defers-too-long" (from ${FIX}/defers-too-long.mjs) returned 3601 from deferRequest for service "batch": ` +
        'expected a delay in seconds from 0 to 3600 (until_s − now)',
    );
  });

  it('the guard keeps deferRequest, and checks its answer like place()', () => {
    const view: PlacementView = { now: 100, candidates: [] };
    const ok = guardPolicy({ name: 'd', place: () => -1, deferRequest: () => 50 }, 'd.mjs');
    expect(ok.deferRequest!(req(null), view, 200)).toBe(50);
    const bad = guardPolicy({ name: 'd', place: () => -1, deferRequest: () => Number.NaN }, 'd.mjs');
    expect(() => bad.deferRequest!(req(null), view, 200)).toThrow(PolicyError);
    const throws = guardPolicy(
      {
        name: 'd',
        place: () => -1,
        deferRequest: () => {
          throw new RangeError('no');
        },
      },
      'd.mjs',
    );
    expect(() => throws.deferRequest!(req(null), view, 200)).toThrow(
      'policy "d" (from d.mjs) threw from deferRequest for service "svc": RangeError: no',
    );
    expect(guardPolicy({ name: 'plain', place: () => -1 }, 'p.mjs').deferRequest).toBeUndefined();
  });
});
