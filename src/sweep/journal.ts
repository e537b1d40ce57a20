/**
 * The sweep journal: a JSON-lines file that makes an interrupted sweep resumable.
 *
 *   line 1      {"journal":"placesim-sweep","version":1,"definition":"<sha256>"}
 *   line 2…     one finished point (a SweepPointResult) per line, in the order points finished
 *
 * Each line is written with one appendFileSync call (one write(2) on an O_APPEND descriptor), so a crash
 * leaves at most the last line torn. On opening, a torn last line is cut off and its point runs again;
 * every complete line is a point that never runs again. The definition hash ties the journal to one sweep
 * (scenario text, --set values, replications, seed, policies, placesim version): resuming a different sweep
 * from it would mix results, so that is refused.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, truncateSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SweepPointResult } from '../metrics/sweep-result.js';
import { InputError } from '../scenario/errors.js';

const KIND = 'placesim-sweep';
const VERSION = 1;

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
  expected: (index: number) => Record<string, string | number> | undefined,
): Journal {
  const header = JSON.stringify({ journal: KIND, version: VERSION, definition: hash }) + '\n';
  const done = new Map<number, SweepPointResult>();
  const journal: Journal = {
    path,
    done,
    append(point) {
      appendFileSync(path, JSON.stringify(point) + '\n');
    },
  };
  mkdirSync(dirname(path), { recursive: true });
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
  let head: { journal?: unknown; version?: unknown; definition?: unknown };
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
  for (let i = 1; i < lines.length; i++) {
    const where = `${path}:${i + 1}`;
    let point: SweepPointResult;
    try {
      point = JSON.parse(lines[i]) as SweepPointResult;
    } catch {
      throw new InputError(`${where}: corrupt journal line (not JSON); delete the journal to start over`);
    }
    const want = typeof point?.index === 'number' ? expected(point.index) : undefined;
    if (want === undefined || !Array.isArray(point.policies) || !sameValues(want, point.values)) {
      throw new InputError(
        `${where}: corrupt journal line (not a point of this sweep); delete the journal to start over`,
      );
    }
    // A point can only be journaled twice if two sweeps shared the file; both runs computed the same thing.
    if (!done.has(point.index)) done.set(point.index, point);
  }
  return journal;
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
