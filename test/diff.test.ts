/** `placesim diff A B`: scenario files (run with the same seed) or Result files, side by side. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, expectOneLineBadInput, withoutDebugTraces } from './helpers/cli.js';
import { changeText, isKeyMetric } from '../src/diff/index.js';

withoutDebugTraces();

const FILE = 'scenarios/mmc-validation.yaml';
// A short run keeps each simulation to a fraction of a second.
const SHORT = readFileSync(FILE, 'utf8')
  .replace(/^duration: .*$/m, 'duration: 60s')
  .replace(/^warmup: .*$/m, 'warmup: 5s');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'placesim-diff-'));
  writeFileSync(join(dir, 'a.yaml'), SHORT);
  writeFileSync(join(dir, 'other-seed.yaml'), SHORT.replace(/^seed: .*$/m, 'seed: 8'));
  writeFileSync(join(dir, 'five.yaml'), SHORT.replace('count: 4', 'count: 5'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const p = (f: string) => join(dir, f);

describe('placesim diff', () => {
  it("runs two scenario files with A's seed: a file that differs only in its seed differs in nothing", async () => {
    const r = await cli('diff', p('a.yaml'), p('other-seed.yaml'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`A: ${p('a.yaml')} (scenario, run: mmc-validation, seed 7)`);
    expect(r.out).toContain(`B: ${p('other-seed.yaml')} (scenario, run: mmc-validation, seed 7)`);
    expect(r.out).toMatch(/^no metric differs \(\d+ compared\)$/m);
    // --seed moves both.
    const s = await cli('diff', p('a.yaml'), p('other-seed.yaml'), '--seed', '8');
    expect(s.out).toContain('seed 8)\nB:');
  });

  it('shows the key metrics side by side with the change, then every metric that differs', async () => {
    const r = await cli('diff', p('a.yaml'), p('five.yaml'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^key metrics per policy:$/m);
    expect(r.out).toMatch(/^ {2}least-latency\/services\/jobs\/latency_ms\/p99 +\S+ +\S+ +-[\d.]+ \(-[\d.]+%\)$/m);
    expect(r.out).toMatch(/^ {2}least-latency\/totals\/cost_usd\/total +0 +0 += *$/m);
    expect(r.out).toMatch(/^\d+ of \d+ metrics differ:$/m);
    expect(r.out).toMatch(/^ {2}least-latency\/pools\/dc\/servers\/units +4 +5 +\+1 \(\+25%\)$/m);
  });

  it('reads Result files (run --json, a baseline), and a scenario against a Result', async () => {
    const run = await cli('run', p('five.yaml'), '--json');
    writeFileSync(p('five.json'), run.out);
    const r = await cli('diff', p('five.yaml'), p('five.json'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('(Result: mmc-validation, seed 7)');
    expect(r.out).toMatch(/^no metric differs/m);
    const base = await cli('diff', 'results/mmc-validation.json', p('five.json'));
    expect(base.code, base.err).toBe(0);
    expect(base.out).toMatch(/^ {2}scenario\/duration_s +5000 +60 /m);
  });

  it('lines up two scenarios of different names and marks one-sided metrics', async () => {
    const r = await cli('diff', 'results/smart-camera.json', 'results/mmc-validation.json');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^ {2}edge-only\/totals\/cost_usd\/total +[\d.]+ +— +only in A$/m);
  });

  it('exits 2 with one line on bad input', async () => {
    expect(expectOneLineBadInput(await cli('diff', p('nope.yaml'), p('a.yaml')))).toBe(
      `placesim: ${p('nope.yaml')}: cannot read scenario: file not found`,
    );
    writeFileSync(p('bad.json'), '{"format_version": 1, "scenario": {"name": "x"}, "policies": [1]}');
    expect(expectOneLineBadInput(await cli('diff', p('bad.json'), p('a.yaml')))).toBe(
      `placesim: ${p('bad.json')}: not a placesim Result: policies[0]: expected an object, got a number`,
    );
    expect(expectOneLineBadInput(await cli('diff', '-', '-'))).toContain('only one side of diff');
    expectOneLineBadInput(await cli('diff', p('a.yaml')));
  });
});

describe('diff helpers', () => {
  it('picks the key metrics', () => {
    expect(isKeyMetric('edge-only/totals/cost_usd/total')).toBe(true);
    expect(isKeyMetric('edge-only/services/chat/latency_ms/p99')).toBe(true);
    expect(isKeyMetric('edge-only/services/chat/latency_ms/p50')).toBe(false);
    expect(isKeyMetric('edge-only/totals/cost_usd/compute')).toBe(false);
  });

  it('words a change', () => {
    expect(changeText({ metric: 'm', a: 100, b: 102 })).toBe('+2 (+2%)');
    expect(changeText({ metric: 'm', a: 0, b: 3 })).toBe('+3');
    expect(changeText({ metric: 'm', a: 3, b: 3 })).toBe('=');
    expect(changeText({ metric: 'm', a: null, b: 3 })).toBe('null → 3');
    expect(changeText({ metric: 'm', a: undefined, b: 3 })).toBe('only in B');
  });
});
