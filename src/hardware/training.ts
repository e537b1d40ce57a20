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
 * Default MFU per device generation: whole-run MFU of published pre-training runs of dense decoder LLMs of
 * 7–70B parameters, fitted on the calibration suite's training rows of the `fit` half
 * (data/calibration/published.csv; scripts/fit-calibration.mjs prints these values). They already include
 * the scaling loss of runs on thousands of GPUs: use them with scaling_per_doubling: 1 (docs/training.md).
 */
export const GENERATION_MFU: Readonly<Record<TrainingGeneration, MfuDefault>> = {
  ampere: {
    mfu: 0.406,
    source:
      'fitted on Llama 2 7B pre-training, 184,320 A100-80GB GPU-hours for 2.0T tokens (Llama 2 model card, 2023-07)',
    estimated: false,
  },
  hopper: {
    mfu: 0.277,
    source:
      'fitted on Llama 3 70B pre-training, 6.4M H100-80GB GPU-hours for 15T+ tokens (Llama 3 model card, 2024-04)',
    estimated: false,
  },
};

/** The default MFU of `device`: its generation's fitted figure, else its class default. */
export function defaultMfu(
  device: Device,
  generations: Readonly<Record<TrainingGeneration, MfuDefault>> = GENERATION_MFU,
): MfuDefault {
  const g = DEVICE_GENERATION[device.id];
  return g === undefined ? DEFAULT_MFU[device.class] : generations[g];
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
