// @ts-check
/**
 * greenest-within-slo — a placement policy you can load from the command line:
 *
 *   npx placesim run scenarios/carbon-regions.yaml --policy-module examples/policies/greenest-within-slo.mjs
 *
 * Rule: among the available candidates whose estimates meet every SLO the request carries, take the one with
 * the lowest estimated emissions (carbon_g). When none meets the SLOs, do not turn the request away: take the
 * available candidate with the lowest estimated latency, the one most likely to come close. Only when nothing
 * is available is the request rejected (-1). Ties go to the candidate listed first, so the result depends on
 * nothing but the scenario and the seed.
 *
 * Compare with the built-ins: `lowest-carbon` ignores latency altogether, and `cheapest-within-slo` rejects a
 * request when no pool meets its SLO. This one trades carbon against latency only as far as the SLO allows.
 *
 * The types below are the ones placesim calls a policy with (src/placement/policy.ts, documented in
 * docs/policies.md); with `// @ts-check` an editor checks this file against them.
 *
 * @typedef {import('../../src/placement/policy.js').Policy} Policy
 * @typedef {import('../../src/placement/policy.js').PlacementRequest} PlacementRequest
 * @typedef {import('../../src/placement/policy.js').PlacementView} PlacementView
 * @typedef {import('../../src/placement/policy.js').Candidate} Candidate
 */

/**
 * True when the candidate's estimates meet the request's SLOs (an SLO that is not set is always met).
 *
 * @param {PlacementRequest} request
 * @param {Candidate} c
 */
function meetsSlo(request, c) {
  if (request.slo_latency_s !== null && c.latency_s > request.slo_latency_s) return false;
  if (request.slo_ttft_s !== null && c.ttft_s > request.slo_ttft_s) return false;
  return true;
}

/** @type {Policy} */
const policy = {
  name: 'greenest-within-slo',
  // No siteKinds or pools: every pool of the scenario is provisioned (and billed) while this policy runs.

  /**
   * Called once per arriving request. The simulator reuses `request` and `view` for the next arrival: read
   * them here, never keep or modify them.
   *
   * @param {PlacementRequest} request
   * @param {PlacementView} view
   * @returns {number} the index of an available candidate, or -1 to reject
   */
  place(request, view) {
    const cs = view.candidates;
    let greenest = -1; // lowest carbon_g among candidates meeting the SLOs
    let fastest = -1; // lowest latency_s among all available candidates: the fallback
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i];
      if (!c.available) continue;
      if (fastest === -1 || c.latency_s < cs[fastest].latency_s) fastest = i;
      if (meetsSlo(request, c) && (greenest === -1 || c.carbon_g < cs[greenest].carbon_g)) greenest = i;
    }
    return greenest !== -1 ? greenest : fastest;
  },
};

export default policy;
