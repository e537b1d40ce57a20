/** `placesim init`: the starter scenario it writes validates and runs; it never overwrites without --force. */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, expectOneLineBadInput, withoutDebugTraces } from './helpers/cli.js';
import { main, type Io } from '../src/cli/main.js';
import { initOptions, starterScenario } from '../src/init/index.js';

withoutDebugTraces();

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'placesim-init-'));
}

describe('placesim init', () => {
  it.each([
    ['chatbot', 'ap-northeast-2,eu-north', 'cloud,edge,device'],
    ['vision', 'us-east', 'edge,cloud'],
    ['training', 'eu-north', 'cloud'],
  ])('--workload %s --users %s --sites %s: validates and runs', async (workload, users, sites) => {
    const dir = tmp();
    try {
      const file = join(dir, 'starter.yaml');
      const w = await cli('init', '--workload', workload, '--users', users, '--sites', sites, '-o', file);
      expect(w.code).toBe(0);
      expect(w.out).toContain(`wrote ${file}`);
      const text = readFileSync(file, 'utf8');
      expect(text).toMatch(/^# starter|^# \w+-starter/);
      expect(text).toContain('assumption');
      expect((await cli('validate', file)).code).toBe(0);
      const run = await cli('run', file, '--json');
      expect(run.code).toBe(0);
      const result = JSON.parse(run.out);
      expect(result.scenario.name).toBe(`${workload}-starter`);
      expect(result.policies.length).toBeGreaterThan(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to overwrite without --force', async () => {
    const dir = tmp();
    try {
      const file = join(dir, 'mine.yaml');
      writeFileSync(file, 'my own work\n');
      const line = expectOneLineBadInput(await cli('init', '-o', file));
      expect(line).toContain('exists: give --force');
      expect(readFileSync(file, 'utf8')).toBe('my own work\n');
      expect((await cli('init', '-o', file, '--force', '--quiet')).code).toBe(0);
      expect(readFileSync(file, 'utf8')).toContain('name: chatbot-starter');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('-o - prints the scenario; --name names it', async () => {
    const r = await cli('init', '--workload', 'vision', '--name', 'shop-floor', '-o', '-');
    expect(r.code).toBe(0);
    expect(r.out).toContain('name: shop-floor');
    expect(r.out).toContain('npx placesim run shop-floor.yaml');
  });

  it('bad choices are one-line bad input', async () => {
    expect(expectOneLineBadInput(await cli('init', '--workload', 'poetry', '-o', '-'))).toContain('--workload');
    expect(expectOneLineBadInput(await cli('init', '--users', 'mars-1', '-o', '-'))).toContain('not a catalog region');
    expect(expectOneLineBadInput(await cli('init', '--workload', 'training', '--sites', 'edge', '-o', '-'))).toContain(
      'cloud sites only',
    );
  });

  it('asks at a terminal when no flag chose, and never under CI=true', async () => {
    const asked: string[] = [];
    let out = '';
    const answers = ['vision', 'eu-west', 'edge'];
    const io: Io = {
      out: (t) => void (out += t),
      err: () => undefined,
      ask: (q) => {
        asked.push(q);
        return Promise.resolve(answers.shift() ?? '');
      },
    };
    const saved = process.env.CI;
    try {
      delete process.env.CI;
      expect(await main(['init', '-o', '-'], io)).toBe(0);
      expect(asked).toHaveLength(3);
      expect(out).toContain('model: yolov8n');
      expect(out).toContain('edge-eu-west:');
      expect(out).not.toContain('kind: cloud');
      asked.length = 0;
      process.env.CI = 'true';
      expect(await main(['init', '-o', '-'], io)).toBe(0);
      expect(asked).toHaveLength(0);
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });

  it('is deterministic and puts the cloud where the instance has a price', () => {
    const o = initOptions({ workload: 'chatbot', users: ['ap-northeast-1'], sites: ['cloud'] });
    const text = starterScenario(o);
    expect(starterScenario(o)).toBe(text);
    // aws/g5.xlarge has no catalog price in Tokyo: the nearest priced region is used, and its RTT is set.
    expect(text).toMatch(/region: us-east {3}# no catalog price in the users/);
  });
});
