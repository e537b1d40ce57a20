/**
 * Array jobs without a server: `--shard I/N` runs the I-th share of a sweep (every N-th grid point) or of a
 * search (every N-th bisection line: a policy × the configuration it starts from) and writes a shard file;
 * `placesim merge` combines the N shard files into exactly the files one run writes, byte for byte.
 *
 * A shard file says which sweep or search it belongs to (the hash of its definition: scenario text, flags,
 * seeds, placesim version); merge refuses shards of different definitions, a missing or repeated share, or a
 * file that is not a shard.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import type { SweepResult } from '../metrics/sweep-result.js';
import type { Shard } from './shard-spec.js';

export { parseShard, type Shard } from './shard-spec.js';

export const SHARD_KIND = 'placesim-shard';
export const SHARD_FORMAT_VERSION = 1;

export interface SweepShardFile {
  kind: typeof SHARD_KIND;
  format_version: number;
  of: 'sweep';
  shard: Shard;
  definition: string;
  result: SweepResult;
}

export interface SearchShardFile {
  kind: typeof SHARD_KIND;
  format_version: number;
  of: 'search';
  shard: Shard;
  definition: string;
  /** What the search was run with, so that merge can walk it again. */
  search: {
    file: string;
    text: string;
    options: Record<string, unknown>;
  };
  /** Every evaluation the shard ran: key (configuration + policy) → per-seed metrics. */
  evaluations: [string, Record<string, number | null>[]][];
}

export type ShardFile = SweepShardFile | SearchShardFile;

export function shardFileName(of: 'sweep' | 'search', s: Shard): string {
  const w = String(s.count).length;
  return `${of}.shard-${String(s.index).padStart(w, '0')}-of-${s.count}.json`;
}

export function shardPath(outDir: string, of: 'sweep' | 'search', s: Shard): string {
  return join(outDir, shardFileName(of, s));
}

export function shardJson(f: ShardFile): string {
  return JSON.stringify(f) + '\n';
}

/** Reads and checks shard files: one definition, every share from 1 to N exactly once. */
export function readShards(files: readonly string[]): ShardFile[] {
  if (files.length === 0) throw new InputError('merge needs the shard files, e.g. sweep-out/sweep.shard-*.json');
  const shards = files.map((file): ShardFile => {
    let v: unknown;
    try {
      v = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message;
      throw new InputError(`${file}: cannot read a shard file: ${why}`);
    }
    const f = v as Partial<ShardFile> | null;
    if (!f || f.kind !== SHARD_KIND || (f.of !== 'sweep' && f.of !== 'search') || typeof f.definition !== 'string') {
      throw new InputError(`${file}: not a placesim shard file (written by sweep or search with --shard I/N)`);
    }
    if (f.format_version !== SHARD_FORMAT_VERSION) {
      throw new InputError(
        `${file}: shard format ${String(f.format_version)}, this placesim reads ${SHARD_FORMAT_VERSION}`,
      );
    }
    return f as ShardFile;
  });
  const first = shards[0];
  shards.forEach((s, i) => {
    if (s.of !== first.of) throw new InputError(`${files[i]}: a ${s.of} shard among ${first.of} shards`);
    if (s.definition !== first.definition || s.shard.count !== first.shard.count) {
      throw new InputError(
        `${files[i]}: belongs to a different ${s.of} than ${files[0]} (definition or shard count differ)`,
      );
    }
  });
  const n = first.shard.count;
  const seen = new Map<number, string>();
  shards.forEach((s, i) => {
    const other = seen.get(s.shard.index);
    if (other !== undefined) throw new InputError(`${files[i]}: share ${s.shard.index}/${n} again (also ${other})`);
    seen.set(s.shard.index, files[i]);
  });
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length > 0) {
    throw new InputError(`merge: share(s) ${missing.map((i) => `${i}/${n}`).join(', ')} missing`);
  }
  return shards.sort((a, b) => a.shard.index - b.shard.index);
}

/** The SweepResult one run would have written, from all its shards. */
export function mergeSweepShards(shards: SweepShardFile[]): SweepResult {
  const base = shards[0].result;
  const points = shards.flatMap((s) => s.result.points).sort((a, b) => a.index - b.index);
  const expected = base.axes.reduce((n, a) => n * a.values.length, 1);
  if (points.length !== expected || points.some((p, i) => p.index !== i)) {
    throw new InputError(`merge: the shards hold ${points.length} of the sweep's ${expected} points`);
  }
  return { ...base, points };
}
