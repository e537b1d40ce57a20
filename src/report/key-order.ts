/**
 * The Result's key order for the JSON reporter, read from the Result schema (src/metrics/result-shape.ts).
 *
 * A module of its own so that the CLI bundle can replace it (scripts/bundle.mjs): the order is computed once
 * when the bundle is built, from the same schema, rather than by building the Result schema's ~400 zod
 * schemas on every `placesim run --json`.
 */
import { keyOrders } from '../metrics/result-shape.js';

/** Declared key order per object of a Result, addressed by its path with array indices and record keys as "*". */
export function resultKeyOrder(): ReadonlyMap<string, readonly string[]> {
  return keyOrders();
}
