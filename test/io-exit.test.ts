/**
 * The exit-code contract outside scenario files (issue 9): a path that cannot be written, a full disk, a
 * directory where a file belongs are exit 2 with one line naming the path — never 1 (a failed check) or 3 (a
 * bug) — and the trace of a run that failed is left as `.partial`. Uses the real executable where the
 * behaviour lives in bin/ (stdout errors), in-process otherwise.
 */
import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { placesim } from './helpers/placesim-process.js';
import { cli, expectOneLineBadInput, withoutDebugTraces } from './helpers/cli.js';

withoutDebugTraces();
const SMALL = 'test/fixtures/cli/base.yaml';
const tmp = () => mkdtempSync(join(tmpdir(), 'placesim-io-'));

describe('exit 2 for an environment problem, naming the path', () => {
  it('run --json > /dev/full: one line about standard output, status 2', async () => {
    const fd = openSync('/dev/full', 'w');
    try {
      const r = await placesim(['run', SMALL, '--json'], { stdout: fd });
      expect(r.status).toBe(2);
      expect(r.stderr).toBe('placesim: cannot write to standard output: no space left on device (ENOSPC)\n');
    } finally {
      closeSync(fd);
    }
  });

  it('check --summary <a directory>', async () => {
    const dir = tmp();
    // The table is printed before the outputs are written: only stderr is one line.
    const r = await cli('check', 'scenarios/mmc-validation.yaml', '--baseline', 'results', '--summary', dir, '-q');
    expect(r.code).toBe(2);
    const line = r.err;
    expect(line).toContain(`cannot write the check summary "${dir}"`);
    expect(line).toContain('EISDIR');
  });

  it('check --update --baseline /proc', async () => {
    const line = expectOneLineBadInput(await cli('check', SMALL, '--update', '--baseline', '/proc'));
    expect(line).toContain('cannot write the baseline "/proc/cli-base.json"');
  });

  it('--csv, --html and --junit under /proc or below a file (ENOTDIR)', async () => {
    const file = join(tmp(), 'a-file');
    writeFileSync(file, 'x');
    expect(expectOneLineBadInput(await cli('run', SMALL, '--csv', '/proc/placesim-x'))).toContain('"/proc/placesim-x"');
    expect(expectOneLineBadInput(await cli('run', SMALL, '--csv', join(file, 'out')))).toContain('ENOTDIR');
    expect(expectOneLineBadInput(await cli('run', SMALL, '--html', '/proc/x/r.html'))).toContain('"/proc/x/r.html"');
    const j = await cli(
      'check',
      'scenarios/mmc-validation.yaml',
      '--baseline',
      'results',
      '-q',
      '--junit',
      file + '/j.xml',
    );
    expect(j.code).toBe(2);
    expect(j.err).toMatch(/^placesim: cannot write the JUnit report .*ENOTDIR\)\n$/);
  });

  it('a sweep whose --out cannot be created', async () => {
    const line = expectOneLineBadInput(
      await cli('sweep', SMALL, '--set', 'seed=1,2', '--workers', '1', '--out', '/proc/placesim-sweep', '-q'),
    );
    expect(line).toContain('"/proc/placesim-sweep"');
  });
});

describe('the trace is never half-written under its own name', () => {
  it('a finished run renames trace.csv.partial to trace.csv', async () => {
    const dir = tmp();
    const r = await cli('run', SMALL, '--csv', dir, '--trace', '-q');
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 'trace.csv'))).toBe(true);
    expect(existsSync(join(dir, 'trace.csv.partial'))).toBe(false);
  });

  it('a run that fails leaves trace.csv.partial and says so', async () => {
    const dir = tmp();
    const line = expectOneLineBadInput(
      await cli('run', SMALL, '--policy-module', 'test/fixtures/policies/throws-in-place.mjs', '--csv', dir, '--trace'),
    );
    expect(line).toContain(`the unfinished trace is ${join(dir, 'trace.csv.partial')}`);
    expect(existsSync(join(dir, 'trace.csv'))).toBe(false);
    expect(readFileSync(join(dir, 'trace.csv.partial'), 'utf8')).toMatch(/^policy,request,/);
  });

  it('a trace that cannot be created is exit 2 naming it', async () => {
    const line = expectOneLineBadInput(await cli('run', SMALL, '--csv', '/proc/placesim-t', '--trace'));
    expect(line).toContain('/proc/placesim-t');
  });
});
