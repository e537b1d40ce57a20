/**
 * Request lengths that vary (distributions, empirical columns, trace columns) and the load modes (closed
 * loop, offline): the draws, the loader's errors, and what the simulation does with them.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RandomStreams } from '../src/engine/index.js';
import { LengthSampler } from '../src/sim/lengths.js';
import { clippedMean } from '../src/scenario/distributions.js';
import { InputError, loadScenarioText } from '../src/scenario/index.js';
import { runScenario } from '../src/sim/index.js';
import type { TraceRow } from '../src/sim/index.js';
import type { LengthDist, Scenario } from '../src/model/types.js';
import { queueScenario } from './helpers/build-scenario.js';
import { cli, expectOneLineBadInput, withoutDebugTraces } from './helpers/cli.js';

withoutDebugTraces();

const draws = (dist: LengthDist, n: number, seed = 1): number[] => {
  const s = new LengthSampler(dist, new RandomStreams(seed).stream('test'));
  return Array.from({ length: n }, (_, i) => s.draw(i));
};
const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;

describe('length draws', () => {
  it('uniform: whole numbers covering [min, max], mean in the middle', () => {
    const v = draws({ kind: 'uniform', min: 10, max: 20 }, 20_000);
    expect(v.every((x) => Number.isInteger(x) && x >= 10 && x <= 20)).toBe(true);
    expect(new Set(v).size).toBe(11);
    expect(mean(v)).toBeCloseTo(15, 1);
  });

  it('normal and lognormal: rounded, clipped to [min, max], mean as the clipped mean', () => {
    const normal: LengthDist = { kind: 'normal', mean: 100, sd: 60, min: 1, max: 150 };
    const logn: LengthDist = { kind: 'lognormal', mean: 500, cv: 1.5, min: 1, max: 2000 };
    for (const d of [normal, logn]) {
      const v = draws(d, 50_000);
      expect(v.every((x) => Number.isInteger(x) && x >= 1 && x <= (d as { max: number }).max)).toBe(true);
      expect(v.some((x) => x === (d as { max: number }).max)).toBe(true); // clipped, not redrawn
      expect(Math.abs(mean(v) / clippedMean(d) - 1)).toBeLessThan(0.02);
    }
    // Without clipping in reach, the clipped mean is the plain mean.
    expect(clippedMean({ kind: 'lognormal', mean: 300, cv: 0.5, min: 1, max: 1e9 })).toBeCloseTo(300, 3);
    expect(clippedMean({ kind: 'normal', mean: 300, sd: 10, min: 1, max: 1e9 })).toBeCloseTo(300, 3);
  });

  it('empirical: every value of the column, equally often; trace: row i for arrival i, no draw', () => {
    const values = Int32Array.of(5, 50, 500);
    const v = draws({ kind: 'empirical', file: 'x.csv', column: 'c', values }, 30_000);
    for (const x of values) expect(v.filter((y) => y === x).length / v.length).toBeCloseTo(1 / 3, 1);
    const t = new LengthSampler({ kind: 'trace', file: 'x.csv', column: 'c', values }, null);
    expect([t.draw(0), t.draw(2), t.draw(1)]).toEqual([5, 500, 50]);
  });

  it('is deterministic per seed', () => {
    const d: LengthDist = { kind: 'lognormal', mean: 200, cv: 1, min: 1, max: 5000 };
    expect(draws(d, 100, 7)).toEqual(draws(d, 100, 7));
    expect(draws(d, 100, 7)).not.toEqual(draws(d, 100, 8));
  });
});

// ------------------------------------------------------------------------------------------------ loading

/** A directory holding the CSVs a scenario refers to; returns the scenario's path in it. */
function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'placesim-lengths-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return join(dir, 's.yaml');
}

// Line numbers matter: the service's request is on line 20, its arrivals on line 19.
const scenarioText = (arrivals: string, request: string, extra = '') => `name: t
duration: 10m
regions:
  us-east: {}
sites:
  cloud:
    kind: cloud
    region: us-east
    pools:
      gpu: { instance: aws/p5.48xlarge, replicas: 1 }
users:
  u: { region: us-east, access_rtt: { edge: 8ms, cloud: 20ms } }
models:
  llama: { params: 8.03e9 }
services:
  chat:
    model: llama
    users: u
    arrivals: ${arrivals}
    request: ${request}
${extra}`;

const TRACE = 'when,ctx,gen\n0.5,100,20\n1.5,2000,5\n2.5,30,300\n';

function load(arrivals: string, request: string, files: Record<string, string> = {}, extra = ''): Scenario {
  return loadScenarioText(scenarioText(arrivals, request, extra), dirWith(files));
}

function loadError(arrivals: string, request: string, files: Record<string, string> = {}): InputError {
  try {
    load(arrivals, request, files);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('length fields in a scenario', () => {
  it('a plain number stays fixed; a distribution resolves with its mean for planning', () => {
    const s = load('{ poisson: 1/s }', '{ input_tokens: { uniform: [100, 300] }, output_tokens: 50 }');
    const r = s.services[0].request;
    expect(r.lengths).toEqual({
      input_tokens: { kind: 'uniform', min: 100, max: 300 },
      output_tokens: null,
      items: null,
    });
    expect([r.input_tokens, r.output_tokens]).toEqual([200, 50]);
    const ln = load('{ poisson: 1/s }', '{ input_tokens: 10, output_tokens: { lognormal: 200, cv: 1, max: 1000 } }');
    expect(ln.services[0].request.lengths.output_tokens).toEqual({
      kind: 'lognormal',
      mean: 200,
      cv: 1,
      min: 1,
      max: 1000,
    });
    expect(ln.services[0].request.output_tokens).toBe(
      Math.round(clippedMean(ln.services[0].request.lengths.output_tokens!)),
    );
  });

  it('empirical: a CSV column relative to the scenario file', () => {
    const s = load('{ poisson: 1/s }', '{ input_tokens: { empirical: lens.csv, column: ctx }, output_tokens: 9 }', {
      'lens.csv': TRACE,
    });
    const d = s.services[0].request.lengths.input_tokens;
    expect(d?.kind).toBe('empirical');
    expect([...(d as { values: Int32Array }).values]).toEqual([100, 2000, 30]);
    expect(s.services[0].request.input_tokens).toBe(710);
  });

  it('a trace gives times and per-request lengths from named columns', () => {
    const s = load('{ trace: { file: tr.csv, time: when, input_tokens: ctx, output_tokens: gen } }', '{}', {
      'tr.csv': TRACE,
    });
    const svc = s.services[0];
    expect(svc.arrivals.kind === 'trace' && [...svc.arrivals.times_s]).toEqual([0.5, 1.5, 2.5]);
    expect(svc.request.lengths.output_tokens?.kind).toBe('trace');
    expect([...(svc.request.lengths.output_tokens as { values: Int32Array }).values]).toEqual([20, 5, 300]);
  });

  it('closed and offline load modes', () => {
    const c = load('{ closed: { clients: 8, think: { exponential: 2s } } }', '{ input_tokens: 10, output_tokens: 10 }');
    expect(c.services[0].arrivals).toEqual({
      kind: 'closed',
      clients: 8,
      think: { kind: 'exponential', mean_s: 2 },
      backoff_s: 1,
    });
    const o = load('{ offline: 500 }', '{ input_tokens: 10, output_tokens: 10 }');
    expect(o.services[0].arrivals).toEqual({ kind: 'offline', requests: 500 });
  });
});

describe('bad lengths, trace columns and load modes: one line naming the file, the field and where', () => {
  const cases: [string, string, string, Record<string, string>, RegExp][] = [
    [
      'uniform with max below min',
      '{ poisson: 1/s }',
      '{ input_tokens: { uniform: [300, 100] }, output_tokens: 5 }',
      {},
      /s\.yaml:20:47: services\.chat\.request\.input_tokens\.uniform\[1\]: the largest value 100 is below the least 300$/,
    ],
    [
      'normal without max',
      '{ poisson: 1/s }',
      '{ input_tokens: { normal: 300, sd: 50 }, output_tokens: 5 }',
      {},
      /s\.yaml:20:30: services\.chat\.request\.input_tokens: missing required field "max" \(the largest value/,
    ],
    [
      'two kinds at once',
      '{ poisson: 1/s }',
      '{ input_tokens: { uniform: [1, 2], lognormal: 5, cv: 1, max: 9 }, output_tokens: 5 }',
      {},
      /s\.yaml:20:30: services\.chat\.request\.input_tokens: give exactly one of uniform, normal, lognormal, empirical \(got uniform, lognormal\)$/,
    ],
    [
      'a spread that belongs to another kind',
      '{ poisson: 1/s }',
      '{ input_tokens: { normal: 300, cv: 1, max: 900 }, output_tokens: 5 }',
      {},
      /services\.chat\.request\.input_tokens\.cv: cv does not apply to a normal distribution$/,
    ],
    [
      'an unknown field in a distribution',
      '{ poisson: 1/s }',
      '{ input_tokens: { normal: 300, sdev: 1, max: 900 }, output_tokens: 5 }',
      {},
      /s\.yaml:20:\d+: services\.chat\.request\.input_tokens: unknown field "sdev"/,
    ],
    [
      'zero tokens for an LLM',
      '{ poisson: 1/s }',
      '{ input_tokens: { uniform: [0, 10] }, output_tokens: 5 }',
      {},
      /services\.chat\.request\.input_tokens\.uniform\[0\]: the least value 0 is too small: input_tokens must be >= 1$/,
    ],
    [
      'empirical column missing',
      '{ poisson: 1/s }',
      '{ input_tokens: { empirical: l.csv, column: prompt }, output_tokens: 5 }',
      { 'l.csv': TRACE },
      /s\.yaml:20:\d+: services\.chat\.request\.input_tokens\.column: ".*l\.csv" has no column "prompt" \(its header: when, ctx, gen\)$/,
    ],
    [
      'empirical file missing',
      '{ poisson: 1/s }',
      '{ input_tokens: { empirical: nope.csv, column: ctx }, output_tokens: 5 }',
      {},
      /services\.chat\.request\.input_tokens\.empirical: cannot read CSV ".*nope\.csv": file not found$/,
    ],
    [
      'empirical non-numeric cell',
      '{ poisson: 1/s }',
      '{ input_tokens: { empirical: l.csv, column: ctx }, output_tokens: 5 }',
      { 'l.csv': 'when,ctx\n1,10\n2,many\n' },
      /l\.csv:3:3: services\.chat\.request\.input_tokens\.column: bad input_tokens "many" in column "ctx": expected a whole number$/,
    ],
    [
      'trace column missing',
      '{ trace: { file: t.csv, time: when, input_tokens: prompt, output_tokens: gen } }',
      '{}',
      { 't.csv': TRACE },
      /s\.yaml:19:\d+: services\.chat\.arrivals\.trace\.input_tokens: ".*t\.csv" has no column "prompt" \(its header: when, ctx, gen\)$/,
    ],
    [
      'trace time column missing',
      '{ trace: { file: t.csv, time: TIMESTAMP, input_tokens: ctx, output_tokens: gen } }',
      '{}',
      { 't.csv': TRACE },
      /services\.chat\.arrivals\.trace\.time: ".*t\.csv" has no column "TIMESTAMP"/,
    ],
    [
      'trace non-numeric cell',
      '{ trace: { file: t.csv, time: when, input_tokens: ctx, output_tokens: gen } }',
      '{}',
      { 't.csv': 'when,ctx,gen\n0.5,100,20\n1.5,2000,lots\n' },
      /t\.csv:3:10: services\.chat\.arrivals\.trace\.output_tokens: bad output_tokens "lots" in column "gen": expected a whole number$/,
    ],
    [
      'trace negative length',
      '{ trace: { file: t.csv, time: when, input_tokens: ctx, output_tokens: gen } }',
      '{}',
      { 't.csv': 'when,ctx,gen\n0.5,100,20\n1.5,-7,2\n' },
      /t\.csv:3:5: services\.chat\.arrivals\.trace\.input_tokens: bad input_tokens "-7" in column "ctx": a length must not be negative$/,
    ],
    [
      'trace empty cell',
      '{ trace: { file: t.csv, time: when, input_tokens: ctx, output_tokens: gen } }',
      '{}',
      { 't.csv': 'when,ctx,gen\n0.5,100\n' },
      /t\.csv:2:\d+: services\.chat\.arrivals\.trace\.output_tokens: bad output_tokens "" in column "gen": the cell is empty$/,
    ],
    [
      'trace bad time',
      '{ trace: { file: t.csv, time: when, input_tokens: ctx, output_tokens: gen } }',
      '{}',
      { 't.csv': 'when,ctx,gen\n0.5,100,2\nsoon,1,2\n' },
      /t\.csv:3:1: services\.chat\.arrivals\.trace\.time: bad arrival time "soon" in column "when": expected a number of seconds$/,
    ],
    [
      'a length given by the trace and by the request',
      '{ trace: { file: t.csv, time: when, input_tokens: ctx, output_tokens: gen } }',
      '{ input_tokens: 5 }',
      { 't.csv': TRACE },
      /services\.chat\.request\.input_tokens: the trace gives input_tokens \(column "ctx"\): give it in one place only$/,
    ],
    [
      'an LLM trace without output tokens anywhere',
      '{ trace: { file: t.csv, time: when, input_tokens: ctx } }',
      '{}',
      { 't.csv': TRACE },
      /services\.chat\.request: missing required field "output_tokens"/,
    ],
    [
      'items on an LLM trace',
      '{ trace: { file: t.csv, time: when, input_tokens: ctx, output_tokens: gen, items: gen } }',
      '{}',
      { 't.csv': TRACE },
      /services\.chat\.arrivals\.trace\.items: items applies to non-LLM models/,
    ],
    [
      'two load modes',
      '{ poisson: 1/s, offline: 10 }',
      '{ input_tokens: 5, output_tokens: 5 }',
      {},
      /services\.chat\.arrivals: give exactly one of poisson, constant, profile, trace, closed, offline \(got poisson, offline\)$/,
    ],
    [
      'zero closed-loop clients',
      '{ closed: { clients: 0 } }',
      '{ input_tokens: 5, output_tokens: 5 }',
      {},
      /services\.chat\.arrivals\.closed\.clients: 0 is too small: must be >= 1$/,
    ],
  ];
  it.each(cases)('%s', (_name, arrivals, request, files, message) => {
    const e = loadError(arrivals, request, files);
    expect(e.message).toMatch(message);
    expect(e.message).not.toMatch(/\n/);
  });

  it('through the CLI: exit 2 and one line (a bad trace cell, a bad distribution)', async () => {
    const trace = dirWith({ 't.csv': 'when,ctx,gen\n0.5,100,20\n1.5,2000,x\n' });
    writeFileSync(
      trace,
      scenarioText('{ trace: { file: t.csv, time: when, input_tokens: ctx, output_tokens: gen } }', '{}'),
    );
    expect(expectOneLineBadInput(await cli('run', trace))).toMatch(
      /t\.csv:3:10: services\.chat\.arrivals\.trace\.output_tokens: bad output_tokens "x" in column "gen": expected a whole number$/,
    );
    const dist = dirWith({});
    writeFileSync(
      dist,
      scenarioText('{ poisson: 1/s }', '{ input_tokens: { lognormal: 9, cv: 1 }, output_tokens: 5 }'),
    );
    expect(expectOneLineBadInput(await cli('validate', dist))).toMatch(
      /s\.yaml:20:30: services\.chat\.request\.input_tokens: missing required field "max"/,
    );
  });

  it('offline load with a warm-up', () => {
    const text = scenarioText('{ offline: 10 }', '{ input_tokens: 5, output_tokens: 5 }').replace(
      'duration: 10m',
      'duration: 10m\nwarmup: 1m',
    );
    expect(() => loadScenarioText(text, dirWith({}))).toThrow(
      /s\.yaml:20:\d+: services\.chat\.arrivals\.offline: offline requests all arrive at t = 0, inside the warm-up \(60 s\): set warmup to 0s$/,
    );
  });
});

// ------------------------------------------------------------------------------------------------ running

const API = `apis:
  hosted:
    region: us-east
    models: [llama]
    price: { usd_per_1m_input_tokens: 1, usd_per_1m_output_tokens: 3 }
    latency: { deterministic: 1s }
policies: [{ name: api-only, policy: least-latency, pools: [hosted] }]
`;

describe('running with lengths', () => {
  it('a trace replays its own lengths: an API bills each request by its own tokens', () => {
    const s = load(
      '{ trace: { file: t.csv, time: when, input_tokens: ctx, output_tokens: gen } }',
      '{}',
      { 't.csv': TRACE },
      API,
    );
    const p = runScenario(s).policies[0];
    expect(p.services[0].completed).toBe(3);
    const tokens = (100 + 2000 + 30) * 1 + (20 + 5 + 300) * 3;
    expect(p.totals.cost_usd.api).toBeCloseTo(tokens / 1e6, 12);
  });

  it('drawn lengths move no other stream: the same arrivals with or without a distribution', () => {
    const arrivalsOf = (request: string) => {
      const rows: TraceRow[] = [];
      runScenario(load('{ poisson: 2/s }', request, {}, API), { trace: (r) => rows.push({ ...r }) });
      return rows.map((r) => r.arrival_s).sort((a, b) => a - b);
    };
    const fixed = arrivalsOf('{ input_tokens: 100, output_tokens: 100 }');
    const varied = arrivalsOf(
      '{ input_tokens: { uniform: [1, 200] }, output_tokens: { lognormal: 100, cv: 1, max: 900 } }',
    );
    expect(fixed.length).toBeGreaterThan(1000);
    expect(varied).toEqual(fixed);
  });

  it('every policy sees the same lengths (API cost is the same under two policies that both use only it)', () => {
    const extra = API.replace(
      'policies: [{ name: api-only, policy: least-latency, pools: [hosted] }]',
      'policies: [{ name: a, policy: least-latency, pools: [hosted] }, { name: b, policy: cheapest-within-slo, pools: [hosted] }]',
    );
    const r = runScenario(
      load('{ poisson: 2/s }', '{ input_tokens: { uniform: [1, 4000] }, output_tokens: 10 }', {}, extra),
    );
    const [a, b] = r.policies;
    expect(a.services[0].completed).toBeGreaterThan(0);
    expect(a.totals.cost_usd.api).toBe(b.totals.cost_usd.api);
  });

  it('a fixed batch runs as long as its members: execution follows the drawn lengths', () => {
    const exec = (request: string) =>
      runScenario(load('{ poisson: 0.2/s }', request)).policies[0].services[0].breakdown_ms!.execution;
    const short = exec('{ input_tokens: 100, output_tokens: 50 }');
    const long = exec('{ input_tokens: 100, output_tokens: 500 }');
    const mixed = exec('{ input_tokens: 100, output_tokens: { uniform: [50, 500] } }');
    expect(short).toBeLessThan(mixed);
    expect(mixed).toBeLessThan(long);
    // Decode time grows about linearly with output tokens at batch 1: the mean of uniform[50, 500] lands near
    // the middle (within the sampling noise of ~120 requests).
    expect(Math.abs(mixed / ((short + long) / 2) - 1)).toBeLessThan(0.1);
  });
});

describe('items that vary (a non-LLM model)', () => {
  it("a batch of images runs for its members' items: the same mean execution as the fixed mean", () => {
    const vision = (request: string) =>
      scenarioText('{ poisson: 5/s }', request)
        .replace('llama: { params: 8.03e9 }', 'resnet: { flops_per_item: 8.2e9, weights: 102MB }')
        .replace('model: llama', 'model: resnet');
    const exec = (request: string) =>
      runScenario(loadScenarioText(vision(request), dirWith({}))).policies[0].services[0].breakdown_ms!.execution;
    const fixed = exec('{ items: 16 }');
    const varied = exec('{ items: { uniform: [1, 31] } }');
    expect(exec('{ items: 31 }')).toBeGreaterThan(fixed * 1.1);
    expect(Math.abs(varied / fixed - 1)).toBeLessThan(0.05);
    expect(() => loadScenarioText(vision('{ input_tokens: { uniform: [1, 3] } }'), dirWith({}))).toThrow(
      /services\.chat\.request\.input_tokens: applies to LLM services only \(model "resnet" is not an LLM\)$/,
    );
  });
});

describe('load modes', () => {
  const closed = (clients: number, think: number, servers: number, maxQueue?: number): Scenario => {
    const s = queueScenario({
      servers,
      rate: 1,
      serviceTime: { kind: 'deterministic', mean_s: 0.1 },
      duration: 1000,
      warmup: 100,
      ...(maxQueue === undefined ? {} : { maxQueue }),
    });
    s.services[0].arrivals = {
      kind: 'closed',
      clients,
      think: { kind: 'deterministic', mean_s: think },
      backoff_s: 1,
    };
    return s;
  };

  it('closed loop: N clients with think time Z on idle servers complete N / (S + Z) per second', () => {
    const s = runScenario(closed(4, 0.4, 8)).policies[0].services[0];
    expect(s.throughput_per_s).toBeCloseTo(4 / 0.5, 1);
    expect(s.latency_ms!.mean).toBeCloseTo(100, 6);
    expect(s.makespan_s).toBeNull();
  });

  it('closed loop without think time saturates one server: throughput 1/S, latency N × S', () => {
    const s = runScenario(closed(5, 0, 1)).policies[0].services[0];
    expect(s.throughput_per_s).toBeCloseTo(10, 1);
    expect(s.latency_ms!.mean).toBeCloseTo(500, 0);
  });

  it('closed loop with rejections: a rejected client backs off instead of retrying in zero time', () => {
    const p = runScenario(closed(3, 0, 1, 0)).policies[0];
    const s = p.services[0];
    expect(s.rejected).toBeGreaterThan(0);
    // The server is never idle for long: one client at a time holds it, the others back off 1 s.
    expect(s.throughput_per_s).toBeGreaterThan(5);
    expect(p.conservation.arrivals).toBeLessThan(3 * 1000 * 11);
  });

  it('offline: all requests at t = 0; throughput over the makespan', () => {
    const sc = queueScenario({
      servers: 4,
      rate: 1,
      serviceTime: { kind: 'deterministic', mean_s: 0.1 },
      duration: 100,
      warmup: 0,
    });
    sc.services[0].arrivals = { kind: 'offline', requests: 100 };
    const p = runScenario(sc).policies[0];
    const s = p.services[0];
    expect(s.arrivals).toBe(100);
    expect(s.completed).toBe(100);
    expect(s.makespan_s).toBeCloseTo(2.5, 9);
    expect(s.throughput_per_s).toBeCloseTo(40, 6);
    expect(p.totals.throughput_per_s).toBeCloseTo(1, 9); // 100 completions over the 100 s window
  });
});
