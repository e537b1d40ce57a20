/** A scenario read from standard input with `-`: named <stdin> in messages, relative paths from the current folder. */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CHILD_TIMEOUT_MS } from './helpers/timeouts.js';
import { cli } from './helpers/cli.js';
import { scenarioSource, STDIN_LABEL } from '../src/app/index.js';

const ROOT = process.cwd();

function placesim(input: string, cwd: string, ...argv: string[]): { code: number; out: string; err: string } {
  const env = { ...process.env };
  delete env.PLACESIM_DEBUG;
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/placesim'), ...argv], {
    cwd,
    input,
    encoding: 'utf8',
    env,
    timeout: CHILD_TIMEOUT_MS,
  });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('a scenario on stdin (-)', () => {
  it('runs as the file would, the Result naming <stdin>', () => {
    const text = readFileSync('scenarios/mmc-validation.yaml', 'utf8');
    const piped = placesim(text, ROOT, 'run', '-', '--json');
    expect(piped.code, piped.err).toBe(0);
    const fromFile = placesim('', ROOT, 'run', 'scenarios/mmc-validation.yaml', '--json');
    const a = JSON.parse(piped.out);
    const b = JSON.parse(fromFile.out);
    expect(a.scenario.file).toBe(STDIN_LABEL);
    expect(a.policies).toEqual(b.policies);
  });

  it('names <stdin> with line:col in an error, on one line, exit 2', () => {
    const r = placesim('name: x\nseed: -1\n', ROOT, 'run', '-');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^placesim: <stdin>:2:7: seed: /);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  });

  it('resolves relative CSV paths against the current folder', () => {
    const text = readFileSync('scenarios/batch-overnight.yaml', 'utf8');
    // From scenarios/, data/… is there.
    const ok = placesim(text, join(ROOT, 'scenarios'), 'validate', '-');
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/^<stdin>: ok — /);
    // From the root, it is not: the message says where in <stdin> the path is.
    const bad = placesim(text, ROOT, 'validate', '-');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^placesim: <stdin>:\d+:\d+: .*data\/windy-grid\.csv/);
  });

  it('refuses empty input with one line', () => {
    const r = placesim('', ROOT, 'validate', '-');
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'placesim: <stdin>: standard input is empty: pipe a scenario in (e.g. cat s.yaml | npx placesim run -)\n',
    );
  });

  it('reads through the injected reader in-process, and leaves other names alone', async () => {
    expect(scenarioSource('a.yaml')).toEqual({ file: 'a.yaml' });
    expect(scenarioSource('-', () => 'x')).toEqual({ file: STDIN_LABEL, text: 'x' });
    const r = await cli('run', 'scenarios/no-such.yaml');
    expect(r.err).toContain('scenarios/no-such.yaml');
  });
});
