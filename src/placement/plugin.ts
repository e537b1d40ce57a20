/**
 * Users' own placement policies, loaded from JavaScript modules named on the command line
 * (`--policy-module ./my-policy.mjs`). Only the command line loads code: a scenario file has no field that
 * names a module, so running someone else's scenario never executes their code.
 *
 * A module is checked when it is loaded (its shape, its names), and every policy it yields is wrapped so that
 * a failure at run time — `place` throwing, or returning anything but -1 or an available candidate's index —
 * becomes a PolicyError naming the policy, its file, the service and the value. That is a bug in the user's
 * policy, which the CLI reports as bad input (exit 2) rather than as a bug in placesim.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Scenario, SiteKind } from '../model/types.js';
import { InputError } from '../scenario/errors.js';
import { BUILTIN_POLICY_NAMES } from './names.js';
import type { PlacementRequest, PlacementView, Policy } from './policy.js';

/** What a policy's name may look like: it becomes a column header, a CSV value and a `--policy` argument. */
export const POLICY_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/i;

const SITE_KINDS: readonly SiteKind[] = ['cloud', 'edge', 'device'];
const JS_EXTENSIONS = ['.js', '.mjs', '.cjs'];
const TS_EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx'];

/** A policy loaded from a module, wrapped (see guardPolicy), with the file it came from. */
export interface UserPolicy extends Policy {
  readonly file: string;
}

/** A user's policy failed while the simulation ran: it threw, or returned a value it may not return. */
export class PolicyError extends Error {
  override name = 'PolicyError';
  constructor(
    readonly policy: string,
    readonly file: string,
    readonly service: string,
    detail: string,
  ) {
    super(`policy "${policy}" (from ${file}) ${detail}`);
  }
}

/**
 * Loads policy modules in order. Names must be unique across built-ins and every module; the first problem
 * is an InputError naming the file.
 */
export async function loadPolicyModules(files: readonly string[]): Promise<UserPolicy[]> {
  const loaded: UserPolicy[] = [];
  for (const [i, file] of files.entries()) {
    if (files.slice(0, i).some((f) => resolve(f) === resolve(file))) throw new InputError('--policy-module names this file twice', { file });
    for (const policy of await loadPolicyModule(file)) {
      const earlier = loaded.find((p) => p.name === policy.name);
      if (earlier) {
        const where = earlier.file === file ? 'this module' : earlier.file;
        throw new InputError(`policy name "${policy.name}" is already used by a policy from ${where}; give each policy its own name`, { file });
      }
      loaded.push(policy);
    }
  }
  return loaded;
}

/** Imports one module and returns its policies, checked and wrapped. */
export async function loadPolicyModule(file: string): Promise<UserPolicy[]> {
  const fail = (message: string): never => {
    throw new InputError(message, { file });
  };
  const ext = extname(file).toLowerCase();
  if (TS_EXTENSIONS.includes(ext)) {
    fail(
      'cannot load a TypeScript policy module: Node 20 cannot import TypeScript without a loader; compile it to JavaScript first (e.g. npx tsc) and pass the .js file',
    );
  }
  if (!JS_EXTENSIONS.includes(ext)) fail(`cannot load policy module: expected a .js, .mjs or .cjs file, got "${ext || 'no extension'}"`);
  try {
    if (statSync(file).isDirectory()) fail('cannot load policy module: is a directory, not a JavaScript file');
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    fail(`cannot load policy module: ${code === 'ENOENT' ? 'file not found' : firstLine(e)}`);
  }

  let ns: Record<string, unknown>;
  try {
    ns = (await importNative(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  } catch (e) {
    throw importError(file, e);
  }

  const { value, what } = pickExport(ns, ext === '.cjs');
  if (value === undefined) {
    fail('the module exports no policy: export a policy object or a factory as default (or as "policy", or a "policies" array)');
  }
  let produced: unknown = value;
  let producedWhat = what;
  if (typeof value === 'function') {
    try {
      produced = await (value as () => unknown)();
    } catch (e) {
      fail(`${what}: the factory threw: ${firstLine(e)}`);
    }
    producedWhat = `${what} (a factory) returned`;
    if (produced === undefined) fail(`${producedWhat} nothing: it must return a policy or an array of policies`);
  }
  const items = Array.isArray(produced) ? produced : [produced];
  if (items.length === 0) fail(`${producedWhat} an empty list: a module must yield at least one policy`);
  return items.map((item, i) => {
    const at = Array.isArray(produced) ? `${producedWhat}[${i}]` : producedWhat;
    return guardPolicy(checkPolicyShape(item, at, file), file);
  });
}

/**
 * Which export holds the policies. ESM: default, then `policy`, then `policies`. A .cjs module's
 * `module.exports` arrives as the default export; it may itself be the policy, or hold one under those names.
 */
function pickExport(ns: Record<string, unknown>, commonJs: boolean): { value: unknown; what: string } {
  let source = ns;
  if (commonJs && isPlainHolder(ns.default)) source = ns.default as Record<string, unknown>;
  for (const key of ['default', 'policy', 'policies']) {
    if (source[key] !== undefined) return { value: source[key], what: key === 'default' ? 'the default export' : `export "${key}"` };
  }
  return { value: undefined, what: 'the module' };
}

/** module.exports = { policy } or { policies } (or transpiled `exports.default`), rather than the policy itself. */
function isPlainHolder(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return o.place === undefined && (o.default !== undefined || o.policy !== undefined || o.policies !== undefined);
}

/** Checks one value against the Policy interface; `at` says where it came from, for the message. */
export function checkPolicyShape(value: unknown, at: string, file: string): Policy {
  const fail = (message: string): never => {
    throw new InputError(`${at}: ${message}`, { file });
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(`expected a policy object { name, place(request, view) }, got ${describe(value)}`);
  }
  const p = value as Record<string, unknown>;
  if (typeof p.name !== 'string' || p.name === '') fail(`"name" must be a non-empty string, got ${describe(p.name)}`);
  const name = p.name as string;
  if (!POLICY_NAME_PATTERN.test(name)) {
    fail(`policy name ${JSON.stringify(name)} may hold only letters, digits, ".", "_" and "-", and must start with a letter or digit`);
  }
  if ((BUILTIN_POLICY_NAMES as readonly string[]).includes(name)) fail(`policy name "${name}" is a built-in policy's name; give yours its own name`);
  if (typeof p.place !== 'function') fail(`policy "${name}": "place" must be a function place(request, view) → index or -1, got ${describe(p.place)}`);
  if (p.siteKinds !== undefined) {
    const kinds = p.siteKinds;
    if (!Array.isArray(kinds) || kinds.length === 0 || !kinds.every((k) => SITE_KINDS.includes(k as SiteKind))) {
      fail(`policy "${name}": "siteKinds" must be a non-empty list of ${SITE_KINDS.join(', ')}, got ${describe(kinds)}`);
    }
  }
  if (p.pools !== undefined) {
    const pools = p.pools;
    if (!Array.isArray(pools) || !pools.every((x) => typeof x === 'string')) {
      fail(`policy "${name}": "pools" must be a list of "site/pool" names, got ${describe(pools)}`);
    }
  }
  return value as Policy;
}

/**
 * The policy as the simulator sees it: a copy of its restrictions (so the module cannot change them during a
 * run) and a `place` that turns any misbehaviour into a PolicyError before the simulator acts on it.
 */
export function guardPolicy(policy: Policy, file: string): UserPolicy {
  const name = policy.name;
  const place = (request: PlacementRequest, view: PlacementView): number => {
    let choice: unknown;
    try {
      // Called as a method, so a policy written as a class instance keeps its `this`.
      choice = policy.place(request, view);
    } catch (e) {
      throw new PolicyError(name, file, request.service, `threw for service "${request.service}": ${firstLine(e)}`);
    }
    if (choice === -1) return -1;
    const cs = view.candidates;
    if (typeof choice !== 'number' || !Number.isInteger(choice) || choice < 0 || choice >= cs.length) {
      const expected = cs.length === 0 ? '-1 (there are no candidates)' : `-1 or the index of an available candidate (0..${cs.length - 1})`;
      throw new PolicyError(name, file, request.service, `returned ${describe(choice)} for service "${request.service}": expected ${expected}`);
    }
    if (!cs[choice].available) {
      throw new PolicyError(
        name,
        file,
        request.service,
        `returned ${choice} for service "${request.service}": candidate ${choice} (${cs[choice].pool}) is not available`,
      );
    }
    return choice;
  };
  return {
    name,
    file,
    ...(policy.siteKinds !== undefined ? { siteKinds: [...policy.siteKinds] } : {}),
    ...(policy.pools !== undefined ? { pools: [...policy.pools] } : {}),
    place,
  };
}

/**
 * The scenario with the loaded policies taken into account. Without `--policy` (`explicit` false), each
 * loaded policy the scenario's list does not name is appended to it, so loading a module is enough to see it
 * compared. Pools a loaded policy restricts itself to must exist in the scenario.
 */
export function withUserPolicies(scenario: Scenario, user: readonly UserPolicy[], explicit: boolean): Scenario {
  const policies = explicit ? scenario.policies : [...scenario.policies, ...user.map((p) => p.name).filter((n) => !scenario.policies.includes(n))];
  const poolNames = scenario.pools.map((p) => p.name);
  const used = new Set([...policies, ...policies.map((n) => scenario.policy_variants[n]?.policy)]);
  for (const p of user) {
    if (!used.has(p.name) || p.pools === undefined) continue;
    const unknown = p.pools.find((x) => !poolNames.includes(x));
    if (unknown !== undefined) {
      throw new InputError(`policy "${p.name}": pools: no pool "${unknown}" in scenario ${scenario.name} (it has ${poolNames.join(', ')})`, {
        file: p.file,
      });
    }
  }
  return policies === scenario.policies ? scenario : { ...scenario, policies };
}

// ------------------------------------------------------------------------------------------------ helpers

/**
 * import() as Node does it. Test runners (vitest) rewrite `import()` in the code they load to go through
 * their own transform pipeline, which would accept TypeScript and report syntax errors its own way; the
 * command line must behave the same in tests as in a shell.
 */
const importNative = new Function('url', 'return import(url)') as (url: string) => Promise<unknown>;

function importError(file: string, e: unknown): InputError {
  let message = firstLine(e);
  if (e instanceof SyntaxError) {
    // Node's SyntaxError from import() does not say where; `node --check` does, on its first line.
    const line = syntaxErrorLine(file);
    if (/\b(export|import)\b/.test(message) && extname(file).toLowerCase() !== '.mjs') {
      message += ' (ES module syntax in a file Node treats as CommonJS: name it .mjs)';
    }
    return new InputError(`cannot load policy module: ${message}`, { file, ...(line !== undefined ? { line } : {}) });
  }
  return new InputError(`cannot load policy module: ${message}`, { file });
}

function syntaxErrorLine(file: string): number | undefined {
  try {
    const r = spawnSync(process.execPath, ['--check', resolve(file)], { encoding: 'utf8', timeout: 10_000 });
    const m = /:(\d+)\s*$/m.exec(r.stderr.split('\n')[0] ?? '');
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** "Name: first line of the message" — never a stack. */
function firstLine(e: unknown): string {
  if (e instanceof Error) {
    const msg = e.message.split('\n')[0];
    return e.name && e.name !== 'Error' ? `${e.name}: ${msg}` : msg;
  }
  return describe(e);
}

/** A short description of a value a user's code produced. */
function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a symbol';
  if (Array.isArray(v)) return 'a list';
  if (typeof (v as { then?: unknown }).then === 'function') return 'a Promise (place must be synchronous)';
  return 'an object';
}
