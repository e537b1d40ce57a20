/**
 * The search journal: one JSON line per finished evaluation (variant × policy, all seeds), after a header
 * line holding the hash of the search's definition. A search started again with the same definition reads
 * the journal and runs only what is missing; a different definition is refused rather than mixed in.
 * A last line cut short by a kill is ignored (and overwritten by the next append).
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import type { Replications } from './evaluator.js';

const KIND = 'placesim-search-journal';

export interface SearchJournal {
  /** Evaluations already finished: key (variant + policy) → per-seed metrics. */
  done: Map<string, Replications>;
  append(key: string, reps: Replications): void;
}

export function searchDefinitionHash(def: unknown): string {
  return createHash('sha256').update(JSON.stringify(def)).digest('hex');
}

export function openSearchJournal(path: string, hash: string): SearchJournal {
  const done = new Map<string, Replications>();
  const header = JSON.stringify({ journal: KIND, version: 1, definition: hash }) + '\n';
  if (!existsSync(path)) {
    writeFileSync(path, header);
  } else {
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n');
    let head: unknown;
    try {
      head = JSON.parse(lines[0]);
    } catch {
      head = undefined;
    }
    const h = head as { journal?: unknown; definition?: unknown } | undefined;
    if (!h || h.journal !== KIND) {
      throw new InputError(
        `${path}: exists and is not a placesim search journal; move it away or choose another --out`,
      );
    }
    if (h.definition !== hash) {
      throw new InputError(
        `${path}: holds a different search (scenario, flags or placesim version changed); delete it to start over or choose another --out`,
      );
    }
    let good = lines[0].length + 1;
    for (let i = 1; i < lines.length; i++) {
      if (lines[i] === '') continue;
      let row: { key?: unknown; reps?: unknown };
      try {
        row = JSON.parse(lines[i]) as typeof row;
      } catch {
        if (i === lines.length - 1) break; // a line cut short by a kill
        throw new InputError(`${path}:${i + 1}: corrupt journal line; delete the journal to start over`);
      }
      if (typeof row.key !== 'string' || !validReps(row.reps)) {
        throw new InputError(`${path}:${i + 1}: not a search journal entry; delete the journal to start over`);
      }
      done.set(row.key, row.reps);
      good += lines[i].length + 1;
    }
    // Drop a torn last line so the next append starts on a line of its own.
    if (good < text.length) writeFileSync(path, text.slice(0, good));
  }
  return {
    done,
    append(key, reps) {
      appendFileSync(path, JSON.stringify({ key, reps }) + '\n');
    },
  };
}

function validReps(v: unknown): v is Replications {
  return (
    Array.isArray(v) &&
    v.every(
      (r) =>
        r !== null &&
        typeof r === 'object' &&
        Object.values(r as object).every((x) => x === null || (typeof x === 'number' && Number.isFinite(x))),
    )
  );
}
