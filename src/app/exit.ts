/**
 * Exit codes, and the one place that decides which failure is which:
 *
 *   0  ok
 *   1  a regression check failed (`placesim check`; a result, not an error)
 *   2  bad input: the user can fix it — InputError, PolicyError (their policy misbehaved), PlanError
 *   3  a bug in placesim: any other error
 *
 * The CLI prints `describeFailure(e).message` on one line and exits with its code; library users can call
 * the same function to sort an error they caught.
 */
import { InputError, PlanError, PolicyError } from '../errors.js';

export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_BUG = 3;

export type ExitCode = typeof EXIT_OK | typeof EXIT_CHECK_FAILED | typeof EXIT_BAD_INPUT | typeof EXIT_BUG;

export interface Failure {
  code: typeof EXIT_BAD_INPUT | typeof EXIT_BUG;
  /** One line, without a stack: what the user should read. */
  message: string;
}

/** True for the errors a user can fix (exit 2). */
export function isUserError(e: unknown): e is InputError | PolicyError | PlanError {
  return e instanceof InputError || e instanceof PolicyError || e instanceof PlanError;
}

/** The exit code and the one-line message for an error that reached the top. */
export function describeFailure(e: unknown): Failure {
  if (isUserError(e)) return { code: EXIT_BAD_INPUT, message: e.message };
  const what = String((e as Error | undefined)?.message ?? e).split('\n')[0];
  return { code: EXIT_BUG, message: `internal error: ${what}` };
}
