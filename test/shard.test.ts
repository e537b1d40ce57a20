/**
 * Array jobs without a server: `--shard I/N` shares and `placesim merge` give exactly the files one run
 * writes, for a sweep and for a search; merge refuses missing, repeated or foreign shards.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHILD_TIMEOUT_MS, TEST_TIMEOUT_MS } from './helpers/timeouts.js';
import { parseShard, shardFileName } from '../src/sweep/shard.js';

const tmp = mkdtempSync(join(tmpdir(), 'placesim-shard-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function placesim(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['bin/placesim', ...args], { encoding: 'utf8', timeout: CHILD_TIMEOUT_MS });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function same(a: string, b: string, files: string[]): void {
  for (const f of files) expect(readFileSync(join(a, f), 'utf8'), f).toBe(readFileSync(join(b, f), 'utf8'));
}

const SWEEP = [
  'sweep',
  'scenarios/mmc-validation.yaml',
  '--set',
  'duration=10s',
  '--set',
  'warmup=1s',
  '--set',
  'services.jobs.arrivals.poisson=100/s,150/s,200/s,250/s,300/s',
  '--replications',
  '2',
  '--quiet',
];
const SEARCH = [
  'search',
  'scenarios/mmc-validation.yaml',
  '--vary',
  'duration=10s',
  '--vary',
  'warmup=1s',
  '--vary',
  'services.jobs.service_time.exponential=5ms,10ms',
  '--vary',
  'sites.dc.pools.servers.count=1..12:1',
  '--require',
  'jobs.latency_p99_ms<=100',
  '--minimise',
  'energy',
  '--replications',
  '3',
  '--workers',
  '1',
  '--quiet',
];

describe('shards and merge', () => {
  it('parses I/N and names shard files so that they sort', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '1/0', 'a/b', '1', '1/10001']) expect(() => parseShard(bad)).toThrow(/--shard/);
    expect(shardFileName('sweep', { index: 3, count: 12 })).toBe('sweep.shard-03-of-12.json');
  });

  it(
    'a sweep in three shares merges into the files of one run, byte for byte',
    () => {
      const shards = join(tmp, 'sweep-shards');
      for (const i of [1, 2, 3]) expect(placesim(...SWEEP, '--shard', `${i}/3`, '--out', shards).code).toBe(0);
      const merged = join(tmp, 'sweep-merged');
      const files = readdirSync(shards)
        .filter((f) => /^sweep\.shard-\d+-of-3\.json$/.test(f))
        .map((f) => join(shards, f));
      expect(files).toHaveLength(3);
      const m = placesim('merge', ...files, '--out', merged);
      expect(m.code, m.err).toBe(0);
      const single = join(tmp, 'sweep-single');
      expect(placesim(...SWEEP, '--out', single).code).toBe(0);
      same(merged, single, ['sweep.csv', 'sweep.json']);

      const missing = placesim('merge', files[0], files[2], '--out', join(tmp, 'x'));
      expect(missing.code).toBe(2);
      expect(missing.err).toMatch(/share\(s\) 2\/3 missing/);
      const twice = placesim('merge', files[0], files[0], files[1], '--out', join(tmp, 'x'));
      expect(twice.code).toBe(2);
      expect(twice.err).toMatch(/share 1\/3 again/);
      const bogus = join(tmp, 'bogus.json');
      writeFileSync(bogus, '{"kind":"something else"}');
      const notShard = placesim('merge', bogus);
      expect(notShard.code).toBe(2);
      expect(notShard.err).toMatch(/not a placesim shard file/);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a search in two shares merges into the files of one run; shards of another search are refused',
    () => {
      const shards = join(tmp, 'search-shards');
      for (const i of [1, 2]) expect(placesim(...SEARCH, '--shard', `${i}/2`, '--out', shards).code).toBe(0);
      const files = [1, 2].map((i) => join(shards, `search.shard-${i}-of-2.json`));
      const merged = join(tmp, 'search-merged');
      const m = placesim('merge', ...files, '--out', merged);
      expect(m.code, m.err).toBe(0);
      const single = join(tmp, 'search-single');
      expect(placesim(...SEARCH, '--out', single).code).toBe(0);
      same(merged, single, ['search.csv', 'search.json']);

      const other = join(tmp, 'search-other');
      const o = placesim(
        ...SEARCH.map((a) => (a === 'jobs.latency_p99_ms<=100' ? 'jobs.latency_p99_ms<=90' : a)),
        '--shard',
        '2/2',
        '--out',
        other,
      );
      expect(o.code).toBe(0);
      const mixed = placesim('merge', files[0], join(other, 'search.shard-2-of-2.json'), '--out', join(tmp, 'y'));
      expect(mixed.code).toBe(2);
      expect(mixed.err).toMatch(/belongs to a different search/);
    },
    TEST_TIMEOUT_MS,
  );
});
