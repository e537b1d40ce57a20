/**
 * Loads an entry point of the CLI bundle (dist/bundle/*.cjs, scripts/bundle.mjs) through a V8 code cache.
 *
 * Node 20 has no compile cache for modules, and what a short command (`validate`, a tiny `run`) still paid
 * after the bundle was V8 compiling the bundle's code: yaml, zod, the planning code. A bundle entry is
 * therefore one CommonJS script that this module compiles itself with `vm.Script` and `cachedData`, and
 * whose compiled code it saves next to the bundle after the command has run (`saveCache()`), so that the
 * functions compiled lazily while it ran are in the cache too (docs/performance.md, "Start-up").
 *
 * - The cache file's name carries the bundle's SHA-256, V8's version, the architecture and V8's hash of its
 *   flags: V8 itself only checks the source's length and its flags, so a rebuilt bundle of the same length
 *   must never meet the old cache, and a process with other flags (`run` with the simulation's flags,
 *   `validate` without) must not take the other's cache for its own. A cache V8 rejects anyway is ignored and
 *   rewritten.
 * - One cache per kind of command (`validate`, `run`, …): each holds the functions that command compiled.
 * - Nothing here may fail a command or print: a missing, corrupt or unwritable cache means running without
 *   one. The write is atomic (a temporary file, then rename), so a concurrent reader sees a whole file or
 *   none.
 * - `PLACESIM_CODE_CACHE=off` disables the cache; any other value is the cache's directory.
 *
 * It imports Node's built-ins only: bin/placesim imports it before anything of placesim is loaded. Of those,
 * `node:crypto` and `node:worker_threads` are required only when a cache is written (a warm start needs
 * neither: loading them cost every command ~20 M instructions, ~4 ms).
 */
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { isAscii } from 'node:buffer';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';

/**
 * Modules of dist/ the bundle leaves outside (scripts/bundle.mjs imports this list): ES modules, which the
 * CommonJS bundle cannot require(); they are imported before the script runs and handed to its require().
 * errors.js must be the one instance of the error classes (`instanceof` across a user's policy module);
 * version.js reads package.json relative to its own place; import-module.js imports a user's policy module
 * (a script has no `import()` of its own: V8 drops the script's import callback with a code cache).
 */
export const BUNDLE_ESM_EXTERNALS: readonly string[] = ['errors.js', 'version.js', 'placement/import-module.js'];

/**
 * Externals whose exports are async functions only, imported when one is first called rather than before the
 * script runs: each ES module imported up front costs a start its own resolve, read and compile, and
 * import-module.js is needed only with `--policy-module`.
 */
const LAZY_EXTERNALS: Readonly<Record<string, readonly string[]>> = { 'placement/import-module.js': ['importModule'] };

/**
 * Node built-ins the bundle require()s at its top level but uses only in rare paths: commander loads
 * child_process for executable subcommands, which placesim has none of; seedrandom loads crypto for a seed
 * drawn from the system's entropy, which placesim never asks for (every stream has its seed). They are
 * loaded on first use (crypto: ~15 M instructions, ~3 ms, for every command that reads a scenario).
 */
const LAZY_BUILTINS: readonly string[] = ['child_process', 'node:child_process', 'crypto'];

/**
 * The CommonJS wrapper, as Node's own; the last parameter is what the bundle reads for `import.meta.url`.
 * scripts/bundle.mjs writes it around the bundle (a banner and a footer), so that the loader compiles the
 * file's text as it is rather than a concatenation V8 would first copy into one ~1 MB string.
 */
export const BUNDLE_WRAPPER = {
  head: '(function (exports, require, module, __filename, __dirname, __placesimImportMetaUrl) {',
  tail: '\n})',
} as const;

/** Bumped when the way the script is wrapped or keyed changes. */
const FORMAT = 2;

export type CacheState = 'hit' | 'miss' | 'rejected' | 'off';

export interface LoadedEntry<T> {
  /** The entry's `module.exports`. */
  exports: T;
  /** What happened to the code cache when the script was compiled. */
  cache: CacheState;
  /**
   * Writes the code cache when there was none (or V8 rejected it), including every function compiled so
   * far: call it once the work the cache is for has run. Never throws, never prints.
   */
  saveCache(): void;
}

export interface LoadOptions {
  /** The kind of work (a command's name): one cache file per kind. Default `main`. */
  kind?: string;
  /** The cache's directory; default: `PLACESIM_CODE_CACHE`, else `code-cache/` next to the bundle. */
  cacheDir?: string | null;
}

/** `PLACESIM_CODE_CACHE`: unset → next to the bundle; `off`/`0`/`false` → no cache; else a directory. */
function defaultCacheDir(bundleDir: string): string | null {
  const env = process.env.PLACESIM_CODE_CACHE;
  if (env === undefined || env === '') return join(bundleDir, 'code-cache');
  if (/^(off|0|false|no)$/i.test(env)) return null;
  return resolve(env);
}

const builtin = createRequire(import.meta.url);
const sha256 = (text: string | Buffer) =>
  (builtin('node:crypto') as typeof import('node:crypto')).createHash('sha256').update(text).digest('hex');

/** FNV-1a (32 bits, hex) of a short string: enough to tell apart the flag sets one machine runs with. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * What else decides whether V8 may use a cache: its version, the CPU, and the flags V8 runs with. V8 rejects
 * a cache written under other flags, and flags reach V8 three ways: Node's command line (`execArgv`),
 * `NODE_OPTIONS`, and `v8.setFlagsFromString` at run time (src/app/v8-flags.ts: bin/placesim sets flags for
 * the commands that simulate; a sweep's worker threads inherit them without a trace in their `execArgv`).
 * The flags' hash V8 itself compares is read from the header of a one-character script's cache.
 */
function runtimeKey(): string {
  return `${process.versions.v8}-${process.arch}-${v8FlagHash()}`;
}

/**
 * V8's hash of its flags, as V8 writes it into every code cache: the header of a serialized script
 * (SerializedCodeData) is four 32-bit words, a magic number (0xC0DE….), V8's version hash, the source's hash
 * and the flags' hash. Compiling and serialising `0` costs ~0.2 ms. Should a V8 lay its header out
 * otherwise (no magic number there), the hash of the command-line flags stands in, as before.
 */
function v8FlagHash(): string {
  const header = new vm.Script('0').createCachedData();
  if (header.length >= 16 && header.readUInt32LE(0) >>> 16 === 0xc0de)
    return header.readUInt32LE(12).toString(16).padStart(8, '0');
  return fnv1a([...process.execArgv, process.env.NODE_OPTIONS ?? ''].join('\0'));
}

/**
 * Loads `file` (a CommonJS bundle entry) through the code cache and returns its exports. The script's
 * `require` is Node's, relative to the bundle, except for BUNDLE_ESM_EXTERNALS (imported here first);
 * `import.meta.url` in the bundled code is the bundle's URL (scripts/bundle.mjs defines it so); the bundle
 * has no `import()` left (scripts/bundle.mjs checks).
 */
export async function loadBundleEntry<T = Record<string, unknown>>(
  file: string | URL,
  options: LoadOptions = {},
): Promise<LoadedEntry<T>> {
  const filename = typeof file === 'string' ? resolve(file) : fileURLToPath(file);
  const bundleDir = dirname(filename);

  // The ES modules are imported side by side: each waits on file reads in Node's thread pool.
  const outside = new Map<string, unknown>(
    await Promise.all(
      BUNDLE_ESM_EXTERNALS.map(async (rel): Promise<[string, unknown]> => {
        const url = pathToFileURL(join(bundleDir, '..', rel)).href;
        const lazy = LAZY_EXTERNALS[rel];
        if (lazy === undefined) return [`../${rel}`, await import(url)];
        return [
          `../${rel}`,
          Object.fromEntries(
            lazy.map((name) => [
              name,
              async (...args: unknown[]) =>
                ((await import(url)) as Record<string, (...a: unknown[]) => unknown>)[name](...args),
            ]),
          ),
        ];
      }),
    ),
  );

  const dir = options.cacheDir === undefined ? defaultCacheDir(bundleDir) : options.cacheDir;
  const kind = /^[a-z][a-z0-9-]{0,31}$/.test(options.kind ?? '') ? options.kind! : 'main';
  // kind.runtime.bundle: a rebuilt bundle replaces its kind's cache for this Node, not another Node's.
  const prefix = `${kind}.${runtimeKey()}.`;
  const cacheName = (hash: string) => `${prefix}${hash.slice(0, 32)}.v${FORMAT}.bin`;

  // The bundle and its cache are read into one buffer, the cache over the bundle once the bundle is a string:
  // on this kind of machine a page touched for the first time costs more than copying it (~13 µs a fault in a
  // VM), and a second ~1 MB buffer was ~250 of them. One descriptor gives the bytes and their stamp, so that
  // both are of the same file.
  const fd = openSync(filename, 'r');
  let buffer: Buffer;
  let size: number;
  let stamp: string;
  let memo: Memo | undefined;
  let cacheFd: number | undefined;
  try {
    const st = fstatSync(fd);
    size = st.size;
    stamp = `${st.size} ${st.mtimeMs} ${st.ino}`;
    memo = dir === null ? undefined : remembered(dir, filename, stamp);
    if (memo !== undefined) cacheFd = openIfAny(join(dir!, cacheName(memo.hash)));
    const cacheSize = cacheFd === undefined ? 0 : sizeOf(cacheFd);
    buffer = Buffer.allocUnsafeSlow(Math.max(size, cacheSize));
    readWhole(fd, buffer, size);
  } finally {
    closeSync(fd);
  }
  const bytes = buffer.subarray(0, size);
  const ascii = memo?.ascii ?? isAscii(bytes);
  if (dir !== null && memo === undefined) {
    memo = { hash: sha256(bytes), ascii };
    writeAtomic(dir, memoFile(dir, filename), `${stamp}\n${memo.hash}\n${ascii ? 'ascii' : 'utf8'}\n`);
    cacheFd = openIfAny(join(dir, cacheName(memo.hash)));
  }
  const name = memo === undefined ? '' : cacheName(memo.hash);
  // An ASCII file becomes a one-byte string without UTF-8 decoding.
  const source = ascii ? bytes.toString('latin1') : bytes.toString('utf8');

  let cachedData: Buffer | undefined;
  if (cacheFd !== undefined) {
    try {
      const cacheSize = sizeOf(cacheFd);
      if (cacheSize > buffer.length) buffer = Buffer.allocUnsafeSlow(cacheSize);
      readWhole(cacheFd, buffer, cacheSize);
      cachedData = buffer.subarray(0, cacheSize);
    } catch {
      // unreadable: compile from source
    } finally {
      closeSync(cacheFd);
    }
  }

  const wrapped = source.startsWith(BUNDLE_WRAPPER.head)
    ? source
    : `${BUNDLE_WRAPPER.head}${source}${BUNDLE_WRAPPER.tail}`;
  const script = new vm.Script(wrapped, {
    filename,
    cachedData,
  });
  const cache: CacheState =
    dir === null ? 'off' : cachedData === undefined ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit';

  const nodeRequire = createRequire(filename);
  const bundleRequire = Object.assign(
    (id: string): unknown =>
      outside.has(id)
        ? outside.get(id)
        : LAZY_BUILTINS.includes(id)
          ? onFirstUse(() => nodeRequire(id))
          : nodeRequire(id),
    nodeRequire,
  );
  const module = { exports: {} as T };
  (script.runInThisContext() as (...args: unknown[]) => void)(
    module.exports,
    bundleRequire,
    module,
    filename,
    bundleDir,
    pathToFileURL(filename).href,
  );

  let saved = cache === 'hit' || cache === 'off';
  return {
    exports: module.exports,
    cache,
    saveCache() {
      if (saved || dir === null) return;
      saved = true;
      writeCache(dir, name, prefix, script);
    },
  };
}

/** A module object loaded by `load` when one of its properties is first read. */
function onFirstUse(load: () => unknown): unknown {
  let real: object | undefined;
  const target = (): object => (real ??= load() as object);
  return new Proxy(
    {},
    {
      get: (_, key) => Reflect.get(target(), key) as unknown,
      has: (_, key) => Reflect.has(target(), key),
      ownKeys: () => Reflect.ownKeys(target()),
      getOwnPropertyDescriptor: (_, key) => {
        const d = Reflect.getOwnPropertyDescriptor(target(), key);
        return d === undefined ? undefined : { ...d, configurable: true };
      },
    },
  );
}

interface Memo {
  hash: string;
  /** Whether the bundle is ASCII (then it is read as Latin-1 without a check of every byte). */
  ascii: boolean;
}

const memoFile = (dir: string, filename: string) => join(dir, `${basename(filename)}.sha256`);

/**
 * The bundle's SHA-256, remembered in the cache directory with the file's size, mtime and inode: hashing the
 * ~1 MB bundle was the largest single cost of loading it from a warm cache. A rebuild or an edit changes the
 * stamp (a rebuild writes a new file: a new inode), and the bundle is hashed again. Undefined when not
 * remembered for this stamp.
 */
function remembered(dir: string, filename: string, stamp: string): Memo | undefined {
  try {
    const [was, hash, text] = readFileSync(memoFile(dir, filename), 'latin1').split('\n');
    if (was === stamp && hash !== undefined && /^[0-9a-f]{64}$/.test(hash)) return { hash, ascii: text === 'ascii' };
  } catch {
    // not remembered yet
  }
  return undefined;
}

/** A descriptor of `file`, or undefined when it cannot be opened (no cache yet). */
function openIfAny(file: string): number | undefined {
  try {
    return openSync(file, 'r');
  } catch {
    return undefined;
  }
}

const sizeOf = (fd: number) => fstatSync(fd).size;

/** Reads the first `size` bytes of `fd` into `buffer`; throws if the file is shorter. */
function readWhole(fd: number, buffer: Buffer, size: number): void {
  let at = 0;
  while (at < size) {
    const n = readSync(fd, buffer, at, size - at, at);
    if (n === 0) throw new Error('file shorter than its size');
    at += n;
  }
}

/** Writes `file` whole or not at all; false (silently) when it cannot be written. */
function writeAtomic(dir: string, file: string, data: string | Uint8Array): boolean {
  // The thread too: a process's worker threads (the sweep's) may write the same cache at once.
  const { threadId } = builtin('node:worker_threads') as typeof import('node:worker_threads');
  const tmp = `${file}.${process.pid}-${threadId}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, file);
    return true;
  } catch {
    // A read-only install or a full disk: run without a cache, silently.
    try {
      rmSync(tmp, { force: true });
    } catch {
      // nothing to clean up
    }
    return false;
  }
}

function writeCache(dir: string, name: string, prefix: string, script: vm.Script): void {
  let data: Buffer;
  try {
    data = script.createCachedData();
  } catch {
    return;
  }
  if (!writeAtomic(dir, join(dir, name), data)) return;
  // Caches of older bundles for this kind and this Node would only pile up.
  try {
    for (const f of readdirSync(dir))
      if (f.startsWith(prefix) && f.endsWith('.bin') && f !== name) rmSync(join(dir, f), { force: true });
  } catch {
    // left for the next write
  }
}
