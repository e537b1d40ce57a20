/**
 * The CLI end to end, in-process: `main(argv, io)` with an io that captures what would go to stdout and
 * stderr. Expected numbers are derived by hand from the scenario files (rates × durations, Erlang C, catalog
 * datasheet figures); expected error locations are counted by hand from the fixtures in test/fixtures/cli/.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type Io } from '../src/cli/main.js';
import { cli, expectOneLineBadInput, withoutDebugTraces } from './helpers/cli.js';

withoutDebugTraces();

const FIX = 'test/fixtures/cli';
const CHATBOT = 'scenarios/chatbot-seoul.yaml';
const CHATBOT_POLICIES = ['cloud-only', 'edge-only', 'edge-first', 'least-latency', 'cheapest-within-slo'];

/** Erlang C: probability that an arrival waits in an M/M/c queue with offered load a = λ/μ. */
function erlangC(c: number, a: number): number {
  let term = 1;
  let sum = 1; // k = 0
  for (let k = 1; k < c; k++) {
    term *= a / k;
    sum += term;
  }
  const last = ((term * a) / c) * (c / (c - a)); // a^c / c! · c / (c − a)
  return last / (sum + last);
}

describe('placesim run', () => {
  it('mmc-validation --json: one least-latency policy, conservation, and the M/M/4 figures', async () => {
    const r = await cli('run', 'scenarios/mmc-validation.yaml', '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.scenario.name).toBe('mmc-validation');
    expect(json.scenario.seed).toBe(7);
    expect(json.policies).toHaveLength(1);
    const p = json.policies[0];
    expect(p.policy).toBe('least-latency');

    const c = p.conservation;
    expect(c.arrivals).toBe(c.completed + c.rejected + c.in_flight);
    expect(c.lost ?? 0).toBe(0); // nothing fails in this scenario, so nothing can be lost
    // Poisson arrivals at 320/s for 5000 s: mean 1.6e6, sd √1.6e6 ≈ 1265; allow 5 sd.
    expect(Math.abs(c.arrivals - 320 * 5000)).toBeLessThan(5 * Math.sqrt(320 * 5000));
    // The measured window is 4800 s.
    const svc = p.services[0];
    expect(Math.abs(svc.arrivals - 320 * 4800)).toBeLessThan(5 * Math.sqrt(320 * 4800));
    expect(svc.completed + svc.rejected).toBeLessThanOrEqual(svc.arrivals);

    // M/M/4 at λ = 320/s, μ = 100/s: Wq = C(4, 3.2) / (cμ − λ) = 0.5958 / 80 s ≈ 7.45 ms; service mean 10 ms.
    const wqMs = (erlangC(4, 3.2) / (4 * 100 - 320)) * 1000;
    expect(wqMs).toBeCloseTo(7.455, 2); // the scenario file's comment: 0.5958 / 80 s
    expect(Math.abs(svc.breakdown_ms.queue - wqMs) / wqMs).toBeLessThan(0.03);
    expect(Math.abs(svc.breakdown_ms.execution - 10) / 10).toBeLessThan(0.01);
    // Utilisation ρ = λ / (cμ) = 0.8.
    expect(p.pools[0].utilisation).toBeCloseTo(0.8, 2);
  });

  it('--seed overrides the seed: new numbers, and the same seed gives byte-identical JSON', async () => {
    const base = await cli('run', CHATBOT, '--json');
    const a = await cli('run', CHATBOT, '--json', '--seed', '5');
    const b = await cli('run', CHATBOT, '--json', '--seed', '5');
    for (const r of [base, a, b]) expect(r.code).toBe(0);
    expect(JSON.parse(base.out).scenario.seed).toBe(42);
    const ja = JSON.parse(a.out);
    expect(ja.scenario.seed).toBe(5);
    expect(a.out).toBe(b.out);
    // Different arrivals under another seed (a Poisson count over 7200 s at 4/s matching by chance is ~0.5%,
    // and the latencies would have to match as well).
    const jb = JSON.parse(base.out);
    expect(ja.policies[0].conservation.arrivals).not.toBe(jb.policies[0].conservation.arrivals);
    expect(ja.policies[0].services[0].latency_ms.mean).not.toBe(jb.policies[0].services[0].latency_ms.mean);
  });

  it("runs every policy of the scenario, in the file's order", async () => {
    const r = await cli('run', CHATBOT, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).policies.map((p: { policy: string }) => p.policy)).toEqual(CHATBOT_POLICIES);
  });

  it('--policy runs exactly the policies named, in the order given', async () => {
    const r = await cli('run', CHATBOT, '--json', '--policy', 'cloud-only,edge-only');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).policies.map((p: { policy: string }) => p.policy)).toEqual(['cloud-only', 'edge-only']);
    // The reverse of the file's order, so the order can only come from the flag.
    const rev = await cli('run', CHATBOT, '--json', '--policy', 'edge-first,cloud-only');
    expect(rev.code).toBe(0);
    expect(JSON.parse(rev.out).policies.map((p: { policy: string }) => p.policy)).toEqual(['edge-first', 'cloud-only']);
  });

  it('--policy with an unknown name: exit 2, "unknown policy", and a suggestion when one is close', async () => {
    const far = expectOneLineBadInput(await cli('run', CHATBOT, '--policy', 'nope'));
    expect(far).toMatch(/unknown policy "nope"/);
    expect(far).not.toMatch(/did you mean/);
    const close = expectOneLineBadInput(await cli('run', CHATBOT, '--policy', 'cloud-only,edge-frist'));
    expect(close).toMatch(/unknown policy "edge-frist" \(did you mean "edge-first"\?\)/);
  });

  it('--csv DIR writes summary, services and pools CSVs, one summary row per policy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'placesim-cli-'));
    try {
      const csvDir = join(dir, 'out'); // not there yet: run creates it
      const r = await cli('run', CHATBOT, '--csv', csvDir);
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      expect(r.out).toContain('summary.csv');
      expect(readdirSync(csvDir)).toEqual(expect.arrayContaining(['pools.csv', 'services.csv', 'summary.csv']));

      const summary = readFileSync(join(csvDir, 'summary.csv'), 'utf8').trimEnd().split(/\r?\n/);
      const header = summary[0].split(',');
      expect(header).toContain('cost_usd');
      expect(header[0]).toBe('policy');
      expect(summary.slice(1).map((row) => row.split(',')[0])).toEqual(CHATBOT_POLICIES);

      // One service and two pools in the file: 1 × 5 and 2 × 5 data rows.
      const services = readFileSync(join(csvDir, 'services.csv'), 'utf8').trimEnd().split(/\r?\n/);
      expect(services).toHaveLength(1 + CHATBOT_POLICIES.length);
      const pools = readFileSync(join(csvDir, 'pools.csv'), 'utf8').trimEnd().split(/\r?\n/);
      expect(pools).toHaveLength(1 + 2 * CHATBOT_POLICIES.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--csv with --json keeps stdout pure JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'placesim-cli-'));
    try {
      const r = await cli('run', CHATBOT, '--json', '--policy', 'edge-only', '--csv', dir);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out).policies).toHaveLength(1);
      expect(r.err).toContain('summary.csv');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--csv into a path that is a file: exit 2, one line', async () => {
    const line = expectOneLineBadInput(await cli('run', CHATBOT, '--policy', 'edge-only', '--csv', 'package.json'));
    expect(line).toMatch(/^placesim: cannot write the CSV file "package\.json\/summary\.csv": not a directory/);
  });

  it('prints the table by default, with every policy as a column', async () => {
    const r = await cli('run', CHATBOT, '--policy', 'edge-only,cloud-only');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const header = r.out.split('\n').find((l) => l.includes('edge-only'));
    expect(header).toBeDefined();
    expect(header!.indexOf('edge-only')).toBeLessThan(header!.indexOf('cloud-only'));
    expect(r.out).toContain('conservation');
  });
});

describe('placesim validate, schema, catalog, --version', () => {
  const scenarioFiles = readdirSync('scenarios').filter((f) => /\.(ya?ml|json)$/.test(f));

  it('ships scenario files to validate', () => {
    expect(scenarioFiles.length).toBeGreaterThanOrEqual(5);
  });

  it.each(scenarioFiles)('validate scenarios/%s → ok', async (f) => {
    const r = await cli('validate', join('scenarios', f));
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toContain(`scenarios/${f}: ok`);
  });

  it('schema prints a JSON Schema with the services property', async () => {
    const r = await cli('schema');
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.out);
    expect(schema.$schema).toMatch(/json-schema\.org/);
    expect(schema.properties.services).toBeDefined();
    expect(schema.properties.regions).toBeDefined();
  });

  it('catalog lists devices by default', async () => {
    const r = await cli('catalog');
    expect(r.code).toBe(0);
    expect(r.out).toContain('h100-sxm');
    expect(r.out).toContain('jetson-agx-orin-64gb');
  });

  it('catalog instances and catalog regions', async () => {
    const inst = await cli('catalog', 'instances');
    expect(inst.code).toBe(0);
    expect(inst.out).toContain('aws/p5.48xlarge');
    const reg = await cli('catalog', 'regions');
    expect(reg.code).toBe(0);
    expect(reg.out).toContain('ap-northeast-2');
    expect(reg.out).toContain('us-east');
  });

  it('catalog devices --json: entries with the datasheet figures', async () => {
    const r = await cli('catalog', 'devices', '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    const h100 = json.entries.find((e: { id: string }) => e.id === 'h100-sxm');
    expect(h100).toBeDefined();
    // NVIDIA H100 SXM datasheet: 80 GB HBM3, 700 W max.
    expect(h100.memory_bytes).toBe(80e9);
    expect(h100.power_max_w).toBe(700);
  });

  it('catalog gpus: exit 2, one line naming the allowed sections', async () => {
    const line = expectOneLineBadInput(await cli('catalog', 'gpus'));
    expect(line).toMatch(/'gpus'/);
    expect(line).toMatch(/devices, instances, regions/);
  });

  it('--version prints the package.json version', async () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    const r = await cli('--version');
    expect(r.code).toBe(0);
    expect(r.out).toBe(`${pkg.version}\n`);
  });

  it('--help exits 0 and lists the commands', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    for (const c of ['run', 'validate', 'schema', 'catalog']) expect(r.out).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'));
  });

  it('no command at all: usage on stderr, exit 2', async () => {
    const r = await cli();
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^Usage: placesim/);
  });
});

describe('bad input: exit 2, one line on stderr naming where and what', () => {
  // Each fixture is base.yaml with one line changed; line:col counted by hand from the fixture text.
  const cases: [string, string, RegExp[]][] = [
    [
      'YAML syntax error (unclosed { on line 28)',
      'bad-yaml-syntax.yaml',
      // The parser notices the missing } on line 28 or at the start of the next line.
      [/^placesim: test\/fixtures\/cli\/bad-yaml-syntax\.yaml:(28|29):\d+: YAML syntax error: /],
    ],
    [
      'unknown field with did-you-mean',
      'bad-unknown-field.yaml',
      [
        /^placesim: test\/fixtures\/cli\/bad-unknown-field\.yaml:28:5: services\.chat: unknown field "arival"/,
        /did you mean "arrivals"\?/,
      ],
    ],
    [
      'bad unit ("20 per second")',
      'bad-unit.yaml',
      [/^placesim: test\/fixtures\/cli\/bad-unit\.yaml:28:26: services\.chat\.arrivals\.poisson: /, /"20 per second"/],
    ],
    [
      'unknown catalog device with did-you-mean',
      'bad-device.yaml',
      [
        /^placesim: test\/fixtures\/cli\/bad-device\.yaml:14:17: sites\.seoul-edge\.pools\.orin\.device: /,
        /"jetson-agx-orin-64g"/,
        /did you mean "jetson-agx-orin-64gb"\?/,
      ],
    ],
    [
      'zero rate',
      'bad-zero-rate.yaml',
      [
        /^placesim: test\/fixtures\/cli\/bad-zero-rate\.yaml:28:26: services\.chat\.arrivals\.poisson: /,
        /"0\/s"/,
        /> 0/,
      ],
    ],
    [
      'negative rate',
      'bad-negative-rate.yaml',
      [/^placesim: test\/fixtures\/cli\/bad-negative-rate\.yaml:28:26: services\.chat\.arrivals\.poisson: /, /"-3\/s"/],
    ],
    [
      'a model that fits nowhere (70e9 params × 2 bytes = 140 GB on one 8 GB Orin Nano)',
      'bad-fits-nowhere.yaml',
      [
        /^placesim: test\/fixtures\/cli\/bad-fits-nowhere\.yaml:26:12: services\.chat\.model: /,
        /"chat"/,
        /\b140(\.0+)? GB/,
      ],
    ],
    ['missing file', 'does-not-exist.yaml', [/^placesim: test\/fixtures\/cli\/does-not-exist\.yaml: /, /not found/]],
  ];

  describe.each(['run', 'validate'])('%s', (command) => {
    it.each(cases)('%s', async (_label, file, patterns) => {
      const line = expectOneLineBadInput(await cli(command, `${FIX}/${file}`));
      for (const p of patterns) expect(line).toMatch(p);
    });
  });

  it('the fixtures differ from a valid base', async () => {
    const r = await cli('validate', `${FIX}/base.yaml`);
    expect(r.code).toBe(0);
    expect(r.out).toContain('ok');
  });

  it('an unknown option', async () => {
    const line = expectOneLineBadInput(await cli('run', CHATBOT, '--frobnicate'));
    expect(line).toMatch(/unknown option '--frobnicate'/);
  });

  it("a misspelt option gets commander's suggestion on the same line", async () => {
    const line = expectOneLineBadInput(await cli('run', CHATBOT, '--jsn'));
    expect(line).toMatch(/unknown option '--jsn'.*--json/);
  });

  it('an unknown command', async () => {
    const line = expectOneLineBadInput(await cli('rn', CHATBOT));
    expect(line).toMatch(/unknown command 'rn'.*\brun\b/);
  });

  it('a missing file argument', async () => {
    const line = expectOneLineBadInput(await cli('run'));
    expect(line).toMatch(/missing required argument 'file'/);
  });

  it.each(['-1', 'abc', '1.5'])('--seed %s', async (seed) => {
    const line = expectOneLineBadInput(await cli('run', CHATBOT, '--seed', seed));
    expect(line).toMatch(/--seed/);
    expect(line).toContain(`'${seed}'`);
    expect(line).toMatch(/whole number/);
  });

  it('--policy with an empty list', async () => {
    const line = expectOneLineBadInput(await cli('run', CHATBOT, '--policy', ','));
    expect(line).toMatch(/--policy/);
  });
});

describe('internal errors', () => {
  const throwingOut = (extra: Partial<Io> = {}) => {
    let err = '';
    const io: Io = {
      out: () => {
        throw new Error('stdout went away');
      },
      err: (t) => void (err += t),
      ...extra,
    };
    return { io, err: () => err };
  };

  it('exit 3 and one "internal error" line, no stack trace', async () => {
    const t = throwingOut();
    const code = await main(['schema'], t.io);
    expect(code).toBe(3);
    const lines = t.err().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^placesim: internal error: stdout went away/);
    expect(t.err()).not.toMatch(/^\s+at /m);
  });

  it('main() does not throw even when stderr fails too', async () => {
    const t = throwingOut({
      err: () => {
        throw new Error('stderr went away');
      },
    });
    await expect(main(['schema'], t.io)).resolves.toBe(3);
  });

  it('PLACESIM_DEBUG adds the stack trace', async () => {
    const t = throwingOut();
    process.env.PLACESIM_DEBUG = '1';
    try {
      expect(await main(['schema'], t.io)).toBe(3);
    } finally {
      delete process.env.PLACESIM_DEBUG;
    }
    expect(t.err()).toMatch(/^placesim: internal error: stdout went away/);
    expect(t.err()).toMatch(/^\s+at /m);
  });
});
