import { describe, it, expect, afterAll } from 'vitest';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCi, locateTool, type ExternalToolSpec } from './external-tool.js';

const spec: ExternalToolSpec = {
  name: 'Fakebrowser',
  envVar: 'FAKEBROWSER_PATH',
  commands: ['fakebrowser'],
  neededBy: 'a test',
  install: 'apt-get install fakebrowser',
};

describe('isCi', () => {
  it('is true for CI=true and CI=1, false when unset, empty, "false" or "0"', () => {
    expect(isCi({ CI: 'true' })).toBe(true);
    expect(isCi({ CI: '1' })).toBe(true);
    expect(isCi({})).toBe(false);
    expect(isCi({ CI: '' })).toBe(false);
    expect(isCi({ CI: 'false' })).toBe(false);
    expect(isCi({ CI: '0' })).toBe(false);
  });
});

describe('locateTool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'placesim-tool-'));
  const exe = join(dir, 'fakebrowser');
  writeFileSync(exe, '#!/bin/sh\n');
  chmodSync(exe, 0o755);
  const plain = join(dir, 'not-executable');
  writeFileSync(plain, '');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds a command on PATH', () => {
    expect(locateTool(spec, { PATH: `/nowhere:${dir}` })).toEqual({ path: exe, notice: null });
  });

  it('takes the environment variable over PATH, and only it', () => {
    expect(locateTool(spec, { PATH: '/nowhere', FAKEBROWSER_PATH: exe }).path).toBe(exe);
    const r = locateTool(spec, { PATH: dir, FAKEBROWSER_PATH: '/nowhere/fakebrowser' });
    expect(r.path).toBeNull();
    expect(r.notice).toContain('FAKEBROWSER_PATH=/nowhere/fakebrowser');
  });

  it('does not take a file it cannot execute', () => {
    expect(locateTool(spec, { FAKEBROWSER_PATH: plain }).path).toBeNull();
  });

  it('says in one line what is missing, who needs it and how to get it', () => {
    const r = locateTool(spec, { PATH: '/nowhere' });
    expect(r.path).toBeNull();
    expect(r.notice).toBe(
      'Fakebrowser not found (looked for fakebrowser on PATH): a test needs it. ' +
        'Install it (apt-get install fakebrowser) or set FAKEBROWSER_PATH to its path.',
    );
  });
});
