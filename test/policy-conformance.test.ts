/**
 * One conformance suite that every placement policy passes: each built-in and each example user policy in
 * examples/policies/ (loadable with --policy-module), all wrapped by the same guard a user's module gets
 * (guardPolicy), so an answer the contract forbids fails here exactly as it would fail a run. For every hook
 * of the Policy interface (POLICY_HOOKS) the policy has, it drives the hook with hand-made inputs and checks
 * the contract: an allowed answer, the same answer for the same input, no mutation of its inputs — and runs
 * the policy in the simulator against residency, an outage, a full queue, deferrable requests and a
 * deferrable training job.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync } from 'node:fs';
import {
  builtinPolicies,
  POLICY_HOOKS,
  type Candidate,
  type JobOption,
  type JobRequest,
  type PlacementRequest,
  type PlacementView,
  type Policy,
  type PolicyHook,
} from '../src/placement/index.js';
import { BUILTIN_POLICY_NAMES } from '../src/placement/names.js';
import { guardPolicy, loadPolicyModule } from '../src/placement/plugin.js';
import { loadScenarioText } from '../src/scenario/index.js';
import { runScenario } from '../src/sim/index.js';
import type { TraceRow } from '../src/metrics/trace.js';

// Every example module, as --policy-module loads it: shape-checked and guarded.
const EXAMPLES = readdirSync('examples/policies')
  .filter((f) => /\.(mjs|cjs|js)$/.test(f))
  .sort()
  .map((f) => `examples/policies/${f}`);
const examplePolicies = (await Promise.all(EXAMPLES.map((f) => loadPolicyModule(f)))).flat();
const EXAMPLE = 'examples/policies/greenest-within-slo.mjs';
const greenest = examplePolicies.find((p) => p.name === 'greenest-within-slo')!;

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
      candidate({
        pool: 'cloud/a',
        poolIndex: 0,
        kind: 'cloud',
        rtt_s: 0.2,
        latency_s: 0.5,
        cost_usd: 0.002,
        carbon_g: 0.5,
      }),
      candidate({
        pool: 'edge/b',
        poolIndex: 1,
        kind: 'edge',
        rtt_s: 0.01,
        latency_s: 0.3,
        cost_usd: 0.004,
        carbon_g: 0.9,
      }),
      candidate({
        pool: 'cloud/c',
        poolIndex: 2,
        kind: 'cloud',
        rtt_s: 0.1,
        latency_s: 0.4,
        cost_usd: 0.001,
        carbon_g: 0.05,
      }),
    ],
  },
  someUnavailable: {
    now: 1,
    candidates: [
      candidate({
        pool: 'edge/b',
        poolIndex: 0,
        kind: 'edge',
        available: false,
        rtt_s: 0.001,
        latency_s: 0.01,
        cost_usd: 0,
        carbon_g: 0,
      }),
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

const job: JobRequest = { job: 'ft', earliest_s: 0, deadline_s: 6 * 3600 };
function jobOption(over: Partial<JobOption>): JobOption {
  return {
    pool: 'cloud/a',
    region: 'r',
    start_s: 0,
    duration_s: 3600,
    meets_deadline: true,
    carbon_g: 1000,
    cost_usd: 10,
    ...over,
  };
}
const jobOptions: Record<string, JobOption[]> = {
  mixed: [
    jobOption({}),
    jobOption({ start_s: 3600, carbon_g: 400 }),
    jobOption({ pool: 'cloud/c', region: 'q', start_s: 7200, carbon_g: 200, cost_usd: 12 }),
    jobOption({ start_s: 6 * 3600, carbon_g: 50, meets_deadline: false }),
  ],
  noneMeetsDeadline: [
    jobOption({ meets_deadline: false }),
    jobOption({ start_s: 3600, meets_deadline: false, carbon_g: 10 }),
  ],
  one: [jobOption({})],
};

/** A view with an hourly grid forecast, as the simulator gives deferRequest. */
const gridView: PlacementView = {
  ...views.mixed,
  now: 1800,
  gridAt: (region, t) => (region === 'r' ? 300 : 100) * (1 + 0.5 * Math.cos((2 * Math.PI * t) / 86_400)),
};

/**
 * The contract of each hook, checked through the guard. The type makes a hook added to Policy (and so to
 * POLICY_HOOKS) a compile error here until the suite covers it.
 */
const HOOK_CONTRACTS: { [K in PolicyHook]: (policy: Policy) => void } = {
  place: (policy) => {
    for (const [viewName, view] of Object.entries(views)) {
      const choice = policy.place(request, view);
      expect(Number.isInteger(choice), viewName).toBe(true);
      if (choice !== -1) expect(view.candidates[choice].available, viewName).toBe(true);
    }
    expect(policy.place(request, views.noneAvailable)).toBe(-1);
    expect(policy.place(request, views.empty)).toBe(-1);
    expect(policy.place(request, views.someUnavailable)).not.toBe(0);
    const before = JSON.stringify([request, views.mixed]);
    expect(policy.place(request, views.mixed)).toBe(policy.place(request, views.mixed));
    expect(JSON.stringify([request, views.mixed])).toBe(before);
  },
  scheduleJob: (policy) => {
    for (const [name, options] of Object.entries(jobOptions)) {
      const pick = policy.scheduleJob!(job, options);
      expect(Number.isInteger(pick) && pick >= 0 && pick < options.length, name).toBe(true);
      const before = JSON.stringify([job, options]);
      expect(policy.scheduleJob!(job, options), name).toBe(pick);
      expect(JSON.stringify([job, options]), name).toBe(before);
    }
    // An option that misses the deadline is never preferred to one that meets it.
    expect(jobOptions.mixed[policy.scheduleJob!(job, jobOptions.mixed)].meets_deadline).toBe(true);
  },
  deferRequest: (policy) => {
    for (const until of [gridView.now, gridView.now + 600, gridView.now + 10 * 3600]) {
      const delay = policy.deferRequest!(request, gridView, until);
      expect(delay >= 0 && delay <= until - gridView.now, `until ${until}`).toBe(true);
      const before = JSON.stringify([request, views.mixed]);
      expect(policy.deferRequest!(request, gridView, until)).toBe(delay);
      expect(JSON.stringify([request, views.mixed])).toBe(before);
    }
    // No window left: place now.
    expect(policy.deferRequest!(request, gridView, gridView.now)).toBe(0);
  },
};

function conformance(source: string, make: () => Policy): void {
  const original = make();
  describe(`policy conformance: ${original.name} (${source})`, () => {
    // The same guard a user's module runs under: a forbidden answer is a PolicyError, failing the test.
    const policy = guardPolicy(original, source);

    it('has a name, a place() hook, and keeps every hook it has through the guard', () => {
      expect(policy.name).toBe(original.name);
      expect(typeof policy.place).toBe('function');
      for (const hook of POLICY_HOOKS) expect(typeof policy[hook], hook).toBe(typeof original[hook]);
    });

    // A hook the policy lacks has nothing to check; 'the suite covers what it must' below makes sure every
    // hook is checked on some policy.
    for (const hook of POLICY_HOOKS) {
      if (original[hook] !== undefined) it(`${hook}: honours the contract`, () => HOOK_CONTRACTS[hook](policy));
    }

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

    // Every hook is called by the simulator here: deferrable requests (deferRequest) and a training job
    // with a deadline (scheduleJob). A held request still completes within its window, and the job runs.
    it('in a run: deferrable requests and a deferrable job, every request accounted for', () => {
      const result = runScenario(loadScenarioText(HOOKS_SCENARIO, 'test/fixtures/policies/conformance-hooks.yaml'), {
        policies: [policy],
      });
      const p = result.policies[0];
      const c = p.conservation;
      expect(c.arrivals).toBe(c.completed + c.rejected + c.lost + c.in_flight);
      const batch = p.services.find((s) => s.name === 'batch')!;
      // Held at most the 2 h window, then served in well under a minute (edge-only serves nothing here).
      if (batch.latency_ms !== null) expect(batch.latency_ms.max).toBeLessThan((2 * 3600 + 60) * 1000);
      expect(p.jobs[0].status).toBe('done');
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

const HOOKS_SCENARIO = `
name: conformance-hooks
duration: 8h
seed: 4
regions:
  eu-west: { grid_gco2_per_kwh: [400, 380, 350, 300, 250, 200, 150, 120, 100, 120, 200, 300] }
  eu-north: { grid_gco2_per_kwh: 40 }
network:
  rtt: { "eu-west <-> eu-north": 30ms }
sites:
  west-dc:
    kind: cloud
    region: eu-west
    pools:
      cpus: { device: generic-cpu, count: 4, usd_per_hour: 1 }
  north-dc:
    kind: cloud
    region: eu-north
    pools:
      cpus: { device: generic-cpu, count: 4, usd_per_hour: 1.5 }
      train: { instance: aws/g6.12xlarge, replicas: 1, usd_per_hour: 4.6, use: training }
users:
  eu: { region: eu-west, access_rtt: { edge: 5ms, cloud: 20ms } }
models:
  llama-3.2-1b: { params: 1.24e9, dtype: bf16 }
services:
  batch:
    users: eu
    arrivals: { poisson: 1/s }
    residency: [eu-west]
    service_time: { exponential: 50ms }
    deferrable: { window: 2h }
  chat:
    users: eu
    arrivals: { poisson: 2/s }
    service_time: { exponential: 100ms }
    slo: { latency: 2s }
training:
  ft:
    model: llama-3.2-1b
    tokens: 2e8
    pools: [north-dc/train]
    devices: 4
    start: 0s
    deadline: 7h
`;

for (const name of BUILTIN_POLICY_NAMES) conformance('built-in', () => builtinPolicies[name]);
for (const p of examplePolicies) conformance(p.file, () => p);

describe('the suite covers what it must', () => {
  it('every built-in and every example module, and every hook at least once', () => {
    expect(EXAMPLES).toContain(EXAMPLE);
    const all: Policy[] = [...BUILTIN_POLICY_NAMES.map((n) => builtinPolicies[n]), ...examplePolicies];
    for (const hook of POLICY_HOOKS)
      expect(
        all.some((p) => p[hook] !== undefined),
        hook,
      ).toBe(true);
  });
});

describe('example policy choices', () => {
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
