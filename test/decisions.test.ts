import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { builtinPolicies } from '../src/placement/builtin.js';
import type { Candidate, PlacementRequest } from '../src/placement/policy.js';
import { Decisions, loneKinds, takesLoneAvailable } from '../src/sim/decisions.js';
import { loadScenarioText } from '../src/scenario/index.js';
import { runScenario } from '../src/sim/index.js';

const num = fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.constantFrom(0, Infinity, NaN, 1e-9));
const candidate = fc.record({
  available: fc.boolean(),
  kind: fc.constantFrom('cloud', 'edge', 'device', 'api'),
  rtt_s: num,
  network_s: num,
  queue_s: num,
  exec_s: num,
  latency_s: num,
  ttft_s: num,
  cost_usd: num,
  carbon_g: num,
});
const request = fc.record({
  slo_latency_s: fc.oneof(fc.constant(null), num),
  slo_ttft_s: fc.oneof(fc.constant(null), num),
});

function view(c: Partial<Candidate>) {
  const full = {
    pool: 'p',
    poolIndex: 0,
    site: 's',
    region: 'r',
    queue_length: 0,
    busy_servers: 0,
    servers: 1,
    ...c,
  } as Candidate;
  return { now: 0, candidates: [full], gridAt: () => 100 };
}

function req(r: { slo_latency_s: number | null; slo_ttft_s: number | null }): PlacementRequest {
  return {
    service: 's',
    serviceIndex: 0,
    user: 'u',
    userIndex: 0,
    arrival_s: 0,
    input_tokens: 0,
    output_tokens: 0,
    upload_bytes: 0,
    download_bytes: 0,
    ...r,
  };
}

/**
 * classify as it was written before it read the values into a typed array (one `value` call per candidate and
 * criterion): the reference the faster one must equal, code for code.
 */
function referenceClassify(
  criterion: number,
  cands: Candidate[],
  chosen: number,
  r: PlacementRequest,
  cause: (i: number) => number,
): number {
  const [LATENCY, RTT, COST_IN_SLO, COST, ONLY, OTHER, NF] = [1, 2, 3, 4, 0, 6, 4];
  const meets = (c: Candidate) =>
    (r.slo_latency_s === null || c.latency_s <= r.slo_latency_s) && (r.slo_ttft_s === null || c.ttft_s <= r.slo_ttft_s);
  const value = (c: Candidate, k: number) =>
    k === LATENCY
      ? c.latency_s
      : k === RTT
        ? c.rtt_s
        : k === COST_IN_SLO
          ? meets(c)
            ? c.cost_usd
            : NaN
          : k === COST
            ? c.cost_usd
            : c.carbon_g;
  const best = (k: number) => {
    const v = value(cands[chosen], k);
    if (Number.isNaN(v)) return false;
    for (const c of cands) if (c.available && value(c, k) < v) return false;
    return true;
  };
  if (cands.length === 1) return 0;
  const available = cands.filter((c) => c.available).length;
  let reason: number;
  if (available === 1) reason = ONLY;
  else if (criterion >= 0 && best(criterion)) reason = criterion;
  else reason = [1, 2, 3, 4, 5].find(best) ?? OTHER;
  const k = criterion >= 0 ? criterion : reason === ONLY || reason === OTHER ? LATENCY : reason;
  const v = value(cands[chosen], k);
  let fallback = 0;
  for (let i = 0; i < cands.length; i++) {
    if (cands[i].available) continue;
    if (reason !== ONLY) {
      const w = value(cands[i], k);
      if (!(Number.isNaN(v) ? !Number.isNaN(w) : w < v)) continue;
    }
    fallback = cause(i);
    if (fallback !== 0) break;
  }
  return reason * NF + fallback;
}

describe('decisions', () => {
  it('takesLoneAvailable: each built-in it names chooses a lone candidate exactly when it is available', () => {
    const named = Object.values(builtinPolicies).filter((p) => takesLoneAvailable(p));
    expect(named.map((p) => p.name).sort()).toEqual(
      ['carbon-aware', 'edge-first', 'least-latency', 'lowest-carbon', 'nearest'].sort(),
    );
    for (const policy of named) {
      fc.assert(
        fc.property(candidate, request, (c, r) => {
          expect(policy.place(req(r), view(c))).toBe(c.available ? 0 : -1);
        }),
        { numRuns: 300 },
      );
    }
  });

  it('loneKinds: cloud-only and edge-only choose a lone candidate exactly when it is available and of their kind', () => {
    for (const [name, kind] of [
      ['cloud-only', 'cloud'],
      ['edge-only', 'edge'],
    ] as const) {
      const policy = builtinPolicies[name];
      expect(loneKinds(policy)).toBe(kind);
      expect(loneKinds({ ...policy })).toBe('none');
      fc.assert(
        fc.property(candidate, request, (c, r) => {
          expect(policy.place(req(r), view(c))).toBe(c.available && c.kind === kind ? 0 : -1);
        }),
        { numRuns: 300 },
      );
    }
    expect(loneKinds(builtinPolicies['least-latency'])).toBe(null);
    expect(loneKinds(builtinPolicies['cheapest-within-slo'])).toBe('none');
  });

  it('takesLoneAvailable: not for the others, nor for a policy of the same name that is not the built-in', () => {
    for (const name of ['cloud-only', 'edge-only', 'cheapest-within-slo'] as const)
      expect(takesLoneAvailable(builtinPolicies[name])).toBe(false);
    const own = { name: 'least-latency', place: () => -1 };
    expect(takesLoneAvailable(own)).toBe(false);
    expect(takesLoneAvailable({ ...builtinPolicies['least-latency'] })).toBe(false);
  });

  it('classify equals the reference (one value call per candidate and criterion) on random candidates', () => {
    // Values from a few, so that ties and NaN (no SLO-meeting estimate) are common.
    const few = fc.constantFrom(0, 1, 2, NaN, Infinity);
    const cand = fc.record({
      available: fc.boolean(),
      latency_s: few,
      rtt_s: few,
      ttft_s: few,
      cost_usd: few,
      carbon_g: few,
    });
    const criteria: [string, number][] = [
      ['least-latency', 1],
      ['nearest', 2],
      ['cheapest-within-slo', 3],
      ['lowest-carbon', 5],
      ['edge-first', -1],
      ['plugin', -1],
    ];
    for (const [name, criterion] of criteria) {
      const d = new Decisions(name);
      fc.assert(
        fc.property(
          fc.array(cand, { minLength: 1, maxLength: 7 }),
          fc.nat(),
          fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 7, maxLength: 7 }),
          fc.record({ slo_latency_s: fc.constantFrom(null, 0, 1, 2), slo_ttft_s: fc.constantFrom(null, 1) }),
          (cs, pick, causes, r) => {
            const cands = cs.map((c) => view(c).candidates[0]);
            const open = cands.flatMap((c, i) => (c.available ? [i] : []));
            if (open.length === 0) return;
            const chosen = open[pick % open.length];
            const cause = (i: number) => causes[i];
            expect(d.classify(cands, chosen, req(r), cause)).toBe(
              referenceClassify(criterion, cands, chosen, req(r), cause),
            );
          },
        ),
        { numRuns: 2000 },
      );
    }
  });

  it('classify: a lone (available) candidate is the only one, never a fallback', () => {
    for (const name of ['least-latency', 'cheapest-within-slo', 'plugin']) {
      const d = new Decisions(name);
      fc.assert(
        fc.property(candidate, request, (c, r) => {
          expect(d.classify(view({ ...c, available: true }).candidates, 0, req(r), () => 0)).toBe(0);
        }),
        { numRuns: 100 },
      );
    }
  });

  it('a run placing lone candidates by availability alone equals one asking the policy for every request', () => {
    // One pool with a short queue (rejections) and an outage (down): the short path must agree on every
    // placement, rejection and its cause. A copy of the built-in is not the built-in: it takes the full path.
    const text = `
name: lone
seed: 3
duration: 400s
warmup: 20s
regions:
  local: { grid_gco2_per_kwh: 100, pue: 1.0 }
sites:
  dc:
    kind: cloud
    region: local
    pools:
      servers: { device: generic-cpu, count: 2, usd_per_hour: 1, max_queue: 3 }
outages:
  - { site: dc, start: 100s, duration: 30s }
users:
  local: { region: local, access_rtt: { edge: 1ms, cloud: 5ms } }
services:
  jobs:
    users: local
    arrivals: { poisson: 150/s }
    service_time: { exponential: 12ms }
policies: [least-latency, nearest, edge-first]
`;
    const scenario = loadScenarioText(text, 'test/fixtures/lone.yaml');
    const lone = runScenario(scenario);
    const full = runScenario(scenario, {
      policies: (['least-latency', 'nearest', 'edge-first'] as const).map((n) => ({ ...builtinPolicies[n] })),
    });
    expect(lone.policies[0].conservation.rejected).toBeGreaterThan(0);
    expect(JSON.stringify(lone)).toBe(JSON.stringify(full));
  });

  it('a run whose policies can place on one candidate of several equals one asking the policy every time', () => {
    // An edge box and a cloud pool, both reachable: cloud-only and edge-only each can only ever use one of
    // them (the other is unavailable all run long), least-latency and edge-first both. With a short queue and
    // an outage of each site, every placement, rejection, cause and reason must agree with the full path.
    const text = `
name: lone-of-kind
seed: 5
duration: 400s
warmup: 20s
regions:
  local: { grid_gco2_per_kwh: 100, pue: 1.0 }
sites:
  dc:
    kind: cloud
    region: local
    pools:
      servers: { device: generic-cpu, count: 2, usd_per_hour: 1, max_queue: 3 }
  shop:
    kind: edge
    region: local
    pools:
      box: { device: generic-cpu, count: 1, usd_per_hour: 0.1, max_queue: 2 }
outages:
  - { site: dc, start: 100s, duration: 30s }
  - { site: shop, start: 200s, duration: 30s }
users:
  local: { region: local, access_rtt: { edge: 1ms, cloud: 5ms } }
services:
  jobs:
    users: local
    arrivals: { poisson: 150/s }
    service_time: { exponential: 12ms }
policies: [cloud-only, edge-only, least-latency, edge-first]
`;
    const scenario = loadScenarioText(text, 'test/fixtures/lone-of-kind.yaml');
    const names = ['cloud-only', 'edge-only', 'least-latency', 'edge-first'] as const;
    const lone = runScenario(scenario);
    const full = runScenario(scenario, { policies: names.map((n) => ({ ...builtinPolicies[n] })) });
    expect(lone.policies[0].conservation.rejected).toBeGreaterThan(0);
    expect(lone.policies[1].conservation.rejected).toBeGreaterThan(0);
    expect(JSON.stringify(lone)).toBe(JSON.stringify(full));
  });

  it('a lone candidate remembered as available is asked again whenever capacity, an uplink or a link moves', () => {
    // view.ts keeps a lone pool candidate's availability (but for its queue) while RunContext.availabilityEpoch
    // stands still. Each thing that moves it here: unit failures (serving replicas), random uplink outages of a
    // store whose cameras sit on its LAN and also reach the cloud over it, a scheduled uplink outage, and an
    // outage of the link between the two regions. Every placement, rejection and cause must agree with the
    // full path.
    const text = `
name: lone-epoch
seed: 7
duration: 600s
warmup: 20s
regions:
  east: { grid_gco2_per_kwh: 100, pue: 1.0 }
  west: { grid_gco2_per_kwh: 200, pue: 1.0 }
network:
  rtt: { "east <-> west": 40ms }
sites:
  dc:
    kind: cloud
    region: west
    pools:
      servers:
        device: generic-cpu
        count: 2
        usd_per_hour: 1
        max_queue: 4
        failures: { mtbf: 60s, mttr: 10s }
  shop:
    kind: edge
    region: east
    uplink: { mtbf: 90s, mttr: 15s, buffer: 1MB }
    pools:
      box: { device: generic-cpu, count: 1, usd_per_hour: 0.1, max_queue: 3 }
outages:
  - { uplink: shop, start: 300s, duration: 20s }
  - { link: east <-> west, start: 400s, duration: 30s }
users:
  cameras: { region: east, lan: shop, access_rtt: { edge: 1ms, cloud: 30ms } }
services:
  jobs:
    users: cameras
    arrivals: { poisson: 120/s }
    service_time: { exponential: 12ms }
policies: [cloud-only, edge-only, nearest]
`;
    const scenario = loadScenarioText(text, 'test/fixtures/lone-epoch.yaml');
    const names = ['cloud-only', 'edge-only', 'nearest'] as const;
    const lone = runScenario(scenario);
    const full = runScenario(scenario, { policies: names.map((n) => ({ ...builtinPolicies[n] })) });
    // Both kinds of refusal happen: a down candidate (failures, outages) and a full queue.
    for (const p of lone.policies) expect(p.conservation.rejected).toBeGreaterThan(0);
    expect(JSON.stringify(lone)).toBe(JSON.stringify(full));
  });
});
