import { describe, it, expect } from 'vitest';
import { paretoSet, policyP99, paretoOfPolicies } from '../src/metrics/pareto.js';
import type { PolicyResult, ServiceResult } from '../src/metrics/result.js';

const pt = (name: string, p99_ms: number | null, cost_usd: number, carbon_kg: number) => ({
  name,
  p99_ms,
  cost_usd,
  carbon_kg,
});

describe('paretoSet', () => {
  it('drops a point another beats on every axis', () => {
    expect(paretoSet([pt('a', 100, 10, 5), pt('b', 200, 20, 6)])).toEqual(['a']);
  });

  it('drops a point that only ties on two axes and loses on the third', () => {
    expect(paretoSet([pt('a', 100, 10, 5), pt('b', 100, 10, 6)])).toEqual(['a']);
    expect(paretoSet([pt('a', 100, 11, 5), pt('b', 100, 10, 5)])).toEqual(['b']);
  });

  it('keeps equal points: neither is strictly better', () => {
    expect(paretoSet([pt('a', 100, 10, 5), pt('b', 100, 10, 5)])).toEqual(['a', 'b']);
  });

  it('keeps trade-offs and preserves input order', () => {
    const points = [
      pt('slow-cheap', 900, 1, 1),
      pt('dominated', 950, 2, 2), // slow-cheap is better on all three
      pt('fast-dear', 50, 100, 40),
      pt('middle', 300, 20, 0.5),
    ];
    expect(paretoSet(points)).toEqual(['slow-cheap', 'fast-dear', 'middle']);
  });

  it('ranks a null p99 below any measured p99, whatever its cost', () => {
    expect(paretoSet([pt('served-nothing', null, 0, 0), pt('served', 5000, 1000, 1000)])).toEqual(['served']);
  });

  it('never lets a null p99 dominate a point with a latency', () => {
    expect(paretoSet([pt('n1', null, 0, 0), pt('l', 100, 5, 5)])).toEqual(['l']);
  });

  it('compares cost and carbon alone when no point has a latency (training-only scenarios)', () => {
    expect(paretoSet([pt('asap', null, 415.78, 12.8), pt('green', null, 415.78, 2.99)])).toEqual(['green']);
    expect(paretoSet([pt('a', null, 1, 2), pt('b', null, 2, 1)])).toEqual(['a', 'b']);
  });

  it('handles empty and single inputs', () => {
    expect(paretoSet([])).toEqual([]);
    expect(paretoSet([pt('only', null, 1, 1)])).toEqual(['only']);
  });
});

function svc(name: string, arrivals: number, p99: number | null): ServiceResult {
  return {
    name,
    arrivals,
    completed: p99 === null ? 0 : arrivals,
    rejected: 0,
    lost: 0,
    retried: 0,
    throughput_per_s: 0,
    makespan_s: null,
    latency_ms: p99 === null ? null : { mean: p99 / 2, p50: p99 / 3, p95: p99 * 0.9, p99, max: p99 * 2 },
    breakdown_ms: null,
    ttft_ms: null,
    latency_cdf_ms: null,
    slo_attainment: null,
    placements: {},
  };
}

// policyP99 and paretoOfPolicies read only services and totals; the rest of the policy is irrelevant here.
function policy(name: string, services: ServiceResult[], cost = 1, carbon = 1): PolicyResult {
  return {
    policy: name,
    services,
    totals: { cost_usd: { total: cost }, carbon_kg: { total: carbon } },
  } as unknown as PolicyResult;
}

describe('policyP99', () => {
  it('is the worst p99 over services', () => {
    expect(policyP99(policy('p', [svc('a', 10, 12.5), svc('b', 10, 40), svc('c', 10, 7)]))).toBe(40);
  });

  it('is null when a service with arrivals completed nothing', () => {
    expect(policyP99(policy('p', [svc('a', 10, 12.5), svc('b', 3, null)]))).toBeNull();
  });

  it('skips a service that had no arrivals', () => {
    expect(policyP99(policy('p', [svc('a', 10, 12.5), svc('idle', 0, null)]))).toBe(12.5);
  });

  it('is null with no services', () => {
    expect(policyP99(policy('p', []))).toBeNull();
  });
});

describe('paretoOfPolicies', () => {
  it('uses worst p99, total cost and total carbon', () => {
    const policies = [
      // best single-service p99, but its worst service (300) is slower than b's worst (200)
      policy('a', [svc('x', 1, 10), svc('y', 1, 300)], 5, 5),
      policy('b', [svc('x', 1, 200), svc('y', 1, 200)], 5, 5),
      policy('c', [svc('x', 1, 150), svc('y', 1, 250)], 4, 6),
    ];
    expect(paretoOfPolicies(policies)).toEqual(['b', 'c']);
  });
});
