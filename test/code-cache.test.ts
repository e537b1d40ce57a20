/**
 * The CLI bundle's V8 code cache (src/app/code-cache.ts, docs/performance.md "Start-up"): used when it
 * matches, ignored when it is stale, corrupt or cannot be written, and never a different output. Each test
 * has its own cache directory (PLACESIM_CODE_CACHE or `cacheDir`), so it never meets the build's cache.
 * Needs the build (`npm test` builds first).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { placesim, ROOT } from './helpers/placesim-process.js';
import { CHILD_TIMEOUT_MS } from './helpers/timeouts.js';

const BUNDLE = join(ROOT, 'dist', 'bundle', 'placesim.cjs');
const LOADER = join(ROOT, 'dist', 'app', 'code-cache.js');

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'placesim-code-cache-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const FLAGS = join(ROOT, 'dist', 'app', 'v8-flags.js');

/**
 * Loads `bundle` through the cache in a fresh process, saves the cache, and says what the cache did. With
 * `simulating`, the process first sets the simulating commands' V8 flags at run time, as bin/placesim does.
 */
function load(bundle: string, cacheDir: string, simulating = false): { cache: string; main: string; stderr: string } {
  const code = `
    ${simulating ? `(await import(${JSON.stringify(new URL(`file://${FLAGS}`).href)})).applySimulationFlags();` : ''}
    const { loadBundleEntry } = await import(${JSON.stringify(new URL(`file://${LOADER}`).href)});
    const e = await loadBundleEntry(${JSON.stringify(bundle)}, { kind: 'test', cacheDir: ${JSON.stringify(cacheDir)} });
    e.saveCache();
    console.log(JSON.stringify({ cache: e.cache, main: typeof e.exports.main }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    encoding: 'utf8',
    timeout: CHILD_TIMEOUT_MS,
  });
  expect(r.status, r.stderr).toBe(0);
  return { ...(JSON.parse(r.stdout) as { cache: string; main: string }), stderr: r.stderr };
}

const caches = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.bin')) : []);

/** A copy of the bundle in a dist/-like folder of its own, next to the modules it leaves outside. */
function bundleCopy(name: string): string {
  const root = join(work, name);
  mkdirSync(join(root, 'bundle'), { recursive: true });
  mkdirSync(join(root, 'placement'));
  for (const rel of ['errors.js', 'version.js', 'placement/import-module.js'])
    symlinkSync(join(ROOT, 'dist', rel), join(root, rel));
  const file = join(root, 'bundle', 'placesim.cjs');
  copyFileSync(BUNDLE, file);
  return file;
}

describe('the code cache of the CLI bundle', () => {
  it('is written after the first load and used by the next', () => {
    const dir = join(work, 'used');
    expect(load(BUNDLE, dir)).toEqual({ cache: 'miss', main: 'function', stderr: '' });
    const files = caches(dir);
    expect(files).toHaveLength(1);
    // The name carries the bundle's hash and V8's version.
    const sha = createHash('sha256').update(readFileSync(BUNDLE, 'utf8')).digest('hex');
    expect(files[0]).toContain(sha.slice(0, 32));
    expect(files[0]).toContain(process.versions.v8);
    expect(load(BUNDLE, dir)).toEqual({ cache: 'hit', main: 'function', stderr: '' });
  });

  it('ignores the cache of another bundle, even one of the same length, and replaces it', () => {
    const bundle = bundleCopy('stale');
    const dir = join(work, 'stale-cache');
    expect(load(bundle, dir).cache).toBe('miss');
    const before = caches(dir);
    // Same length, one character changed: V8 alone (it checks the length) would take the old cache.
    const text = readFileSync(bundle, 'utf8');
    const at = text.indexOf('run a scenario');
    expect(at).toBeGreaterThan(0);
    writeFileSync(bundle, `${text.slice(0, at)}Run${text.slice(at + 3)}`);
    expect(load(bundle, dir)).toEqual({ cache: 'miss', main: 'function', stderr: '' });
    const after = caches(dir);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before[0]);
  });

  it('keeps one cache per set of V8 flags, however they were set, and never meets a rejection', () => {
    const dir = join(work, 'flags');
    expect(load(BUNDLE, dir).cache).toBe('miss');
    // The simulating commands' flags, set with v8.setFlagsFromString (execArgv does not show them): V8
    // would reject the cache written without them, so it is another file.
    expect(load(BUNDLE, dir, true).cache).toBe('miss');
    expect(caches(dir)).toHaveLength(2);
    expect(load(BUNDLE, dir, true).cache).toBe('hit');
    expect(load(BUNDLE, dir).cache).toBe('hit');
  });

  it('is written by `run` under the simulating flags and by `validate` without them (bin/placesim)', async () => {
    const dir = join(work, 'bin-flags');
    for (const args of [
      ['validate', 'bench/tiny.yaml'],
      ['run', 'bench/tiny.yaml'],
    ]) {
      const r = await placesim(args, { env: { PLACESIM_CODE_CACHE: dir } });
      expect(r.status, r.stderr).toBe(0);
    }
    // kind.v8version-arch-flaghash.bundlehash.vN.bin: the flag hash is the part before the bundle's hash.
    const flagHash = (kind: string) =>
      caches(dir)
        .find((f) => f.startsWith(`${kind}.`))
        ?.split('.')
        .at(-4);
    expect(flagHash('run')).toMatch(/-[0-9a-f]{8}$/);
    expect(flagHash('validate')).toMatch(/-[0-9a-f]{8}$/);
    expect(flagHash('run')).not.toBe(flagHash('validate'));
  });

  it('ignores a corrupt cache and rewrites it', () => {
    const dir = join(work, 'corrupt');
    load(BUNDLE, dir);
    const [file] = caches(dir);
    writeFileSync(join(dir, file), Buffer.alloc(4096, 0x5a));
    expect(load(BUNDLE, dir)).toEqual({ cache: 'rejected', main: 'function', stderr: '' });
    expect(load(BUNDLE, dir).cache).toBe('hit');
  });

  it('runs without one, silently, when its directory cannot be written', async () => {
    const blocker = join(work, 'a-file');
    writeFileSync(blocker, '');
    // A directory below a file: mkdir fails (ENOTDIR) even for root, whom permissions would not stop.
    const dir = join(blocker, 'cache');
    expect(load(BUNDLE, dir)).toEqual({ cache: 'miss', main: 'function', stderr: '' });
    const r = await placesim(['validate', 'bench/tiny.yaml'], { env: { PLACESIM_CODE_CACHE: dir } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('gives byte-identical output without a cache, writing one, and using one', async () => {
    const dir = join(work, 'identical');
    const args = ['run', 'bench/tiny.yaml', '--json'];
    const off = await placesim(args, { env: { PLACESIM_CODE_CACHE: 'off' } });
    const writing = await placesim(args, { env: { PLACESIM_CODE_CACHE: dir } });
    expect(caches(dir).some((f) => f.startsWith('run-json.'))).toBe(true);
    const using = await placesim(args, { env: { PLACESIM_CODE_CACHE: dir } });
    expect(off.status).toBe(0);
    expect(off.stdout.length).toBeGreaterThan(100);
    expect(writing).toEqual(off);
    expect(using).toEqual(off);
  });

  it('still loads a policy module (import() outside the bundle) with the cache in use', async () => {
    const dir = join(work, 'policy');
    const args = ['run', 'bench/tiny.yaml', '--policy-module', 'examples/policies/greenest-within-slo.mjs', '--json'];
    const first = await placesim(args, { env: { PLACESIM_CODE_CACHE: dir } });
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const second = await placesim(args, { env: { PLACESIM_CODE_CACHE: dir } });
    expect(second).toEqual(first);
    expect(second.stdout).toContain('"policy": "greenest-within-slo"');
  });
});
