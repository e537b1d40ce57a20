/** Names of the built-in placement policies, in the order the docs list them. */
export const BUILTIN_POLICY_NAMES = [
  'cloud-only',
  'edge-only',
  'nearest',
  'least-latency',
  'cheapest-within-slo',
  'lowest-carbon',
  'edge-first',
  'carbon-aware',
] as const;

export type BuiltinPolicyName = (typeof BUILTIN_POLICY_NAMES)[number];
