/**
 * SIGINT (Ctrl-C) and SIGTERM: end with one line on stderr saying what was kept, and status 130 or 143
 * (128 + the signal's number, what a shell reports for a process the signal ended).
 *
 * The executable (bin/placesim) installs the handlers; code that holds something worth mentioning or
 * releasing on an interruption registers a cleanup (onInterrupt) that returns a short note — "8 of 10 points
 * saved in out/sweep.journal.jsonl", "the unfinished trace is out/trace.csv.partial".
 *
 * A JavaScript signal handler only runs when the event loop gets a turn, and a simulation runs synchronously:
 * with a handler installed, Ctrl-C would wait for the run to end. So while a simulation runs
 * (withDefaultSignals, used by app/load-run.ts) the handlers are detached and the signal ends the process at
 * once, as the operating system does by default: status 130/143 all the same, without the message, and
 * every output is safe by construction (written whole and renamed, a trace left as `.partial`, sweep points
 * journaled whole).
 */
import { EXIT_SIGINT, EXIT_SIGTERM } from './exit.js';

type Cleanup = () => string | undefined;

const cleanups = new Set<Cleanup>();
let installed: { write: (text: string) => void } | undefined;
let exiting = false;

const CODES = { SIGINT: EXIT_SIGINT, SIGTERM: EXIT_SIGTERM } as const;
type Handled = keyof typeof CODES;

function handler(signal: Handled): void {
  // A second Ctrl-C while cleaning up: stop now.
  if (exiting) process.exit(CODES[signal]);
  exiting = true;
  const notes: string[] = [];
  for (const fn of [...cleanups].reverse()) {
    try {
      const note = fn();
      if (note) notes.push(note);
    } catch {
      // a cleanup that fails must not hide the interruption
    }
  }
  const what = signal === 'SIGINT' ? 'interrupted (SIGINT)' : 'terminated (SIGTERM)';
  installed?.write(`placesim: ${what}${notes.length > 0 ? `: ${notes.join('; ')}` : ''}\n`);
  process.exit(CODES[signal]);
}

const onSigint = (): void => handler('SIGINT');
const onSigterm = (): void => handler('SIGTERM');

/** Installs the SIGINT/SIGTERM handlers (once, by the executable); `write` prints the message (stderr). */
export function installSignalHandlers(write: (text: string) => void = (t) => void process.stderr.write(t)): void {
  if (installed) return;
  installed = { write };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
}

/** Registers a cleanup to run on an interruption; returns the function that unregisters it. */
export function onInterrupt(fn: Cleanup): () => void {
  cleanups.add(fn);
  return () => void cleanups.delete(fn);
}

/**
 * Runs synchronous work with the operating system's default signal handling, so a signal ends it at once
 * rather than after it (see the file comment). Without installed handlers (a library, the tests) just runs fn.
 */
export function withDefaultSignals<T>(fn: () => T): T {
  if (!installed || process.listeners('SIGINT').length !== 1 || process.listeners('SIGTERM').length !== 1) return fn();
  process.removeListener('SIGINT', onSigint);
  process.removeListener('SIGTERM', onSigterm);
  try {
    return fn();
  } finally {
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigterm);
  }
}
