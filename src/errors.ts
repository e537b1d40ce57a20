/**
 * The typed errors of placesim, below every layer: any folder may import this module, and it imports none.
 * Each class is a failure the user can fix; the application layer (src/app/exit.ts) maps them to exit codes
 * in one place. Any other Error reaching the top is a bug in placesim (exit 3).
 *
 * - InputError: bad input — a scenario file, a flag, a policy module, an output path. The message alone
 *   says where (file:line:col), which field (a dotted path) and what is wrong:
 *
 *     scenarios/x.yaml:12:7: services.chat.arrivals.poisson: bad rate "-3/s": must be > 0
 *
 * - PlanError: a scenario that loads but cannot be planned (a model that fits no pool, a service with no
 *   pool in an allowed region). It carries the field path only; the application layer adds the file and
 *   line:col from the loaded scenario and reports it as an InputError.
 * - PolicyError: a user's policy misbehaved while the simulation ran (threw, or returned a value it may not
 *   return). The user's bug to fix, reported like bad input.
 */

export type PathSegment = string | number;

export interface Where {
  file?: string;
  path?: readonly PathSegment[];
  line?: number;
  col?: number;
}

export class InputError extends Error {
  override name = 'InputError';
  /** The message without the location prefix. */
  readonly detail: string;
  file?: string;
  path?: PathSegment[];
  line?: number;
  col?: number;

  constructor(message: string, where: Where = {}) {
    super(formatMessage(message, where));
    this.detail = message;
    if (where.file !== undefined) this.file = where.file;
    if (where.path !== undefined) this.path = [...where.path];
    if (where.line !== undefined) this.line = where.line;
    if (where.col !== undefined) this.col = where.col;
  }

  /** The same error with location fields filled in where this one has none. */
  at(where: Where): InputError {
    return new InputError(this.detail, {
      file: this.file ?? where.file,
      path: this.path ?? where.path,
      line: this.line ?? where.line,
      col: this.col ?? where.col,
    });
  }
}

/** A scenario that cannot be planned; `path` is the field to blame (e.g. ['services', 'chat', 'residency']). */
export class PlanError extends Error {
  override name = 'PlanError';
  constructor(
    message: string,
    readonly path: PathSegment[],
  ) {
    super(message);
  }
}

/** A user's policy failed while the simulation ran: it threw, or returned a value it may not return. */
export class PolicyError extends Error {
  override name = 'PolicyError';
  constructor(
    readonly policy: string,
    readonly file: string,
    readonly detail: string,
  ) {
    super(`policy "${policy}" (from ${file}) ${detail}`);
  }
}

/**
 * A typed error as plain data, for crossing a worker thread's boundary (structured cloning keeps an Error's
 * message but not its class).
 */
export type ErrorData =
  | { kind: 'InputError'; detail: string; where: Where }
  | { kind: 'PlanError'; message: string; path: PathSegment[] }
  | { kind: 'PolicyError'; policy: string; file: string; detail: string };

/** The data of a typed error; undefined for any other value (a bug, which travels as it is). */
export function errorToData(e: unknown): ErrorData | undefined {
  if (e instanceof InputError) {
    const where: Where = {};
    if (e.file !== undefined) where.file = e.file;
    if (e.path !== undefined) where.path = [...e.path];
    if (e.line !== undefined) where.line = e.line;
    if (e.col !== undefined) where.col = e.col;
    return { kind: 'InputError', detail: e.detail, where };
  }
  if (e instanceof PlanError) return { kind: 'PlanError', message: e.message, path: [...e.path] };
  if (e instanceof PolicyError) return { kind: 'PolicyError', policy: e.policy, file: e.file, detail: e.detail };
  return undefined;
}

/** The typed error back from its data. */
export function errorFromData(d: ErrorData): InputError | PlanError | PolicyError {
  switch (d.kind) {
    case 'InputError':
      return new InputError(d.detail, d.where);
    case 'PlanError':
      return new PlanError(d.message, d.path);
    case 'PolicyError':
      return new PolicyError(d.policy, d.file, d.detail);
  }
}

const PLAIN_KEY = /^[A-Za-z0-9_\-/]+$/;

/** `services.chat.users[0].weight`; keys that would be ambiguous in a dotted path are quoted. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const key = PLAIN_KEY.test(seg) ? seg : JSON.stringify(seg);
      out += out === '' ? key : `.${key}`;
    }
  }
  return out;
}

/** `file:line:col: path: message`, leaving out the parts that are unknown. */
export function formatMessage(message: string, where: Where): string {
  let loc = where.file ?? '';
  if (where.line !== undefined)
    loc += `${loc === '' ? '' : ':'}${where.line}${where.col !== undefined ? `:${where.col}` : ''}`;
  const parts: string[] = [];
  if (loc !== '') parts.push(loc);
  if (where.path !== undefined && where.path.length > 0) parts.push(formatPath(where.path));
  parts.push(message);
  return escapeControls(parts.join(': '));
}

/**
 * Control characters (ANSI escapes, terminal-title sequences, newlines) from names in a file or a scenario,
 * escaped as \uXXXX: an error message is one line and never drives the terminal.
 */
export function escapeControls(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Why a system call failed, from a Node error: "no space left on device (ENOSPC)" from
 * "ENOSPC: no space left on device, write". For messages that already name the path.
 */
export function systemReason(e: NodeJS.ErrnoException): string {
  const m = /^E[A-Z0-9]+: ([^,]+)/.exec(e.message);
  return `${m ? m[1] : e.message.split('\n')[0]}${e.code !== undefined ? ` (${e.code})` : ''}`;
}
