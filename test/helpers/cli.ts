/** Running the CLI in-process, as the tests of its messages and exit codes do. */
import { expect, beforeAll, afterAll } from 'vitest';
import { main, type Io } from '../../src/cli/main.js';

export interface Run {
  code: number;
  out: string;
  err: string;
}

/** Calls main() with argv and captures what it writes. */
export async function cli(...argv: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t) };
  const code = await main(argv, io);
  return { code, out, err };
}

/** Exit 2, nothing on stdout, exactly one line on stderr and no stack trace. Returns that line. */
export function expectOneLineBadInput(r: Run): string {
  expect(r.code).toBe(2);
  expect(r.out).toBe('');
  expect(r.err.endsWith('\n')).toBe(true);
  const lines = r.err.slice(0, -1).split('\n');
  expect(lines).toHaveLength(1);
  expect(r.err).not.toMatch(/^\s+at /m);
  return lines[0];
}

/** For the calling test file: messages are checked without the PLACESIM_DEBUG stack trace. */
export function withoutDebugTraces(): void {
  let saved: string | undefined;
  beforeAll(() => {
    saved = process.env.PLACESIM_DEBUG;
    delete process.env.PLACESIM_DEBUG;
  });
  afterAll(() => {
    if (saved !== undefined) process.env.PLACESIM_DEBUG = saved;
  });
}
