/**
 * Hostile scenario files (issue 9, items 1–3): what a scenario may read, names that are JavaScript built-ins,
 * bounds on every number and the run budget, and the parser's own limits. Every case must end in one
 * InputError (exit 2) with a located, plain message — never a hang, a crash, a secret in the log or NaN.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareScenario, runLoaded } from '../src/app/load-run.js';
import { InputError } from '../src/errors.js';
import { renderJson, renderTable } from '../src/report/index.js';
import { estimateRun } from '../src/scenario/budget.js';
import { parseConstraint, parseObjective, runSearch } from '../src/search/index.js';
import { parseSet } from '../src/sweep/index.js';
import { excerpt, readReferencedFile } from '../src/scenario/files.js';
import { MAX_ENTRIES, MAX_NESTING } from '../src/scenario/guard.js';
import { loadScenarioText } from '../src/scenario/load.js';
import { assertFinite } from '../src/sim/result.js';
import { cli, expectOneLineBadInput, withoutDebugTraces } from './helpers/cli.js';
import { CHILD_TIMEOUT_MS } from './helpers/timeouts.js';

withoutDebugTraces();

const BASE = `name: hostile
seed: 7
duration: 100s
regions: { local: { grid_gco2_per_kwh: 100, pue: 1.0 } }
sites:
  dc:
    kind: cloud
    region: local
    pools:
      servers: { device: generic-cpu, count: 4 }
users:
  local: { region: local, access_rtt: { edge: 0ms, cloud: 0ms } }
services:
  jobs:
    users: local
    arrivals: { poisson: 10/s }
    service_time: { exponential: 10ms }
policies: [least-latency]
`;

/** BASE with each [needle, replacement] applied once (the needle must be there). */
function edit(...pairs: [string, string][]): string {
  let s = BASE;
  for (const [a, b] of pairs) {
    expect(s.includes(a), `needle ${a}`).toBe(true);
    s = s.replace(a, b);
  }
  return s;
}

let dir: string;
let outside: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'placesim-hostile-'));
  outside = mkdtempSync(join(tmpdir(), 'placesim-outside-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

/** Writes `text` as a scenario in the temp folder and loads it (budget included); returns the InputError. */
function errorOf(text: string, opts: Parameters<typeof prepareScenario>[2] = {}, name = 's.yaml'): InputError {
  const file = join(dir, name);
  writeFileSync(file, text);
  try {
    prepareScenario({ file }, [], opts);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    const err = e as InputError;
    expect(err.message).not.toMatch(/\n/);
    return err;
  }
  throw new Error('expected an InputError');
}

const SECRET = 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describe('files a scenario may read', () => {
  it('refuses an absolute path outside the scenario folder, without echoing the file', () => {
    writeFileSync(join(outside, 'creds'), `${SECRET}\n`);
    const e = errorOf(edit(['poisson: 10/s', `trace: ${join(outside, 'creds')}`]));
    expect(e.message).toContain("outside the scenario's folder");
    expect(e.message).toContain('--allow-read');
    expect(e.message).toMatch(/services\.jobs\.arrivals\.trace/);
    expect(e.line).toBe(16);
    expect(e.message).not.toContain('wJalr');
  });

  it('refuses .. that leaves the folder tree', () => {
    const e = errorOf(edit(['poisson: 10/s', 'trace: ../../../../../../etc/passwd']));
    expect(e.message).toContain("outside the scenario's folder");
    expect(e.message).not.toContain('root:');
  });

  it('resolves symlinks: a link inside the folder to a file outside is refused', () => {
    writeFileSync(join(outside, 'grid.csv'), 'hour,g\n0,100\n');
    symlinkSync(join(outside, 'grid.csv'), join(dir, 'link.csv'));
    const e = errorOf(edit(['grid_gco2_per_kwh: 100,', 'grid_gco2_per_kwh: { csv: link.csv },']));
    expect(e.message).toContain("outside the scenario's folder");
    expect(e.message).toMatch(/regions\.local\.grid_gco2_per_kwh\.csv/);
  });

  it('--allow-read widens it (API option and CLI flag)', async () => {
    writeFileSync(join(outside, 'arrivals.csv'), 't\n0.5\n1.5\n');
    const text = edit(['poisson: 10/s', `trace: ${join(outside, 'arrivals.csv')}`]);
    const file = join(dir, 'allowed.yaml');
    writeFileSync(file, text);
    const loaded = prepareScenario({ file }, [], { allowRead: [outside] });
    expect(loaded.scenario.services[0].arrivals.kind).toBe('trace');
    expectOneLineBadInput(await cli('validate', file));
    const ok = await cli('validate', file, '--allow-read', outside);
    expect(ok.code).toBe(0);
  });

  it('search keeps the same limits: --allow-read and --max-events (its runs too)', async () => {
    writeFileSync(join(outside, 'arrivals.csv'), 't\n0.5\n1.5\n');
    const file = join(dir, 'search-allowed.yaml');
    writeFileSync(file, edit(['poisson: 10/s', `trace: ${join(outside, 'arrivals.csv')}`]));
    const VARY = 'sites.dc.pools.servers.count=1,2';
    const REQUIRE = 'jobs.latency_p99_ms<=1e9';
    const out = ['--out', join(dir, 'search-out'), '--replications', '1', '--workers', '1', '--quiet'];
    const search = (f: string, ...more: string[]) =>
      cli('search', f, '--vary', VARY, '--minimise', 'cost', '--require', REQUIRE, ...out, ...more);
    expect(expectOneLineBadInput(await search(file))).toContain("outside the scenario's folder");
    // The runs themselves (in this thread: the in-process CLI has no compiled worker) keep the limit too.
    const api = (limits?: { allowRead: string[] }) =>
      runSearch({
        file,
        vary: [parseSet(VARY)],
        constraints: [parseConstraint(REQUIRE)],
        objective: parseObjective('cost'),
        replications: 1,
        workers: 0,
        ...(limits ? { limits } : {}),
      });
    expect((await api({ allowRead: [outside] })).policies[0].winner).not.toBeNull();
    await expect(api()).rejects.toThrow("outside the scenario's folder");
    const big = join(dir, 'search-budget.yaml');
    writeFileSync(big, edit(['duration: 100s', 'duration: 10y'], ['poisson: 10/s', 'poisson: 100/s']));
    expect(expectOneLineBadInput(await search(big))).toContain('past the budget');
    expect(expectOneLineBadInput(await search(big, '--max-events', 'lots'))).toContain('--max-events');
  });

  it('a file inside the folder tree is read; a sub-folder is inside', () => {
    mkdirSync(join(dir, 'traces'), { recursive: true });
    writeFileSync(join(dir, 'traces', 'a.csv'), '0\n1\n2\n');
    const file = join(dir, 'inside.yaml');
    writeFileSync(file, edit(['poisson: 10/s', 'trace: traces/a.csv']));
    const loaded = prepareScenario({ file });
    const a = loaded.scenario.services[0].arrivals;
    expect(a.kind === 'trace' && Array.from(a.times_s)).toEqual([0, 1, 2]);
  });

  it('never reads a device, even when its folder is allowed', () => {
    const t0 = Date.now();
    const e = errorOf(edit(['poisson: 10/s', 'trace: /dev/zero']), { allowRead: ['/dev'] });
    expect(e.message).toContain('not a regular file');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('never blocks on a FIFO', () => {
    try {
      execFileSync('mkfifo', [join(dir, 'pipe.csv')]);
    } catch {
      return; // no mkfifo here: the device case covers the check
    }
    const e = errorOf(edit(['poisson: 10/s', 'trace: pipe.csv']));
    expect(e.message).toContain('not a regular file');
  });

  it('refuses a directory', () => {
    mkdirSync(join(dir, 'adir.csv'), { recursive: true });
    expect(errorOf(edit(['poisson: 10/s', 'trace: adir.csv'])).message).toContain('it is a directory');
  });

  it('refuses a file past the size cap before reading it (a 1 GB sparse file)', () => {
    const big = join(dir, 'sparse.csv');
    writeFileSync(big, '');
    truncateSync(big, 2 ** 30);
    const t0 = Date.now();
    const e = errorOf(edit(['poisson: 10/s', 'trace: sparse.csv']));
    expect(e.message).toContain('1 GiB, more than the 64 MiB limit');
    expect(Date.now() - t0).toBeLessThan(5000);
    writeFileSync(join(dir, 'small.csv'), '0\n'.repeat(100));
    expect(errorOf(edit(['poisson: 10/s', 'trace: small.csv']), { maxFileBytes: 100 }).message).toContain(
      'more than the 100 B limit',
    );
  });

  it('a cell that fails to parse is shown as a short, sanitised excerpt (trace and grid)', () => {
    writeFileSync(join(dir, 'secret.csv'), `time\n${SECRET}\n`);
    const e = errorOf(edit(['poisson: 10/s', 'trace: secret.csv']));
    expect(e.message).toContain('bad arrival time "aws_secret_access_key = …": expected a number of seconds');
    expect(e.message).not.toContain('wJalr');
    expect(e.line).toBe(2);
    expect(e.file).toContain('secret.csv');
    writeFileSync(
      join(dir, 'shadow.csv'),
      'root:$6$saltsalt$abcdefghijklmnopqrstuvwxyz0123456789:19000:0:99999:7:::\n\x1b]0;pwned\x07\n',
    );
    const g = errorOf(edit(['grid_gco2_per_kwh: 100,', 'grid_gco2_per_kwh: { csv: shadow.csv },']));
    expect(g.message).toMatch(/bad grid intensity "\\u001b\]0;pwned\\u0007": expected gCO2e\/kWh/);
    expect(g.message).not.toContain('\x1b');
    expect(g.message).not.toContain('abcdefghijklmnop');
  });

  it('excerpt: at most 24 characters, control characters escaped', () => {
    expect(excerpt('x'.repeat(100))).toBe(`"${'x'.repeat(24)}…"`);
    expect(excerpt('a\u0000b\tc\u001b[31m')).toBe('"a\\u0000b\\tc\\u001b[31m"');
    expect(excerpt('ok')).toBe('"ok"');
  });

  it('the scenario file itself: never a device or a FIFO', async () => {
    expect(expectOneLineBadInput(await cli('validate', '/dev/zero'))).toContain('not a regular file');
    expect(expectOneLineBadInput(await cli('validate', dir))).toContain('is a directory');
  });

  it('a system file given as the scenario does not have its lines listed', async () => {
    const f = join(dir, 'shadow.yaml');
    writeFileSync(
      f,
      'root:$6$saltsalt$abcdefghijklmnopqrstuvwxyz0123456789:19000:0:99999:7:::\n' +
        'daemon_with_a_very_long_name_abcdefghijklmnopqrstuvwxyz: x\nbin: y\nsys: z\nsync: w\n',
    );
    const line = expectOneLineBadInput(await cli('run', f));
    expect(line).not.toContain('abcdefghijklmnop');
    expect(line.length).toBeLessThan(400);
  });

  it('readReferencedFile refuses a NUL in the path', () => {
    expect(() => readReferencedFile('a\0b', join(dir, 's.yaml'), 'trace')).toThrow(/NUL/);
  });
});

describe('names that are JavaScript built-ins', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('device: %s is an unknown device', (name) => {
    const e = errorOf(edit(['device: generic-cpu', `device: ${name}`]));
    expect(e.message).toContain(`unknown catalog device "${name}"`);
    expect(e.line).toBe(10);
  });

  it('did-you-mean still works next to them', () => {
    expect(errorOf(edit(['device: generic-cpu', 'device: generic-cpx'])).message).toContain(
      '(did you mean "generic-cpu"?)',
    );
  });

  it.each([
    ['instance: constructor, replicas: 1', 'unknown catalog instance "constructor"'],
    ['device: generic-cpu, count: 4, pricing: spot', 'pricing applies to instance pools'],
  ])('pool %s', (pool, message) => {
    expect(errorOf(edit(['device: generic-cpu, count: 4', pool])).message).toContain(message);
  });

  it('regions, users and policies named after built-ins are unknown names', () => {
    expect(errorOf(edit(['{ region: local,', '{ region: constructor,'])).message).toContain(
      'unknown region "constructor"',
    );
    expect(errorOf(edit(['policies: [least-latency]', 'policies: [toString]'])).message).toContain(
      'unknown policy "toString"',
    );
    expect(errorOf(edit(['poisson: 10/s', 'poisson: 10/constructor'])).message).toContain('unknown unit');
    expect(errorOf(edit(['pue: 1.0 }', 'pue: 1.0, catalog: constructor }'])).message).toContain(
      'unknown catalog region "constructor"',
    );
  });

  it('built-in names are ordinary names where a scenario declares them', () => {
    const file = join(dir, 'ctor.yaml');
    writeFileSync(
      file,
      edit(
        ['  dc:\n', '  constructor:\n'],
        ['  local: { region', '  toString: { region'],
        ['users: local', 'users: toString'],
      ),
    );
    const loaded = prepareScenario({ file });
    expect(loaded.scenario.sites[0].name).toBe('constructor');
    expect(loaded.scenario.users[0].name).toBe('toString');
    const result = runLoaded(loaded);
    expect(renderJson(result)).not.toMatch(/NaN|Infinity|undefined/);
  });

  it.each([
    ['sites', ['  dc:\n', '  __proto__:\n']],
    ['pools', ['servers: {', '__proto__: {']],
    ['users', ['  local: { region', '  __proto__: { region']],
    ['services', ['  jobs:\n', '  __proto__:\n']],
    ['regions', ['regions: { local:', 'regions: { __proto__:']],
    ['catalog.devices', ['policies:', 'catalog: { devices: { __proto__: { name: x } } }\npolicies:']],
    [
      'prices',
      [
        'policies:',
        'catalog: { instances: { aws/g5.xlarge: { prices: { __proto__: { on-demand: 1 } } } } }\npolicies:',
      ],
    ],
    ['network.rtt', ['policies:', 'network: { rtt: { __proto__: 5ms } }\npolicies:']],
    ['a field', ['seed: 7', '__proto__: 7']],
  ] as [string, [string, string]][])('a __proto__ key under %s is refused at its line, never dropped', (_, pair) => {
    const e = errorOf(edit(pair));
    expect(e.detail).toBe('"__proto__" cannot be used as a name or a field (it is reserved in JavaScript); rename it');
    expect(e.line).toBeGreaterThan(0);
    expect(({} as Record<string, unknown>).name).toBeUndefined();
  });

  it('__proto__ in a JSON scenario too', () => {
    const e = errorOf('{"name": "x", "duration": "1h", "regions": {"__proto__": {"pue": 1}}}', {}, 's.json');
    expect(e.message).toMatch(/s\.json:1:\d+: "__proto__" cannot be used/);
  });

  it('a policy variant named __proto__ is refused', () => {
    const e = errorOf(
      edit([
        'policies: [least-latency]',
        'policies: [{ name: __proto__, policy: least-latency, pools: [dc/servers] }]',
      ]),
    );
    expect(e.message).toContain('"__proto__" cannot be used as a name');
  });
});

describe('bounds on every number', () => {
  it.each([
    ['duration: 1e12h', ['duration: 100s', 'duration: 1e12h'], 'must be <= 10y'],
    ['max_batch: 1e15', ['service_time:', 'batching: { max_batch: 1e15 }\n    service_time:'], 'must be <= 4096'],
    ['max_batch: 1e9', ['service_time:', 'batching: { max_batch: 1e9 }\n    service_time:'], 'must be <= 4096'],
    ['downlink: 1e-320Mbps', ['cloud: 0ms } }', 'cloud: 0ms }, downlink: 1e-320Mbps }'], 'must be >= 1bps'],
    ['capex_usd: 1e308', ['count: 4 }', 'count: 4, capex_usd: 1e308, lifetime: 3y }'], 'must be <= 1000000000'],
    ['lifetime: 1e-320y', ['count: 4 }', 'count: 4, capex_usd: 100, lifetime: 1e-320y }'], 'must be >= 1d'],
    [
      'power_max: 1e308W',
      ['policies:', 'catalog: { devices: { generic-cpu: { power_max: 1e308W } } }\npolicies:'],
      'must be <= 1MW',
    ],
    ['count: 1e9', ['count: 4 }', 'count: 1e9 }'], 'must be <= 100000'],
    ['replicas: 1e9', ['device: generic-cpu, count: 4', 'instance: aws/g5.xlarge, replicas: 1e9'], 'must be <= 100000'],
    ['poisson: 1e12/s', ['poisson: 10/s', 'poisson: 1e12/s'], 'must be <= 1e6/s'],
    ['constant: 1e308/s', ['poisson: 10/s', 'constant: 1e308/s'], 'must be <= 1e6/s'],
    [
      'bursts multiplier 1e300',
      ['poisson: 10/s }', 'poisson: 10/s, bursts: [{ start: 0s, duration: 1m, multiplier: 1e300 }] }'],
      'must be <= 1000000',
    ],
    ['failures mtbf 1ns', ['count: 4 }', 'count: 4, failures: { mtbf: 1ns, mttr: 1ns } }'], 'must be >= 1s'],
    ['seed: 1e300', ['seed: 7', 'seed: 1e300'], 'is too big'],
    ['pue: 1e300', ['pue: 1.0', 'pue: 1e300'], 'must be <= 10'],
  ] as [string, [string, string], string][])('%s is exit 2 at its field', (_, pair, message) => {
    const e = errorOf(edit(pair));
    expect(e.message).toContain(message);
    expect(e.line).toBeGreaterThan(0);
  });

  it('overlapping bursts multiply: refused by the run budget with the estimate', () => {
    const e = errorOf(
      edit([
        'poisson: 10/s }',
        'poisson: 10/s, bursts: [{ start: 0s, duration: 1m, multiplier: 1e5 }, { start: 0s, duration: 1m, multiplier: 1e5 }] }',
      ]),
    );
    expect(e.message).toMatch(
      /estimated at 3\.3e13 events \(6\.0e12 requests over 1 policy\), past the budget of 1\.0e9/,
    );
    expect(e.message).toContain('--max-events');
    expect(e.message).toContain('services.jobs.arrivals');
  });

  it('the budget: events from rates, failures and the policy count; --max-events raises it', async () => {
    const text = edit(['duration: 100s', 'duration: 10y'], ['poisson: 10/s', 'poisson: 100/s']);
    const e = errorOf(text);
    expect(e.message).toContain('past the budget of 1.0e9');
    const file = join(dir, 'budget.yaml');
    writeFileSync(file, text);
    const est = estimateRun(prepareScenario({ file }, [], { maxEvents: 1e12 }).scenario);
    expect(est.requests).toBeCloseTo(100 * 10 * 365 * 86400, -6);
    expect(expectOneLineBadInput(await cli('validate', file))).toContain('past the budget');
    expect((await cli('validate', file, '--max-events', '1e12')).code).toBe(0);
    expect(expectOneLineBadInput(await cli('validate', file, '--max-events', 'lots'))).toContain('--max-events');
    const f = errorOf(
      edit(['duration: 100s', 'duration: 1d'], ['count: 4 }', 'count: 100000, failures: { mtbf: 1s, mttr: 1s } }']),
    );
    expect(f.message).toContain('sites.dc.pools.servers.failures.mtbf');
  });

  it('sweep --set …count=1e9 is refused before anything runs', async () => {
    const file = join(dir, 'sweep.yaml');
    writeFileSync(file, BASE);
    const line = expectOneLineBadInput(
      await cli('sweep', file, '--set', 'sites.dc.pools.servers.count=1e9', '--out', join(dir, 'sweep-out')),
    );
    expect(line).toContain('must be <= 100000');
  });

  it('every numeric field has a maximum in `placesim schema`', async () => {
    const r = await cli('schema');
    const schema = JSON.parse(r.out) as unknown;
    const missing: string[] = [];
    // Unit fields are patterned strings: their bounds are x-minimum / x-maximum (on the field, or on the
    // anyOf that also allows a plain 0).
    const walk = (node: unknown, path: string, bounded: boolean): void => {
      if (node === null || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      if ((o.type === 'number' || o.type === 'integer') && o.maximum === undefined && o.exclusiveMaximum === undefined)
        missing.push(path);
      const here = bounded || o['x-maximum'] !== undefined;
      if (o.type === 'string' && typeof o.pattern === 'string' && !here) missing.push(path);
      for (const [k, v] of Object.entries(o)) walk(v, `${path}/${k}`, here && (k === 'anyOf' || /^\d+$/.test(k)));
    };
    walk(schema, '', false);
    expect(missing).toEqual([]);
  });

  it('extreme values that are allowed still give finite results', () => {
    const file = join(dir, 'extreme.yaml');
    writeFileSync(
      file,
      edit(
        [
          'count: 4 }',
          'count: 100000, capex_usd: 1e9, lifetime: 1d, usd_per_hour: 1e9, electricity_usd_per_kwh: 1e4 }',
        ],
        ['policies:', 'catalog: { devices: { generic-cpu: { power_max: 1MW, power_idle: 1MW } } }\npolicies:'],
        ['poisson: 10/s', 'poisson: 1e-6/s'],
      ),
    );
    const result = runLoaded(prepareScenario({ file }));
    expect(renderJson(result)).not.toMatch(/NaN|Infinity|undefined/);
    expect(renderTable(result)).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('the Result guard turns a non-finite number into a located error', () => {
    const file = join(dir, 'guard.yaml');
    writeFileSync(file, BASE);
    const loaded = prepareScenario({ file });
    const result = runLoaded(loaded);
    const bad = structuredClone(result);
    (bad.policies[0].totals as unknown as Record<string, number>).cost_usd = NaN;
    expect(() => assertFinite(loaded.scenario, bad)).toThrow(
      /guard\.yaml: the result has NaN at policies\[0\]\.totals\.cost_usd/,
    );
    (bad.policies[0].totals as unknown as Record<string, number>).cost_usd = Infinity;
    expect(() => assertFinite(loaded.scenario, bad)).toThrow(InputError);
    expect(assertFinite(loaded.scenario, result)).toBe(result);
  });
});

describe('the parser: nesting, empty files, aliases, missing fields', () => {
  const load = (text: string) => {
    try {
      loadScenarioText(text, 'x.yaml');
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      return e as InputError;
    }
    throw new Error('expected an InputError');
  };

  it.each([
    ['flow lists', `name: x\nd: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`],
    ['flow maps', `name: x\nd: ${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}\n`],
    ['block lists', `name: x\nd:\n${'- '.repeat(10_000)}1\n`],
    ['block maps', `name: x\n${Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')} 1\n`],
  ])('10,000-deep %s: a located, plain message', (_, text) => {
    const e = load(text);
    expect(e.detail).toContain(`nests deeper than ${MAX_NESTING} levels`);
    expect(e.line).toBeGreaterThan(0);
    expect(e.col).toBeGreaterThan(0);
    expect(e.message).not.toMatch(/call stack/i);
  });

  it('an empty file and a file of comments say so at 1:1', () => {
    expect(load('').message).toMatch(/^x\.yaml:1:1: the file is empty/);
    expect(load('# nothing\n').message).toMatch(/^x\.yaml:1:1: the file is empty/);
  });

  it('an alias bomb is located at its first alias', () => {
    const rows = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [p, q] of ['ab', 'bc', 'cd', 'de', 'ef', 'fg'])
      rows.push(`${q}: &${q} [${Array(9).fill(`*${p}`).join(',')}]`);
    const e = load(rows.join('\n'));
    expect(e.message).toMatch(/^x\.yaml:2:\d+: aliases \(\*name\) expand to too many values/);
  });

  it('a missing required field says "missing required field"', () => {
    expect(load(BASE.replace('    kind: cloud\n', '')).message).toContain('missing required field "kind"');
    expect(load(BASE.replace('duration: 100s\n', '')).message).toContain('missing required field "duration"');
    expect(load(BASE.replace('    users: local\n', '')).message).toContain('missing required field "users"');
    expect(load(BASE.replace('    region: local\n', '')).message).toContain('missing required field "region"');
  });

  it('duplicate keys are found (linear check) and named', () => {
    expect(load(BASE.replace('seed: 7\n', 'seed: 7\nseed: 8\n')).message).toMatch(/^x\.yaml:3:1: duplicate key "seed"/);
  });

  it(`more than ${MAX_ENTRIES} entries is refused before parsing`, () => {
    const text = `name: x\nregions:\n${Array.from({ length: 30_000 }, (_, i) => `  r${i}: { pue: 1, grid_gco2_per_kwh: 1 }`).join('\n')}\n`;
    const e = load(text);
    expect(e.detail).toContain('entries');
  });

  it('unknown fields are shown cut and escaped, at most four of them', () => {
    const e = load(`${BASE}${'z'.repeat(60)}: 1\nb: 2\nc: 3\nd: 4\ne: 5\n`);
    expect(e.message).toContain(`unknown field "${'z'.repeat(24)}…"`);
    expect(e.message).toContain('and 1 more');
  });
});

describe('validate of any file ≤ 1 MB: < 2 s and < 300 MB', () => {
  const MB = 1_000_000;
  const files: [string, string][] = [
    [
      '100,000 regions',
      `name: big\nduration: 1h\nregions:\n${'  r: {}\n'.repeat(1)}${Array.from({ length: 100_000 }, (_, i) => `  r${i}: {}`).join('\n')}`,
    ],
    [
      'one long flow map',
      `name: big\nregions: {${Array.from({ length: 90_000 }, (_, i) => `r${i}: {}`).join(', ')}}\n`,
    ],
    ['deep nesting', `name: x\nd: ${'['.repeat(400_000)}\n`],
    ['one long string', `name: x\ndescription: "${'a'.repeat(MB - 40)}"\n`],
    ['many aliases', `a: &a [1]\nb: [${Array(200_000).fill('*a').join(',')}]\n`],
    ['a long list', `name: x\nl: [${Array(300_000).fill('1').join(',')}]\n`],
  ];

  it.each(files)('%s', (name, text) => {
    const body = text.slice(0, MB);
    const file = join(dir, `big-${name.replace(/\W+/g, '-')}.yaml`);
    writeFileSync(file, body);
    const cpu = process.cpuUsage();
    try {
      loadScenarioText(body, file);
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
    }
    const used = process.cpuUsage(cpu);
    expect((used.user + used.system) / 1e6).toBeLessThan(2);
  });

  it('in a process capped at 300 MB, the heaviest of them exit 2', () => {
    for (const [name] of files.filter(([n]) => /regions|string|aliases/.test(n))) {
      const file = join(dir, `big-${name.replace(/\W+/g, '-')}.yaml`);
      const r = spawnSync(process.execPath, ['--max-old-space-size=300', 'bin/placesim', 'validate', file], {
        encoding: 'utf8',
        timeout: CHILD_TIMEOUT_MS,
      });
      expect(r.status, `${name}: ${r.stderr}`).toBe(2);
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    }
  });
});
