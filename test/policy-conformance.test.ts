/**
 * One conformance suite that every placement policy passes: the built-ins and the example user policy in
 * examples/policies/ (loadable with --policy-module). It drives a
 * policy with hand-made views and checks the contract: an index of an available candidate or -1, -1 when
 * nothing is available, no mutation of its inputs, the same answer for the same input — and runs it in the
 * simulator against residency, an outage and a full queue.
 */
import { describe, it, expect } from 'vitest';
import { builtinPolicies, type Candidate, type PlacementRequest, type PlacementView, type Policy } from '../src/placement/index.js';
import { BUILTIN_POLICY_NAMES } from '../src/placement/names.js';
import { checkPolicyShape } from '../src/placement/plugin.js';
import { loadScenarioText } from '../src/scenario/index.js';
import { runScenario } from '../src/sim/index.js';
import type { TraceRow } from '../src/metrics/trace.js';

// The example as its module exports it — the policy itself, not the checked wrapper --policy-module runs.
const EXAMPLE = 'examples/policies/greenest-within-slo.mjs';
const exampleModule = (await import(new URL(`../${EXAMPLE}`, import.meta.url).href)) as { default: unknown };

function candidate(over: Partial<Candidate> & Pick<Candidate, 'pool' | 'kind'>): Candidate {
  const base: Candidate = {
    pool: over.pool,
    poolIndex: 0,
    site: over.pool.split('/')[0],
    kind: over.kind,
    region: 'r',
    available: true,
    rtt_s: 0.05,
    network_s: 0.06,
    queue_s: 0,
    exec_s: 0.1,
    latency_s: 0.16,
    ttft_s: 0.1,
    queue_length: 0,
    busy_servers: 0,
    servers: 1,
    cost_usd: 0.001,
    carbon_g: 0.1,
  };
  return { ...base, ...over };
}

const request: PlacementRequest = {
  service: 'chat',
  serviceIndex: 0,
  user: 'u',
  userIndex: 0,
  arrival_s: 1,
  slo_latency_s: 1,
  slo_ttft_s: null,
  input_tokens: 100,
  output_tokens: 100,
  upload_bytes: 1000,
  download_bytes: 1000,
};

const views: Record<string, PlacementView> = {
  mixed: {
    now: 1,
    candidates: [
      candidate({ pool: 'cloud/a', poolIndex: 0, kind: 'cloud', rtt_s: 0.2, latency_s: 0.5, cost_usd: 0.002, carbon_g: 0.5 }),
      candidate({ pool: 'edge/b', poolIndex: 1, kind: 'edge', rtt_s: 0.01, latency_s: 0.3, cost_usd: 0.004, carbon_g: 0.9 }),
      candidate({ pool: 'cloud/c', poolIndex: 2, kind: 'cloud', rtt_s: 0.1, latency_s: 0.4, cost_usd: 0.001, carbon_g: 0.05 }),
    ],
  },
  someUnavailable: {
    now: 1,
    candidates: [
      candidate({ pool: 'edge/b', poolIndex: 0, kind: 'edge', available: false, rtt_s: 0.001, latency_s: 0.01, cost_usd: 0, carbon_g: 0 }),
      candidate({ pool: 'cloud/a', poolIndex: 1, kind: 'cloud', rtt_s: 0.2, latency_s: 0.5 }),
      candidate({ pool: 'edge/d', poolIndex: 2, kind: 'edge', rtt_s: 0.02, latency_s: 0.2 }),
    ],
  },
  noneAvailable: {
    now: 1,
    candidates: [
      candidate({ pool: 'cloud/a', kind: 'cloud', available: false }),
      candidate({ pool: 'edge/b', kind: 'edge', available: false }),
    ],
  },
  empty: { now: 1, candidates: [] },
  sloBroken: {
    now: 1,
    candidates: [
      candidate({ pool: 'cloud/a', kind: 'cloud', latency_s: 3 }),
      candidate({ pool: 'edge/b', kind: 'edge', latency_s: 2 }),
    ],
  },
};

function conformance(name: string, make: () => Policy): void {
  describe(`policy conformance: ${name}`, () => {
    const policy = make();

    it('has its name and a place() hook', () => {
      expect(policy.name).toBe(name);
      expect(typeof policy.place).toBe('function');
    });

    for (const [viewName, view] of Object.entries(views)) {
      it(`returns -1 or an available candidate (${viewName})`, () => {
        const choice = policy.place(request, view);
        expect(Number.isInteger(choice)).toBe(true);
        if (choice !== -1) {
          expect(choice).toBeGreaterThanOrEqual(0);
          expect(choice).toBeLessThan(view.candidates.length);
          expect(view.candidates[choice].available).toBe(true);
        }
      });
    }

    it('rejects (-1) when no candidate is available, never picks an unavailable one', () => {
      expect(policy.place(request, views.noneAvailable)).toBe(-1);
      expect(policy.place(request, views.empty)).toBe(-1);
      expect(policy.place(request, views.someUnavailable)).not.toBe(0);
    });

    it('is deterministic and leaves its inputs untouched', () => {
      const before = JSON.stringify([request, views.mixed]);
      const a = policy.place(request, views.mixed);
      const b = policy.place(request, views.mixed);
      expect(a).toBe(b);
      expect(JSON.stringify([request, views.mixed])).toBe(before);
    });

    // In the simulator: residency, a site outage and a loss-making queue limit at once. Whatever the
    // policy prefers, it must keep the data in the EU, never use the site while it is down, and every
    // request must be accounted for.
    it('in a run: honours residency, never places on a down site, rejects rather than drops', () => {
      const rows: TraceRow[] = [];
      const result = runScenario(loadScenarioText(CONFORMANCE_SCENARIO, 'test/fixtures/policies/conformance.yaml'), {
        policies: [policy],
        trace: (r) => rows.push({ ...r }),
      });
      const p = result.policies[0];
      const c = p.conservation;
      expect(c.arrivals).toBe(c.completed + c.rejected + c.lost + c.in_flight);
      expect(rows.length).toBe(c.arrivals);
      for (const r of rows) {
        if (r.pool === '') continue;
        expect(['eu-edge/cpus', 'eu-cloud/cpus']).toContain(r.pool);
        const duringOutage = r.arrival_s >= 600 && r.arrival_s < 1200;
        if (duringOutage && r.outcome !== 'rejected') expect(r.pool).not.toBe('eu-edge/cpus');
      }
    });
  });
}

const CONFORMANCE_SCENARIO = `
name: conformance
duration: 30m
seed: 9
regions:
  eu-west: {}
  us-east: {}
sites:
  eu-edge:
    kind: edge
    region: eu-west
    pools:
      cpus: { device: generic-cpu, count: 2, capex_usd: 5000, lifetime: 4y, max_queue: 3 }
  eu-cloud:
    kind: cloud
    region: eu-west
    pools:
      cpus: { device: generic-cpu, count: 2, usd_per_hour: 2, max_queue: 3 }
  us-cloud:
    kind: cloud
    region: us-east
    pools:
      cpus: { device: generic-cpu, count: 8, usd_per_hour: 1 }
users:
  eu: { region: eu-west, access_rtt: { edge: 5ms, cloud: 20ms } }
services:
  s:
    users: eu
    residency: [eu-west]
    arrivals: { poisson: 30/s }
    service_time: { exponential: 100ms }
    slo: { latency: 2s }
outages:
  - { site: eu-edge, start: 10m, duration: 10m }
`;

for (const name of BUILTIN_POLICY_NAMES) conformance(name, () => builtinPolicies[name]);
conformance('greenest-within-slo', () => checkPolicyShape(exampleModule.default, 'the default export', EXAMPLE));

describe('example policy choices', () => {
  const greenest = checkPolicyShape(exampleModule.default, 'the default export', EXAMPLE);

  it('greenest-within-slo: lowest carbon within the SLO, else the fastest — never a rejection while a pool is free', () => {
    expect(greenest.place(request, views.mixed)).toBe(2); // all three meet the 1 s SLO; 2 has 0.05 g
    expect(greenest.place({ ...request, slo_latency_s: 0.35 }, views.mixed)).toBe(1); // only 1 (0.3 s) meets it
    expect(greenest.place(request, views.sloBroken)).toBe(1); // none meets it: the faster (2 s)
  });
});

describe('built-in policy choices', () => {
  const pick = (name: keyof typeof builtinPolicies, view: PlacementView, req = request) =>
    builtinPolicies[name].place(req, view);

  it('cloud-only picks the fastest cloud pool, edge-only the fastest edge pool', () => {
    expect(pick('cloud-only', views.mixed)).toBe(2);
    expect(pick('edge-only', views.mixed)).toBe(1);
    expect(pick('edge-only', views.someUnavailable)).toBe(2);
  });

  it('nearest picks the lowest RTT, least-latency the lowest estimate', () => {
    expect(pick('nearest', views.mixed)).toBe(1);
    expect(pick('least-latency', views.mixed)).toBe(1);
  });

  it('cheapest-within-slo picks the cheapest meeting the SLO, rejects when none does', () => {
    expect(pick('cheapest-within-slo', views.mixed)).toBe(2);
    expect(pick('cheapest-within-slo', views.sloBroken)).toBe(-1);
  });

  it('lowest-carbon picks the lowest carbon estimate', () => {
    expect(pick('lowest-carbon', views.mixed)).toBe(2);
  });

  it('edge-first stays at the edge while it meets the SLO, then goes to the cloud', () => {
    expect(pick('edge-first', views.mixed)).toBe(1);
    expect(pick('edge-first', views.sloBroken)).toBe(0);
    expect(pick('edge-first', views.mixed, { ...request, slo_latency_s: 0.25 })).toBe(2);
  });
});
