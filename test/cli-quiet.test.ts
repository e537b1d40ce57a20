/** `--quiet`: no progress and no notices, results and errors only; before or after the command. */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, expectOneLineBadInput, withoutDebugTraces } from './helpers/cli.js';

withoutDebugTraces();
const FILE = 'scenarios/mmc-validation.yaml';

describe('--quiet', () => {
  it('run: writes the files but says nothing about them; the table is unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'placesim-quiet-'));
    try {
      const loud = await cli('run', FILE, '--csv', join(dir, 'a'));
      const quiet = await cli('run', FILE, '--csv', join(dir, 'b'), '--quiet');
      const global = await cli('-q', 'run', FILE, '--csv', join(dir, 'c'), '--json');
      expect(loud.out).toMatch(/^wrote /);
      expect(loud.out.endsWith(quiet.out)).toBe(true);
      expect(quiet.out).not.toContain('wrote');
      expect(quiet.err).toBe('');
      expect(global.err).toBe('');
      expect(JSON.parse(global.out).scenario.name).toBe('mmc-validation');
      for (const d of ['a', 'b', 'c']) expect(existsSync(join(dir, d, 'summary.csv'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('check: leaves out the notes, keeps the verdict', async () => {
    const args = ['check', FILE, '--baseline', 'results', '--tolerance', 'typo=1%'];
    const loud = await cli(...args);
    const quiet = await cli(...args, '--quiet');
    expect(loud.out).toContain('note: --tolerance pattern "typo" matches no metric');
    expect(quiet.out).not.toContain('note:');
    expect(quiet.out).toMatch(/^PASS {4}mmc-validation/);
    expect(quiet.out.trimEnd().split('\n').pop()).toBe('1 scenario checked: 1 pass, 0 fail');
    expect(quiet.code).toBe(0);
  });

  it('still reports errors, on one line', async () => {
    const line = expectOneLineBadInput(await cli('--quiet', 'run', 'no-such-file.yaml'));
    expect(line).toContain('no-such-file.yaml');
  });

  it('is in the help', async () => {
    const r = await cli('--help');
    expect(r.out).toMatch(/-q, --quiet +no progress and no notices/);
  });
});
