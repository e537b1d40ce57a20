// Runs a scenario from a script, as a library user would: `node examples/api/compare.mjs [scenario.yaml]`.
// Inside this repository `placesim` resolves to the package itself (after `npm install`, which builds it);
// in your own project, `npm install placesim` first.
import { loadScenario, run, describeFailure } from 'placesim';

const file = process.argv[2] ?? 'scenarios/chatbot-seoul.yaml';

/**
 * A policy of your own: the fastest-looking available pool, but never one whose estimated cost is more
 * than twice the cheapest available one. Every hook is checked by placesim as a --policy-module's would be.
 * @type {import('placesim').Policy}
 */
const fastWithinTwiceCheapest = {
  name: 'fast-within-2x-cheapest',
  place(request, view) {
    let cheapest = Infinity;
    for (const c of view.candidates) if (c.available && c.cost_usd < cheapest) cheapest = c.cost_usd;
    let pick = -1;
    view.candidates.forEach((c, i) => {
      if (!c.available || c.cost_usd > 2 * cheapest) return;
      if (pick === -1 || c.latency_s < view.candidates[pick].latency_s) pick = i;
    });
    return pick;
  },
};

try {
  const loaded = await loadScenario(file, {
    policies: ['cloud-only', 'edge-only', 'fast-within-2x-cheapest'],
    userPolicies: [fastWithinTwiceCheapest],
  });
  const result = run(loaded);
  console.log(`${result.scenario.name}, seed ${result.scenario.seed}, ${result.scenario.measured_s} s measured`);
  for (const p of result.policies) {
    const s = p.services[0];
    const p99 = s.latency_ms === null ? 'n/a' : `${s.latency_ms.p99.toFixed(1)} ms`;
    console.log(
      `${p.policy.padEnd(24)} p99 ${p99.padStart(10)}   $${p.totals.cost_usd.total.toFixed(2).padStart(8)}   ${p.totals.carbon_kg.total.toFixed(3)} kg CO2e`,
    );
  }
  console.log(`Pareto set: ${result.pareto.join(', ')}`);
} catch (e) {
  // The CLI's own rule: bad input exits 2 with one line, anything else is a bug (exit 3).
  const failure = describeFailure(e);
  console.error(`compare: ${failure.message}`);
  process.exitCode = failure.code;
}
