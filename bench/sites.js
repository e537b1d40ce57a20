// Placement at scale: what one request costs as the sites grow, per built-in policy, how long the 10,000-site
// file takes to load, and the peak RSS of a run of it. `node bench/sites.js` prints the table; bench/run.js
// calls the default export. Reads the compiled code in dist/ (npm run build).
//
// The scenario is scenarios/fleet-10k.yaml with its fleet's count set to 10, 100, 1,000 and 10,000: one small
// edge box per site serving only its own users, T4 instances in three regions as the fallback. Per-request
// cost is the marginal cost: (time for R2 requests − time for R1 requests) / (arrivals R2 − arrivals R1), so
// the one-off work of a run (one pool, its tallies and streams per site) is not spread over the requests;
// it is reported as "setup". Building the plan and the Result are left out of both. The runs keep the series
// `placesim run` keeps (a fleet's instances' run-wide series only with --instances). Each length is run three
// times and the fastest kept: on a shared machine the slower runs measure the neighbours.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadScenarioText } from '../dist/scenario/index.js';
import { buildPlan, runPolicy } from '../dist/sim/index.js';
import { fleetPools } from '../dist/sim/fleet-result.js';
import { builtinPolicy } from '../dist/placement/builtin.js';
import { BUILTIN_POLICY_NAMES } from '../dist/placement/names.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const FILE = path.resolve(here, '..', 'scenarios', 'fleet-10k.yaml');
export const SITE_COUNTS = [10, 100, 1_000, 10_000];

/**
 * CPU seconds of one call (user + system of this process): on a machine shared with other work, wall time
 * mostly measures the neighbours.
 */
function timed(fn) {
  const t0 = process.cpuUsage();
  const value = fn();
  const d = process.cpuUsage(t0);
  return { value, seconds: (d.user + d.system) / 1e6 };
}

/** The bench scenario with `count` sites (loaded once per count; each run sets its own duration). */
function scenarioWith(text, count) {
  const scenario = loadScenarioText(text.replace(/count: 10000\b/, `count: ${count}`), FILE);
  scenario.warmup_s = 0;
  return scenario;
}

// A collection started by the previous run's garbage would be charged to the next: collect before each.
v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

/** One run of about `requests` arrivals under `policy` (the event loop only: no plan, no Result): seconds and arrivals. */
function runOnce(scenario, requests, policy) {
  scenario.duration_s = requests / scenario.services[0].arrivals.rate_per_s;
  const plan = buildPlan(scenario);
  gc();
  const leaveOut = fleetPools(scenario);
  const { value, seconds } = timed(() => runPolicy(plan, policy, null, leaveOut));
  return { seconds, arrivals: value.arrivalsTotal };
}

/**
 * Measures per-request cost (µs) at each site count for each built-in policy, and the load time of the
 * 10,000-site file. Options: requests (the larger run, default 400,000; the smaller is a quarter of it), repeats
 * (default 3), counts, policies.
 */
export async function measureSites(opts = {}) {
  const text = readFileSync(FILE, 'utf8');
  const counts = opts.counts ?? SITE_COUNTS;
  const policies = opts.policies ?? BUILTIN_POLICY_NAMES;
  const r2 = opts.requests ?? 400_000;
  const reps = opts.repeats ?? 3;
  const r1 = Math.round(r2 / 4);
  // Load time of the file as shipped (10,000 sites): parse, check, expand, resolve. Best of 3.
  let load = Infinity;
  for (let i = 0; i < 3; i++) load = Math.min(load, timed(() => loadScenarioText(text, FILE)).seconds);
  // Warm the JIT on the small case so the first row is not charged for compilation.
  const scenarios = new Map(counts.map((c) => [c, scenarioWith(text, c)]));
  runOnce(scenarios.get(counts[0]), r1, builtinPolicy('edge-first'));
  // The fastest of `reps` runs of each (policy, count, length), taken in rounds over all of them: a slow
  // spell on a shared machine then costs every row one run rather than one row all of its runs.
  const fastest = new Map();
  for (let rep = 0; rep < reps; rep++)
    for (const name of policies)
      for (const count of counts)
        for (const n of [r1, r2]) {
          const key = `${name} ${count} ${n}`;
          const r = runOnce(scenarios.get(count), n, builtinPolicy(name));
          if (!fastest.has(key) || r.seconds < fastest.get(key).seconds) fastest.set(key, r);
        }
  const rows = [];
  for (const name of policies) {
    const perCount = [];
    for (const count of counts) {
      const a = fastest.get(`${name} ${count} ${r1}`);
      const b = fastest.get(`${name} ${count} ${r2}`);
      const marginal = Math.max(0, b.seconds - a.seconds) / Math.max(1, b.arrivals - a.arrivals);
      const setup = Math.max(0, a.seconds - marginal * a.arrivals);
      perCount.push({ count, usPerRequest: marginal * 1e6, setupSeconds: setup });
    }
    const base = perCount[0].usPerRequest;
    for (const c of perCount) c.ratio = base > 0 ? c.usPerRequest / base : NaN;
    rows.push({ policy: name, perCount });
  }
  return { loadSeconds: load, counts, rows };
}

/** The table bench/run.js and `node bench/sites.js` print: µs per request and, in brackets, the ratio to the first count. */
export function formatSites(m) {
  const lines = [];
  const last = m.counts.at(-1).toLocaleString('en-US');
  const head = ['policy', ...m.counts.map((c) => `${c.toLocaleString('en-US')} sites`), `setup at ${last}`];
  lines.push(`per-request cost, µs of CPU (marginal), and its ratio to ${m.counts[0]} sites (target ≤ 3×)`);
  const table = m.rows.map((r) => [
    r.policy,
    ...r.perCount.map((c, i) =>
      i === 0 ? c.usPerRequest.toFixed(2) : `${c.usPerRequest.toFixed(2)} (${c.ratio.toFixed(2)}×)`,
    ),
    `${r.perCount.at(-1).setupSeconds.toFixed(2)} s`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const fmt = (row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  lines.push(fmt(head), ...table.map(fmt));
  lines.push(
    `load of scenarios/fleet-10k.yaml (10,000 sites): ${(m.loadSeconds * 1000).toFixed(0)} ms of CPU (best of 3)`,
  );
  return lines.join('\n');
}

/**
 * bench/run.js's section: the table above, then the peak RSS of `placesim run`'s work on the 10,000-site file
 * (loaded, run and summarised in a fresh process by bench/worker.js).
 */
export default async function sitesBench({ measure }) {
  console.log(formatSites(await measureSites()));
  const r = await measure('file', 'scenarios/fleet-10k.yaml');
  console.log(
    `peak RSS, scenarios/fleet-10k.yaml (10,000 sites, ${Math.round(r.requests).toLocaleString('en-US')} requests): ` +
      `${(r.maxRss / 1e6).toFixed(0)} MB (run ${r.seconds.toFixed(1)} s)`,
  );
  console.log('target: per-request cost at 10,000 sites within 3× of 10 sites, for every built-in policy');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const m = await measureSites();
  console.log(formatSites(m));
}
