/**
 * Users' own placement policies, loaded from JavaScript modules named on the command line
 * (`--policy-module ./my-policy.mjs`). Only the command line loads code: a scenario file has no field that
 * names a module, so running someone else's scenario never executes their code.
 *
 * A module is checked when it is loaded (its shape, its names), and every policy it yields is wrapped so that
 * a failure at run time — `place` throwing, or returning anything but -1 or an available candidate's index —
 * becomes a PolicyError naming the policy, its file, the service and the value. That is a bug in the user's
 * policy, which the CLI reports as bad input (exit 2) rather than as a bug in placesim.
 *
 * A module is code the user chose to run, with the same rights as placesim; these guards make its mistakes
 * clear, they are not a sandbox:
 * - its console output goes to stderr, so it never corrupts `--json` or a table on stdout;
 * - importing it and calling its factory must settle within POLICY_MODULE_TIMEOUT_MS (or the value of the
 *   PLACESIM_POLICY_TIMEOUT_MS environment variable), else it is bad input naming the module;
 * - a getter that throws, a bad shape, a factory that throws or returns nothing: bad input naming the module;
 * - a module that adds properties to Object.prototype (or Array.prototype, Function.prototype) is refused,
 *   naming the module and the property, before any scenario is read;
 * - a promise it leaves rejected, or an exception thrown from one of its timers, ends the run with exit 2
 *   naming the loaded module(s) (installProcessGuards, installed by the executable).
 * A `place` that loops forever hangs the run: placesim cannot stop synchronous JavaScript. Run untrusted or
 * experimental modules under `timeout` (docs/policies.md).
 */
import { spawnSync } from 'node:child_process';
import { Console } from 'node:console';
import { statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SITE_KINDS, type Scenario, type SiteKind } from '../model/types.js';
import { InputError, PolicyError } from '../errors.js';
import { BUILTIN_POLICY_NAMES } from './names.js';
import { OPTIONAL_POLICY_HOOKS, POLICY_HOOKS, type Policy, type PolicyHook } from './policy.js';
import { importModule } from './import-module.js';

export { PolicyError };

/** What a policy's name may look like: it becomes a column header, a CSV value and a `--policy` argument. */
export const POLICY_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/i;

const JS_EXTENSIONS = ['.js', '.mjs', '.cjs'];
const TS_EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx'];

/** A policy loaded from a module, wrapped (see guardPolicy), with the file it came from. */
export interface UserPolicy extends Policy {
  readonly file: string;
}

/**
 * Loads policy modules in order. Names must be unique across built-ins and every module; the first problem
 * is an InputError naming the file.
 */
export async function loadPolicyModules(files: readonly string[]): Promise<UserPolicy[]> {
  const loaded: UserPolicy[] = [];
  for (const [i, file] of files.entries()) {
    if (files.slice(0, i).some((f) => resolve(f) === resolve(file)))
      throw new InputError('--policy-module names this file twice', { file });
    for (const policy of await loadPolicyModule(file)) {
      const earlier = loaded.find((p) => p.name === policy.name);
      if (earlier) {
        const where = earlier.file === file ? 'this module' : earlier.file;
        throw new InputError(
          `policy name "${policy.name}" is already used by a policy from ${where}; give each policy its own name`,
          { file },
        );
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
  if (!JS_EXTENSIONS.includes(ext))
    fail(`cannot load policy module: expected a .js, .mjs or .cjs file, got "${ext || 'no extension'}"`);
  try {
    if (statSync(file).isDirectory()) fail('cannot load policy module: is a directory, not a JavaScript file');
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    fail(`cannot load policy module: ${code === 'ENOENT' ? 'file not found' : firstLine(e)}`);
  }

  consoleToStderr();
  loadedModules.add(file);
  const prototypes = prototypeSnapshot();
  const limit = policyTimeoutMs();
  let ns: Record<string, unknown>;
  try {
    ns = (await withTimeout(
      importModule(pathToFileURL(resolve(file)).href),
      limit,
      () => `importing the module did not finish within ${limit} ms (a top-level await that never settles?)`,
      file,
    )) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw importError(file, e);
  }
  // Reading the module's values runs its code (getters): whatever it throws is the module's failure.
  let policies: UserPolicy[];
  try {
    policies = await policiesOf(ns, file, limit);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`reading the module's policies threw: ${firstLine(e)}`, { file });
  }
  const polluted = prototypePollution(prototypes);
  if (polluted !== undefined) {
    throw new InputError(
      `the module changed ${polluted} (a property every object would inherit); a policy module must not modify built-in prototypes`,
      { file },
    );
  }
  return policies;
}

async function policiesOf(ns: Record<string, unknown>, file: string, limit: number): Promise<UserPolicy[]> {
  const fail = (message: string): never => {
    throw new InputError(message, { file });
  };
  const { value, what } = pickExport(ns);
  if (value === undefined) {
    fail(
      'the module exports no policy: export a policy object or a factory as default (or as "policy", or a "policies" array)',
    );
  }
  let produced: unknown = value;
  let label = what;
  if (typeof value === 'function') {
    label = `${what} (a factory)`;
    try {
      produced = await withTimeout(
        Promise.resolve().then(() => (value as () => unknown)()),
        limit,
        () => `${label} did not settle within ${limit} ms`,
        file,
      );
    } catch (e) {
      if (e instanceof InputError) throw e;
      fail(`${label} threw: ${firstLine(e)}`);
    }
    if (produced === undefined) fail(`${label} returned nothing: it must return a policy or an array of policies`);
  }
  const items = Array.isArray(produced) ? produced : [produced];
  if (items.length === 0) fail(`${label} is an empty list: a module must yield at least one policy`);
  return items.map((item, i) => {
    const at = Array.isArray(produced) ? `${label}, item ${i}` : label;
    return guardPolicy(checkPolicyShape(item, at, file), file);
  });
}

/**
 * Which export holds the policies: default, then `policy`, then `policies`. A CommonJS module's
 * `module.exports` arrives as the default export; it may itself be the policy, or hold one under those names.
 */
function pickExport(ns: Record<string, unknown>): { value: unknown; what: string } {
  let source = ns;
  if (isPlainHolder(ns.default)) source = ns.default as Record<string, unknown>;
  for (const key of ['default', 'policy', 'policies']) {
    if (source[key] !== undefined)
      return { value: source[key], what: key === 'default' ? 'the default export' : `export "${key}"` };
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
    fail(
      `policy name ${JSON.stringify(name)} may hold only letters, digits, ".", "_" and "-", and must start with a letter or digit`,
    );
  }
  if ((BUILTIN_POLICY_NAMES as readonly string[]).includes(name))
    fail(`policy name "${name}" is a built-in policy's name; give yours its own name`);
  if (typeof p.place !== 'function')
    fail(`policy "${name}": "place" must be a function place(request, view) → index or -1, got ${describe(p.place)}`);
  for (const hook of OPTIONAL_POLICY_HOOKS) {
    if (p[hook] !== undefined && typeof p[hook] !== 'function')
      fail(`policy "${name}": "${hook}" must be a function when given, got ${describe(p[hook])}`);
  }
  if (p.siteKinds !== undefined) {
    const kinds = p.siteKinds;
    const what = `policy "${name}": "siteKinds"`;
    // An empty list would provision nothing and reject every request: surely a mistake.
    if (!Array.isArray(kinds) || kinds.length === 0)
      fail(`${what} must be a non-empty list of ${SITE_KINDS.join(', ')}, got ${describe(kinds)}`);
    const bad = (kinds as unknown[]).findIndex((k) => !SITE_KINDS.includes(k as SiteKind));
    if (bad !== -1)
      fail(`${what}: ${describe((kinds as unknown[])[bad])} is not a kind of site (expected ${SITE_KINDS.join(', ')})`);
  }
  if (p.pools !== undefined) {
    const pools = p.pools;
    const i = Array.isArray(pools) ? pools.findIndex((x) => typeof x !== 'string') : -2;
    if (i !== -1)
      fail(
        `policy "${name}": "pools" must be a list of "site/pool" names, got ${describe(i === -2 ? pools : (pools as unknown[])[i])}`,
      );
  }
  if (p.candidates !== undefined && p.candidates !== 'all' && p.candidates !== 'reachable')
    fail(`policy "${name}": "candidates" must be "all" or "reachable", got ${describe(p.candidates)}`);
  return value as Policy;
}

/** Throws the PolicyError for one misbehaving call. */
type Fail = (detail: string) => never;

/**
 * For each hook of the Policy interface, the wrapper that calls the policy's own hook and checks its answer.
 * The mapped type makes a hook added to Policy (and so to POLICY_HOOKS) a compile error until it has a guard.
 */
const HOOK_GUARDS: { [K in PolicyHook]: (policy: Policy, fail: Fail) => NonNullable<Policy[K]> } = {
  place: (policy, fail) => (request, view) => {
    const svc = `for service "${request.service}"`;
    let choice: unknown;
    try {
      // Called as a method, so a policy written as a class instance keeps its `this`.
      choice = policy.place(request, view);
    } catch (e) {
      return fail(`threw ${svc}: ${firstLine(e)}`);
    }
    if (choice === -1) return -1;
    const cs = view.candidates;
    if (typeof choice !== 'number' || !Number.isInteger(choice) || choice < 0 || choice >= cs.length) {
      const expected =
        cs.length === 0
          ? '-1 (there are no candidates)'
          : `-1 or the index of an available candidate (0..${cs.length - 1})`;
      return fail(`returned ${describe(choice)} ${svc}: expected ${expected}`);
    }
    if (!cs[choice].available)
      return fail(`returned ${choice} ${svc}: candidate ${choice} (${cs[choice].pool}) is not available`);
    return choice;
  },
  scheduleJob: (policy, fail) => (job, options) => {
    const of = `from scheduleJob for job "${job.job}"`;
    let pick: unknown;
    try {
      pick = policy.scheduleJob!(job, options);
    } catch (e) {
      return fail(`threw ${of}: ${firstLine(e)}`);
    }
    if (typeof pick !== 'number' || !Number.isInteger(pick) || pick < 0 || pick >= options.length) {
      return fail(`returned ${describe(pick)} ${of}: expected an option's index (0..${options.length - 1})`);
    }
    return pick;
  },
  deferRequest: (policy, fail) => (request, view, until_s) => {
    const of = `from deferRequest for service "${request.service}"`;
    let delay: unknown;
    try {
      delay = policy.deferRequest!(request, view, until_s);
    } catch (e) {
      return fail(`threw ${of}: ${firstLine(e)}`);
    }
    const most = until_s - view.now;
    if (typeof delay !== 'number' || !(delay >= 0 && delay <= most)) {
      return fail(`returned ${describe(delay)} ${of}: expected a delay in seconds from 0 to ${most} (until_s − now)`);
    }
    return delay;
  },
};

/**
 * The policy as the simulator sees it: a copy of its restrictions (so the module cannot change them during a
 * run), and every hook it has (POLICY_HOOKS) wrapped so that any misbehaviour becomes a PolicyError before
 * the simulator acts on it. A hook the policy lacks stays absent, so placesim's default applies.
 */
export function guardPolicy(policy: Policy, file: string): UserPolicy {
  const name = policy.name;
  const fail: Fail = (detail) => {
    throw new PolicyError(name, file, detail);
  };
  const hooks: Partial<Record<PolicyHook, unknown>> = {};
  for (const hook of POLICY_HOOKS) if (policy[hook] !== undefined) hooks[hook] = HOOK_GUARDS[hook](policy, fail);
  return {
    name,
    file,
    ...(policy.siteKinds !== undefined ? { siteKinds: [...policy.siteKinds] } : {}),
    ...(policy.pools !== undefined ? { pools: [...policy.pools] } : {}),
    ...(policy.candidates !== undefined ? { candidates: policy.candidates } : {}),
    ...(hooks as Pick<Policy, PolicyHook>),
  };
}

/**
 * The scenario with the loaded policies taken into account. Without `--policy` (`explicit` false), each
 * loaded policy the scenario's list does not name is appended to it, so loading a module is enough to see it
 * compared. Pools a loaded policy restricts itself to must exist in the scenario.
 */
export function withUserPolicies(scenario: Scenario, user: readonly UserPolicy[], explicit: boolean): Scenario {
  const policies = explicit
    ? scenario.policies
    : [...scenario.policies, ...user.map((p) => p.name).filter((n) => !scenario.policies.includes(n))];
  const poolNames = scenario.pools.map((p) => p.name);
  const used = new Set([...policies, ...policies.map((n) => scenario.policy_variants[n]?.policy)]);
  for (const p of user) {
    if (!used.has(p.name) || p.pools === undefined) continue;
    const unknown = p.pools.find((x) => !poolNames.includes(x));
    if (unknown !== undefined) {
      throw new InputError(
        `policy "${p.name}": pools: no pool "${unknown}" in scenario ${scenario.name} (it has ${poolNames.join(', ')})`,
        {
          file: p.file,
        },
      );
    }
  }
  return policies === scenario.policies ? scenario : { ...scenario, policies };
}

// ------------------------------------------------------------------------------------------------ guards

/** How long importing a module, and then its factory, may take; PLACESIM_POLICY_TIMEOUT_MS overrides it. */
export const POLICY_MODULE_TIMEOUT_MS = 30_000;

function policyTimeoutMs(): number {
  const env = process.env.PLACESIM_POLICY_TIMEOUT_MS;
  const n = env === undefined ? NaN : Number(env);
  return Number.isFinite(n) && n > 0 ? n : POLICY_MODULE_TIMEOUT_MS;
}

/** The promise's value, or an InputError naming the module when it has not settled within `ms`. */
async function withTimeout<T>(p: Promise<T>, ms: number, what: () => string, file: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  // A timer that keeps the process alive: without one, a promise that never settles would let Node exit
  // with status 13 ("unsettled top-level await") and no message.
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new InputError(what(), { file })), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Modules loaded into this process, to blame for a stray rejection or exception (installProcessGuards). */
const loadedModules = new Set<string>();

/** The policy modules loaded so far, in load order. */
export function loadedPolicyModules(): string[] {
  return [...loadedModules];
}

let consoleRedirected = false;

/**
 * A module's console.log/info/debug/table/dir/… lands on stderr: stdout carries placesim's results (a table,
 * `--json`), which a stray line from a module would corrupt. placesim itself never writes through `console`.
 */
function consoleToStderr(): void {
  if (consoleRedirected) return;
  consoleRedirected = true;
  const toStderr = new Console({ stdout: process.stderr, stderr: process.stderr });
  const from = toStderr as unknown as Record<string, unknown>;
  for (const key of Object.keys(from)) {
    const fn = from[key];
    if (typeof fn === 'function') (console as unknown as Record<string, unknown>)[key] = fn.bind(toStderr);
  }
}

const PROTOTYPES: [string, object][] = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
  ['Function.prototype', Function.prototype],
];

type PrototypeSnapshot = Map<string, Map<PropertyKey, PropertyDescriptor>>;

function prototypeSnapshot(): PrototypeSnapshot {
  return new Map(
    PROTOTYPES.map(([name, proto]) => [
      name,
      new Map(Reflect.ownKeys(proto).map((k) => [k, Object.getOwnPropertyDescriptor(proto, k)!])),
    ]),
  );
}

/** "Object.prototype.polluted" when a module added or replaced a property of a built-in prototype. */
function prototypePollution(before: PrototypeSnapshot): string | undefined {
  for (const [name, proto] of PROTOTYPES) {
    const was = before.get(name)!;
    for (const k of Reflect.ownKeys(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, k)!;
      const old = was.get(k);
      if (old === undefined || old.value !== d.value || old.get !== d.get || old.set !== d.set)
        return `${name}.${String(k)}`;
    }
  }
  return undefined;
}

/**
 * For the executable: a promise a policy module left rejected, or an exception thrown from its timer or
 * callback, ends the process with one line naming the module(s) and status 2, instead of Node's stack trace
 * (status 1, which `placesim check` uses for "a regression"). With no module loaded it is a bug in placesim:
 * status 3.
 */
export function installProcessGuards(write: (text: string) => void = (t) => void process.stderr.write(t)): void {
  const stray = (what: string) => (e: unknown) => {
    const modules = loadedPolicyModules();
    if (modules.length === 0) {
      write(`placesim: internal error: ${what}: ${firstLine(e)} (a bug in placesim: please report it)\n`);
      process.exit(3);
    }
    const who =
      modules.length === 1 ? `policy module ${modules[0]}` : `one of the policy modules ${modules.join(', ')}`;
    write(`placesim: ${who}: ${what}: ${firstLine(e)}\n`);
    process.exit(2);
  };
  process.on('unhandledRejection', stray('a promise was rejected and nothing handled it'));
  process.on('uncaughtException', stray('an exception was thrown outside any call placesim made'));
}

// ------------------------------------------------------------------------------------------------ helpers

/**
 * A module that fails to import. Syntax errors are reported as `node --check` sees them, with their line:
 * Node's own import() error does not say where, and a test runner's import (vitest transforms modules
 * itself) words them differently, so this keeps the message the same in a shell and in the tests.
 */
function importError(file: string, e: unknown): InputError {
  const syntax = checkSyntax(file);
  if (syntax === undefined) return new InputError(`cannot load policy module: ${firstLine(e)}`, { file });
  let message = syntax.message;
  if (/\b(export|import)\b/.test(message) && extname(file).toLowerCase() !== '.mjs') {
    message += ' (ES module syntax in a file Node treats as CommonJS: name it .mjs)';
  }
  return new InputError(`cannot load policy module: ${message}`, {
    file,
    ...(syntax.line !== undefined ? { line: syntax.line } : {}),
  });
}

/** The syntax error `node --check` finds in the file, if any. Runs only after an import failed. */
function checkSyntax(file: string): { message: string; line?: number } | undefined {
  const path = resolve(file);
  const r = spawnSync(process.execPath, ['--check', path], { encoding: 'utf8', timeout: 10_000 });
  if (r.status === 0 || typeof r.stderr !== 'string') return undefined;
  const lines = r.stderr.split('\n');
  const error = lines.find((l) => /^SyntaxError: /.test(l));
  if (error === undefined) return undefined;
  const at = lines.find((l) => l.startsWith(`${path}:`));
  const line = at === undefined ? undefined : Number(at.slice(path.length + 1));
  return { message: error, ...(Number.isInteger(line) ? { line } : {}) };
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
