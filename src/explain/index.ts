/**
 * `placesim explain`: why each policy placed requests where it did, and why requests were turned away or
 * lost — read from the Result alone (`placement_reasons`, `rejected_by`, `lost_by`, and the pools' and
 * uplinks' figures that give the causes their context). A reporter: it runs nothing.
 */
import { InputError } from '../errors.js';
import type { PolicyResult, Result } from '../metrics/result.js';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const pct = (n: number, of: number): string => (of > 0 ? `${((100 * n) / of).toFixed(1)}%` : '—');

function pad(rows: [string, string, string][], indent: string): string[] {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return rows.map(([a, b, c]) => `${indent}${a.padEnd(w0)}  ${b.padStart(w1)}${c ? `  ${c}` : ''}`.trimEnd());
}

function explainPolicy(p: PolicyResult): string[] {
  const out: string[] = [`policy ${p.policy}`];
  for (const s of p.services) {
    const ended = `${int(s.completed)} completed, ${int(s.rejected)} rejected, ${int(s.lost)} lost`;
    const slo = s.slo_attainment === null ? '' : `; SLO met by ${(100 * s.slo_attainment).toFixed(1)}%`;
    out.push(`  service ${s.name}: ${int(s.arrivals)} measured arrivals — ${ended}${slo}`);
    const placed = Object.values(s.placements).reduce((a, b) => a + b, 0);
    const rows: [string, string, string][] = [];
    for (const [target, n] of Object.entries(s.placements)) {
      const pool = p.pools.find((x) => x.name === target);
      const use = pool ? `  (pool ${(100 * pool.utilisation).toFixed(1)}% utilised)` : '';
      rows.push([`placed at ${target}`, int(n), pct(n, placed) + use]);
      for (const [reason, k] of Object.entries(s.placement_reasons[target] ?? {}))
        rows.push([`  ${reason}`, int(k), pct(k, n)]);
    }
    if (s.rejected > 0) {
      rows.push(['rejected', int(s.rejected), pct(s.rejected, s.arrivals)]);
      for (const [c, k] of Object.entries(s.rejected_by)) rows.push([`  ${c}`, int(k), pct(k, s.rejected)]);
    }
    if (s.lost > 0) {
      rows.push(['lost', int(s.lost), pct(s.lost, s.arrivals)]);
      for (const [c, k] of Object.entries(s.lost_by)) rows.push([`  ${c}`, int(k), pct(k, s.lost)]);
    }
    if (rows.length > 0) out.push(...pad(rows, '    '));
    if (s.retried > 0) out.push(`    placed again after losing their pool: ${int(s.retried)}`);
  }
  const idle = p.pools.filter(
    (x) => x.provisioned && x.cost_usd > 0 && x.utilisation < 0.25 && !p.jobs.some((j) => j.pool === x.name),
  );
  if (idle.length > 0)
    out.push(
      `  note: paid for but mostly idle — ${idle.map((x) => `${x.name} ($${x.cost_usd.toPrecision(3)}, ${(100 * x.utilisation).toFixed(1)}% utilised)`).join(', ')}.`,
      "  A candidate's cost estimate charges a pool's price per busy second, as if idle time were free: a policy on",
      '  cost may route around capacity that is billed anyway, and the column pays for both.',
    );
  for (const u of p.uplinks)
    if (u.outages > 0)
      out.push(
        `  uplink of ${u.site}: down ${int(u.downtime_s)} s in ${int(u.outages)} outage(s); ` +
          `${int(u.buffered)} response(s) waited in its buffer, ${int(u.overflow)} did not fit`,
      );
  return out;
}

/** The explanation of every policy in the Result, or only of `policies`. */
export function explain(result: Result, policies?: readonly string[]): string {
  const have = result.policies.map((p) => p.policy);
  for (const name of policies ?? [])
    if (!have.includes(name))
      throw new InputError(`explain: the Result has no policy "${name}" (it has ${have.join(', ')})`);
  const chosen = result.policies.filter((p) => policies === undefined || policies.includes(p.policy));
  const lines = [
    `placesim explain · scenario ${result.scenario.name} · seed ${result.scenario.seed} · measured window only`,
    'A reason is read off the candidates at the moment of choice: the only one available, or the best on the',
    "policy's criterion (estimated latency, RTT, cost meeting the SLO, cost, carbon). A fallback: a candidate",
    'better on that criterion, or the only other one, was full, down or cut off at that moment.',
    '',
  ];
  for (const p of chosen) lines.push(...explainPolicy(p), '');
  return lines.join('\n');
}
