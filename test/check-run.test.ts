/**
 * runCheck end to end on a small scenario written to a temporary directory: --update, a clean re-check, moves
 * within and past tolerance, the scenario's `check:` section against flags, removed and added metrics, and
 * every kind of bad input (exit 2 in the CLI).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCheck, writeCheckOutputs, type CheckReport } from '../src/check/index.js';
import { InputError } from '../src/scenario/errors.js';
import { loadScenarioFile } from '../src/scenario/index.js';
import { runScenario } from '../src/sim/index.js';
import { renderJson } from '../src/report/json.js';

const SCENARIO = `
name: tiny-check
seed: 5
duration: 300s
warmup: 20s
regions:
  local: { grid_gco2_per_kwh: 400, pue: 1.2 }
sites:
  dc:
    kind: cloud
    region: local
    pools:
      cpu: { device: generic-cpu, count: 2, usd_per_hour: 1.5 }
users:
  u: { region: local, access_rtt: { edge: 1ms, cloud: 5ms } }
services:
  jobs:
    users: u
    arrivals: { poisson: 20/s }
    service_time: { exponential: 20ms }
    slo: { latency: 80ms }
policies: [least-latency]
`;

let dir: string;
let scenarioFile: string;
let baselineDir: string;
let baselinePath: string;
let pristine: string;

function writeScenario(name: string, extra = ''): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, SCENARIO.replace('name: tiny-check', `name: ${name}`) + extra);
  return file;
}

/** Edits the committed baseline as if an older model had produced it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a baseline's JSON, edited freely to fake an old one
function editBaseline(edit: (r: any) => void): void {
  const r = JSON.parse(pristine);
  edit(r);
  writeFileSync(baselinePath, JSON.stringify(r, null, 2));
}

/**
 * Numbers, booleans and nulls in the baseline's policy, outside the series and the CDF, and not the null
 * `instance` of a device pool: what the check should compare for it. Counted by a walk of its own.
 */
function policyLeaves(): number {
  let n = 0;
  const visit = (v: unknown, key: string): void => {
    const cdf = key === 'latency_cdf_ms' || key === 'ttft_cdf_ms' || key === 'tpot_cdf_ms';
    if (key === 'timeseries' || cdf || (key === 'instance' && v === null)) return;
    if (v === null || typeof v === 'number' || typeof v === 'boolean') n++;
    else if (typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, k);
  };
  visit(JSON.parse(pristine).policies[0], '');
  return n;
}

function only(report: CheckReport) {
  expect(report.scenarios.length).toBe(1);
  return report.scenarios[0];
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'placesim-check-'));
  scenarioFile = writeScenario('tiny-check');
  baselineDir = join(dir, 'results');
  baselinePath = join(baselineDir, 'tiny-check.json');
  const report = await runCheck({ files: [scenarioFile], baselineDir, update: true });
  expect(only(report)).toMatchObject({ status: 'updated', baseline: baselinePath, diffs: [] });
  pristine = readFileSync(baselinePath, 'utf8');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--update', () => {
  it('writes the JSON Result as `placesim run --json` prints it, creating the directory', () => {
    expect(pristine).toBe(renderJson(runScenario(loadScenarioFile(scenarioFile))));
    expect(JSON.parse(pristine).scenario.name).toBe('tiny-check');
  });

  it('reports what the new baseline changes, and never fails', async () => {
    editBaseline((r) => (r.policies[0].events += 1000));
    const s = only(await runCheck({ files: [scenarioFile], baselineDir, update: true }));
    expect(s.status).toBe('updated');
    expect(s.diffs.map((d) => [d.metric, d.verdict])).toEqual([['tiny-check/least-latency/events', 'exceeded']]);
    expect(readFileSync(baselinePath, 'utf8')).toBe(pristine);
  });

  it('replaces an unreadable baseline instead of refusing', async () => {
    writeFileSync(baselinePath, '{ not json');
    const report = await runCheck({ files: [scenarioFile], baselineDir, update: true });
    expect(report.failed).toBe(false);
    expect(readFileSync(baselinePath, 'utf8')).toBe(pristine);
  });
});

describe('checking against the baseline', () => {
  it('passes with nothing moved on an unchanged tree', async () => {
    writeFileSync(baselinePath, pristine);
    const report = await runCheck({ files: [scenarioFile], baselineDir });
    const s = only(report);
    expect(report.failed).toBe(false);
    expect(s.status).toBe('pass');
    expect(s.diffs).toEqual([]);
    expect(policyLeaves()).toBeGreaterThanOrEqual(50);
    expect(s.metrics).toBe(4 + policyLeaves());
    expect(s.groups.map((g) => g.name)).toEqual([
      'scenario',
      'least-latency/services/jobs',
      'least-latency/pools/dc/cpu',
      'least-latency/totals',
      'least-latency/conservation',
      'least-latency/events',
    ]);
  });

  it('fails on a metric moved past its tolerance and lists it with the numbers', async () => {
    // The baseline's cost was 2% lower: the current run is 1/0.98 − 1 ≈ +2.04% above it, past 0.1%.
    const base = JSON.parse(pristine).policies[0].totals.cost_usd.total as number;
    editBaseline((r) => (r.policies[0].totals.cost_usd.total = base * 0.98));
    const report = await runCheck({ files: [scenarioFile], baselineDir });
    const s = only(report);
    expect(report.failed).toBe(true);
    expect(s.status).toBe('fail');
    expect(s.diffs.length).toBe(1);
    const d = s.diffs[0];
    expect(d).toMatchObject({
      metric: 'tiny-check/least-latency/totals/cost_usd/total',
      verdict: 'exceeded',
      baseline: base * 0.98,
      current: base,
    });
    expect(d.tolerance).toMatchObject({ relative: 0.001, source: 'default' });
    expect(d.relative).toBeCloseTo(1 / 0.98 - 1, 9);
  });

  it('passes a move within tolerance but still lists it', async () => {
    // p99 0.5% lower in the baseline: +0.503% now, inside the 1% of latencies.
    const base = JSON.parse(pristine).policies[0].services[0].latency_ms.p99 as number;
    editBaseline((r) => (r.policies[0].services[0].latency_ms.p99 = base * 0.995));
    const s = only(await runCheck({ files: [scenarioFile], baselineDir }));
    expect(s.status).toBe('pass');
    expect(s.diffs.map((d) => [d.metric, d.verdict])).toEqual([
      ['tiny-check/least-latency/services/jobs/latency_ms/p99', 'within'],
    ]);
  });

  it('fails on a removed metric, and only reports an added one', async () => {
    editBaseline((r) => (r.policies[0].services[0].brand_new = 3));
    const removed = only(await runCheck({ files: [scenarioFile], baselineDir }));
    expect(removed.status).toBe('fail');
    expect(removed.diffs.map((d) => [d.metric, d.verdict])).toEqual([
      ['tiny-check/least-latency/services/jobs/brand_new', 'removed'],
    ]);

    editBaseline((r) => delete r.policies[0].pools[0].batches);
    const added = only(await runCheck({ files: [scenarioFile], baselineDir }));
    expect(added.status).toBe('pass');
    expect(added.diffs.map((d) => [d.metric, d.verdict, d.current])).toEqual([
      ['tiny-check/least-latency/pools/dc/cpu/batches', 'added', JSON.parse(pristine).policies[0].pools[0].batches],
    ]);
  });

  it('fails when a whole policy disappears from the run', async () => {
    editBaseline((r) => r.policies.push({ ...r.policies[0], policy: 'retired' }));
    const s = only(await runCheck({ files: [scenarioFile], baselineDir }));
    expect(s.status).toBe('fail');
    expect(s.diffs.every((d) => d.verdict === 'removed' && d.metric.startsWith('tiny-check/retired/'))).toBe(true);
    // The run's metrics, plus the retired policy's (all but the 4 shared scenario settings).
    expect(s.metrics).toBe(4 + 2 * policyLeaves());
    expect(s.diffs.length).toBe(policyLeaves());
  });
});

describe('tolerance overrides', () => {
  const base = () => JSON.parse(pristine).policies[0].totals.cost_usd.total as number;

  it('applies the scenario check: section, and a flag over it', async () => {
    const file = writeScenario(
      'tiny-tol',
      '\ncheck:\n  tolerances:\n    "*/cost_usd/*": "3%"\n    "*/never-matches": 0\n',
    );
    const dirTol = join(dir, 'results-tol');
    await runCheck({ files: [file], baselineDir: dirTol, update: true });
    const path = join(dirTol, 'tiny-tol.json');
    const r = JSON.parse(readFileSync(path, 'utf8'));
    r.policies[0].totals.cost_usd.total = base() * 0.98; // +2.04%
    writeFileSync(path, JSON.stringify(r));

    const sc = only(await runCheck({ files: [file], baselineDir: dirTol }));
    expect(sc.status).toBe('pass');
    expect(sc.diffs[0].tolerance).toEqual({ relative: 0.03, source: 'scenario', pattern: '*/cost_usd/*' });
    expect(sc.notes).toEqual(['check.tolerances pattern "*/never-matches" matches no metric']);

    // A flag beats the scenario even with a shorter pattern.
    const flagged = await runCheck({ files: [file], baselineDir: dirTol, tolerances: ['*/total=2%', '*/nothing=1'] });
    expect(only(flagged).status).toBe('fail');
    expect(only(flagged).diffs[0].tolerance).toEqual({ relative: 0.02, source: 'flag', pattern: '*/total' });
    expect(flagged.notes).toEqual(['--tolerance pattern "*/nothing" matches no metric']);

    // An absolute flag wide enough passes it.
    const wide = await runCheck({
      files: [file],
      baselineDir: dirTol,
      tolerances: [`*/cost_usd/total=${base() * 0.03}`],
    });
    expect(only(wide).status).toBe('pass');
  });

  it('rejects a bad tolerance in the scenario file with its location', () => {
    const file = writeScenario('tiny-bad', '\ncheck:\n  tolerances:\n    "*/x": "2 percent"\n');
    expect(() => loadScenarioFile(file)).toThrow(
      /tiny-bad\.yaml:\d+:\d+: check\.tolerances\."\*\/x": bad tolerance "2 percent"/,
    );
  });

  it('carries the parsed check section into the Scenario', () => {
    const file = writeScenario(
      'tiny-ok',
      '\ncheck:\n  tolerances:\n    "*/latency_ms/*": "2%"\n    "*/utilisation": 0.01\n',
    );
    expect(loadScenarioFile(file).check).toEqual({
      tolerances: { '*/latency_ms/*': { relative: 0.02 }, '*/utilisation': { absolute: 0.01 } },
    });
    expect(loadScenarioFile(scenarioFile).check).toBeUndefined();
  });
});

describe('bad input', () => {
  async function inputError(p: Promise<unknown>): Promise<InputError> {
    try {
      await p;
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      return err as InputError;
    }
    throw new Error('expected an InputError');
  }

  it('a missing baseline says how to create it', async () => {
    const err = await inputError(runCheck({ files: [scenarioFile], baselineDir: join(dir, 'nowhere') }));
    expect(err.message).toContain(`${join(dir, 'nowhere', 'tiny-check.json')} does not exist`);
    expect(err.message).toContain('--update');
  });

  it('an invalid baseline is named', async () => {
    writeFileSync(baselinePath, '{ "scenario": ');
    expect((await inputError(runCheck({ files: [scenarioFile], baselineDir }))).message).toMatch(
      /tiny-check\.json is not a placesim Result: invalid JSON/,
    );
    writeFileSync(baselinePath, '{ "scenario": { "name": "tiny-check" } }');
    expect((await inputError(runCheck({ files: [scenarioFile], baselineDir }))).message).toMatch(/no "policies" list/);
    editBaseline((r) => (r.scenario.name = 'someone-else'));
    expect((await inputError(runCheck({ files: [scenarioFile], baselineDir }))).message).toMatch(
      /holds the result of scenario "someone-else"/,
    );
    mkdirSync(join(dir, 'dir-results', 'tiny-check.json'), { recursive: true });
    expect(
      (await inputError(runCheck({ files: [scenarioFile], baselineDir: join(dir, 'dir-results') }))).message,
    ).toMatch(/is a directory/);
    writeFileSync(baselinePath, pristine);
  });

  it('a baseline value of the wrong type is named by its field path', async () => {
    editBaseline((r) => (r.policies[0].services[0].latency_ms.p99 = '12.5'));
    const err = await inputError(runCheck({ files: [scenarioFile], baselineDir }));
    expect(err.message).toMatch(
      /tiny-check\.json is not a placesim Result: policies\[0\]\.services\[0\]\.latency_ms\.p99: expected a number, got a string\. Regenerate/,
    );
    writeFileSync(baselinePath, pristine);
  });

  it('a bad --tolerance fails before anything runs', async () => {
    const err = await inputError(
      runCheck({ files: [join(dir, 'absent.yaml')], baselineDir, tolerances: ['*/p99:2%'] }),
    );
    expect(err.message).toMatch(/bad --tolerance "\*\/p99:2%": expected pattern=value/);
  });

  it('two files of the same scenario name, a missing file, no files', async () => {
    const twin = join(dir, 'twin.yaml');
    writeFileSync(twin, SCENARIO);
    expect((await inputError(runCheck({ files: [scenarioFile, twin], baselineDir }))).message).toMatch(
      /scenario name "tiny-check" is also the name of/,
    );
    expect((await inputError(runCheck({ files: [join(dir, 'absent.yaml')], baselineDir }))).message).toMatch(
      /file not found/,
    );
    expect((await inputError(runCheck({ files: [], baselineDir }))).message).toMatch(/no scenario files/);
  });

  it('a scenario name that cannot name a file', async () => {
    const file = join(dir, 'slash.yaml');
    writeFileSync(file, SCENARIO.replace('name: tiny-check', 'name: a/b'));
    expect((await inputError(runCheck({ files: [file], baselineDir, update: true }))).message).toMatch(
      /cannot name a baseline file/,
    );
    expect(existsSync(join(baselineDir, 'a'))).toBe(false);
  });
});

describe('writeCheckOutputs', () => {
  it('appends the Markdown summary (a step summary is shared) and overwrites the JUnit file', async () => {
    writeFileSync(baselinePath, pristine);
    const report = await runCheck({ files: [scenarioFile], baselineDir });
    const summary = join(dir, 'out', 'summary.md');
    const junit = join(dir, 'out', 'check.xml');
    mkdirSync(join(dir, 'out'), { recursive: true });
    writeFileSync(summary, '# earlier step output\n');
    writeCheckOutputs(report, { summary, junit });
    writeCheckOutputs(report, { junit });
    const md = readFileSync(summary, 'utf8');
    expect(md.startsWith('# earlier step output\n## placesim check: ✅ 1 scenario checked: 1 pass, 0 fail\n')).toBe(
      true,
    );
    const xml = readFileSync(junit, 'utf8');
    expect(xml.match(/<testsuites /g)?.length).toBe(1);
    expect(xml.match(/<testcase /g)?.length).toBe(6);
    expect(xml).not.toContain('<failure');
  });
});
