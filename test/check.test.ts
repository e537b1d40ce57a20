/**
 * The pieces of `placesim check`: tolerance syntax and precedence, the flattening of a Result into metrics,
 * the comparison, and the three reporters. Inputs are built by hand, so every expectation is worked out here.
 */
import { describe, it, expect } from 'vitest';
import { InputError } from '../src/scenario/errors.js';
import { compareMetrics, unusedPoolGroups, type MetricDiff } from '../src/check/compare.js';
import { flattenResult, type Metric } from '../src/check/metrics.js';
import { renderCheckDigest, renderCheckJunit, renderCheckMarkdown, renderCheckTable } from '../src/check/render.js';
import type { CheckReport } from '../src/check/run-check.js';
import {
  DEFAULT_TOLERANCES,
  parseTolerance,
  parseToleranceFlag,
  ToleranceResolver,
  withinTolerance,
  type AppliedTolerance,
} from '../src/check/tolerance.js';

describe('tolerance syntax', () => {
  it('reads percentages as relative and plain numbers as absolute', () => {
    expect(parseTolerance('2%')).toEqual({ relative: 0.02 });
    expect(parseTolerance('0.5 %')).toEqual({ relative: 0.005 });
    expect(parseTolerance('0.01')).toEqual({ absolute: 0.01 });
    expect(parseTolerance(0)).toEqual({ absolute: 0 });
    expect(parseTolerance('1e-3')).toEqual({ absolute: 0.001 });
  });

  it.each(['', 'abc', '-1%', '2%%', '%', '1,5%', 'NaN', 'Infinity'])('rejects %j', (v) => {
    expect(() => parseTolerance(v)).toThrow(InputError);
  });

  it('rejects negative and non-finite numbers', () => {
    expect(() => parseTolerance(-0.1)).toThrow(/must be a number >= 0/);
    expect(() => parseTolerance(Number.POSITIVE_INFINITY)).toThrow(InputError);
  });

  it('splits a flag at its last "="', () => {
    expect(parseToleranceFlag('*/latency_ms/*=2%')).toEqual({
      pattern: '*/latency_ms/*',
      tolerance: { relative: 0.02 },
    });
    expect(parseToleranceFlag('a=b/x=0.5')).toEqual({ pattern: 'a=b/x', tolerance: { absolute: 0.5 } });
  });

  it.each([
    ['*/latency_ms/*', /expected pattern=value/],
    ['=2%', /pattern before "=" is empty/],
    ['*/x=two', /bad --tolerance "\*\/x=two": bad tolerance "two"/],
  ])('rejects the flag %j', (raw, message) => {
    expect(() => parseToleranceFlag(raw)).toThrow(message);
  });
});

describe('withinTolerance', () => {
  it('bounds |change| by rel × |baseline| or by the absolute value', () => {
    // 1% of 200 is 2.
    expect(withinTolerance(200, 202, { relative: 0.01 })).toBe(true);
    expect(withinTolerance(200, 198, { relative: 0.01 })).toBe(true);
    expect(withinTolerance(200, 202.01, { relative: 0.01 })).toBe(false);
    expect(withinTolerance(-200, -203, { relative: 0.01 })).toBe(false);
    expect(withinTolerance(0.5, 0.505, { absolute: 0.005 })).toBe(true);
    expect(withinTolerance(0.5, 0.5051, { absolute: 0.005 })).toBe(false);
  });

  it('allows no move from a zero baseline under a relative bound, and none at all when exact', () => {
    expect(withinTolerance(0, 1e-9, { relative: 0.5 })).toBe(false);
    expect(withinTolerance(7, 7, { absolute: 0 })).toBe(true);
    expect(withinTolerance(7, 8, { absolute: 0 })).toBe(false);
  });
});

describe('tolerance precedence', () => {
  const metric = 'chatbot-seoul/edge-first/services/chat/latency_ms/p99';

  it('falls back to the default of the metric kind', () => {
    const r = new ToleranceResolver([], []);
    expect(r.resolve(metric, 'latency')).toEqual({ relative: 0.01, source: 'default', pattern: 'latency' });
    expect(r.resolve('x/p/events', 'exact')).toEqual({ absolute: 0, source: 'default', pattern: 'exact' });
  });

  it('documents the defaults of the issue', () => {
    expect(DEFAULT_TOLERANCES.cost).toEqual({ relative: 0.001 });
    expect(DEFAULT_TOLERANCES.latency).toEqual({ relative: 0.01 });
    expect(DEFAULT_TOLERANCES.count).toEqual({ relative: 0.005 });
    expect(DEFAULT_TOLERANCES.fraction).toEqual({ absolute: 0.005 });
    expect(DEFAULT_TOLERANCES.exact).toEqual({ absolute: 0 });
  });

  it('picks the most specific matching pattern within a level, the later one on a tie', () => {
    const r = new ToleranceResolver(
      [],
      [
        { pattern: '*', tolerance: { relative: 0.5 } },
        { pattern: '*/latency_ms/p99', tolerance: { relative: 0.03 } },
        { pattern: '*/latency_ms/*', tolerance: { relative: 0.02 } },
        { pattern: '*/services/*', tolerance: { relative: 0.04 } },
      ],
    );
    // "*/latency_ms/p99" has 15 literal characters, "*/latency_ms/*" 12, "*/services/*" 10.
    expect(r.resolve(metric, 'latency')).toMatchObject({
      relative: 0.03,
      source: 'scenario',
      pattern: '*/latency_ms/p99',
    });
    expect(r.resolve(metric.replace('p99', 'p50'), 'latency')).toMatchObject({
      relative: 0.02,
      pattern: '*/latency_ms/*',
    });
    expect(r.resolve('s/p/totals/cost_usd/total', 'cost')).toMatchObject({ relative: 0.5, pattern: '*' });

    const tie = new ToleranceResolver(
      [
        { pattern: '*/p99', tolerance: { relative: 0.1 } },
        { pattern: '*/p99', tolerance: { relative: 0.2 } },
      ],
      [],
    );
    expect(tie.resolve(metric, 'latency')).toMatchObject({ relative: 0.2, source: 'flag' });
  });

  it('lets any matching flag beat any matching scenario pattern, however specific', () => {
    const r = new ToleranceResolver(
      [{ pattern: '*', tolerance: { absolute: 1 } }],
      [{ pattern: 'chatbot-seoul/edge-first/services/chat/latency_ms/p99', tolerance: { relative: 0.03 } }],
    );
    expect(r.resolve(metric, 'latency')).toEqual({ absolute: 1, source: 'flag', pattern: '*' });
  });

  it('matches "*" across "/" and the rest literally (regex characters included)', () => {
    const r = new ToleranceResolver([{ pattern: 's/p/pools/site/pool(1)/cost_usd', tolerance: { absolute: 3 } }], []);
    expect(r.resolve('s/p/pools/site/pool(1)/cost_usd', 'cost').source).toBe('flag');
    expect(r.resolve('s/p/pools/site/pool1/cost_usd', 'cost').source).toBe('default');
    const star = new ToleranceResolver([{ pattern: 's/*/events', tolerance: { absolute: 3 } }], []);
    expect(star.resolve('s/a/b/c/events', 'exact').source).toBe('flag');
    expect(star.resolve('t/a/events', 'exact').source).toBe('default');
  });

  it('reports patterns that matched nothing', () => {
    const r = new ToleranceResolver(
      [{ pattern: '*/typo', tolerance: { absolute: 1 } }],
      [{ pattern: '*/events', tolerance: { absolute: 1 } }],
    );
    r.resolve('s/p/events', 'exact');
    expect(r.unused('flag')).toEqual(['*/typo']);
    expect(r.unused('scenario')).toEqual([]);
  });
});

/** A Result-shaped object with one policy, one service, one pool; only what flattening reads. */
function tinyResult() {
  return {
    format_version: 1,
    placesim_version: '0.0.0',
    scenario: { name: 'tiny', description: '', file: null, seed: 3, duration_s: 100, warmup_s: 10, measured_s: 90 },
    policies: [
      {
        policy: 'p',
        services: [
          {
            name: 'svc',
            arrivals: 10,
            completed: 9,
            rejected: 1,
            throughput_per_s: 0.1,
            latency_ms: { mean: 5, p50: 4, p90: 4, p95: 8, p99: 9, max: 10 },
            breakdown_ms: { network: 1, queue: 1, execution: 3 },
            ttft_ms: null,
            slo_attainment: 0.9,
            placements: { 'site/events': 9 },
            latency_cdf_ms: [{ fraction: 0.5, ms: 4 }],
          },
        ],
        pools: [
          {
            name: 'site/events',
            site: 'site',
            kind: 'edge',
            region: 'r',
            device: 'd',
            instance: null,
            units: 2,
            provisioned: true,
            servers: 2,
            utilisation: 0.25,
            batches: 9,
            mean_batch_size: 1,
            cost_usd: 1.5,
            energy_kwh: 0.2,
            carbon_kg: 0.1,
          },
        ],
        totals: { cost_usd: { total: 1.5 }, egress_gb: 0, projection_30d: { cost_usd: 100, requests: 500 } },
        conservation: { arrivals: 11, completed: 9, rejected: 1, in_flight: 1 },
        uplinks: [{ site: 'site', downtime_s: 12.5, outages: 1, buffered: 3, overflow: 0 }],
        events: 40,
        timeseries: { interval_s: 10, t_s: [0, 10], services: [], pools: [] },
      },
    ],
    pareto: ['p'],
    warnings: [],
  };
}

describe('flattenResult', () => {
  it('names every number under each policy, with its kind and group, and skips series, CDF and strings', () => {
    const m = flattenResult(tinyResult());
    const kinds = Object.fromEntries([...m].map(([k, v]) => [k, v.kind]));
    expect(kinds).toEqual({
      'tiny/scenario/seed': 'exact',
      'tiny/scenario/duration_s': 'exact',
      'tiny/scenario/warmup_s': 'exact',
      'tiny/scenario/measured_s': 'exact',
      'tiny/p/services/svc/arrivals': 'count',
      'tiny/p/services/svc/completed': 'count',
      'tiny/p/services/svc/rejected': 'count',
      'tiny/p/services/svc/throughput_per_s': 'count',
      'tiny/p/services/svc/latency_ms/mean': 'latency',
      'tiny/p/services/svc/latency_ms/p50': 'latency',
      'tiny/p/services/svc/latency_ms/p90': 'latency',
      'tiny/p/services/svc/latency_ms/p95': 'latency',
      'tiny/p/services/svc/latency_ms/p99': 'latency',
      'tiny/p/services/svc/latency_ms/max': 'latency',
      'tiny/p/services/svc/breakdown_ms/network': 'latency',
      'tiny/p/services/svc/breakdown_ms/queue': 'latency',
      'tiny/p/services/svc/breakdown_ms/execution': 'latency',
      'tiny/p/services/svc/ttft_ms': 'latency',
      'tiny/p/services/svc/slo_attainment': 'fraction',
      // A pool named "events" stays a count where it is a placement key.
      'tiny/p/services/svc/placements/site/events': 'count',
      'tiny/p/pools/site/events/units': 'count',
      'tiny/p/pools/site/events/provisioned': 'exact',
      'tiny/p/pools/site/events/servers': 'count',
      'tiny/p/pools/site/events/utilisation': 'fraction',
      'tiny/p/pools/site/events/batches': 'count',
      'tiny/p/pools/site/events/mean_batch_size': 'count',
      'tiny/p/pools/site/events/cost_usd': 'cost',
      'tiny/p/pools/site/events/energy_kwh': 'cost',
      'tiny/p/pools/site/events/carbon_kg': 'cost',
      'tiny/p/totals/cost_usd/total': 'cost',
      'tiny/p/totals/egress_gb': 'cost',
      'tiny/p/totals/projection_30d/cost_usd': 'cost',
      'tiny/p/totals/projection_30d/requests': 'count',
      'tiny/p/conservation/arrivals': 'count',
      'tiny/p/conservation/completed': 'count',
      'tiny/p/conservation/rejected': 'count',
      'tiny/p/conservation/in_flight': 'count',
      // Listed by site, not name.
      'tiny/p/uplinks/site/downtime_s': 'count',
      'tiny/p/uplinks/site/outages': 'count',
      'tiny/p/uplinks/site/buffered': 'count',
      'tiny/p/uplinks/site/overflow': 'count',
      'tiny/p/events': 'exact',
    });
    expect(m.get('tiny/p/pools/site/events/provisioned')?.value).toBe(1);
    expect(m.get('tiny/p/services/svc/ttft_ms')?.value).toBeNull();
    expect(m.get('tiny/p/services/svc/latency_ms/p99')?.group).toBe('p/services/svc');
    expect(m.get('tiny/p/pools/site/events/cost_usd')?.group).toBe('p/pools/site/events');
    expect(m.get('tiny/p/totals/egress_gb')?.group).toBe('p/totals');
    expect(m.get('tiny/p/events')?.group).toBe('p/events');
    expect(m.get('tiny/p/uplinks/site/outages')?.group).toBe('p/uplinks/site');
  });

  it.each([
    [null, /not a JSON object/],
    [[], /not a JSON object/],
    [{ policies: [] }, /no scenario.name/],
    [{ scenario: { name: 'x' } }, /no "policies" list/],
    [{ scenario: { name: 'x' }, policies: [{}] }, /policies\[0\] has no "policy" name/],
  ])('rejects a value that is not a Result: %j', (value, message) => {
    expect(() => flattenResult(value)).toThrow(message);
  });
});

function metrics(entries: [string, number | null, Metric['kind']][]): Map<string, Metric> {
  return new Map(
    entries.map(([name, value, kind]) => [name, { value, kind, group: name.split('/').slice(1, 3).join('/') }]),
  );
}

describe('compareMetrics', () => {
  const baseline = metrics([
    ['s/p/cost', 100, 'cost'],
    ['s/p/lat', 200, 'latency'],
    ['s/p/util', 0.5, 'fraction'],
    ['s/p/same', 7, 'count'],
    ['s/p/gone', 1, 'count'],
    ['s/p/nulled', 3, 'latency'],
  ]);
  const current = metrics([
    ['s/p/cost', 100.2, 'cost'], // +0.2%: past the 0.1% of costs
    ['s/p/lat', 201, 'latency'], // +0.5%: within 1%
    ['s/p/util', 0.504, 'fraction'], // +0.004: within 0.005
    ['s/p/same', 7, 'count'],
    ['s/p/nulled', null, 'latency'],
    ['s/p/new', 5, 'count'],
  ]);
  const { diffs, groups } = compareMetrics(baseline, current, new ToleranceResolver([], []));
  const by = (m: string) => diffs.find((d) => d.metric === m)!;

  it('lists only what moved, with verdicts', () => {
    expect(diffs.map((d) => [d.metric, d.verdict])).toEqual([
      ['s/p/cost', 'exceeded'],
      ['s/p/lat', 'within'],
      ['s/p/util', 'within'],
      ['s/p/nulled', 'exceeded'],
      ['s/p/new', 'added'],
      ['s/p/gone', 'removed'],
    ]);
  });

  it('gives the change and the relative change', () => {
    expect(by('s/p/cost').change).toBeCloseTo(0.2, 12);
    expect(by('s/p/cost').relative).toBeCloseTo(0.002, 12);
    expect(by('s/p/lat').relative).toBeCloseTo(0.005, 12);
    expect(by('s/p/nulled')).toMatchObject({ baseline: 3, current: null, change: null, relative: null });
    expect(by('s/p/new').baseline).toBeUndefined();
    expect('current' in by('s/p/gone')).toBe(false);
  });

  it('counts the union of both sides per group', () => {
    expect(groups).toEqual([
      { name: 'p/cost', metrics: 1 },
      { name: 'p/lat', metrics: 1 },
      { name: 'p/util', metrics: 1 },
      { name: 'p/same', metrics: 1 },
      { name: 'p/nulled', metrics: 1 },
      { name: 'p/new', metrics: 1 },
      { name: 'p/gone', metrics: 1 },
    ]);
  });
});

describe('compareMetrics on pools the policy does not use', () => {
  const pool = (policy: string, name: string, provisioned: number, servers: number): [string, Metric][] => [
    [`s/${policy}/pools/${name}/provisioned`, { value: provisioned, kind: 'exact', group: `${policy}/pools/${name}` }],
    [`s/${policy}/pools/${name}/servers`, { value: servers, kind: 'count', group: `${policy}/pools/${name}` }],
  ];
  const baseline = new Map([
    ...pool('cloud-only', 'store/orin', 0, 4),
    ...pool('cloud-only', 'aws/t4', 1, 2),
    ...pool('edge-only', 'aws/t4', 0, 2),
    ...pool('edge-only', 'store/orin', 1, 4),
  ]);
  // Replicas change in every pool (a scenario change); provisioning changes for one.
  const current = new Map([
    ...pool('cloud-only', 'store/orin', 0, 6),
    ...pool('cloud-only', 'aws/t4', 1, 3),
    ...pool('edge-only', 'aws/t4', 1, 3),
    ...pool('edge-only', 'store/orin', 1, 6),
  ]);

  it('finds the pools unprovisioned on every side', () => {
    expect([...unusedPoolGroups(baseline, current)]).toEqual(['cloud-only/pools/store/orin']);
  });

  it('does not flag them, but still counts them and flags a pool that became provisioned', () => {
    const { diffs, groups } = compareMetrics(baseline, current, new ToleranceResolver([], []));
    expect(diffs.map((d) => d.metric)).toEqual([
      's/cloud-only/pools/aws/t4/servers',
      's/edge-only/pools/aws/t4/provisioned',
      's/edge-only/pools/aws/t4/servers',
      's/edge-only/pools/store/orin/servers',
    ]);
    expect(groups.reduce((n, g) => n + g.metrics, 0)).toBe(8);
  });
});

// ------------------------------------------------------------------------------------------------ reporters

const tol = (t: Partial<AppliedTolerance>): AppliedTolerance => ({ source: 'default', pattern: 'cost', ...t });

function diff(d: Partial<MetricDiff> & Pick<MetricDiff, 'metric' | 'group' | 'verdict'>): MetricDiff {
  return { kind: 'cost', change: null, relative: null, tolerance: tol({ relative: 0.001 }), ...d };
}

/** Two scenarios: one failing (a name full of XML and Markdown specials), one passing. */
function sampleReport(): CheckReport {
  const evil = 'a<b>&"c"|\'d\'';
  return {
    failed: true,
    notes: ['--tolerance pattern "*/typo" matches no metric'],
    scenarios: [
      {
        file: `scenarios/${evil}.yaml`,
        name: evil,
        baseline: `results/${evil}.json`,
        status: 'fail',
        metrics: 5,
        time_s: 0.25,
        notes: [],
        groups: [
          { name: 'p/totals', metrics: 2 },
          { name: 'p/services/s|1', metrics: 2 },
          { name: 'p/events', metrics: 1 },
        ],
        diffs: [
          diff({
            metric: `${evil}/p/totals/cost_usd/total`,
            group: 'p/totals',
            verdict: 'exceeded',
            baseline: 100,
            current: 102,
            change: 2,
            relative: 0.02,
          }),
          diff({
            metric: `${evil}/p/services/s|1/latency_ms/p99`,
            group: 'p/services/s|1',
            kind: 'latency',
            verdict: 'within',
            baseline: 10,
            current: 10.05,
            change: 0.05,
            relative: 0.005,
            tolerance: tol({ relative: 0.01, pattern: 'latency' }),
          }),
          diff({ metric: `${evil}/p/services/s|1/foo`, group: 'p/services/s|1', verdict: 'removed', baseline: 3 }),
        ],
      },
      {
        file: 'scenarios/ok.yaml',
        name: 'ok',
        baseline: 'results/ok.json',
        status: 'pass',
        metrics: 3,
        time_s: 0.5,
        notes: [],
        groups: [
          { name: 'q/events', metrics: 1 },
          { name: 'q/totals', metrics: 2 },
        ],
        diffs: [],
      },
    ],
  };
}

/**
 * A small well-formedness check: every tag closes in order, attribute values are quoted, and text holds no
 * raw "<" or unescaped "&". Returns the element names in document order.
 */
function parseXml(xml: string): { name: string; attrs: Record<string, string>; text: string }[] {
  const body = xml.replace(/^<\?xml [^?]*\?>\n/, '');
  const stack: string[] = [];
  const elements: { name: string; attrs: Record<string, string>; text: string }[] = [];
  const token = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/g;
  let pos = 0;
  for (let m = token.exec(body); m !== null; m = token.exec(body)) {
    if (m.index !== pos) throw new Error(`unparsable XML at ${pos}: ${body.slice(pos, pos + 40)}`);
    pos = token.lastIndex;
    const [, close, name, attrText, selfClose, text] = m;
    if (text !== undefined) {
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(text)) throw new Error(`raw & in text: ${text}`);
      if (stack.length > 0) elements[elements.length - 1].text += text;
      continue;
    }
    if (close) {
      if (stack.pop() !== name) throw new Error(`mismatched </${name}>`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of attrText.matchAll(/([\w:-]+)="([^"]*)"/g)) {
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(a[2])) throw new Error(`raw & in attribute ${a[1]}`);
      attrs[a[1]] = a[2];
    }
    elements.push({ name, attrs, text: '' });
    if (!selfClose) stack.push(name);
  }
  if (pos !== body.length || stack.length !== 0) throw new Error(`unclosed: ${stack.join(' > ')}`);
  return elements;
}

const unescape = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

describe('renderCheckJunit', () => {
  const xml = renderCheckJunit(sampleReport());
  const els = parseXml(xml);

  it('is well-formed, one testsuite per scenario and one testcase per metric group', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    const suites = els.filter((e) => e.name === 'testsuite');
    expect(suites.map((s) => unescape(s.attrs.name))).toEqual(['a<b>&"c"|\'d\'', 'ok']);
    expect(suites.map((s) => [s.attrs.tests, s.attrs.failures])).toEqual([
      ['3', '2'],
      ['2', '0'],
    ]);
    expect(els.filter((e) => e.name === 'testcase').length).toBe(5);
    const root = els[0];
    expect([root.name, root.attrs.tests, root.attrs.failures]).toEqual(['testsuites', '5', '2']);
  });

  it('fails the groups with a metric past tolerance or removed, carrying the diff', () => {
    const failures = els.filter((e) => e.name === 'failure');
    expect(failures.length).toBe(2);
    const text = failures.map((f) => unescape(f.text)).join('\n');
    expect(text).toContain(
      'a<b>&"c"|\'d\'/p/totals/cost_usd/total: 100 → 102 (+2 (+2%)), tolerance ±0.1% (default cost): EXCEEDED',
    );
    expect(text).toContain('/p/services/s|1/foo: 3 → — (removed)');
    // The within-tolerance move is information, not a failure.
    expect(text).not.toContain('latency_ms/p99');
    expect(
      els.some(
        (e) =>
          e.name === 'system-out' &&
          unescape(e.text).includes(
            'latency_ms/p99: 10 → 10.05 (+0.05 (+0.5%)), tolerance ±1% (default latency): within',
          ),
      ),
    ).toBe(true);
  });
});

describe('renderCheckMarkdown', () => {
  const md = renderCheckMarkdown(sampleReport());
  const lines = md.split('\n');

  it('opens with a verdict and a summary table of every scenario', () => {
    expect(lines[0]).toBe('## placesim check: ❌ 1 of 2 scenarios moved past tolerance');
    const i = lines.indexOf('| scenario | file | baseline | status | metrics | moved | past tolerance |');
    expect(i).toBeGreaterThan(0);
    expect(lines[i + 2]).toContain('❌ fail | 5 | 3 | 2 |');
    expect(lines[i + 3]).toBe('| `ok` | `scenarios/ok.yaml` | `results/ok.json` | ✅ pass | 3 | 0 | 0 |');
  });

  it('keeps each table row to its columns: "|" escaped, "<" as an entity', () => {
    for (const table of [7, 6]) {
      const rows = lines.filter((l) => l.startsWith('|') && l.split(/(?<!\\)\|/).length - 2 === table);
      expect(rows.length).toBeGreaterThan(0);
    }
    for (const l of lines.filter((x) => x.startsWith('|'))) {
      const cells = l.split(/(?<!\\)\|/).length - 2;
      expect([6, 7]).toContain(cells);
    }
    expect(md).not.toMatch(/<b>/);
    expect(md).toContain('`a&lt;b&gt;&"c"\\|\'d\'/p/totals/cost_usd/total`');
  });

  it('lists failures first, in bold', () => {
    const rows = lines.filter((l) => l.startsWith('| `a') && l.includes('/p/'));
    expect(rows.map((r) => r.split(/(?<!\\)\| /).pop())).toEqual(['**EXCEEDED** |', '**REMOVED** |', 'within |']);
  });
});

describe('renderCheckTable', () => {
  it('prints a row per moved metric and a closing count that no CI runner mistakes for its own', () => {
    const text = renderCheckTable(sampleReport());
    expect(text).toMatch(/^FAIL {4}a<b>/m);
    expect(text).toMatch(/total +100 +102 +\+2 \(\+2%\) +±0\.1% \(default cost\) +EXCEEDED/);
    expect(text).toContain('PASS    ok (scenarios/ok.yaml vs results/ok.json): no metric moved (3 compared)');
    expect(text.trimEnd().split('\n').pop()).toBe('2 scenarios checked: 1 pass, 1 fail');
    expect(text).not.toMatch(/^\s*(\w+:\s*)?\d+ passed, \d+ failed/m);
  });
});

describe('renderCheckDigest', () => {
  it('comes first: per scenario that moved, its count and largest moves, failures first', () => {
    const text = renderCheckTable(sampleReport());
    const digest = renderCheckDigest(sampleReport());
    expect(text.startsWith(digest)).toBe(true);
    const lines = digest.trimEnd().split('\n');
    expect(lines[0]).toBe('digest (the full table follows):');
    expect(lines[1]).toBe('  FAIL    a<b>&"c"|\'d\': 3 of 5 metrics moved, 2 past tolerance or removed');
    // Removed (no relative change) ranks above +2%; the move within tolerance comes last.
    expect(lines[2]).toMatch(/^ {6}p\/services\/s\|1\/foo +3 → — +removed +REMOVED$/);
    expect(lines[3]).toMatch(/^ {6}p\/totals\/cost_usd\/total +100 → 102 +\+2 \(\+2%\) +EXCEEDED$/);
    expect(lines[4]).toMatch(/latency_ms\/p99 +10 → 10\.05 +\+0\.05 \(\+0\.5%\) +within$/);
    // The passing scenario moved nothing: not in the digest.
    expect(digest).not.toContain(' ok');
  });

  it('names at most three moves and says how many more', () => {
    const report = sampleReport();
    const s = report.scenarios[0];
    s.diffs = Array.from({ length: 10 }, (_, i) =>
      diff({
        metric: `m${i}`,
        group: 'p/totals',
        verdict: 'within',
        baseline: 100,
        current: 100 + i,
        change: i,
        relative: i / 100,
      }),
    );
    const lines = renderCheckDigest(report).trimEnd().split('\n');
    expect(lines.slice(2, 5).map((l) => l.trim().split(/ +/)[0])).toEqual(['m9', 'm8', 'm7']);
    expect(lines[5]).toBe('      … and 7 more');
  });

  it('is empty when nothing moved', () => {
    const report = sampleReport();
    report.scenarios = [report.scenarios[1]];
    expect(renderCheckDigest(report)).toBe('');
  });
});
