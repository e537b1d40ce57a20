/**
 * Fuzzing the scenario path (issue 9, item 7): fast-check mutates the shipped scenarios — wrong types,
 * missing fields, extreme numbers and units, hostile names and paths — and every mutant must end as a
 * clean run (exit 0) or one bad-input error (exit 2): never a bug (exit 3), within a time bound, and never
 * with NaN, Infinity or undefined in what it prints.
 *
 * Mutants run in-process through src/app/load-run.ts (the path of run, check and sweep), shortened to five
 * simulated minutes and a small event budget so that a case takes milliseconds; a few also run as a real
 * `placesim` process with a capped heap. `npm test` runs FUZZ_RUNS (default 40) cases with a fixed seed;
 * `npm run fuzz` runs 1,000 and prints how many ended with each exit code (FUZZ_SEED picks another seed).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { checkPlan, prepareScenario, runLoaded } from '../src/app/load-run.js';
import { describeFailure } from '../src/app/exit.js';
import { renderJson, renderTable } from '../src/report/index.js';
import { CHILD_TIMEOUT_MS, TEST_TIMEOUT_MS } from './helpers/timeouts.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
/** Longest one in-process case may take (load, plan, run, render), on a loaded machine. */
const CASE_MS = 20_000;
/** The event budget of a mutant: keeps every run short whatever the mutation asks for. */
const MAX_EVENTS = 3e6;

const SCENARIOS = readdirSync('scenarios')
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => {
    const doc = parse(readFileSync(join('scenarios', f), 'utf8')) as Record<string, unknown>;
    // Five simulated minutes: a mutant's run is about its input, not its length.
    doc.duration = '5m';
    doc.warmup = '0s';
    return { file: join('scenarios', f), doc };
  });

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

/** Every path in a document, parents before children, in a stable order. */
function paths(v: Json, at: Path = [], out: Path[] = []): Path[] {
  if (at.length > 0) out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) paths(v[k], [...at, k], out);
  return out;
}

const EXTREME_NUMBERS = [0, -1, 1e308, -1e308, 1e-320, 1e15, 2 ** 53, 0.5, 4096, 1e9, 1e6];
const EXTREME_UNITS = [
  '1e12h',
  '1e308h',
  '1e-320s',
  '1ns',
  '0s',
  '-5ms',
  '1e12/s',
  '1e308/s',
  '1e-320/s',
  '0/s',
  '1e-320Mbps',
  '1e308Mbps',
  '1e308W',
  '1e-320y',
  '1e30PB',
  '1e308GB/s',
  '10y',
  '100y',
  'NaNs',
  'Infinity/s',
  '5 bogons',
];
const HOSTILE_NAMES = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '=HYPERLINK("http://x")',
  '+1',
  '-1',
  '@SUM(A1)',
  '\u001b[31mred\u001b[0m',
  '\u001b]0;title\u0007',
  'a\nb',
  'x'.repeat(500),
  '',
  ' ',
  'ü/ß',
  '1',
];
const HOSTILE_PATHS = [
  '/etc/passwd',
  '../../../../etc/shadow',
  '/dev/zero',
  '/dev/stdin',
  '/proc/self/environ',
  '.',
  'data',
  'nonexistent.csv',
  '/',
  'C:\\Windows\\win.ini',
  'a\u0000b',
];

type Mutation =
  | { kind: 'delete'; pick: number }
  | { kind: 'set'; pick: number; value: Json }
  | { kind: 'rename'; pick: number; name: string }
  | { kind: 'add'; pick: number; name: string; value: Json }
  | { kind: 'file'; pick: number; path: string };

const anyValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom(...EXTREME_NUMBERS),
  fc.constantFrom(...EXTREME_UNITS),
  fc.constantFrom(...HOSTILE_NAMES),
  fc.constantFrom<Json>(null, true, false, [], {}, [1, 2], { a: 1 }, '__proto__'),
  fc.double({ noNaN: true }),
  fc.integer(),
  fc.string({ maxLength: 12 }),
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('set' as const), pick: fc.nat(), value: anyValue }),
  fc.record({ kind: fc.constant('rename' as const), pick: fc.nat(), name: fc.constantFrom(...HOSTILE_NAMES) }),
  fc.record({
    kind: fc.constant('add' as const),
    pick: fc.nat(),
    name: fc.oneof(fc.constantFrom(...HOSTILE_NAMES), fc.constantFrom('trace', 'csv', 'count', 'bursts', 'failures')),
    value: anyValue,
  }),
  fc.record({ kind: fc.constant('file' as const), pick: fc.nat(), path: fc.constantFrom(...HOSTILE_PATHS) }),
);

const mutant = fc.record({
  base: fc.nat({ max: SCENARIOS.length - 1 }),
  mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
});

/** Applies the mutations to a copy of the document. */
function mutate(doc: Json, mutations: readonly Mutation[]): Json {
  const root = structuredClone(doc);
  for (const m of mutations) {
    const all = paths(root);
    if (all.length === 0) break;
    const path = all[m.pick % all.length];
    let parent: Json = root;
    for (const seg of path.slice(0, -1)) parent = (parent as Record<string, Json>)[seg];
    const last = path[path.length - 1];
    const obj = parent as Record<string | number, Json>;
    const isList = Array.isArray(parent);
    switch (m.kind) {
      case 'delete':
        if (isList) (parent as Json[]).splice(last as number, 1);
        else delete obj[last];
        break;
      case 'set':
        obj[last] = m.value;
        break;
      case 'rename':
        if (!isList && typeof last === 'string') {
          const v = obj[last];
          delete obj[last];
          Object.defineProperty(obj, m.name, { value: v, enumerable: true, writable: true, configurable: true });
        }
        break;
      case 'add': {
        const target = obj[last];
        if (target !== null && typeof target === 'object' && !Array.isArray(target))
          Object.defineProperty(target, m.name, {
            value: m.value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        break;
      }
      case 'file': {
        const target = obj[last];
        if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
          // A trace under arrivals, a grid csv under a region, or wherever the pick lands.
          const key = 'poisson' in target || 'constant' in target ? 'trace' : 'csv';
          (target as Record<string, Json>)[key] = m.path;
        } else obj[last] = { csv: m.path };
        break;
      }
    }
  }
  return root;
}

interface Outcome {
  code: number;
  ms: number;
  message: string;
}

/** Loads, plans, runs and renders a mutant in-process; returns its exit code as the CLI would. */
function runInProcess(file: string, text: string): Outcome {
  const t0 = Date.now();
  try {
    const loaded = prepareScenario({ file, text }, [], { maxEvents: MAX_EVENTS });
    checkPlan(loaded);
    const result = runLoaded(loaded);
    const out = renderJson(result) + renderTable(result);
    if (/\bNaN\b|\bInfinity\b|\bundefined\b/.test(out)) {
      return { code: 99, ms: Date.now() - t0, message: `output has NaN/Infinity/undefined: ${text}` };
    }
    return { code: 0, ms: Date.now() - t0, message: '' };
  } catch (e) {
    const f = describeFailure(e);
    return { code: f.code, ms: Date.now() - t0, message: f.message };
  }
}

const counts = new Map<number, number>();
afterAll(() => {
  const line = [...counts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([code, n]) => `exit ${code}: ${n}`)
    .join(', ');
  console.log(`fuzz: ${[...counts.values()].reduce((a, b) => a + b, 0)} mutants (seed ${SEED}): ${line}`);
});

describe('fuzz: mutated shipped scenarios', () => {
  it(
    `${RUNS} mutants end with exit 0 or 2, in time, with finite output`,
    () => {
      fc.assert(
        fc.property(mutant, ({ base, mutations }) => {
          const { file, doc } = SCENARIOS[base];
          const text = stringify(mutate(doc as Json, mutations));
          const r = runInProcess(file, text);
          counts.set(r.code, (counts.get(r.code) ?? 0) + 1);
          if (r.code !== 0 && r.code !== 2) throw new Error(`exit ${r.code}: ${r.message}\n--- mutant:\n${text}`);
          if (r.ms > CASE_MS) throw new Error(`took ${r.ms} ms\n--- mutant:\n${text}`);
          if (r.code === 2) {
            expect(r.message).not.toMatch(/\n/);
            expect(r.message.includes(String.fromCharCode(27))).toBe(false);
          }
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
      // npm run fuzz: 1,000 mutants take minutes on a loaded machine; allow a second each.
    },
    Math.max(TEST_TIMEOUT_MS, RUNS * 1000),
  );

  it('a few mutants as real processes: exit 0 or 2 with a 512 MB heap and a time limit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'placesim-fuzz-'));
    try {
      const samples = fc.sample(mutant, { numRuns: 2, seed: SEED + 1 });
      for (const [i, { base, mutations }] of samples.entries()) {
        const text = stringify(mutate(SCENARIOS[base].doc as Json, mutations));
        const file = join(dir, `m${i}.yaml`);
        writeFileSync(file, text);
        const r = spawnSync(
          process.execPath,
          ['--max-old-space-size=512', 'bin/placesim', i % 2 === 0 ? 'validate' : 'run', '--max-events', '3e6', file],
          { encoding: 'utf8', timeout: CHILD_TIMEOUT_MS },
        );
        expect([0, 2], `${r.stderr}\n--- mutant:\n${text}`).toContain(r.status);
        expect(r.stdout).not.toMatch(/\bNaN\b|\bInfinity\b|\bundefined\b/);
        if (r.status === 2) expect(r.stderr.trim().split('\n')).toHaveLength(1);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
