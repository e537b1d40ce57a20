import { describe, it, expect } from 'vitest';
import { InputError, loadScenarioFile, loadScenarioText } from '../src/scenario/index.js';

// A valid scenario; each test breaks one line. Line numbers are fixed, so the expected line:col in each
// message is counted by hand from this text.
const BASE = `name: t
duration: 1h
regions:
  us-east: {}
  ap-northeast-2: { pue: 1.2 }
sites:
  cloud:
    kind: cloud
    region: us-east
    pools:
      gpu: { instance: aws/g5.xlarge, replicas: 2 }
  edge:
    kind: edge
    region: ap-northeast-2
    pools:
      orin: { device: jetson-agx-orin-64gb, count: 4, capex_usd: 1999, lifetime: 3y }
users:
  seoul:
    region: ap-northeast-2
    access_rtt: { edge: 8ms, cloud: 25ms }
models:
  llama: { params: 8.03e9 }
services:
  chat:
    model: llama
    users: seoul
    arrivals: { poisson: 6/s }
    request: { input_tokens: 400, output_tokens: 150 }
policies: [cloud-only, edge-only]
`;

/** BASE with 1-based lines replaced (null deletes the line) and text appended. */
function edit(lines: Record<number, string | null>, append = ''): string {
  return (
    BASE.split('\n')
      .flatMap((l, i) => {
        const r = lines[i + 1];
        return r === undefined ? [l] : r === null ? [] : [r];
      })
      .join('\n') + append
  );
}

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

const load = (text: string, file = 'scenarios/t.yaml') => errorOf(() => loadScenarioText(text, file));

describe('bad scenario input', () => {
  it('the base scenario is valid', () => {
    expect(loadScenarioText(BASE, 'scenarios/t.yaml').name).toBe('t');
  });

  it('YAML syntax error, at the line:col the yaml parser reports', () => {
    const e = load(edit({ 27: '    arrivals: "6/s' }));
    expect(e.message).toBe('scenarios/t.yaml:30:1: YAML syntax error: Missing closing "quote');
    expect([e.file, e.line, e.col]).toEqual(['scenarios/t.yaml', 30, 1]);
  });

  it('JSON syntax error says JSON', () => {
    const e = load('{"name": "x", ', 'a.json');
    expect(e.message).toMatch(/^a\.json:1:15: JSON syntax error: /);
  });

  it('unknown field, with did you mean, at the key', () => {
    const e = load(edit({ 27: '    arival: { poisson: 6/s }' }));
    // The missing "arrivals" is the second issue.
    expect(e.message).toBe(
      'scenarios/t.yaml:27:5: services.chat: unknown field "arival" (did you mean "arrivals"?) (and 1 more)',
    );
    expect(e.path).toEqual(['services', 'chat']);
    expect([e.line, e.col]).toEqual([27, 5]);
  });

  it('unknown top-level field', () => {
    const e = load(edit({}, 'sead: 3\n'));
    expect(e.message).toBe('scenarios/t.yaml:30:1: unknown field "sead" (did you mean "seed"?)');
  });

  it('unknown field inside a list item', () => {
    const e = load(edit({ 26: '    users: [{ user: seoul, wieght: 1 }]' }));
    expect(e.message).toBe(
      'scenarios/t.yaml:26:28: services.chat.users[0]: unknown field "wieght" (did you mean "weight"?) (and 1 more)',
    );
  });

  it('bad unit', () => {
    const e = load(edit({ 2: 'duration: 1 hour' }));
    expect(e.message).toBe(
      'scenarios/t.yaml:2:11: duration: bad duration "1 hour": unknown unit "hour"; use one of ns, us, µs, ms, s, m, min, h, d, w, y',
    );
    expect(e.path).toEqual(['duration']);
  });

  it('bare number where a unit is needed says which unit', () => {
    const e = load(edit({ 20: '    access_rtt: { edge: 8, cloud: 25ms }' }));
    expect(e.message).toMatch(
      /^scenarios\/t\.yaml:20:25: users\.seoul\.access_rtt\.edge: bad duration 8: a bare number needs a unit, e\.g\. "8s"/,
    );
  });

  it('unknown catalog device and instance ids, with did you mean', () => {
    let e = load(edit({ 16: '      orin: { device: jetson-agx-orin, count: 4, capex_usd: 1999, lifetime: 3y }' }));
    expect(e.message).toBe(
      'scenarios/t.yaml:16:23: sites.edge.pools.orin.device: unknown catalog device "jetson-agx-orin" (did you mean "jetson-agx-orin-64gb"?)',
    );
    e = load(edit({ 11: '      gpu: { instance: aws/g5.xlarg, replicas: 2 }' }));
    expect(e.message).toBe(
      'scenarios/t.yaml:11:24: sites.cloud.pools.gpu.instance: unknown catalog instance "aws/g5.xlarg" (did you mean "aws/g5.xlarge"?)',
    );
  });

  it('unknown region, user and model references, with did you mean', () => {
    expect(load(edit({ 9: '    region: us-est' })).message).toBe(
      'scenarios/t.yaml:9:13: sites.cloud.region: unknown region "us-est" (did you mean "us-east"?)',
    );
    expect(load(edit({ 26: '    users: seol' })).message).toBe(
      'scenarios/t.yaml:26:12: services.chat.users: unknown user group "seol" (did you mean "seoul"?)',
    );
    expect(load(edit({ 25: '    model: lama' })).message).toBe(
      'scenarios/t.yaml:25:12: services.chat.model: unknown model "lama" (did you mean "llama"?)',
    );
    expect(load(edit({}, 'network: { rtt: { us-east <-> ap-northest-2: 10ms } }\n')).message).toBe(
      'scenarios/t.yaml:30:46: network.rtt."us-east <-> ap-northest-2": unknown region "ap-northest-2" (did you mean "ap-northeast-2"?)',
    );
  });

  it('zero and negative rates', () => {
    expect(load(edit({ 27: '    arrivals: { poisson: 0/s }' })).message).toBe(
      'scenarios/t.yaml:27:26: services.chat.arrivals.poisson: bad rate "0/s": must be > 0',
    );
    const e = load(edit({ 27: '    arrivals: { poisson: -3/s }' }));
    expect(e.message).toBe('scenarios/t.yaml:27:26: services.chat.arrivals.poisson: bad rate "-3/s": must be > 0');
    expect(e.path).toEqual(['services', 'chat', 'arrivals', 'poisson']);
  });

  it('missing required fields, at the enclosing mapping', () => {
    expect(load(edit({ 2: null })).message).toBe('scenarios/t.yaml:1:1: missing required field "duration"');
    const e = load(edit({ 27: null }));
    expect(e.message).toBe('scenarios/t.yaml:25:5: services.chat: missing required field "arrivals"');
    expect(e.path).toEqual(['services', 'chat']);
    expect(load(edit({ 28: '    request: { input_tokens: 400 }' })).message).toBe(
      'scenarios/t.yaml:28:14: services.chat.request: missing required field "output_tokens" (service "chat" runs an LLM)',
    );
  });

  it('warmup not shorter than duration', () => {
    const e = load(edit({ 2: 'duration: 1h\nwarmup: 60m' }));
    expect(e.message).toBe('scenarios/t.yaml:3:9: warmup: 3600 s must be shorter than duration (3600 s)');
  });

  it('duplicate key', () => {
    const e = load(edit({ 26: '    users: seoul\n    users: seoul' }));
    expect(e.message).toBe('scenarios/t.yaml:27:5: duplicate key "users"');
    expect(load('{"name": "x", "name": 1}', 'a.json').message).toBe('a.json:1:15: duplicate key "name"');
  });

  it('file not found names the file', () => {
    const e = errorOf(() => loadScenarioFile('no/such/scenario.yaml'));
    expect(e.message).toBe('no/such/scenario.yaml: cannot read scenario: file not found');
    expect(e.file).toBe('no/such/scenario.yaml');
  });

  it('unknown policy, with did you mean', () => {
    const e = load(edit({ 29: 'policies: [cloud-only, edge-frist]' }));
    expect(e.message).toBe(
      'scenarios/t.yaml:29:24: policies[1]: unknown policy "edge-frist" (did you mean "edge-first"?)',
    );
    expect(errorOf(() => loadScenarioText(BASE, 't.yaml', { policies: ['lowest-carbn'] })).message).toBe(
      'unknown policy "lowest-carbn" (did you mean "lowest-carbon"?)',
    );
  });

  it('an RTT that is needed and unknown names network.rtt and the pair', () => {
    const e = load(
      edit({
        4: '  mars: { grid_gco2_per_kwh: 100, pue: 1.1 }',
        9: '    region: mars',
        11: '      gpu: { instance: aws/g5.xlarge, replicas: 2, usd_per_hour: 1 }',
      }),
    );
    expect(e.message).toBe(
      'scenarios/t.yaml:1:1: network: no RTT for "mars <-> ap-northeast-2" (not in the catalog); give it, e.g. rtt: { "mars <-> ap-northeast-2": 50ms }',
    );
  });

  it('a region outside the catalog must give grid and PUE', () => {
    const e = load(edit({ 4: '  mars: { pue: 1.1 }', 9: '    region: mars' }));
    expect(e.message).toMatch(
      /^scenarios\/t\.yaml:4:9: regions\.mars: missing required field "grid_gco2_per_kwh": "mars" is not a catalog region/,
    );
    expect(load(edit({ 5: '  ap-northeast-2: { pue: 0.9 }' })).message).toBe(
      'scenarios/t.yaml:5:26: regions.ap-northeast-2.pue: 0.9 is too small: must be >= 1',
    );
  });

  it('a missing price suggests usd_per_hour', () => {
    const e = load(
      edit({
        9: '    region: ap-northeast-2',
        11: '      gpu: { instance: aws/g5.xlarge, replicas: 2, pricing: spot }',
      }),
    );
    expect(e.message).toMatch(
      /^scenarios\/t\.yaml:11:61: sites\.cloud\.pools\.gpu\.pricing: no spot price for "aws\/g5\.xlarge" in region "ap-northeast-2" .*; give usd_per_hour$/,
    );
  });

  it('structural mistakes never leak a zod error', () => {
    const cases = [
      edit({ 23: 'services: 5', 24: null, 25: null, 26: null, 27: null, 28: null }),
      edit({ 5: '  ap-northeast-2:' }),
      edit({ 3: 'regions: [us-east]' }),
      edit({ 26: '    users: []' }),
      edit({ 26: '    users: 7' }),
      edit({ 11: '      gpu: { instance: aws/g5.xlarge, replicas: 1.5 }' }),
      edit({ 8: '    kind: fog' }),
      '- a\n- b\n',
      '',
      'name: x\n---\nname: y\n',
    ];
    const messages = cases.map((c) => load(c).message);
    for (const m of messages) {
      expect(m).toMatch(/^scenarios\/t\.yaml(:\d+:\d+)?: /);
      expect(m).not.toMatch(/Invalid input|ZodError|received|\n/);
    }
    expect(messages[1]).toBe('scenarios/t.yaml:5:18: regions.ap-northeast-2: expected a mapping, got null (empty)');
    expect(messages[4]).toBe(
      'scenarios/t.yaml:26:12: services.chat.users: expected a user group name or a list of { user, weight }',
    );
    expect(messages[5]).toBe('scenarios/t.yaml:11:49: sites.cloud.pools.gpu.replicas: expected an integer, got 1.5');
    expect(messages[6]).toBe(
      'scenarios/t.yaml:8:11: sites.cloud.kind: bad value "fog": expected one of cloud, edge, device',
    );
  });

  it('cross-field rules point at the field', () => {
    expect(
      load(
        edit({ 28: '    request: { input_tokens: 400, output_tokens: 150 }\n    service_time: { exponential: 10ms }' }),
      ).message,
    ).toBe('scenarios/t.yaml:25:5: services.chat: give either model or service_time, not both');
    expect(load(edit({ 27: '    arrivals: { poisson: 6/s, constant: 2/s }' })).message).toBe(
      'scenarios/t.yaml:27:15: services.chat.arrivals: give exactly one of poisson, constant, profile, trace, closed, offline (got poisson, constant)',
    );
    expect(load(edit({ 16: '      orin: { device: jetson-agx-orin-64gb, count: 4, capex_usd: 1999 }' })).message).toBe(
      'scenarios/t.yaml:16:13: sites.edge.pools.orin: missing required field "lifetime" (the period capex_usd is amortised over, e.g. "3y")',
    );
    expect(load(edit({ 25: '    service_time: { exponential: 10ms }', 28: '    slo: { ttft: 1s }' })).message).toBe(
      'scenarios/t.yaml:28:18: services.chat.slo.ttft: a time-to-first-token SLO applies to LLM services only',
    );
  });

  it('a bad trace row gives the CSV file and line', () => {
    const text = edit({ 27: '    arrivals: { trace: traces/bad-row.csv }' });
    const e = errorOf(() => loadScenarioText(text, 'test/fixtures/scenario/t.yaml'));
    expect(e.message).toBe(
      'test/fixtures/scenario/traces/bad-row.csv:4: services.chat.arrivals.trace: bad arrival time "abc": expected a number of seconds',
    );
    expect([e.file, e.line]).toEqual(['test/fixtures/scenario/traces/bad-row.csv', 4]);
    const d = errorOf(() =>
      loadScenarioText(edit({ 27: '    arrivals: { trace: traces/decreasing.csv }' }), 'test/fixtures/scenario/t.yaml'),
    );
    expect(d.message).toBe(
      'test/fixtures/scenario/traces/decreasing.csv:4: services.chat.arrivals.trace: bad arrival time "1.5": times must not decrease (previous 2)',
    );
    const m = errorOf(() =>
      loadScenarioText(edit({ 27: '    arrivals: { trace: traces/none.csv }' }), 'test/fixtures/scenario/t.yaml'),
    );
    expect(m.message).toBe(
      'test/fixtures/scenario/t.yaml:27:24: services.chat.arrivals.trace: cannot read trace "test/fixtures/scenario/traces/none.csv": file not found',
    );
  });

  it('a new catalog device must give every field', () => {
    const e = load(edit({}, 'catalog:\n  devices:\n    my-npu: { class: edge, memory: 8GB }\n'));
    expect(e.message).toMatch(
      /^scenarios\/t\.yaml:32:13: catalog\.devices\.my-npu: missing required field "peak_tflops" \(a new catalog device must give /,
    );
  });
});
