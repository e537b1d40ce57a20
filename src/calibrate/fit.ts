/**
 * The fitting procedure for the class-level constants (docs/calibration.md, "Fitting"):
 *
 *   minimise  Σ_fit rows ln²(predicted / published)  +  λ Σ_constants ln²(value / prior)
 *
 * over CLASS_EFFICIENCY (compute efficiency per dtype family, memory efficiency and per-batch overhead of each
 * device class) and the training MFU of each device generation, using only the rows of the `fit` half that
 * are counted (predicted, not interim). The small ridge term (λ = 0.01) pulls a constant that the fit rows
 * cannot tell apart from its neighbours to its prior — the pre-calibration estimate — and leaves a constant
 * no fit row depends on exactly at its prior. Search: coordinate descent in log space, a 49-point scan of each
 * constant's range refined by golden section, until a sweep changes nothing; the result is rounded to three
 * significant figures. Deterministic. scripts/fit-calibration.mjs prints the result; the values in
 * src/hardware/perf.ts and src/hardware/training.ts must equal it (test/calibration.test.ts checks).
 */
import type { EfficiencyTable } from '../hardware/perf.js';
import type { MfuDefault, TrainingGeneration } from '../hardware/training.js';
import type { Catalog, DeviceClass } from '../model/types.js';
import { DEVICE_CLASSES } from '../model/types.js';
import { defaultCatalog } from '../hardware/catalog.js';
import { predict, type Constants } from './predict.js';
import type { PublishedRow } from './table.js';

/** The estimates the constants had before calibration (and keep where no fit row depends on them). */
export const PRIOR_EFFICIENCY: EfficiencyTable = {
  gpu: { int: 0.455, float: 0.55, memory: 0.8, overhead_s: 0.001 },
  tpu: { int: 0.45, float: 0.55, memory: 0.8, overhead_s: 0.001 },
  cpu: { int: 0.25, float: 0.3, memory: 0.6, overhead_s: 0.0005 },
  edge: { int: 0.3, float: 0.3, memory: 0.7, overhead_s: 0.002 },
};

/** Prior training MFU per generation: the old single GPU default (Llama 3.1 405B on H100: 38–43 %). */
export const PRIOR_MFU: Readonly<Record<TrainingGeneration, number>> = { ampere: 0.4, hopper: 0.4 };

export const RIDGE = 0.01;

type Key = 'int' | 'float' | 'memory' | 'overhead_s';
const KEYS: readonly Key[] = ['int', 'float', 'memory', 'overhead_s'];
const BOUNDS: Readonly<Record<Key | 'mfu', [number, number]>> = {
  int: [0.05, 0.95],
  float: [0.05, 0.95],
  memory: [0.2, 0.9],
  overhead_s: [1e-5, 5e-3],
  mfu: [0.05, 0.8],
};
const GENERATIONS: readonly TrainingGeneration[] = ['ampere', 'hopper'];

export interface FitResult {
  efficiency: Record<DeviceClass, Record<Key, number>>;
  mfu: Record<TrainingGeneration, number>;
  /** Constants at least one fit row depends on (the rest stayed at their prior). */
  fitted: string[];
  objective: number;
}

interface Param {
  name: string;
  get: () => number;
  set: (v: number) => void;
  prior: number;
  bounds: [number, number];
}

export function fitConstants(rows: readonly PublishedRow[], catalog: Catalog = defaultCatalog()): FitResult {
  const eff = Object.fromEntries(DEVICE_CLASSES.map((c) => [c, { ...PRIOR_EFFICIENCY[c] }])) as Record<
    DeviceClass,
    Record<Key, number>
  >;
  const mfu = { ...PRIOR_MFU };
  const constants = (): Constants => ({
    efficiency: eff,
    mfu: Object.fromEntries(GENERATIONS.map((g) => [g, mfuDefault(mfu[g])])) as Record<TrainingGeneration, MfuDefault>,
  });
  const params: Param[] = [];
  for (const c of DEVICE_CLASSES)
    for (const k of KEYS)
      params.push({
        name: `${c}.${k}`,
        get: () => eff[c][k],
        set: (v) => (eff[c][k] = v),
        prior: PRIOR_EFFICIENCY[c][k],
        bounds: BOUNDS[k],
      });
  for (const g of GENERATIONS)
    params.push({
      name: `mfu.${g}`,
      get: () => mfu[g],
      set: (v) => (mfu[g] = v),
      prior: PRIOR_MFU[g],
      bounds: BOUNDS.mfu,
    });

  const fitRows = rows.filter((r) => r.split === 'fit');
  const predictRow = (i: number): number | null => {
    const p = predict(fitRows[i], catalog.devices[fitRows[i].catalog_device], constants());
    return p.interim ? null : p.value;
  };
  const all = fitRows.map((_, i) => i);
  const base = all.map(predictRow);
  const counted = all.filter((i) => base[i] !== null);

  // A constant is fitted when moving it moves some counted fit row; a per-batch overhead only by a batch-1
  // latency row (SingleStream): at the batches of Offline and Server rows it is a few percent of the time,
  // and there it would only stand in for the compute efficiency. Each constant remembers the rows it moves.
  const active: { p: Param; rows: number[] }[] = [];
  for (const p of params) {
    const v = p.get();
    p.set(v * 1.25);
    const moved = counted.filter((i) => predictRow(i) !== base[i]);
    p.set(v);
    const own = p.name.endsWith('.overhead_s') ? moved.filter((i) => fitRows[i].scenario === 'SingleStream') : moved;
    if (own.length > 0) active.push({ p, rows: moved });
  }

  const rowTerm = (i: number): number => {
    const v = predictRow(i);
    return v === null || !(v > 0) ? 100 : Math.log(v / fitRows[i].value) ** 2;
  };
  const ridge = (p: Param): number => RIDGE * Math.log(p.get() / p.prior) ** 2;
  const objective = (): number =>
    counted.reduce((s, i) => s + rowTerm(i), 0) + active.reduce((s, a) => s + ridge(a.p), 0);

  // Coordinate descent: each step minimises the terms that depend on one constant (its rows and its ridge term).
  for (let sweep = 0; sweep < 100; sweep++) {
    let changed = false;
    for (const { p, rows: mine } of active) {
      const before = p.get();
      const best = minimiseLog(p, () => mine.reduce((s, i) => s + rowTerm(i), ridge(p)));
      p.set(best);
      if (Math.abs(Math.log(best / before)) > 1e-6) changed = true;
    }
    if (!changed) break;
  }
  for (const { p } of active) p.set(round3(p.get()));
  return { efficiency: eff, mfu, fitted: active.map((a) => a.p.name), objective: objective() };
}

/** The value of p in its bounds that minimises f with the other constants held: scan, then golden section. */
function minimiseLog(p: Param, f: () => number): number {
  const [lo, hi] = [Math.log(p.bounds[0]), Math.log(p.bounds[1])];
  const at = (x: number): number => {
    p.set(Math.exp(x));
    return f();
  };
  const N = 48;
  let bestI = 0;
  let bestF = Infinity;
  for (let i = 0; i <= N; i++) {
    const v = at(lo + ((hi - lo) * i) / N);
    if (v < bestF) [bestF, bestI] = [v, i];
  }
  let a = lo + ((hi - lo) * Math.max(0, bestI - 1)) / N;
  let b = lo + ((hi - lo) * Math.min(N, bestI + 1)) / N;
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = at(c);
  let fd = at(d);
  for (let it = 0; it < 40 && b - a > 1e-8; it++) {
    if (fc < fd) {
      [b, d, fd] = [d, c, fc];
      c = b - g * (b - a);
      fc = at(c);
    } else {
      [a, c, fc] = [c, d, fd];
      d = a + g * (b - a);
      fd = at(d);
    }
  }
  const x = (a + b) / 2;
  const v = at(x);
  return v <= bestF ? Math.exp(x) : Math.exp(lo + ((hi - lo) * bestI) / N);
}

function round3(x: number): number {
  return Number(x.toPrecision(3));
}

function mfuDefault(mfu: number): MfuDefault {
  return { mfu, source: 'candidate', estimated: false };
}
