/** `placesim completion bash|zsh|fish`: scripts generated from the program's declarations; bash's is exercised. */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, withoutDebugTraces } from './helpers/cli.js';

withoutDebugTraces();

/** Runs the bash script's completion function for a command line; returns the candidates. */
function complete(script: string, words: string[], cwd: string): string[] {
  const line = [
    script,
    `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})`,
    `COMP_CWORD=${words.length - 1}`,
    '_placesim',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const r = spawnSync('bash', ['-c', line], { cwd, encoding: 'utf8' });
  expect(r.status).toBe(0);
  return r.stdout.split('\n').filter((s) => s.length > 0);
}

describe('placesim completion', () => {
  it('bash: completes commands, a command’s options, and scenario files', async () => {
    const { out, code } = await cli('completion', 'bash');
    expect(code).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'placesim-completion-'));
    try {
      writeFileSync(join(dir, 'shop.yaml'), '');
      writeFileSync(join(dir, 'notes.txt'), '');
      mkdirSync(join(dir, 'scenarios'));
      expect(complete(out, ['placesim', ''], dir)).toEqual(expect.arrayContaining(['run', 'init', 'explain', 'diff']));
      expect(complete(out, ['placesim', 'ch'], dir)).toEqual(['check']);
      expect(complete(out, ['placesim', 'run', '--po'], dir).sort()).toEqual(['--policy', '--policy-module']);
      const files = complete(out, ['placesim', 'run', ''], dir);
      expect(files).toContain('shop.yaml');
      expect(files).toContain('scenarios/');
      expect(files).not.toContain('notes.txt');
      expect(complete(out, ['placesim', 'catalog', 'r'], dir)).toEqual(['regions']);
      expect(complete(out, ['placesim', 'completion', 'z'], dir)).toEqual(['zsh']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('zsh and fish: name every command and its options', async () => {
    const zsh = await cli('completion', 'zsh');
    const fish = await cli('completion', 'fish');
    expect(zsh.out.startsWith('#compdef placesim')).toBe(true);
    for (const name of ['run', 'sweep', 'check', 'diff', 'validate', 'catalog', 'completion']) {
      expect(zsh.out).toContain(`'${name}:`);
      expect(fish.out).toContain(`-a ${name} -d`);
    }
    expect(zsh.out).toContain('--policy-module');
    expect(fish.out).toContain('-l policy-module');
  });

  it('an unknown shell is bad input', async () => {
    const { code, err } = await cli('completion', 'tcsh');
    expect(code).toBe(2);
    expect(err).toMatch(/tcsh/);
  });
});
