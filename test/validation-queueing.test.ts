/**
 * The queueing core against closed forms. Each scenario is a single pool with no network, so the queue
 * delay the simulator reports must match queueing theory. Runs are long enough (≥ 1.5M requests) that the
 * standard error of the mean wait is well under 1%, making the 2% bound a real check and not a coin toss.
 */
import { describe, it, expect } from 'vitest';
import { runScenario } from '../src/sim/index.js';
import { queueScenario } from './helpers/build-scenario.js';

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

/** Erlang C: probability an arrival waits in an M/M/c queue with offered load a = λ/μ. */
function erlangC(c: number, a: number): number {
  let sum = 0;
  for (let k = 0; k < c; k++) sum += a ** k / factorial(k);
  const top = (a ** c / factorial(c)) * (c / (c - a));
  return top / (sum + top);
}

function simulatedWaitMs(opts: Parameters<typeof queueScenario>[0]): { wait: number; completed: number } {
  const result = runScenario(queueScenario(opts));
  const service = result.policies[0].services[0];
  return { wait: service.breakdown_ms!.queue, completed: service.completed };
}

describe('queueing validation (closed forms)', () => {
  it('M/M/1: Wq = ρ / (μ − λ) within 2%', () => {
    const mu = 100;
    const lambda = 70;
    const expectedMs = (lambda / mu / (mu - lambda)) * 1000; // 23.33 ms
    const { wait, completed } = simulatedWaitMs({
      servers: 1,
      rate: lambda,
      serviceTime: { kind: 'exponential', mean_s: 1 / mu },
      duration: 30_000,
      warmup: 100,
      seed: 1,
    });
    expect(completed).toBeGreaterThan(2_000_000);
    expect(Math.abs(wait / expectedMs - 1)).toBeLessThan(0.02);
  });

  it('M/M/4 (Erlang C): Wq = C(c, a) / (cμ − λ) within 2%', () => {
    const c = 4;
    const mu = 100;
    const lambda = 340; // ρ = 0.85
    const expectedMs = (erlangC(c, lambda / mu) / (c * mu - lambda)) * 1000;
    const { wait, completed } = simulatedWaitMs({
      servers: c,
      rate: lambda,
      serviceTime: { kind: 'exponential', mean_s: 1 / mu },
      duration: 6_000,
      warmup: 50,
      seed: 2,
    });
    expect(completed).toBeGreaterThan(2_000_000);
    expect(Math.abs(wait / expectedMs - 1)).toBeLessThan(0.02);
  });

  it('M/M/8 (Erlang C) within 2%', () => {
    const c = 8;
    const mu = 50;
    const lambda = 340; // ρ = 0.85
    const expectedMs = (erlangC(c, lambda / mu) / (c * mu - lambda)) * 1000;
    const { wait } = simulatedWaitMs({
      servers: c,
      rate: lambda,
      serviceTime: { kind: 'exponential', mean_s: 1 / mu },
      duration: 6_000,
      warmup: 50,
      seed: 3,
    });
    expect(Math.abs(wait / expectedMs - 1)).toBeLessThan(0.02);
  });

  it('M/D/1 (Pollaczek–Khinchine): Wq = ρ / (2μ(1 − ρ)) within 2%', () => {
    const mu = 100;
    const lambda = 80;
    const rho = lambda / mu;
    const expectedMs = (rho / (2 * mu * (1 - rho))) * 1000; // 20 ms
    const { wait, completed } = simulatedWaitMs({
      servers: 1,
      rate: lambda,
      serviceTime: { kind: 'deterministic', mean_s: 1 / mu },
      duration: 20_000,
      warmup: 100,
      seed: 4,
    });
    expect(completed).toBeGreaterThan(1_500_000);
    expect(Math.abs(wait / expectedMs - 1)).toBeLessThan(0.02);
  });

  it('M/M/c/c with max_queue 0 (Erlang B): blocking probability within 2%', () => {
    const c = 3;
    const mu = 100;
    const lambda = 250; // a = 2.5
    const a = lambda / mu;
    let sum = 0;
    for (let k = 0; k <= c; k++) sum += a ** k / factorial(k);
    const blocking = a ** c / factorial(c) / sum;
    const result = runScenario(
      queueScenario({
        servers: c,
        rate: lambda,
        serviceTime: { kind: 'exponential', mean_s: 1 / mu },
        duration: 4000,
        warmup: 10,
        seed: 8,
        maxQueue: 0,
      }),
    );
    const s = result.policies[0].services[0];
    expect(s.rejected / s.arrivals / blocking).toBeGreaterThan(0.98);
    expect(s.rejected / s.arrivals / blocking).toBeLessThan(1.02);
    // Nobody waits in a loss system.
    expect(s.breakdown_ms!.queue).toBe(0);
  });

  it('utilisation of M/M/c equals ρ within 1%', () => {
    const result = runScenario(
      queueScenario({
        servers: 4,
        rate: 300,
        serviceTime: { kind: 'exponential', mean_s: 0.01 },
        duration: 2000,
        warmup: 10,
      }),
    );
    expect(Math.abs(result.policies[0].pools[0].utilisation / 0.75 - 1)).toBeLessThan(0.01);
  });

  it('same seed ⇒ identical result; another seed ⇒ different', () => {
    const opts = {
      servers: 2,
      rate: 150,
      serviceTime: { kind: 'lognormal' as const, mean_s: 0.01, cv: 0.5 },
      duration: 200,
      warmup: 10,
    };
    const a = JSON.stringify(runScenario(queueScenario({ ...opts, seed: 5 })));
    const b = JSON.stringify(runScenario(queueScenario({ ...opts, seed: 5 })));
    const c = JSON.stringify(runScenario(queueScenario({ ...opts, seed: 6 })));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });
});
