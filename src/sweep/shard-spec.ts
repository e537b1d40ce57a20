/** The `--shard I/N` flag (kept apart from shard.ts so that the CLI can parse it without loading the rest). */
import { InputError } from '../errors.js';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** Parses `--shard I/N` (1 ≤ I ≤ N ≤ 10,000). */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1 && count <= 10_000) || !(index >= 1 && index <= count)) {
    throw new InputError(
      `--shard ${JSON.stringify(text)}: expected I/N with 1 ≤ I ≤ N ≤ 10000, e.g. 1/4 (the first of four shares)`,
    );
  }
  return { index, count };
}
