/**
 * Issue 9: policy-module failures, sweep lock / journal / data-file checks, and injection-safe outputs.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync, copyFileSync, existsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { placesim } from './helpers/placesim-process.js';
import { cli, expectOneLineBadInput, withoutDebugTraces } from './helpers/cli.js';
import { runSweep } from '../src/sweep/index.js';
import { csvText, terminalText } from '../src/report/safe-text.js';
import { csvTables, renderTable } from '../src/report/index.js';
import { fixture } from './fixtures/reports/results.js';

withoutDebugTraces();
const SMALL = 'test/fixtures/cli/base.yaml';
const POL = 'test/fixtures/policies';
const tmp = () => mkdtempSync(join(tmpdir(), 'placesim-io-'));

describe('policy modules: failures are exit 2 naming the module', () => {
  it('console output goes to stderr and never corrupts --json', async () => {
    const r = await placesim(['run', SMALL, '--json', '--policy-module', `${POL}/io-console.mjs`]);
    expect(r.status).toBe(0);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
    expect(r.stderr).toContain('hello from import');
    expect(r.stderr).toContain('placing');
  });

  it('a factory that never settles: exit 2 after the timeout, not 13', async () => {
    const r = await placesim(['validate', SMALL, '--policy-module', `${POL}/io-never-resolves.mjs`], {
      env: { PLACESIM_POLICY_TIMEOUT_MS: '300' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/io-never-resolves\.mjs: .*did not settle within 300 ms\n$/);
  });

  it('a throwing name getter', async () => {
    const line = expectOneLineBadInput(await cli('validate', SMALL, '--policy-module', `${POL}/io-name-getter.mjs`));
    expect(line).toContain('io-name-getter.mjs');
    expect(line).toContain('no name today');
  });

  it('a late unhandled rejection', async () => {
    const r = await placesim(['run', SMALL, '--policy-module', `${POL}/io-late-rejection.mjs`]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/policy module .*io-late-rejection\.mjs: .*late failure\n$/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('a module that pollutes Object.prototype is blamed, not the scenario', async () => {
    const r = await placesim(['validate', SMALL, '--policy-module', `${POL}/io-pollutes.mjs`]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/io-pollutes\.mjs: .*Object\.prototype\.polluted/);
  });
});

describe('sweeps: lock, data files, journal lines', () => {
  const SET = { path: 'services.chat.arrivals.poisson', values: ['1/s', '2/s'] };

  it('a second sweep on a locked --out is exit 2 naming the holder; a dead holder is taken over', async () => {
    const out = tmp();
    writeFileSync(join(out, 'sweep.lock'), JSON.stringify({ pid: process.pid, host: hostname(), started: 'T0' }));
    const line = expectOneLineBadInput(
      await cli('sweep', SMALL, '--set', 'services.chat.arrivals.poisson=1/s', '--out', out, '-q'),
    );
    expect(line).toContain(`pid ${process.pid} on host ${hostname()}, started T0`);
    // A pid that has exited.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(join(out, 'sweep.lock'), JSON.stringify({ pid: dead, host: hostname(), started: 'T1' }));
    const r = await placesim([
      'sweep',
      SMALL,
      '--set',
      'services.chat.arrivals.poisson=1/s',
      '--workers',
      '1',
      '--out',
      out,
    ]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`the sweep that held it (pid ${dead}, started T1) is no longer running`);
    expect(existsSync(join(out, 'sweep.lock'))).toBe(false);
  });

  it('resume refuses when a referenced data file changed', async () => {
    const dir = tmp();
    const text = readFileSync(SMALL, 'utf8').replace('arrivals: { poisson: 2/s }', 'arrivals: { trace: arrivals.csv }');
    writeFileSync(join(dir, 's.yaml'), text);
    writeFileSync(join(dir, 'arrivals.csv'), 't\n1\n2\n3\n');
    const journal = join(dir, 'j.jsonl');
    const opts = {
      file: join(dir, 's.yaml'),
      sets: [{ path: 'seed', values: [1] }].slice(1),
      replications: 1,
      workers: 0,
      journal,
    };
    await runSweep({ ...opts, sets: [{ path: 'services.chat.request.input_tokens', values: [100, 200] }] });
    writeFileSync(join(dir, 'arrivals.csv'), 't\n1\n2\n4\n');
    await expect(
      runSweep({ ...opts, sets: [{ path: 'services.chat.request.input_tokens', values: [100, 200] }] }),
    ).rejects.toThrow(/arrivals\.csv, which the scenario reads, changed since the sweep started/);
  });

  it('a journal line that is valid JSON but wrong is refused', async () => {
    const dir = tmp();
    copyFileSync(SMALL, join(dir, 's.yaml'));
    const journal = join(dir, 'j.jsonl');
    const opts = { file: join(dir, 's.yaml'), sets: [SET], replications: 1, workers: 0, journal };
    await runSweep(opts);
    const lines = readFileSync(journal, 'utf8').trimEnd().split('\n');
    const point = JSON.parse(lines[1]);
    point.policies[0].metrics.cost_usd.mean = '1';
    writeFileSync(journal, [lines[0], JSON.stringify(point), ...lines.slice(2)].join('\n') + '\n');
    await expect(runSweep(opts)).rejects.toThrow(
      /j\.jsonl:2: corrupt journal line \(policies\[0\]\.metrics\.cost_usd\.mean:/,
    );
  });
});

describe('injection-safe outputs', () => {
  it('CSV text cells that start like a formula get a quote; numbers stay numbers', () => {
    expect(['=1+2', '+x', '-x', '@x', '\tx', '\rx', 'ok', ''].map(csvText)).toEqual([
      "'=1+2",
      "'+x",
      "'-x",
      "'@x",
      "'\tx",
      "'\rx",
      'ok',
      '',
    ]);
    const r = fixture();
    r.policies[0].policy = '=HYPERLINK("http://x","y")';
    r.policies[0].services[0].name = '@SUM(1)';
    const t = csvTables(r);
    expect(t.summary).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(t.services).toContain("'@SUM(1)");
    expect(t.summary).not.toMatch(/(^|,)=/m);
  });

  it('control characters are escaped before a terminal sees them', () => {
    expect(terminalText('a\u001b]0;owned\u0007b\u001b[31mc\r\u202e')).toBe(
      'a\\x1b]0;owned\\x07b\\x1b[31mc\\x0d\\u202e',
    );
    const r = fixture();
    r.policies[0].services[0].name = 'evil\u001b]0;title\u0007';
    const table = renderTable(r);
    expect(table.includes('\u0007') || table.includes('\u001b')).toBe(false);
    expect(table).toContain('evil\\x1b]0;title\\x07');
  });
});
