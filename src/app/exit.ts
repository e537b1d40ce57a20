/**
 * Exit codes, and the one place that decides which failure is which:
 *
 *   0    ok
 *   1    a regression check failed (`placesim check`; a result, not an error)
 *   2    bad input or an environment problem the user can fix: InputError, PolicyError (their policy
 *        misbehaved), PlanError, and any failed file-system call (unwritable or read-only path, EPERM, a full
 *        disk, a directory where a file belongs); the one-line message names the path
 *   3    a bug in placesim: any other error
 *   130  interrupted by SIGINT (Ctrl-C), after a one-line message (src/app/signals.ts)
 *   143  terminated by SIGTERM, after a one-line message
 *
 * The CLI prints `describeFailure(e).message` on one line and exits with its code; library users can call
 * the same function to sort an error they caught.
 */
import { InputError, PlanError, PolicyError, systemReason } from '../errors.js';

export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_BUG = 3;
/** 128 + the signal's number, as a shell reports a process the signal ended. */
export const EXIT_SIGINT = 130;
export const EXIT_SIGTERM = 143;

export type ExitCode =
  | typeof EXIT_OK
  | typeof EXIT_CHECK_FAILED
  | typeof EXIT_BAD_INPUT
  | typeof EXIT_BUG
  | typeof EXIT_SIGINT
  | typeof EXIT_SIGTERM;

export interface Failure {
  code: typeof EXIT_BAD_INPUT | typeof EXIT_BUG;
  /** One line, without a stack: what the user should read. */
  message: string;
}

/** True for the errors a user can fix (exit 2). */
export function isUserError(e: unknown): e is InputError | PolicyError | PlanError {
  return e instanceof InputError || e instanceof PolicyError || e instanceof PlanError;
}

/** A failed system call (Node's fs and stream errors): `code` like "ENOSPC", `syscall` like "write". */
export function isSystemError(e: unknown): e is NodeJS.ErrnoException & { code: string; syscall: string } {
  const err = e as NodeJS.ErrnoException | null | undefined;
  return (
    err instanceof Error &&
    typeof err.code === 'string' &&
    /^E[A-Z0-9]+$/.test(err.code) &&
    typeof err.syscall === 'string'
  );
}

/**
 * The one line for a failed system call: the path it failed on (standard output when it has none: a write to
 * stdout redirected to a full disk), what failed and why.
 */
export function describeSystemError(e: NodeJS.ErrnoException): string {
  if (e.path === undefined && e.syscall === 'write') return `cannot write to standard output: ${systemReason(e)}`;
  const verb = e.syscall ?? 'use';
  return e.path === undefined ? `cannot ${verb}: ${systemReason(e)}` : `cannot ${verb} "${e.path}": ${systemReason(e)}`;
}

/** The exit code and the one-line message for an error that reached the top. */
export function describeFailure(e: unknown): Failure {
  if (isUserError(e)) return { code: EXIT_BAD_INPUT, message: e.message };
  // A path that cannot be written (read-only, EPERM, a full disk): the user's to fix, not a bug.
  if (isSystemError(e)) return { code: EXIT_BAD_INPUT, message: describeSystemError(e) };
  const what = String((e as Error | undefined)?.message ?? e).split('\n')[0];
  return { code: EXIT_BUG, message: `internal error: ${what}` };
}
