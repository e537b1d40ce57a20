/** How a request ends, driven directly on a run context: one place for rejected, lost and completed. */
import { describe, it, expect } from 'vitest';
import { queueScenario } from './helpers/build-scenario.js';
import { buildPlan } from '../src/sim/plan.js';
import { RunContext } from '../src/sim/context.js';
import { Outcomes } from '../src/sim/outcomes.js';
import { builtinPolicy } from '../src/placement/builtin.js';
import type { TraceRow } from '../src/metrics/trace.js';

function setup() {
  const s = queueScenario({
    servers: 1,
    rate: 1,
    serviceTime: { kind: 'deterministic', mean_s: 1 },
    duration: 100,
    warmup: 10,
  });
  const rows: TraceRow[] = [];
  const ctx = new RunContext(buildPlan(s), builtinPolicy('least-latency')!, (row) => rows.push({ ...row }));
  const outcomes = new Outcomes(ctx);
  const slot = (arrival: number): number => {
    const rq = ctx.rq;
    const k = rq.alloc();
    rq.arrival[k] = arrival;
    rq.measured[k] = arrival >= ctx.warmup ? 1 : 0;
    rq.id[k] = k;
    rq.service[k] = 0;
    rq.user[k] = 0;
    rq.target[k] = 0;
    return k;
  };
  return { ctx, outcomes, rows, slot };
}

describe('Outcomes', () => {
  it('a rejection counts once, in the run, the series and (if measured) the service, and frees its slot', () => {
    const { ctx, outcomes, rows, slot } = setup();
    ctx.sim.now = 20;
    outcomes.rejectSlot(slot(20), 0);
    outcomes.rejectSlot(slot(5), -1);
    expect(ctx.tallies.rejectedTotal).toBe(2);
    expect(ctx.svcTallies[0].rejected).toBe(1);
    expect(ctx.svcSeries[0].rejected.values.reduce((a, b) => a + b, 0)).toBe(2);
    expect(ctx.rq.live).toBe(0);
    expect(rows.map((r) => [r.outcome, r.pool, r.measured])).toEqual([
      ['rejected', 'dc/servers', true],
      ['rejected', '', false],
    ]);
  });

  it('a completed request records its latency, breakdown and network figures', () => {
    const { ctx, outcomes, rows, slot } = setup();
    const k = slot(20);
    const rq = ctx.rq;
    rq.enqueued[k] = 20.5;
    rq.started[k] = 21;
    rq.ended[k] = 23;
    ctx.sim.now = 23;
    rq.delivered[k] = 23.25;
    outcomes.complete(k);
    const st = ctx.svcTallies[0];
    expect(st.completed).toBe(1);
    expect(st.networkSum).toBeCloseTo(0.75, 12);
    expect(st.queueSum).toBeCloseTo(0.5, 12);
    expect(st.execSum).toBeCloseTo(2, 12);
    expect(ctx.tallies.completedTotal).toBe(1);
    expect(rows[0]).toMatchObject({ outcome: 'completed', latency_s: 3.25, pool: 'dc/servers' });
  });

  it('a lost request is counted and traced; open requests are counted at the close', () => {
    const { ctx, outcomes, rows, slot } = setup();
    outcomes.lose(slot(30));
    slot(40);
    outcomes.close();
    expect(ctx.tallies.lostTotal).toBe(1);
    expect(ctx.svcTallies[0].lost).toBe(1);
    expect(ctx.tallies.inFlight).toBe(1);
    expect(rows.map((r) => r.outcome)).toEqual(['lost', 'in_flight']);
  });
});
