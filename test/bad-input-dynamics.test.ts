/**
 * Bad input in the fields for capacity and demand over time (autoscale, failures, preemption, outages,
 * uplinks, residency, bursts, hourly grid carbon, managed APIs, policy variants): each is one InputError that
 * names the file, the line:col of the offending value and the field path.
 *
 * Expected positions are computed from the test's own YAML text (the line holding a unique needle, and the
 * needle's column), never from the loader.
 */
import { describe, it, expect } from 'vitest';
import { InputError, loadScenarioText } from '../src/scenario/index.js';
import { main, type Io } from '../src/cli/main.js';

const FILE = 'test/fixtures/dynamics/bad.yaml';

// A valid scenario; each test replaces or appends a few lines.
const BASE = `name: t
duration: 1h
regions:
  eu: { grid_gco2_per_kwh: 300, pue: 1.2 }
  us: { grid_gco2_per_kwh: 400, pue: 1.1 }
network:
  rtt: { "eu <-> us": 80ms }
sites:
  dc:
    kind: cloud
    region: eu
    pools:
      gpu: { instance: aws/g5.xlarge, replicas: 2, usd_per_hour: 1 }
  edge:
    kind: edge
    region: us
    pools:
      box: { device: generic-cpu, count: 2, capex_usd: 1000, lifetime: 3y }
users:
  u: { region: eu, access_rtt: { edge: 5ms, cloud: 20ms } }
models:
  llama: { params: 8.03e9 }
  resnet: { flops_per_item: 8.2e9, weights: 102MB }
services:
  chat:
    model: llama
    users: u
    arrivals: { poisson: 2/s }
    request: { input_tokens: 400, output_tokens: 150 }
policies: [least-latency]
`;

/** BASE with the line that starts with `from` (after indentation) replaced, then `append` added. */
function edit(replace: Record<string, string>, append = ''): string {
  let text = BASE;
  for (const [from, to] of Object.entries(replace)) {
    const lines = text.split('\n');
    const i = lines.findIndex((l) => l.trimStart().startsWith(from));
    if (i < 0) throw new Error(`no line starts with ${from}`);
    lines[i] = to;
    text = lines.join('\n');
  }
  return text + append;
}

/** `line:col` of the first occurrence of `needle` in `text` (both 1-based). */
function at(text: string, needle: string): string {
  const lines = text.split('\n');
  const hits = lines.flatMap((l, i) => (l.includes(needle) ? [i] : []));
  if (hits.length !== 1) throw new Error(`needle ${JSON.stringify(needle)} found on ${hits.length} lines`);
  return `${hits[0] + 1}:${lines[hits[0]].indexOf(needle) + 1}`;
}

function errorOf(text: string): InputError {
  try {
    loadScenarioText(text, FILE);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

/** The error is `FILE:line:col: path: detail`, with line:col where `needle` is in the text. */
function expectError(text: string, needle: string, path: string, detail: string | RegExp): InputError {
  const e = errorOf(text);
  const prefix = `${FILE}:${at(text, needle)}: ${path}: `;
  expect(e.message.startsWith(prefix), `${e.message}\n  should start with\n${prefix}`).toBe(true);
  const rest = e.message.slice(prefix.length);
  if (typeof detail === 'string') expect(rest).toBe(detail);
  else expect(rest).toMatch(detail);
  return e;
}

const GPU = '      gpu: { instance: aws/g5.xlarge, replicas: 2, usd_per_hour: 1 }';
const gpu = (fields: string) => ({ 'gpu:': `      gpu: { instance: aws/g5.xlarge, ${fields} }` });

const API = (lines: Record<string, string>) => {
  const f = {
    region: 'region: us',
    models: 'models: [llama]',
    price: 'price: { usd_per_1m_input_tokens: 3, usd_per_1m_output_tokens: 15 }',
    latency: 'latency: { lognormal: 1.5s, cv: 0.3 }',
    ...lines,
  };
  return `apis:\n  llm-api:\n${Object.values(f)
    .map((l) => `    ${l}\n`)
    .join('')}`;
};

describe('bad input: capacity over time', () => {
  it('the base scenario and its API are valid', () => {
    expect(loadScenarioText(BASE, FILE).pools).toHaveLength(2);
    expect(loadScenarioText(edit({}, API({})), FILE).apis).toHaveLength(1);
    expect(BASE).toContain(GPU);
  });

  it('autoscale on a device pool', () => {
    const text = edit({
      'box:':
        '      box: { device: generic-cpu, count: 2, capex_usd: 1000, lifetime: 3y, autoscale: { min: 1, max: 2 } }',
    });
    expectError(
      text,
      '{ min: 1',
      'sites.edge.pools.box.autoscale',
      'autoscaling applies to instance pools (cloud instances), not device pools',
    );
  });

  it('autoscale with replicas', () => {
    const text = edit(gpu('replicas: 2, usd_per_hour: 1, autoscale: { min: 1, max: 3 }'));
    expectError(
      text,
      '2, usd_per_hour',
      'sites.dc.pools.gpu.replicas',
      /autoscale\.min and autoscale\.max instead of replicas/,
    );
  });

  it('autoscale max < min', () => {
    const text = edit(gpu('usd_per_hour: 1, autoscale: { min: 3, max: 2 }'));
    expectError(text, '2 } }', 'sites.dc.pools.gpu.autoscale.max', 'must be >= min (3)');
  });

  it('autoscale target_running below 1 or not a whole number', () => {
    const zero = edit(gpu('usd_per_hour: 1, autoscale: { min: 1, max: 3, target_running: 0 }'));
    expectError(zero, '0 } }', 'sites.dc.pools.gpu.autoscale.target_running', /1/);
    const half = edit(gpu('usd_per_hour: 1, autoscale: { min: 1, max: 3, target_running: 2.5 }'));
    expectError(half, '2.5 } }', 'sites.dc.pools.gpu.autoscale.target_running', /integer/);
  });

  it('autoscale initial out of range', () => {
    const text = edit(gpu('usd_per_hour: 1, autoscale: { min: 1, max: 3, initial: 5 }'));
    expectError(text, '5 }', 'sites.dc.pools.gpu.autoscale.initial', 'must be between min (1) and max (3)');
  });

  it('preemption without pricing: spot', () => {
    const text = edit(gpu('replicas: 2, usd_per_hour: 1, preemption: { mean_time: 2h }'));
    expectError(text, '{ mean_time', 'sites.dc.pools.gpu.preemption', /set pricing: spot/);
  });

  it('failures with mtbf 0', () => {
    const text = edit(gpu('replicas: 2, usd_per_hour: 1, failures: { mtbf: 0s, mttr: 10m }'));
    expectError(text, '0s,', 'sites.dc.pools.gpu.failures.mtbf', 'bad duration "0s": must be > 0');
  });

  it('uplink with mtbf but no mttr', () => {
    const text = edit({ 'region: us': '    region: us\n    uplink: { mtbf: 1d }' });
    expectError(text, '{ mtbf: 1d', 'sites.edge.uplink', /give both mtbf and mttr/);
  });
});

describe('bad input: outages', () => {
  it('an outage naming two of site, region, uplink', () => {
    const text = edit({}, 'outages:\n  - { site: dc, region: eu, start: 10m, duration: 5m }\n');
    // (The list of outage kinds may grow; the two given must be named.)
    expectError(
      text,
      '{ site: dc',
      'outages[0]',
      /^give exactly one of site, region, uplink\b.* \(got site, region\)$/,
    );
  });

  it('an outage naming an unknown site, with did you mean', () => {
    const text = edit({}, 'outages:\n  - { site: edg, start: 10m, duration: 5m }\n');
    expectError(text, 'edg,', 'outages[0].site', 'unknown site "edg" (did you mean "edge"?)');
  });
});

describe('bad input: demand and residency', () => {
  it('residency naming an unknown region', () => {
    const text = edit({ 'users: u': '    users: u\n    residency: [eu, usa]' });
    expectError(text, 'usa]', 'services.chat.residency[1]', /^unknown region "usa"/);
  });

  it('bursts on trace arrivals', () => {
    const text = edit({
      'arrivals:': '    arrivals: { trace: arrivals.csv, bursts: [{ start: 10m, duration: 5m, multiplier: 2 }] }',
    });
    expectError(text, '{ start: 10m', 'services.chat.arrivals.bursts[0]', /do not apply to trace arrivals/);
  });

  it('a negative burst multiplier', () => {
    const text = edit({
      'arrivals:': '    arrivals: { poisson: 2/s, bursts: [{ start: 10m, duration: 5m, multiplier: -2 }] }',
    });
    expectError(text, '-2 }', 'services.chat.arrivals.bursts[0].multiplier', '-2 is too small: must be > 0');
  });
});

describe('bad input: hourly grid carbon', () => {
  it('a list with a negative value', () => {
    const text = edit({ 'eu:': '  eu: { grid_gco2_per_kwh: [100, 200, -5], pue: 1.2 }' });
    expectError(text, '-5]', 'regions.eu.grid_gco2_per_kwh[2]', '-5 is too small: must be >= 0');
  });

  it('a CSV file that does not exist', () => {
    const text = edit({ 'eu:': '  eu: { grid_gco2_per_kwh: { csv: no-such-grid.csv }, pue: 1.2 }' });
    expectError(
      text,
      'no-such-grid.csv',
      'regions.eu.grid_gco2_per_kwh.csv',
      'cannot read grid intensity CSV "test/fixtures/dynamics/no-such-grid.csv": file not found',
    );
  });

  it('a CSV file with a bad row: the CSV file and line', () => {
    // grid-bad.csv: line 1 a header, line 2 "0,350", line 3 "1,abc".
    const e = errorOf(edit({ 'eu:': '  eu: { grid_gco2_per_kwh: { csv: grid-bad.csv }, pue: 1.2 }' }));
    expect(e.message).toBe(
      'test/fixtures/dynamics/grid-bad.csv:3: regions.eu.grid_gco2_per_kwh.csv: bad grid intensity "abc": expected gCO2e/kWh',
    );
    expect([e.file, e.line]).toEqual(['test/fixtures/dynamics/grid-bad.csv', 3]);
  });

  it('a CSV file with a negative value', () => {
    // grid-negative.csv: "350" then "-1" on line 2 (no header).
    const e = errorOf(edit({ 'eu:': '  eu: { grid_gco2_per_kwh: { csv: grid-negative.csv }, pue: 1.2 }' }));
    expect(e.message).toBe(
      'test/fixtures/dynamics/grid-negative.csv:2: regions.eu.grid_gco2_per_kwh.csv: bad grid intensity "-1": must be >= 0',
    );
  });
});

describe('bad input: managed APIs', () => {
  it('an API serving an unknown model, with did you mean', () => {
    const text = edit({}, API({ models: 'models: [lama]' }));
    expectError(text, 'lama]', 'apis.llm-api.models[0]', 'unknown model "lama" (did you mean "llama"?)');
  });

  it('per-token prices on a non-LLM model', () => {
    const text = edit({}, API({ models: 'models: [resnet]' }));
    expectError(text, 'resnet]', 'apis.llm-api.models[0]', /per-token prices apply to LLMs; "resnet" is not one/);
  });

  it('an API without any price', () => {
    const text = edit({}, API({ price: 'price: {}' }));
    expectError(text, '{}', 'apis.llm-api.price', /give usd_per_1m_input_tokens .*or usd_per_request/);
  });

  it('a lognormal latency without cv', () => {
    const text = edit({}, API({ latency: 'latency: { lognormal: 1.5s }' }));
    expectError(text, '{ lognormal', 'apis.llm-api.latency', /missing required field "cv"/);
  });
});

describe('bad input: policy variants', () => {
  it('a variant naming an unknown pool, with did you mean', () => {
    const text = edit({ 'policies:': 'policies: [{ name: eu-only, policy: least-latency, pools: [dc/gpo] }]' });
    expectError(text, 'dc/gpo', 'policies[0].pools[0]', 'unknown pool or API "dc/gpo" (did you mean "dc/gpu"?)');
  });
});

describe('CLI validate: residency that can never be met', () => {
  it('exits 2 with one line naming services.<s>.residency at its line:col', async () => {
    let out = '';
    let err = '';
    const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t) };
    const saved = process.env.PLACESIM_DEBUG;
    delete process.env.PLACESIM_DEBUG;
    let code: number;
    try {
      code = await main(['validate', 'test/fixtures/dynamics/residency-unmet.yaml'], io);
    } finally {
      if (saved !== undefined) process.env.PLACESIM_DEBUG = saved;
    }
    expect(code).toBe(2);
    expect(out).toBe('');
    const lines = err.replace(/\n$/, '').split('\n');
    expect(lines).toHaveLength(1);
    // residency-unmet.yaml line 24: "    residency: [asia]", the list at column 16.
    expect(lines[0]).toMatch(
      /^placesim: test\/fixtures\/dynamics\/residency-unmet\.yaml:24:16: services\.chat\.residency: /,
    );
    expect(lines[0]).toContain('service "chat"');
    expect(lines[0]).toMatch(/\basia\b/);
  });
});
