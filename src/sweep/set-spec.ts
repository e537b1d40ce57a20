/**
 * The `--set PATH=VALUES` grammar of `placesim sweep`:
 *
 *   services.chat.arrivals.poisson=100/s,200/s,400/s     a list
 *   sites.edge.pools.gpu.count=1..4:1                    a numeric range, end included
 *   services.chat.arrivals.poisson=100/s..400/s:100/s    a range with a unit suffix (the same on all three)
 *
 * A path is dotted keys with optional `[n]` list indices (`services.chat.users[0].weight`); a key that is
 * not plain letters, digits, `_`, `-` or `/` is written as a JSON string (`regions."eu.west".pue`), as
 * error messages print it.
 */
import { InputError, type PathSegment } from '../scenario/errors.js';

export interface SetSpec {
  path: string;
  values: (string | number)[];
}

/** A range may not expand to more values than this: a typo such as 1..1e9:1 should not hang the machine. */
export const MAX_RANGE_VALUES = 10_000;

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/** A number followed by an optional unit suffix ("100/s", "2.5GB", "10ms"). */
const NUMBER_WITH_UNIT = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(.*)$/;

/**
 * Binary floating point cannot hold 0.1 exactly, so 0.1 + 2 × 0.1 is 0.30000000000000004. Rounding to 12
 * significant digits recovers the decimal the user meant while keeping far more precision than any
 * scenario figure has.
 */
export function round12(x: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(12));
}

/** Parses one `--set` flag's text. Malformed input is an InputError that quotes the flag. */
export function parseSet(text: string): SetSpec {
  const fail = (why: string): never => {
    throw new InputError(`--set ${JSON.stringify(text)}: ${why}`);
  };
  const eq = text.indexOf('=');
  if (eq < 0) fail('expected PATH=VALUES, e.g. services.chat.arrivals.poisson=100/s,200/s');
  const path = text.slice(0, eq).trim();
  const rhs = text.slice(eq + 1).trim();
  if (path === '') fail('the path before "=" is empty');
  try {
    parsePath(path);
  } catch (e) {
    fail((e as Error).message);
  }
  if (rhs === '') fail('no values after "="');

  // A range starts with a number before "..": "../traces/a.csv" is a value, "2..10" a (malformed) range.
  const dots = rhs.indexOf('..');
  const isRange = dots > 0 && !rhs.includes(',') && NUMBER_WITH_UNIT.test(rhs.slice(0, dots).trim());
  const values = isRange ? parseRange(rhs, fail) : parseList(rhs, fail);
  return { path, values };
}

function parseList(rhs: string, fail: (why: string) => never): (string | number)[] {
  const items = rhs.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) fail('empty value in the list (two commas in a row, or a trailing comma?)');
  const values = items.map((s) => (NUMBER.test(s) ? Number(s) : s));
  const seen = new Set<string>();
  for (const v of values) {
    const key = `${typeof v}:${v}`;
    if (seen.has(key)) fail(`value ${JSON.stringify(v)} is listed twice`);
    seen.add(key);
  }
  return values;
}

function parseRange(rhs: string, fail: (why: string) => never): (string | number)[] {
  const m = /^(.+?)\.\.(.+?):(.+)$/.exec(rhs);
  if (!m) fail('a range is START..END:STEP, e.g. 2..10:2 or 100/s..400/s:100/s');
  const parts = [m[1], m[2], m[3]].map((s) => s.trim());
  const parsed = parts.map((s) => {
    const n = NUMBER_WITH_UNIT.exec(s);
    if (!n) fail(`${JSON.stringify(s)} is not a number (with an optional unit)`);
    return { value: Number(n[1]), unit: n[2].trim() };
  });
  const [start, end, step] = parsed;
  if (start.unit !== end.unit || start.unit !== step.unit) {
    const units = parsed.map((p) => (p.unit === '' ? '(none)' : p.unit)).join(', ');
    fail(`START, END and STEP must carry the same unit, got ${units}`);
  }
  if (!(step.value > 0)) fail('the step must be > 0');
  if (end.value < start.value) fail('the range is empty: END is below START');
  // Rounding the quotient absorbs float error: (0.3 − 0.1) / 0.1 is 1.9999999999999996, meaning 2.
  const steps = Math.floor(round12((end.value - start.value) / step.value));
  if (steps + 1 > MAX_RANGE_VALUES) fail(`the range has ${steps + 1} values; at most ${MAX_RANGE_VALUES} are allowed`);
  const out: (string | number)[] = [];
  for (let i = 0; i <= steps; i++) {
    // start + i·step rather than repeated addition, so the error does not accumulate.
    const v = round12(start.value + i * step.value);
    out.push(start.unit === '' ? v : `${v}${start.unit}`);
  }
  return out;
}

const PLAIN_SEGMENT = /^[^.[\]"]+/;

/** `a.b[0]."c.d"` → ['a', 'b', 0, 'c.d']. Throws a plain Error (the caller adds the context). */
export function parsePath(path: string): PathSegment[] {
  const segs: PathSegment[] = [];
  let i = 0;
  let expectKey = true;
  while (i < path.length) {
    const c = path[i];
    if (c === '[') {
      const close = path.indexOf(']', i);
      const inner = close < 0 ? '' : path.slice(i + 1, close);
      if (segs.length === 0 || !/^\d+$/.test(inner))
        throw new Error(`bad list index in path "${path}" (expected e.g. users[0])`);
      segs.push(Number(inner));
      i = close + 1;
      expectKey = false;
      continue;
    }
    if (!expectKey) {
      if (c !== '.') throw new Error(`bad path "${path}": expected "." or "[" at character ${i + 1}`);
      i++;
      expectKey = true;
      if (i === path.length) throw new Error(`bad path "${path}": it ends with "."`);
      continue;
    }
    if (c === '"') {
      // A JSON string, as formatPath writes keys that are not plain.
      let j = i + 1;
      while (j < path.length && path[j] !== '"') j += path[j] === '\\' ? 2 : 1;
      try {
        segs.push(JSON.parse(path.slice(i, j + 1)) as string);
      } catch {
        throw new Error(`bad quoted key in path "${path}"`);
      }
      i = j + 1;
    } else {
      const m = PLAIN_SEGMENT.exec(path.slice(i));
      if (!m) throw new Error(`bad path "${path}": empty key at character ${i + 1}`);
      const key = m[0];
      if (key.trim() !== key) throw new Error(`bad path "${path}": spaces around key "${key.trim()}"`);
      segs.push(key);
      i += key.length;
    }
    expectKey = false;
  }
  if (segs.length === 0) throw new Error('the path is empty');
  return segs;
}
