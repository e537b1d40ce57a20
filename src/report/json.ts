/**
 * The JSON reporter: the Result itself, 2-space indented, one trailing newline.
 *
 * Committed results are regression baselines compared byte for byte, so the key order must not depend on
 * how the simulation happened to build its objects: keys are written in the order the Result schema
 * (src/metrics/result-schema.ts) declares them. Keys a newer Result carries that the schema does not know
 * follow in their own order, so nothing is dropped.
 */

import type { Result } from '../metrics/result.js';
import { resultKeyOrder } from './key-order.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Declared key order per object, addressed by its path with array indices and record keys as "*". */
const KEY_ORDER: ReadonlyMap<string, readonly string[]> = resultKeyOrder();

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/**
 * A copy with keys in declared order. Throws on values JSON cannot carry (NaN, ±Infinity, undefined inside
 * arrays, functions): JSON.stringify would quietly turn them into null, and a Result holding one is a bug
 * that should surface here rather than in a baseline diff months later.
 */
function canonical(value: unknown, path: string, where: string): Json {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`Result field ${where} is ${value}, which JSON cannot represent`);
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((v, i) => canonical(v, join(path, '*'), `${where}[${i}]`));
  }
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const order = KEY_ORDER.get(path);
    const keys = order
      ? [...order.filter((k) => k in obj), ...Object.keys(obj).filter((k) => !order.includes(k))]
      : Object.keys(obj);
    const out: { [key: string]: Json } = {};
    for (const k of keys) {
      // Optional fields left undefined are absent in JSON, as JSON.stringify would have it.
      if (obj[k] === undefined) continue;
      out[k] = canonical(obj[k], join(path, order ? k : '*'), where === '' ? k : `${where}.${k}`);
    }
    return out;
  }
  throw new Error(`Result field ${where} has a ${typeof value}, which JSON cannot represent`);
}

export function renderJson(result: Result): string {
  return JSON.stringify(canonical(result, '', ''), null, 2) + '\n';
}
