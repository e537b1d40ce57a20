/**
 * The installed executable, as a user runs it: `node bin/placesim …` from the repository root. It loads the
 * compiled dist/ (built by `npm test`'s `tsc` before vitest), so these tests also catch a bin/ or build
 * problem that the in-process tests of test/cli.test.ts cannot see.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { CHILD_TIMEOUT_MS } from './helpers/timeouts.js';
import { renderJson } from '../src/report/json.js';
import type { Result } from '../src/metrics/result.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function placesim(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.PLACESIM_DEBUG;
  const r = spawnSync(process.execPath, ['bin/placesim', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env,
    timeout: CHILD_TIMEOUT_MS,
  });
  if (r.error) throw r.error;
  if (r.signal)
    throw new Error(`placesim ${args.join(' ')} was killed (${r.signal}) after ${CHILD_TIMEOUT_MS / 1000} s`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same, without blocking: lets two runs share the machine's two cores. */
function placesimAsync(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.PLACESIM_DEBUG;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/placesim', ...args], { cwd: ROOT, env, timeout: CHILD_TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status, signal) => {
      if (signal)
        reject(new Error(`placesim ${args.join(' ')} was killed (${signal}) after ${CHILD_TIMEOUT_MS / 1000} s`));
      else resolve({ status, stdout, stderr });
    });
  });
}

describe('bin/placesim', () => {
  beforeAll(() => {
    if (!existsSync(`${ROOT}/dist/cli/main.js`))
      throw new Error('dist/ is missing: run `npx tsc -p .` (npm test does) first');
  });

  it('--version prints the version of package.json', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8'));
    const r = placesim('--version');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${pkg.version}\n`);
    expect(r.stderr).toBe('');
  });

  it('run chatbot-seoul: exit 0 and a column for every policy in the file', () => {
    // The policy list read straight from the YAML, not through placesim's loader.
    const policies: string[] = parse(readFileSync(`${ROOT}/scenarios/chatbot-seoul.yaml`, 'utf8')).policies;
    expect(policies.length).toBeGreaterThanOrEqual(2);
    const r = placesim('run', 'scenarios/chatbot-seoul.yaml');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    for (const p of policies) expect(r.stdout).toContain(p);
  });

  it('run smart-camera --json twice: byte-identical stdout', async () => {
    // Two separate processes, so nothing (a cache, a shared random stream) can carry over from one to the other.
    const [a, b] = await Promise.all([
      placesimAsync('run', 'scenarios/smart-camera.yaml', '--json'),
      placesimAsync('run', 'scenarios/smart-camera.yaml', '--json'),
    ]);
    expect(a.status).toBe(0);
    expect(b.status).toBe(0);
    expect(a.stdout.length).toBeGreaterThan(0);
    expect(b.stdout).toBe(a.stdout);
    const json = JSON.parse(a.stdout);
    expect(json.scenario.name).toBe('smart-camera');
    expect(json.scenario.seed).toBe(7);
  });

  it("run --json writes keys in the Result schema's order (the bundle's precomputed table, scripts/bundle.mjs)", () => {
    // The bundle replaces src/report/key-order.ts with a table computed at build; the Result's own key order
    // differs from the schema's, so a stale or missing table would change the text that rendering the same
    // values here, with the order read from the schema, gives.
    const r = placesim('run', 'bench/tiny.yaml', '--json');
    expect(r.status).toBe(0);
    expect(renderJson(JSON.parse(r.stdout) as Result)).toBe(r.stdout);
  });

  it('bad input: exit 2, nothing on stdout, one line on stderr', () => {
    const r = placesim('run', 'test/fixtures/cli/bad-device.yaml');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^placesim: test\/fixtures\/cli\/bad-device\.yaml:14:17: .*did you mean "jetson-agx-orin-64gb"/,
    );
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('an unknown option: exit 2, one line on stderr', () => {
    const r = placesim('run', 'scenarios/chatbot-seoul.yaml', '--frobnicate');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/unknown option '--frobnicate'/);
  });
});
