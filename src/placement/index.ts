export * from './policy.js';
export { builtinPolicies, builtinPolicy } from './builtin.js';
export { BUILTIN_POLICY_NAMES, type BuiltinPolicyName } from './names.js';
