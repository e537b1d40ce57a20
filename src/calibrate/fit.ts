/**
 * The fitting procedure for the class-level constants (docs/calibration.md, "Fitting"):
 *
 *   minimise  Σ_fit rows ln²(predicted / published)  +  λ Σ_constants ln²(value / prior)
 *
 * over CLASS_EFFICIENCY (compute efficiency per dtype family, memory efficiency and per-batch overhead of each
 * efficiency group: device class, AMD GPUs apart) and the training MFU of each device generation, using only
 * the rows of the `fit` half that are counted (predicted, not interim). The small ridge term (λ = 0.01) pulls a
 * constant that the fit rows cannot tell apart from its neighbours to its prior — the pre-calibration estimate —
 * and leaves a constant no fit row depends on exactly at its prior. Search: coordinate descent in log space
 * from the priors, each step a 9-point scan of [v / 1.5, v × 1.5] refined by golden section, until a sweep
 * moves no constant by more than 0.1%; the result is rounded to three significant figures. Deterministic.
 * scripts/fit-calibration.mjs prints the result (minutes: the Llama-2-70B rows run the simulator); the values
 * in src/hardware/perf.ts and src/hardware/training.ts must equal it, and test/calibration.test.ts checks
 * that they are the optimum along every fitted constant (fitGaps).
 */
import {
  CLASS_EFFICIENCY,
  EFFICIENCY_GROUPS,
  efficiencyGroup,
  GPU_ARCHITECTURE,
  GPU_GENERATIONS,
  type EfficiencyGroup,
  type EfficiencyTable,
  type GpuGeneration,
} from '../hardware/perf.js';
import { GENERATION_MFU, type ScaledMfu, type TrainingGeneration } from '../hardware/training.js';
import type { Catalog, Device } from '../model/types.js';
import { defaultCatalog } from '../hardware/catalog.js';
import { predict, type Constants, type Prediction } from './predict.js';
import type { PublishedRow } from './table.js';

/** The estimates the constants had before calibration (and keep where no fit row depends on them). */
export const PRIOR_EFFICIENCY: EfficiencyTable = {
  gpu: { int: 0.455, float: 0.55, memory: 0.8, overhead_s: 0.001 },
  // AMD GPUs start from the same estimates as the gpu class (src/hardware/perf.ts, EfficiencyGroup).
  'gpu-amd': { int: 0.455, float: 0.55, memory: 0.8, overhead_s: 0.001 },
  tpu: { int: 0.45, float: 0.55, memory: 0.8, overhead_s: 0.001 },
  cpu: { int: 0.25, float: 0.3, memory: 0.6, overhead_s: 0.0005 },
  edge: { int: 0.3, float: 0.3, memory: 0.7, overhead_s: 0.002 },
};

/**
 * Prior int efficiency of each NVIDIA GPU generation (CLASS_EFFICIENCY.gpu.int_by_generation): the shared gpu
 * prior. A generation no fit row depends on keeps it.
 */
export const PRIOR_GENERATION_INT: Readonly<Record<GpuGeneration, number>> = {
  ampere: PRIOR_EFFICIENCY.gpu.int,
  ada: PRIOR_EFFICIENCY.gpu.int,
  hopper: PRIOR_EFFICIENCY.gpu.int,
};

/**
 * Prior training MFU per generation, at both anchor sizes (7B and 70B, src/hardware/training.ts ScaledMfu): the
 * old single GPU default (Llama 3.1 405B on H100: 38–43 %), the same for every size.
 */
export const PRIOR_MFU: Readonly<Record<TrainingGeneration, MfuPair>> = {
  ampere: { small: 0.4, large: 0.4 },
  hopper: { small: 0.4, large: 0.4 },
};

/** A generation's MFU at the two anchor sizes. */
export interface MfuPair {
  small: number;
  large: number;
}

export const RIDGE = 0.01;
/** Coordinate-descent sweeps at most; it stops earlier when a sweep moves no constant by more than 0.1%. */
export const MAX_SWEEPS = 12;

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
  efficiency: Record<EfficiencyGroup, Record<Key, number>>;
  /** gpu int efficiency per NVIDIA GPU generation (CLASS_EFFICIENCY.gpu.int_by_generation). */
  int_by_generation: Record<GpuGeneration, number>;
  mfu: Record<TrainingGeneration, MfuPair>;
  /** Constants at least one fit row depends on (the rest stayed at their prior). */
  fitted: string[];
  objective: number;
}

/**
 * The independent parts of the objective: every inference row depends on the constants of its device's
 * efficiency group only, and every training row on the MFUs only, so the objective is a sum of one term per
 * part with no constant shared between parts. Each part is fitted on its own (fitConstants), and a part can be
 * refitted alone when only its rows or its devices changed (`node scripts/fit-calibration.mjs edge`).
 */
export type FitPart = EfficiencyGroup | 'mfu';
export const FIT_PARTS: readonly FitPart[] = [...EFFICIENCY_GROUPS, 'mfu'];

interface Param {
  part: FitPart;
  name: string;
  get: () => number;
  set: (v: number) => void;
  prior: number;
  bounds: [number, number];
}

/** What the fit predicts a row with: `predict` (tests pass a cheap stand-in). */
export type Predictor = (row: PublishedRow, device: Device | undefined, c: Constants) => Prediction;

interface Problem {
  /** Fitted constants, each with the fit rows it moves. */
  active: { p: Param; rows: number[] }[];
  /** Σ ln² error of the given fit rows plus p's ridge term. */
  terms: (rows: readonly number[], p: Param) => number;
  objective: () => number;
  eff: Record<EfficiencyGroup, Record<Key, number>>;
  genInt: Record<GpuGeneration, number>;
  mfu: Record<TrainingGeneration, MfuPair>;
}

/**
 * The fit's objective over the `fit` rows, with the constants starting at `start`. A constant is fitted
 * when moving it moves some counted fit row (only the rows of its own device class, or training rows for an
 * MFU, are tried); a per-batch overhead only by a small-batch latency row (SingleStream, MultiStream): at the
 * batches of Offline and Server rows it is a few percent of the time, and there it would only stand in for
 * the compute efficiency.
 */
function buildProblem(
  rows: readonly PublishedRow[],
  catalog: Catalog,
  predictor: Predictor,
  start: { efficiency: EfficiencyTable; mfu: Readonly<Record<TrainingGeneration, MfuPair>> },
  parts?: readonly FitPart[],
): Problem {
  const eff = Object.fromEntries(
    EFFICIENCY_GROUPS.map((g) => {
      const { int, float, memory, overhead_s } = start.efficiency[g] ?? PRIOR_EFFICIENCY[g]!;
      return [g, { int, float, memory, overhead_s }];
    }),
  ) as Record<EfficiencyGroup, Record<Key, number>>;
  const genInt = Object.fromEntries(
    GPU_GENERATIONS.map((g) => [g, start.efficiency.gpu.int_by_generation?.[g] ?? PRIOR_GENERATION_INT[g]]),
  ) as Record<GpuGeneration, number>;
  const mfu = Object.fromEntries(GENERATIONS.map((g) => [g, { ...start.mfu[g] }])) as Record<
    TrainingGeneration,
    MfuPair
  >;
  const constants = (): Constants => ({
    efficiency: { ...eff, gpu: { ...eff.gpu, int_by_generation: genInt } },
    mfu: Object.fromEntries(GENERATIONS.map((g) => [g, scaled(mfu[g])])) as Record<TrainingGeneration, ScaledMfu>,
  });
  const groupOf = (r: PublishedRow): EfficiencyGroup | undefined => {
    const d = catalog.devices[r.catalog_device];
    return d === undefined ? undefined : efficiencyGroup(d);
  };
  // The part of the objective a row belongs to: its device's efficiency group, or the MFUs for training rows.
  const partOf = (r: PublishedRow): FitPart | undefined => (r.kind === 'training' ? 'mfu' : groupOf(r));
  const fitRows = rows.filter((r) => {
    if (r.split !== 'fit') return false;
    const part = partOf(r);
    return parts === undefined || (part !== undefined && parts.includes(part));
  });
  const params: { p: Param; candidates: (r: PublishedRow) => boolean }[] = [];
  for (const c of EFFICIENCY_GROUPS)
    for (const k of KEYS)
      params.push({
        p: {
          part: c,
          name: `${c}.${k}`,
          get: () => eff[c][k],
          set: (v) => (eff[c][k] = v),
          prior: PRIOR_EFFICIENCY[c]![k],
          bounds: BOUNDS[k],
        },
        candidates: (r) => r.kind === 'inference' && groupOf(r) === c,
      });
  // The int efficiency of each NVIDIA GPU generation: a constant of the gpu part, moved by its own devices' rows.
  for (const g of GPU_GENERATIONS)
    params.push({
      p: {
        part: 'gpu',
        name: `gpu.int.${g}`,
        get: () => genInt[g],
        set: (v) => (genInt[g] = v),
        prior: PRIOR_GENERATION_INT[g],
        bounds: BOUNDS.int,
      },
      candidates: (r) => r.kind === 'inference' && groupOf(r) === 'gpu' && GPU_ARCHITECTURE[r.catalog_device] === g,
    });
  for (const g of GENERATIONS)
    for (const size of ['small', 'large'] as const)
      params.push({
        p: {
          part: 'mfu',
          name: `mfu.${g}.${size}`,
          get: () => mfu[g][size],
          set: (v) => (mfu[g][size] = v),
          prior: PRIOR_MFU[g][size],
          bounds: BOUNDS.mfu,
        },
        candidates: (r) => r.kind === 'training',
      });

  const predictRow = (i: number): number | null => {
    const p = predictor(fitRows[i], catalog.devices[fitRows[i].catalog_device], constants());
    return p.interim ? null : p.value;
  };
  const all = fitRows.map((_, i) => i);
  const base = all.map(predictRow);
  const counted = all.filter((i) => base[i] !== null);

  const active: { p: Param; rows: number[] }[] = [];
  for (const { p, candidates } of params) {
    const v = p.get();
    const movedBy = (factor: number): number[] => {
      p.set(v * factor);
      const m = counted.filter((i) => candidates(fitRows[i]) && predictRow(i) !== base[i]);
      p.set(v);
      return m;
    };
    // Either way: a row that is compute-bound at the prior memory efficiency turns memory-bound below it.
    const up = movedBy(1.25);
    const moved = up.length > 0 ? up : movedBy(1 / 1.25);
    const latencyRow = (i: number): boolean => /Stream$/.test(fitRows[i].scenario);
    const own = p.name.endsWith('.overhead_s') ? moved.filter(latencyRow) : moved;
    if (own.length > 0) active.push({ p, rows: moved });
  }

  const rowTerm = (i: number): number => {
    const v = predictRow(i);
    return v === null || !(v > 0) ? 100 : Math.log(v / fitRows[i].value) ** 2;
  };
  const ridge = (p: Param): number => RIDGE * Math.log(p.get() / p.prior) ** 2;
  return {
    active,
    terms: (mine, p) => mine.reduce((s, i) => s + rowTerm(i), ridge(p)),
    objective: () => counted.reduce((s, i) => s + rowTerm(i), 0) + active.reduce((s, a) => s + ridge(a.p), 0),
    eff,
    genInt,
    mfu,
  };
}

/**
 * Fits the constants from their priors. `parts` (default: all) limits the fit to some parts of the objective
 * (FitPart): only their fit rows are predicted, and the constants of the other parts keep the values of
 * `others` (default: the code's, CLASS_EFFICIENCY and GENERATION_MFU), so a partial refit prints the same
 * table as a full one when the other parts' rows and devices did not change.
 */
export function fitConstants(
  rows: readonly PublishedRow[],
  catalog: Catalog = defaultCatalog(),
  predictor: Predictor = predict,
  parts?: readonly FitPart[],
  others: { efficiency: EfficiencyTable; mfu: Readonly<Record<TrainingGeneration, MfuPair>> } = CODE_CONSTANTS,
): FitResult {
  const all = parts === undefined;
  const start = {
    efficiency: Object.fromEntries(
      EFFICIENCY_GROUPS.map((g) => [g, all || parts.includes(g) ? PRIOR_EFFICIENCY[g] : others.efficiency[g]]),
    ) as unknown as EfficiencyTable,
    mfu: all || parts.includes('mfu') ? PRIOR_MFU : others.mfu,
  };
  const pb = buildProblem(rows, catalog, predictor, start, parts);
  // Coordinate descent, part by part: each step minimises the terms that depend on one constant (its rows and
  // its ridge term); a part's sweeps stop when one moves none of its constants by more than 0.1%.
  for (const part of FIT_PARTS) {
    const mine = pb.active.filter((a) => a.p.part === part);
    for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
      let changed = false;
      for (const { p, rows: own } of mine) {
        const before = p.get();
        const best = minimiseLog(p, () => pb.terms(own, p));
        p.set(best);
        if (Math.abs(Math.log(best / before)) > 1e-3) changed = true;
      }
      if (!changed) break;
    }
  }
  for (const { p } of pb.active) p.set(round3(p.get()));
  return {
    efficiency: pb.eff,
    int_by_generation: pb.genInt,
    mfu: pb.mfu,
    fitted: pb.active.map((a) => a.p.name),
    objective: pb.objective(),
  };
}

/** The code's constants, as the fit's start for the parts a partial refit leaves alone. */
const CODE_CONSTANTS = {
  efficiency: CLASS_EFFICIENCY,
  mfu: {
    ampere: { small: GENERATION_MFU.ampere.small, large: GENERATION_MFU.ampere.large },
    hopper: { small: GENERATION_MFU.hopper.small, large: GENERATION_MFU.hopper.large },
  },
};

/**
 * How much the fit's objective rises when each fitted constant of `at` moves by the factor 1 ± `step`, the
 * others held (a move out of the constant's range counts 0): all gaps ≥ 0 (up to rounding to three figures)
 * means `at` is the fit's optimum along every constant. test/calibration.test.ts checks the code's constants this way instead of refitting from the priors
 * (a refit predicts the simulated rows hundreds of times: scripts/fit-calibration.mjs).
 */
export function fitGaps(
  rows: readonly PublishedRow[],
  at: { efficiency: EfficiencyTable; mfu: Readonly<Record<TrainingGeneration, MfuPair>> },
  step = 0.02,
  catalog: Catalog = defaultCatalog(),
  predictor: Predictor = predict,
): { name: string; value: number; down: number; up: number }[] {
  const pb = buildProblem(rows, catalog, predictor, at);
  return pb.active.map(({ p, rows: mine }) => {
    const v = p.get();
    const f0 = pb.terms(mine, p);
    // A move out of the constant's range is not open to the fit: its gap is 0.
    const gap = (x: number): number => {
      if (x < p.bounds[0] || x > p.bounds[1]) return 0;
      p.set(x);
      const f = pb.terms(mine, p) - f0;
      p.set(v);
      return f;
    };
    return { name: p.name, value: v, down: gap(v * (1 - step)), up: gap(v * (1 + step)) };
  });
}

/**
 * The value of p that minimises f with the other constants held: a 9-point scan of [v / 1.5, v × 1.5] (within
 * p's bounds) around the current value v in log space, then golden section on the best point's neighbours.
 * Local, so that a constant that a simulated row depends on costs a few dozen predictions per sweep.
 */
function minimiseLog(p: Param, f: () => number): number {
  const v0 = Math.log(p.get());
  const lo = Math.max(Math.log(p.bounds[0]), v0 - Math.log(SCAN_SPAN));
  const hi = Math.min(Math.log(p.bounds[1]), v0 + Math.log(SCAN_SPAN));
  const at = (x: number): number => {
    p.set(Math.exp(x));
    return f();
  };
  const N = 8;
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
  for (let it = 0; it < GOLDEN_STEPS && b - a > 1e-6; it++) {
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

/** Half-width (as a factor) of a constant's scan in one sweep, and golden-section steps after the scan. */
const SCAN_SPAN = 1.5;
const GOLDEN_STEPS = 12;

function round3(x: number): number {
  return Number(x.toPrecision(3));
}

function scaled(m: MfuPair): ScaledMfu {
  return { small: m.small, large: m.large, source: 'candidate', estimated: false };
}
