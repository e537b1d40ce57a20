/**
 * Errors for input a user can fix. The CLI prints `err.message` and exits 2, so the message alone must say
 * where (file:line:col), which field (a dotted path) and what is wrong:
 *
 *   scenarios/x.yaml:12:7: services.chat.arrivals.poisson: bad rate "-3/s": must be > 0
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

export function formatMessage(message: string, where: Where): string {
  let loc = where.file ?? '';
  if (where.line !== undefined) loc += `${loc === '' ? '' : ':'}${where.line}${where.col !== undefined ? `:${where.col}` : ''}`;
  const parts: string[] = [];
  if (loc !== '') parts.push(loc);
  if (where.path !== undefined && where.path.length > 0) parts.push(formatPath(where.path));
  parts.push(message);
  return parts.join(': ');
}

/** Levenshtein distance; inputs are short identifiers, so the O(n·m) table is fine. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The candidate the user most likely meant, or undefined when nothing is close. Case is ignored. A small
 * edit distance (scaled to the word's length, so short words need near-exact matches) wins; failing that, a
 * candidate that contains the word ("h100" → "h100-sxm") is offered.
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  const limit = w.length <= 2 ? 0 : w.length <= 4 ? 1 : w.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    if (c === word) continue;
    const d = distance(w, c.toLowerCase());
    if (d <= limit && d < bestD) {
      best = c;
      bestD = d;
    }
  }
  if (best !== undefined || w.length < 3) return best;
  for (const c of candidates) {
    if (c !== word && c.toLowerCase().includes(w) && (best === undefined || c.length < best.length)) best = c;
  }
  return best;
}

/** ` (did you mean "x"?)` or ''. */
export function hint(word: string, candidates: readonly string[]): string {
  const m = didYouMean(word, candidates);
  return m === undefined ? '' : ` (did you mean "${m}"?)`;
}
