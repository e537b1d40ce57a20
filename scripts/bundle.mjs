// Bundles the compiled CLI (dist/cli/main.js) into dist/bundle/ for a faster start: one minified file per
// command's lazy import (code splitting) instead of hundreds of modules of ours, zod's and yaml's, which
// Node would otherwise find, read and compile one by one (docs/performance.md has the figures). Run by
// `npm run build`, `prepare` and `test` after tsc.
//
// The sweep's worker thread (dist/sweep/worker.js) and the queue worker's processor
// (dist/sweep/queue-processor.js) are entry points of the same bundle, as dist/bundle/worker.cjs and
// dist/bundle/queue-processor.cjs, started from dist/bundle/worker-thread.js and queue-processor.js (below):
// the bundled sweep finds them next to itself (`new URL('./worker-thread.js', import.meta.url)`), and a
// worker thread then loads the same few files as the CLI rather than dist/'s hundreds (each worker used to
// spend ~0.4 s of CPU importing them, before its first task).
//
// Kept outside the bundle, imported from dist/ as they are:
//   - errors.js: the error classes must be the same classes whatever loaded them (a user's policy module may
//     throw PolicyError from the package's public API; `instanceof` must still see it);
//   - version.js: it reads package.json relative to its own place.
// And from node_modules: piscina and bullmq, which start threads or processes from files next to their own
// modules.
// bin/placesim uses the bundle only when it is at least as new as dist/cli/main.js, and dist/ otherwise, so
// a tsc-only rebuild can never run stale code; without esbuild (it is a development dependency) this step
// says so and does nothing.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const outdir = path.join(dist, 'bundle');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.error('bundle: esbuild is not installed; bin/placesim will run dist/ unbundled');
  process.exit(0);
}

/** Modules of dist/ left outside the bundle (`external`: paths relative to dist/). */
const keepOutside = (external) => ({
  name: 'keep-outside',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = path.resolve(args.resolveDir, args.path);
      const rel = path.relative(dist, target).split(path.sep).join('/');
      if (rel.startsWith('..') || !external.includes(rel)) return undefined;
      // Imported from dist/bundle/*, the module is one folder up.
      return { path: `../${rel}`, external: true };
    });
  },
});

/**
 * zod's namespace re-exports every locale of its error messages (`z.locales`, `z.core.locales`): ~260 kB
 * of the bundle's ~450 kB of zod, parsed and compiled by every command that reads a scenario, although
 * placesim only ever speaks English (zod registers its English locale itself, from `locales/en.js`). In
 * the bundle, zod's locale index is a module offering English alone. The public API (dist/index.js) is
 * not bundled and keeps zod whole.
 */
const englishOnlyZod = {
  name: 'english-only-zod',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
      if (!/[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)) return undefined;
      return { path: path.resolve(args.resolveDir, '..', 'locales', 'en.js'), namespace: 'zod-locales' };
    });
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
  },
};

/**
 * The JSON reporter's key order (dist/report/key-order.js) read from the Result schema now, when the bundle is
 * built from the same dist/, rather than by building the Result schema's ~400 zod schemas on every `placesim
 * run --json` (a few ms of every such run). The public API (dist/index.js) computes it as before.
 */
const precomputedKeyOrder = (table) => ({
  name: 'precomputed-key-order',
  setup(build) {
    const file = path.join(dist, 'report', 'key-order.js');
    build.onResolve({ filter: /^\.\/key-order\.js$/ }, (args) =>
      path.resolve(args.resolveDir, args.path) === file ? { path: file, namespace: 'key-order' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'key-order' }, () => ({
      contents: `const order = new Map(${table}); export function resultKeyOrder() { return order; }`,
      loader: 'js',
    }));
  },
});

if (!existsSync(path.join(dist, 'cli', 'main.js'))) {
  console.error('bundle: dist/cli/main.js is missing: run tsc first');
  process.exit(1);
}
rmSync(outdir, { recursive: true, force: true });

// The CLI: one CommonJS script, which bin/placesim compiles through the V8 code cache
// (src/app/code-cache.ts). No code splitting: a command's lazily imported parts are functions of the one
// script (esbuild wraps each lazily imported module in an init function), compiled when first called and
// kept in that command's cache. `import.meta.url` is the loader's parameter (the bundle's URL), and
// errors.js and version.js come from the loader, which imports them as the ES modules they are.
const { BUNDLE_ESM_EXTERNALS, BUNDLE_WRAPPER } = await import(
  pathToFileURL(path.join(dist, 'app', 'code-cache.js')).href
);
const { keyOrders } = await import(pathToFileURL(path.join(dist, 'metrics', 'result-shape.js')).href);
const keyOrderTable = JSON.stringify([...keyOrders()]);
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  minify: true,
  external: ['piscina', 'bullmq'],
  plugins: [keepOutside(BUNDLE_ESM_EXTERNALS), englishOnlyZod, precomputedKeyOrder(keyOrderTable)],
  logLevel: 'warning',
};
const script = {
  ...common,
  format: 'cjs',
  define: { 'import.meta.url': '__placesimImportMetaUrl' },
  // A script compiled with a code cache has no import(): Node's built-ins are require()d instead, and a
  // user's policy module is imported by placement/import-module.js, outside the bundle.
  supported: { 'dynamic-import': false },
  // The file is the function the loader calls: compiled as it is read, with no copy to wrap it.
  banner: { js: BUNDLE_WRAPPER.head },
  footer: { js: BUNDLE_WRAPPER.tail },
};
await esbuild.build({
  ...script,
  entryPoints: [path.join(dist, 'cli', 'main.js')],
  outfile: path.join(outdir, 'placesim.cjs'),
});
const cli = readFileSync(path.join(outdir, 'placesim.cjs'), 'utf8');
if (/\bimport\(/.test(cli)) {
  console.error('bundle: dist/bundle/placesim.cjs still calls import(), which fails under the code cache');
  process.exit(1);
}
// Not an error, but slower: one character beyond ASCII makes the loader decode UTF-8 and V8 keep the whole
// source at two bytes a character. esbuild escapes them in strings, not in regular expressions.
const nonAscii = /[^\0-\x7f]/.exec(cli);
if (nonAscii)
  console.error(
    `bundle: placesim.cjs is not ASCII (${JSON.stringify(cli.slice(nonAscii.index - 40, nonAscii.index + 10))})`,
  );

// ES modules, one file per lazily imported part (code splitting): the CLI once more as main.js, for `placesim`
// without a command (`--help`, `--version`): it reads only the few files it needs, which costs less than
// reading the whole script and its cache (bin/placesim; docs/performance.md has the figures).
await esbuild.build({
  ...common,
  entryPoints: { main: path.join(dist, 'cli', 'main.js') },
  outdir,
  splitting: true,
  format: 'esm',
  // Node's built-ins are imported from CommonJS packages (commander) with require(): give the bundle one; and
  // write-file-atomic names its temporary files from __filename, which ES modules do not have.
  banner: {
    js: "import { createRequire as __placesimRequire } from 'node:module'; import { fileURLToPath as __placesimPath } from 'node:url'; const require = __placesimRequire(import.meta.url); const __filename = __placesimPath(import.meta.url);",
  },
});

// The sweep's worker thread and the queue's processor: each is a CommonJS script like placesim.cjs
// (worker.cjs, queue-processor.cjs), loaded through the V8 code cache by a small ES module that the thread
// starts from (worker-thread.js, which the sweep's pool starts; queue-processor.js, which bullmq loads by file
// name: src/sweep/cached-worker.ts, cached-processor.ts), so that every worker thread, a fresh isolate, skips
// compiling the simulator again (docs/performance.md, Sweeps).
for (const [name, file] of [
  ['worker', 'worker.js'],
  ['queue-processor', 'queue-processor.js'],
]) {
  await esbuild.build({
    ...script,
    entryPoints: [path.join(dist, 'sweep', file)],
    outfile: path.join(outdir, `${name}.cjs`),
  });
  if (/\bimport\(/.test(readFileSync(path.join(outdir, `${name}.cjs`), 'utf8'))) {
    console.error(`bundle: dist/bundle/${name}.cjs still calls import(), which fails under the code cache`);
    process.exit(1);
  }
}
// The file piscina starts a sweep thread from (src/sweep/thread-entry.cts): CommonJS, it imports the
// worker-thread.js next to it, here the bundle's.
copyFileSync(path.join(dist, 'sweep', 'thread-entry.cjs'), path.join(outdir, 'thread-entry.cjs'));
await esbuild.build({
  ...common,
  entryPoints: {
    'worker-thread': path.join(dist, 'sweep', 'cached-worker.js'),
    'queue-processor': path.join(dist, 'sweep', 'cached-processor.js'),
  },
  outdir,
  format: 'esm',
  plugins: [keepOutside([...BUNDLE_ESM_EXTERNALS, 'app/code-cache.js'])],
});

// Warm the code caches, so that a fresh install starts fast from its first command: each command kind
// runs once and leaves its cache (bin/placesim writes it after the command). Skipped with
// PLACESIM_CODE_CACHE=off; a failure here only means the first real run writes the cache instead.
if (!/^(off|0|false|no)$/i.test(process.env.PLACESIM_CODE_CACHE ?? '')) {
  const bin = path.join(root, 'bin', 'placesim');
  const tiny = path.join(root, 'bench', 'tiny.yaml');
  const warm = [['help'], ['validate', tiny], ['catalog'], ['run', tiny], ['run', tiny, '--json']];
  for (const args of warm) {
    const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, stdio: 'ignore' });
    if (r.status !== 0) console.error(`bundle: warming the code cache with \`placesim ${args.join(' ')}\` failed`);
  }
  warmSweep(bin, tiny);
}

/**
 * The sweep's caches: `placesim sweep` itself and its worker thread's (`sweep-worker`), which the worker
 * writes after its first task. One tiny sweep on one worker, into a temporary folder. The queue's processor
 * (`queue-worker`) needs a Redis server: its first task writes its cache.
 */
function warmSweep(bin, tiny) {
  const out = mkdtempSync(path.join(tmpdir(), 'placesim-warm-'));
  try {
    const args = ['sweep', tiny, '--set', 'duration=2s', '--workers', '1', '--out', out, '--quiet'];
    const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, stdio: 'ignore' });
    if (r.status !== 0) console.error('bundle: warming the code cache with `placesim sweep` failed');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
