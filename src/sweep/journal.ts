/**
 * The sweep journal: a JSON-lines file that makes an interrupted sweep resumable.
 *
 *   line 1      {"journal":"placesim-sweep","version":2,"definition":"<sha256>","files":{"<path>":"<sha256>"}}
 *   line 2…     one finished point (a SweepPointResult) per line, in the order points finished
 *
 * Each line is written with one appendFileSync call (one write(2) on an O_APPEND descriptor), so a crash
 * leaves at most the last line torn. On opening, a torn last line is cut off and its point runs again;
 * every complete line is a point that never runs again. The definition hash ties the journal to one sweep
 * (scenario text, --set values, replications, seed, policies, placesim version): resuming a different sweep
 * from it would mix results, so that is refused. `files` holds the sha256 of every data file the scenario
 * references (trace and grid CSVs): one that changed between a kill and the resume is named and refused too.
 *
 * Every point line is validated with SweepPointResultSchema (src/metrics/result-schema.ts) and against the
 * sweep's own grid, policies and metrics; a line that fails is refused (exit 2) with its line number, never
 * trusted.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, truncateSync } from 'node:fs';
import { mkdirs } from '../report/write.js';
import { dirname } from 'node:path';
import type { SweepPointResult } from '../metrics/sweep-result.js';
import { SweepPointResultSchema } from '../metrics/result-schema.js';
import { formatPath, InputError } from '../errors.js';

const KIND = 'placesim-sweep';
const VERSION = 2;

/** What a journal line must hold for a grid point: its values, the policies run and the metric names. */
export interface ExpectedPoint {
  values: Record<string, string | number>;
  policies: readonly string[];
  metrics: ReadonlySet<string>;
}

export interface SweepDefinition {
  text: string;
  sets: { path: string; values: (string | number)[] }[];
  replications: number;
  seed: number;
  /** The --policy list, or null for the scenario's own. */
  policies: string[] | null;
  /** Text of each --policy-module file (optional: sweeps without modules hash as before). */
  policy_modules?: string[];
  placesim_version: string;
}

export function definitionHash(def: SweepDefinition): string {
  // Fixed key order, so the hash does not depend on how the object was built.
  const parts: unknown[] = [
    def.text,
    def.sets.map((s) => [s.path, s.values]),
    def.replications,
    def.seed,
    def.policies,
    def.placesim_version,
  ];
  if (def.policy_modules && def.policy_modules.length > 0) parts.push(def.policy_modules);
  const canonical = JSON.stringify(parts);
  return createHash('sha256').update(canonical).digest('hex');
}

export interface Journal {
  path: string;
  /** Points already finished, by index. */
  done: Map<number, SweepPointResult>;
  append(point: SweepPointResult): void;
}

/**
 * Opens (or creates) the journal at path for the sweep with this definition hash. `expected(index)` gives
 * the values of grid point `index`, or undefined when there is no such point; journal lines that disagree
 * are refused rather than trusted.
 */
export function openJournal(
  path: string,
  hash: string,
  expected: (index: number) => ExpectedPoint | undefined,
  files: Record<string, string> = {},
): Journal {
  const header = JSON.stringify({ journal: KIND, version: VERSION, definition: hash, files }) + '\n';
  const done = new Map<number, SweepPointResult>();
  const journal: Journal = {
    path,
    done,
    append(point) {
      appendFileSync(path, JSON.stringify(point) + '\n');
    },
  };
  mkdirs(dirname(path));
  const bytes = existsSync(path) ? readFileSync(path) : Buffer.alloc(0);
  const lastNewline = bytes.lastIndexOf(0x0a);

  if (lastNewline < 0) {
    // Empty, or only a torn header: start afresh. Anything else was never a journal; leave it alone.
    if (bytes.length > 0 && !header.startsWith(bytes.toString('utf8'))) throw notAJournal(path);
    if (bytes.length > 0) truncateSync(path, 0);
    appendFileSync(path, header);
    return journal;
  }
  if (lastNewline + 1 < bytes.length) truncateSync(path, lastNewline + 1);

  const lines = bytes.subarray(0, lastNewline).toString('utf8').split('\n');
  let head: { journal?: unknown; version?: unknown; definition?: unknown; files?: unknown };
  try {
    head = JSON.parse(lines[0]) as typeof head;
  } catch {
    throw notAJournal(path);
  }
  if (head === null || typeof head !== 'object' || head.journal !== KIND) throw notAJournal(path);
  if (head.version !== VERSION) {
    throw new InputError(
      `${path}: journal format ${String(head.version)} is not the one this placesim writes (${VERSION}); delete it to start the sweep over`,
    );
  }
  if (head.definition !== hash) {
    throw new InputError(
      `${path}: this journal belongs to a different sweep (the scenario file, --set values, --replications, ` +
        `--seed, --policy or the placesim version differ); delete it to start over, or choose another output`,
    );
  }
  const recorded = (head.files ?? {}) as Record<string, unknown>;
  for (const [file, sha] of Object.entries(files)) {
    if (recorded[file] !== sha) {
      throw new InputError(
        `${path}: ${file}, which the scenario reads, ${recorded[file] === undefined ? 'is not recorded in the journal' : 'changed since the sweep started'}: ` +
          `resuming would mix results from two versions of it; delete the journal to start over, or restore the file`,
      );
    }
  }
  for (let i = 1; i < lines.length; i++) {
    const where = `${path}:${i + 1}`;
    let raw: unknown;
    try {
      raw = JSON.parse(lines[i]);
    } catch {
      throw new InputError(`${where}: corrupt journal line (not JSON); delete the journal to start over`);
    }
    const parsed = SweepPointResultSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const at = issue.path.length > 0 ? `${formatPath(issue.path as (string | number)[])}: ` : '';
      throw new InputError(`${where}: corrupt journal line (${at}${issue.message}); delete the journal to start over`);
    }
    const point = parsed.data;
    const want = expected(point.index);
    const wrong = want === undefined ? 'no such point in this sweep' : mismatch(want, point);
    if (wrong !== undefined) {
      throw new InputError(
        `${where}: corrupt journal line (not a point of this sweep: ${wrong}); delete the journal to start over`,
      );
    }
    // A point can only be journaled twice if two sweeps shared the file; both runs computed the same thing.
    if (!done.has(point.index)) done.set(point.index, point);
  }
  return journal;
}

/** Why a schema-valid point is not the one this sweep computes at its index, or undefined. */
function mismatch(want: ExpectedPoint, point: SweepPointResult): string | undefined {
  if (!sameValues(want.values, point.values)) return 'its --set values differ';
  const got = point.policies.map((p) => p.policy);
  if (got.length !== want.policies.length || got.some((p, i) => p !== want.policies[i]))
    return `policies ${got.join(', ')} instead of ${want.policies.join(', ')}`;
  for (const p of point.policies) {
    const names = Object.keys(p.metrics);
    const bad = names.find((m) => !want.metrics.has(m));
    if (bad !== undefined) return `unknown metric "${bad}"`;
    if (names.length !== want.metrics.size) return `policy ${p.policy} lacks metrics`;
  }
  return undefined;
}

function sameValues(a: Record<string, string | number>, b: unknown): boolean {
  if (b === null || typeof b !== 'object') return false;
  const rb = b as Record<string, unknown>;
  const keys = Object.keys(a);
  return keys.length === Object.keys(rb).length && keys.every((k) => rb[k] === a[k]);
}

function notAJournal(path: string): InputError {
  return new InputError(`${path}: exists and is not a placesim sweep journal; move it away or choose another output`);
}
