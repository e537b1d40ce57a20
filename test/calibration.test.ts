/**
 * The calibration suite (issue 8 item 8; docs/calibration.md): the published table's coverage, the fitting
 * procedure against the constants in the code, and the error of each half against the published figures.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  codeConstants,
  defaultTablePath,
  fitConstants,
  fitGaps,
  parsePublished,
  readPublished,
  runCalibration,
  type Predictor,
} from '../src/calibrate/index.js';
import { CLASS_EFFICIENCY, GPU_ARCHITECTURE } from '../src/hardware/perf.js';
import { GENERATION_MFU } from '../src/hardware/training.js';
import { defaultCatalog } from '../src/hardware/catalog.js';
import { InputError } from '../src/errors.js';
import { runBatchServer } from '../src/calibrate/batch-server.js';
import { cli, expectOneLineBadInput } from './helpers/cli.js';

const rows = readPublished();
const report = runCalibration(rows);

describe('the published table', () => {
  it('has at least 15 rows, each with a pinned source and a month', () => {
    expect(rows.length).toBeGreaterThanOrEqual(15);
    for (const r of rows) {
      expect(r.source_url, r.id).toMatch(/^https:\/\//);
      expect(r.as_of, r.id).toMatch(/^\d{4}-\d{2}$/);
    }
    // MLPerf rows point at a result log pinned to a commit of the round's results repository.
    for (const r of rows.filter((x) => x.kind === 'inference'))
      expect(r.source_url, r.id).toMatch(/inference_results_v[\d.]+\/blob\/[0-9a-f]{40}\/closed\//);
  });

  it('covers LLM Offline and Server, vision, BERT, diffusion and an edge LLM, and two training runs', () => {
    const has = (f: (r: (typeof rows)[number]) => boolean) => rows.some(f);
    expect(has((r) => r.benchmark.startsWith('llama2-70b') && r.scenario === 'Offline')).toBe(true);
    expect(has((r) => r.benchmark.startsWith('llama2-70b') && r.scenario === 'Server')).toBe(true);
    expect(has((r) => r.benchmark === 'resnet50')).toBe(true);
    expect(has((r) => r.benchmark === 'bert-99')).toBe(true);
    expect(has((r) => r.benchmark === 'stable-diffusion-xl')).toBe(true);
    expect(has((r) => r.benchmark === 'gptj-99' && r.device_family === 'jetson')).toBe(true);
    expect(rows.filter((r) => r.kind === 'training').length).toBeGreaterThanOrEqual(2);
  });

  it('spans the five device families, each in both halves', () => {
    for (const family of ['nvidia-datacenter-gpu', 'amd-datacenter-gpu', 'tpu', 'nvidia-inference-gpu', 'jetson']) {
      const mine = rows.filter((r) => r.device_family === family);
      expect(
        mine.some((r) => r.split === 'fit'),
        family,
      ).toBe(true);
      expect(
        mine.some((r) => r.split === 'holdout'),
        family,
      ).toBe(true);
    }
  });

  it('splits into halves that differ by at most one row', () => {
    const fit = rows.filter((r) => r.split === 'fit').length;
    expect(Math.abs(2 * fit - rows.length)).toBeLessThanOrEqual(1);
  });

  it('names only devices of the default catalog', () => {
    const devices = defaultCatalog().devices;
    for (const r of rows) expect(devices[r.catalog_device], r.id).toBeDefined();
  });
});

describe('fitting', () => {
  // A full refit from the priors predicts the simulated LLM rows hundreds of times (minutes: run
  // scripts/fit-calibration.mjs). Here: the code's constants are the fit's optimum along every fitted constant.
  it('gives each NVIDIA GPU generation with an int efficiency of its own at least two int8 fit rows', () => {
    const devices = defaultCatalog().devices;
    for (const [gen, v] of Object.entries(CLASS_EFFICIENCY.gpu.int_by_generation ?? {})) {
      const mine = rows.filter(
        (r) =>
          r.split === 'fit' &&
          r.kind === 'inference' &&
          GPU_ARCHITECTURE[r.catalog_device] === gen &&
          /^(resnet50|bert-99)$/.test(r.benchmark),
      );
      expect(mine.length, `${gen} (${v})`).toBeGreaterThanOrEqual(2);
      for (const r of mine) expect(devices[r.catalog_device].peak_flops.int8, r.id).toBeDefined();
    }
  });

  it('the constants in the code are the fit optimum (scripts/fit-calibration.mjs): moving any one by ±2% does not help', () => {
    const pair = (g: keyof typeof GENERATION_MFU) => ({
      small: GENERATION_MFU[g].small,
      large: GENERATION_MFU[g].large,
    });
    const mfu = { ampere: pair('ampere'), hopper: pair('hopper') };
    const gaps = fitGaps(rows, { efficiency: CLASS_EFFICIENCY, mfu });
    expect(gaps.length).toBeGreaterThanOrEqual(8);
    for (const g of gaps) {
      expect(g.down, `${g.name} = ${g.value}: 2% lower fits better`).toBeGreaterThanOrEqual(-GAP_TOLERANCE);
      expect(g.up, `${g.name} = ${g.value}: 2% higher fits better`).toBeGreaterThanOrEqual(-GAP_TOLERANCE);
    }
  });

  // A stand-in predictor: each inference row moves with its class's constants, a training row with the MFU.
  const stub: Predictor = (row, device, c) => {
    if (device === undefined) return { value: null, interim: false, note: '' };
    if (row.kind === 'training')
      return {
        value: row.value / (c.mfu.hopper.small * c.mfu.hopper.large * c.mfu.ampere.small * c.mfu.ampere.large),
        interim: false,
        note: '',
      };
    const e = c.efficiency[device.class];
    const latency = /Stream$/.test(row.scenario);
    const v = latency ? (row.value * e.overhead_s) / e.memory : row.value * e.int * e.float * e.memory;
    return { value: v, interim: false, note: '' };
  };

  it('uses only the fit half: a holdout row is never predicted, and moving its figure changes nothing', () => {
    const seen: string[] = [];
    const spy: Predictor = (row, device, c) => {
      seen.push(row.split);
      return stub(row, device, c);
    };
    const a = fitConstants(rows, defaultCatalog(), spy);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((x) => x === 'fit')).toBe(true);
    const moved = rows.map((r) => (r.split === 'holdout' ? { ...r, value: r.value * 3 } : r));
    expect(fitConstants(moved, defaultCatalog(), stub)).toEqual(a);
  });

  it("fits each part on its own: a partial refit gives the full fit's values for its parts and keeps the rest", () => {
    const full = fitConstants(rows, defaultCatalog(), stub);
    const edge = fitConstants(rows, defaultCatalog(), stub, ['edge', 'mfu']);
    expect(edge.efficiency.edge).toEqual(full.efficiency.edge);
    expect(edge.mfu).toEqual(full.mfu);
    const { int_by_generation, ...gpu } = CLASS_EFFICIENCY.gpu;
    expect(edge.efficiency.gpu).toEqual(gpu);
    expect(edge.int_by_generation).toEqual(int_by_generation);
    expect(edge.fitted.every((n) => n.startsWith('edge.') || n.startsWith('mfu.'))).toBe(true);
  });

  it('every fitted value in the code has three significant figures', () => {
    for (const { int_by_generation, ...e } of Object.values(CLASS_EFFICIENCY))
      for (const v of [...Object.values(e), ...Object.values(int_by_generation ?? {})])
        expect(Number(v.toPrecision(3))).toBe(v);
  });
});

/** Rounding the fit to three figures and the simulated rows' bisection leave a small slack at the optimum. */
const GAP_TOLERANCE = 2e-3;

describe('errors against the published figures', () => {
  it('the fit half: median |error| ≤ 10%, none worse than 30%', () => {
    expect(report.fit.median_abs_error!).toBeLessThanOrEqual(0.1);
    expect(report.fit.worst_abs_error!).toBeLessThanOrEqual(0.3);
  });

  it('the held-out half: median |error| ≤ 15% (issue 8)', () => {
    expect(report.holdout.median_abs_error!).toBeLessThanOrEqual(0.15);
  });

  // Issue 8's bound on the worst held-out row. Met since the NVIDIA GPU int efficiency is per generation
  // (docs/calibration.md, "Int efficiency per GPU generation"); the nearest rows are TPU v5e GPT-J Server
  // (+34.9%) and H100 ResNet-50 Server (+31.6%).
  it('the held-out half: none worse than 35% (issue 8)', () => {
    expect(report.holdout.worst_abs_error!).toBeLessThanOrEqual(0.35);
  });

  it('the held-out rows over 35% are exactly the known misses (docs/calibration.md)', () => {
    const over = report.rows
      .filter((r) => r.split === 'holdout' && r.counted && Math.abs(r.error!) > 0.35)
      .map((r) => r.id)
      .sort();
    expect(over).toEqual(KNOWN_MISSES);
  });

  it('counts every row it can predict; LLM Offline and Server rows run the continuous-batching simulator', () => {
    expect(report.rows.filter((r) => r.note.startsWith('interim'))).toEqual([]);
    for (const r of report.rows.filter((x) => x.benchmark.startsWith('llama2-70b') && x.scenario !== 'training'))
      expect(r.note, r.id).toMatch(/^simulated (offline|Poisson server)/);
    // Server rows of fixed-batch models (ResNet-50, GPT-J) run the simulator's dynamic batching.
    const fixedServer = report.rows.filter(
      (x) => x.scenario === 'Server' && !x.benchmark.startsWith('llama2-70b') && x.predicted !== null,
    );
    expect(fixedServer.length).toBeGreaterThanOrEqual(2);
    for (const r of fixedServer) expect(r.note, r.id).toMatch(/^simulated Poisson server, \d+ × batch ≤ \d+/);
    // SDXL is listed but not predicted (no sourced FLOPs per image).
    for (const r of report.rows.filter((x) => x.predicted === null)) expect(r.benchmark).toBe('stable-diffusion-xl');
    expect(report.holdout.counted).toBeGreaterThanOrEqual(12);
  });

  it('SingleStream rows of variable-length samples are predicted at the p90 sample; Jetson Offline rows on GPU + DLAs', () => {
    const row = (id: string) => report.rows.find((r) => r.id === id)!;
    expect(row('inf31-orin-bert99-singlestream').note).toMatch(/× 1\.058 \(p90 sample\)$/);
    expect(row('inf40-orin-gptj99-singlestream').note).toMatch(/× 1\.486 \(p90 sample\)$/);
    expect(row('inf31-orin-resnet50-singlestream').note).toBe('batch 1'); // fixed-size images
    expect(row('inf31-orin-resnet50-offline').note).toMatch(/\(GPU \+ DLAs\)$/);
    expect(row('inf31-orinnx-resnet50-offline').note).toMatch(/\(GPU \+ DLAs\)$/);
    expect(row('inf31-orin-resnet50-singlestream').note).not.toMatch(/DLA/);
  });

  it('training: the default MFU per generation and model scale lands within 15% of every published run', () => {
    const training = report.rows.filter((x) => x.benchmark.endsWith('-pretrain'));
    expect(training.length).toBeGreaterThanOrEqual(11);
    for (const r of training) expect(Math.abs(r.error!), r.id).toBeLessThanOrEqual(0.15);
  });

  it('code constants are what a run uses', () => {
    expect(codeConstants().efficiency).toBe(CLASS_EFFICIENCY);
  });
});

/** Held-out rows the model misses by more than 35%, and why (docs/calibration.md, "Where the model misses"). */
const KNOWN_MISSES: string[] = [];

describe('the fixed-batch server of the Server rows (runBatchServer)', () => {
  const device = defaultCatalog().devices['l4'];
  it('at half load completes what arrives, and no request is faster than its batch', () => {
    const r = runBatchServer({
      device,
      replicas: 2,
      max_batch: 4,
      max_wait_s: 0.01,
      time: (b) => 0.1 + 0.05 * b,
      rate_per_s: 0.5 * ((2 * 4) / 0.3),
      duration_s: 2500,
      warmup_s: 500,
    });
    expectRel(r.requests_per_s, 0.5 * ((2 * 4) / 0.3), 0.03);
    expect(r.p99_s!).toBeGreaterThan(0.15);
    expect(r.mean_batch).toBeGreaterThan(1);
    expect(r.mean_batch).toBeLessThanOrEqual(4);
  });

  it('is deterministic', () => {
    const spec = {
      device,
      replicas: 1,
      max_batch: 8,
      max_wait_s: 0.002,
      time: (b: number) => 0.001 * b,
      rate_per_s: 500,
      duration_s: 100,
      warmup_s: 10,
    };
    expect(runBatchServer(spec)).toEqual(runBatchServer(spec));
  });
});

function expectRel(actual: number, expected: number, rel: number): void {
  expect(Math.abs(actual / expected - 1), `${actual} vs ${expected}`).toBeLessThan(rel);
}

describe('placesim calibrate', () => {
  it('prints every row and the two halves', async () => {
    const r = await cli('calibrate');
    expect(r.code).toBe(0);
    for (const row of rows) expect(r.out).toContain(row.id);
    expect(r.out).toMatch(/^fit +\d+ of \d+ rows counted · median \|error\| [\d.]+% · worst/m);
    expect(r.out).toMatch(/^holdout +\d+ of \d+ rows counted/m);
  });

  it('--json gives the same report (a table of the fixed-batch and training rows, to keep the test fast)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'placesim-calib-'));
    const lines = readFileSync(defaultTablePath(), 'utf8').split('\n');
    const small = [lines[0], ...lines.slice(1).filter((l) => /,(resnet50|bert-99|gptj-99|llama\S*-pretrain),/.test(l))];
    const file = join(dir, 'small.csv');
    writeFileSync(file, small.join('\n'));
    const r = await cli('calibrate', '--json', '--table', file);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    const mine = runCalibration(readPublished(file));
    expect(json.rows).toHaveLength(small.length - 1);
    expect(json.rows.length).toBeGreaterThan(10);
    expect(json.holdout.median_abs_error).toBeCloseTo(mine.holdout.median_abs_error!, 12);
  });

  it('a bad table is exit 2 with file, line, column and field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'placesim-calib-'));
    const lines = readFileSync(defaultTablePath(), 'utf8').split('\n');
    lines[3] = lines[3].replace(',fit,', ',maybe,').replace(',holdout,', ',maybe,');
    const file = join(dir, 'bad.csv');
    writeFileSync(file, lines.join('\n'));
    const line = expectOneLineBadInput(await cli('calibrate', '--table', file));
    expect(line).toContain(`${file}:4:19`);
    expect(line).toContain('split: "maybe" is not fit or holdout');
  });

  it('a non-numeric value names the column', () => {
    const text = readFileSync(defaultTablePath(), 'utf8').split('\n').slice(0, 2);
    const fields = text[1];
    const broken = fields.replace(',tokens/s,21805.8,', ',tokens/s,lots,');
    expect(() => parsePublished([text[0], broken].join('\n'), 'x.csv')).toThrow(InputError);
    expect(() => parsePublished([text[0], broken].join('\n'), 'x.csv')).toThrow(/x\.csv:2:15: value: "lots"/);
  });
});
