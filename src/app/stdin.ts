/**
 * A scenario read from standard input: `cat s.yaml | npx placesim run -`. Messages name it `<stdin>` with
 * line:col, and relative paths inside it (a trace or grid CSV) resolve against the current folder, as the
 * folder of `<stdin>` is `.`.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import type { ScenarioSource } from './load-run.js';

/** The file argument that means "read standard input". */
export const STDIN_ARG = '-';
/** How a scenario read from standard input is named in messages and in the Result. */
export const STDIN_LABEL = '<stdin>';

/** Reads all of standard input; refuses a terminal, which would wait for typing that never comes. */
export function readStdinText(): string {
  if (process.stdin.isTTY)
    throw new InputError(
      `"${STDIN_ARG}" reads the scenario from standard input, but none is piped in (e.g. cat s.yaml | npx placesim run -)`,
    );
  let text: string;
  try {
    text = readFileSync(0, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // Nothing attached to fd 0 at all reads as empty.
    if (err?.code === 'EAGAIN' || err?.code === 'EOF' || err?.code === 'ENXIO') text = '';
    else if (typeof err?.code === 'string')
      throw new InputError(`cannot read the scenario from standard input: ${err.message}`);
    else throw e;
  }
  if (text.trim() === '')
    throw new InputError('standard input is empty: pipe a scenario in (e.g. cat s.yaml | npx placesim run -)', {
      file: STDIN_LABEL,
    });
  return text;
}

/** `-` → the text of standard input named `<stdin>`; anything else → that file. */
export function scenarioSource(arg: string, readStdin: () => string = readStdinText): ScenarioSource {
  return arg === STDIN_ARG ? { file: STDIN_LABEL, text: readStdin() } : { file: arg };
}
