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
