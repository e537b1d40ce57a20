/**
 * Writing output files so that nothing is ever half-written: each file is written to a temporary file next
 * to it and renamed over it (write-file-atomic), so a reader — or a crash, a kill, a full disk — sees the old
 * file or the new one, never a torn mix. A path that cannot be written (read-only, EPERM, a full disk, a
 * directory in the way) is bad input naming the path (exit 2), not a bug.
 *
 * The streamed trace cannot be renamed into place at once: it is written as `<file>.partial` and renamed when
 * the run finishes (report/trace-csv.ts).
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { InputError, systemReason } from '../errors.js';

/** The InputError for a failed file-system call on `path` while writing `what`; other errors as they are. */
export function writeFailure(e: unknown, what: string, path: string): unknown {
  const err = e as NodeJS.ErrnoException;
  if (err instanceof Error && typeof err.code === 'string' && /^E[A-Z0-9]+$/.test(err.code))
    return new InputError(`cannot write ${what} "${path}": ${systemReason(err)}`);
  return e;
}

/**
 * `mkdir -p`: creates `dir` and its missing parents, one level at a time. Not `mkdirSync(dir, { recursive:
 * true })`: Node 20's recursive mkdir never returns for a path under /proc (it retries ENOENT forever).
 */
export function mkdirs(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    try {
      statSync(at);
      break; // exists: a file in the way is reported by the mkdir or write below it (ENOTDIR)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    missing.push(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/** Creates `dir` (and its parents) or throws the InputError naming it. */
export function makeDir(dir: string, what = 'the output folder'): void {
  try {
    mkdirs(dir);
  } catch (e) {
    throw writeFailure(e, what, dir);
  }
}

/** Writes `text` to `path` atomically (temporary file + rename), creating its folder; `what` names it in errors. */
export function writeFileAtomically(path: string, text: string, what: string): void {
  try {
    mkdirs(dirname(path));
    writeFileAtomic.sync(path, text);
  } catch (e) {
    throw writeFailure(e, what, path);
  }
}

/**
 * Appends `text` to `path` atomically: the old content and the new are written to a temporary file that
 * replaces the old one, so an interrupted append leaves the file as it was ($GITHUB_STEP_SUMMARY, which other
 * steps may also have written to).
 */
export function appendFileAtomically(path: string, text: string, what: string): void {
  let old = '';
  try {
    old = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw writeFailure(e, what, path);
  }
  writeFileAtomically(path, old + text, what);
}
