/**
 * Training throughput: time = 6 × params × tokens / (devices × peak × MFU × scaling(devices)).
 *
 * MFU (model FLOPs utilisation) is the fraction of dense peak that training actually turns into model
 * FLOPs; the defaults below are public figures for large runs, per device class. Scaling efficiency covers
 * what is lost when a job spreads over more nodes than one 8-device server.
 */
import type { DeviceClass, Device, Dtype } from '../model/types.js';
import { peakFlops } from './perf.js';

export interface MfuDefault {
  mfu: number;
  source: string;
  estimated: boolean;
}

/** Default MFU per device class. */
export const DEFAULT_MFU: Readonly<Record<DeviceClass, MfuDefault>> = {
  gpu: {
    mfu: 0.4,
    source:
      'Llama 3.1 405B pre-training on H100: 38–43% MFU (Meta, "The Llama 3 Herd of Models", 2024); 0.40 is the middle',
    estimated: false,
  },
  tpu: {
    mfu: 0.55,
    source: 'MaxText on TPU v5e: 50–67% MFU, v5p: 64–71% (Google Cloud MaxText benchmarks); 0.55 is the low end of v5e',
    estimated: false,
  },
  cpu: {
    mfu: 0.2,
    source: 'estimate: no public large-scale CPU training MFU figure; set it for your workload',
    estimated: true,
  },
  edge: { mfu: 0.2, source: 'estimate: no public edge training MFU figure; set it for your workload', estimated: true },
};

/** Device generations with their own fitted training MFU (src/calibrate, docs/training.md). */
export type TrainingGeneration = 'ampere' | 'hopper';

/** Catalog devices by generation; a device not listed uses its class default (DEFAULT_MFU). */
export const DEVICE_GENERATION: Readonly<Record<string, TrainingGeneration>> = {
  'a100-80gb-sxm': 'ampere',
  'a100-40gb-sxm': 'ampere',
  a10g: 'ampere',
  'h100-sxm': 'hopper',
  'h100-pcie': 'hopper',
  'h200-sxm': 'hopper',
};

/**
 * A generation's default MFU as a function of model size: `small` at MFU_SCALE.small parameters, `large` at
 * MFU_SCALE.large, log-linear in log(params) between and beyond them, with the size clamped to
 * [MFU_SCALE.min, MFU_SCALE.max] (the sizes of the published runs it was fitted on).
 */
export interface ScaledMfu {
  small: number;
  large: number;
  source: string;
  estimated: boolean;
}

/** The anchor sizes of ScaledMfu and the range of sizes the published runs cover (parameters). */
export const MFU_SCALE = { small: 7e9, large: 70e9, min: 6.7e9, max: 405e9 } as const;

/**
 * Default MFU per device generation and model scale: whole-run MFU of published pre-training runs of dense
 * decoder LLMs (Llama 1, 2, 3 and 3.1: 6.7–405B parameters), fitted on the calibration suite's training rows
 * of the `fit` half (data/calibration/published.csv; scripts/fit-calibration.mjs prints these values). They
 * already include the scaling loss of runs on thousands of GPUs: use them with scaling_per_doubling: 1
 * (docs/training.md). On Hopper small models reach a much lower MFU than large ones (Llama 3.1 8B: 0.14,
 * 405B: 0.35 from the model card's GPU-hours); on Ampere the size matters little (Llama 1 7B–65B: 0.43–0.51).
 */
export const GENERATION_MFU: Readonly<Record<TrainingGeneration, ScaledMfu>> = {
  ampere: {
    small: 0.442,
    large: 0.494,
    source:
      'fitted on Llama 1 13B and 65B (LLaMA paper, 2023-02) and Llama 2 7B (Llama 2 model card, 2023-07) pre-training GPU-hours on A100-80GB',
    estimated: false,
  },
  hopper: {
    small: 0.145,
    large: 0.242,
    source:
      'fitted on Llama 3 70B (Llama 3 model card, 2024-04) and Llama 3.1 8B and 405B (Llama 3.1 model card, 2024-07) pre-training GPU-hours on H100-80GB',
    estimated: false,
  },
};

/** A generation's MFU for a model of `params` parameters (null: the `large` anchor, a 70B-class run). */
export function scaledMfu(s: Pick<ScaledMfu, 'small' | 'large'>, params: number | null): number {
  if (params === null) return s.large;
  const n = Math.min(MFU_SCALE.max, Math.max(MFU_SCALE.min, params));
  const t = Math.log(n / MFU_SCALE.small) / Math.log(MFU_SCALE.large / MFU_SCALE.small);
  return Math.min(1, s.small * (s.large / s.small) ** t);
}

/**
 * The default MFU of `device` training a model of `params` parameters (null when only FLOPs are known): its
 * generation's figure at that size, else its class default.
 */
export function defaultMfu(
  device: Device,
  params: number | null = null,
  generations: Readonly<Record<TrainingGeneration, ScaledMfu>> = GENERATION_MFU,
): MfuDefault {
  const g = DEVICE_GENERATION[device.id];
  if (g === undefined) return DEFAULT_MFU[device.class];
  const s = generations[g];
  return { mfu: scaledMfu(s, params), source: s.source, estimated: s.estimated };
}

/** Default efficiency kept per doubling of devices beyond one 8-device server [estimate]. */
export const DEFAULT_SCALING_PER_DOUBLING = 0.97;

/** Scaling efficiency of a job on `devices` devices: 1 up to 8, then `perDoubling` for each doubling. */
export function scalingEfficiency(devices: number, perDoubling = DEFAULT_SCALING_PER_DOUBLING): number {
  return devices <= 8 ? 1 : perDoubling ** Math.log2(devices / 8);
}

/** Training FLOPs for an LLM: ≈ 6 × parameters × tokens (forward + backward). */
export function trainingFlops(params: number, tokens: number): number {
  return 6 * params * tokens;
}

/** Model FLOP/s a job sustains on `devices` devices of `device`. */
export function trainingRate(device: Device, dtype: Dtype, devices: number, mfu: number, perDoubling?: number): number {
  return devices * peakFlops(device, dtype) * mfu * scalingEfficiency(devices, perDoubling);
}
