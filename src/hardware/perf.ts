/**
 * The hardware performance model: a roofline that turns (model, request shape, device, batch) into time and
 * bytes moved. docs/model.md gives the equations, where every efficiency comes from and the calibration
 * against MLPerf with its error.
 *
 * Units: seconds, bytes, FLOP (or integer OP), FLOP/s.
 */
import type { AiModel, Device, DeviceClass, Dtype } from '../model/types.js';

export interface Efficiency {
  /** Achieved / dense peak arithmetic throughput. */
  compute: number;
  /** Achieved / nominal memory bandwidth. */
  memory: number;
  /** Fixed time added once per batch (launch, scheduling, host work), seconds. */
  overhead_s: number;
}

/**
 * Per device class and dtype family: compute efficiency (achieved / dense peak), memory-bandwidth efficiency,
 * fixed per-batch overhead.
 *
 * Fitted on the `fit` half of the calibration suite (data/calibration/published.csv: MLPerf Inference closed
 * rows on H100, H200, A100, MI300X, L4, TPU v5e and Jetson Orin; the Llama-2-70B rows run the continuous-batching
 * simulator) by the procedure in src/calibrate/fit.ts; the values are what `node scripts/fit-calibration.mjs`
 * prints, and test/calibration.test.ts checks they are the fit's optimum. A constant no fit row depends on keeps
 * its prior estimate (PRIOR_EFFICIENCY there): all of cpu, tpu.float, edge.float, gpu-amd.int, the shared gpu.int
 * (every NVIDIA int8 fit row is on a GPU with a generation of its own, int_by_generation) and the tpu and gpu-amd
 * per-batch overheads (only a small-batch latency row may set an overhead). `placesim calibrate`
 * prints the error of every row; docs/calibration.md gives the procedure, the table and the held-out error.
 */
export interface ClassEfficiency {
  int: number;
  float: number;
  memory: number;
  overhead_s: number;
  /**
   * gpu only: the int efficiency of each NVIDIA GPU architecture that has its own (GPU_ARCHITECTURE). A device
   * of another architecture, or not listed, uses `int`. Only the int family splits: each generation's constant
   * is fitted on ≥ 2 int8 rows of its own devices (docs/calibration.md, "Int efficiency per GPU generation").
   */
  int_by_generation?: Readonly<Partial<Record<GpuGeneration, number>>>;
}

/** NVIDIA GPU architectures with their own fitted int efficiency. */
export type GpuGeneration = 'ampere' | 'ada' | 'hopper';
export const GPU_GENERATIONS: readonly GpuGeneration[] = ['ampere', 'ada', 'hopper'];

/**
 * The architecture of the default catalog's NVIDIA GPUs, from each device's datasheet / architecture whitepaper
 * (the catalog's `source`): A100 and A10G are Ampere (GA100, GA102), L4 is Ada Lovelace (AD104), H100 and H200
 * are Hopper (GH100). T4 (Turing) is not listed: no Turing row in the calibration suite, so it keeps the
 * shared `int`. Keyed by catalog id: a custom device uses the shared constants.
 */
export const GPU_ARCHITECTURE: Readonly<Record<string, GpuGeneration>> = {
  'a100-80gb-sxm': 'ampere',
  'a100-40gb-sxm': 'ampere',
  a10g: 'ampere',
  l4: 'ada',
  'h100-sxm': 'hopper',
  'h100-pcie': 'hopper',
  'h200-sxm': 'hopper',
};

/**
 * The groups of devices that share a set of efficiency constants: the device class, except that AMD GPUs
 * (catalog name starting "AMD", class gpu) have their own set, `gpu-amd`. The constants are what a vendor's
 * serving software reaches on its hardware, and the calibration suite's MI300X rows (vLLM on ROCm) reach a
 * smaller share of their peak than NVIDIA's (TensorRT-LLM) do: one `gpu` set for both was 30–45% off on
 * MI300X (docs/calibration.md). A table without `gpu-amd` gives AMD GPUs the `gpu` set.
 */
export type EfficiencyGroup = DeviceClass | 'gpu-amd';
export const EFFICIENCY_GROUPS: readonly EfficiencyGroup[] = ['gpu', 'gpu-amd', 'tpu', 'cpu', 'edge'];

/** The efficiency group of `device` (see EfficiencyGroup). */
export function efficiencyGroup(device: Device): EfficiencyGroup {
  return device.class === 'gpu' && device.name.startsWith('AMD ') ? 'gpu-amd' : device.class;
}

/** A full set of class constants: CLASS_EFFICIENCY, or a candidate set while fitting (src/calibrate). */
export type EfficiencyTable = Readonly<Record<DeviceClass, Readonly<ClassEfficiency>>> & {
  readonly 'gpu-amd'?: Readonly<ClassEfficiency>;
};

export const CLASS_EFFICIENCY: EfficiencyTable = {
  gpu: {
    int: 0.455,
    float: 0.666,
    memory: 0.9,
    overhead_s: 0.000236,
    int_by_generation: { ampere: 0.612, ada: 0.524, hopper: 0.441 },
  },
  'gpu-amd': { int: 0.455, float: 0.409, memory: 0.797, overhead_s: 0.001 },
  tpu: { int: 0.416, float: 0.55, memory: 0.667, overhead_s: 0.001 },
  cpu: { int: 0.25, float: 0.3, memory: 0.6, overhead_s: 0.0005 },
  edge: { int: 0.401, float: 0.3, memory: 0.9, overhead_s: 0.000408 },
};

/** Share of a device's memory a model server may fill (vLLM's default gpu_memory_utilization is 0.9). */
export const USABLE_MEMORY_FRACTION = 0.9;

/**
 * Tensor-parallel efficiency per doubling of devices in a replica: n devices deliver
 * n × TP_EFFICIENCY_PER_DOUBLING^log2(n) times one device's compute and bandwidth (0.9 at 2, 0.81 at 4,
 * 0.73 at 8). An estimate standing in for all-reduce time over NVLink-class links.
 */
export const TP_EFFICIENCY_PER_DOUBLING = 0.9;

/**
 * Where to look when a device has no figure for a dtype. The model is first run at a wider format (up-casting
 * is always possible), then, failing that, at a narrower one (a deployment would have to quantise it, as
 * compilers for integer-only NPUs do). For int4 this is int4→int8→fp8→fp16→bf16→fp32; for fp32 the reverse.
 */
const FALLBACK: Readonly<Record<Dtype, readonly Dtype[]>> = {
  int4: ['int4', 'int8', 'fp8', 'fp16', 'bf16', 'fp32'],
  int8: ['int8', 'fp8', 'fp16', 'bf16', 'fp32', 'int4'],
  fp8: ['fp8', 'fp16', 'bf16', 'fp32', 'int8', 'int4'],
  fp16: ['fp16', 'bf16', 'fp32', 'fp8', 'int8', 'int4'],
  bf16: ['bf16', 'fp16', 'fp32', 'fp8', 'int8', 'int4'],
  fp32: ['fp32', 'bf16', 'fp16', 'fp8', 'int8', 'int4'],
};

export function dtypeFamily(dtype: Dtype): 'int' | 'float' {
  return dtype === 'int4' || dtype === 'int8' ? 'int' : 'float';
}

/** The dtype a device will actually compute a `dtype` model in, and its dense peak; throws if it has none. */
export function resolvePeak(device: Device, dtype: Dtype): { dtype: Dtype; flops: number } {
  for (const d of FALLBACK[dtype]) {
    const f = device.peak_flops[d];
    if (f !== undefined && f > 0) return { dtype: d, flops: f };
  }
  throw new Error(`device "${device.id}" has no peak throughput for ${dtype} nor any fallback format`);
}

/** Dense peak FLOP/s (OP/s) of `device` for `dtype`, following the fallback chain above. */
export function peakFlops(device: Device, dtype: Dtype): number {
  return resolvePeak(device, dtype).flops;
}

/** Efficiencies that apply to `dtype` arithmetic on `device` (by the dtype it actually runs in). */
export function efficiencyFor(device: Device, dtype: Dtype, table: EfficiencyTable = CLASS_EFFICIENCY): Efficiency {
  const group = efficiencyGroup(device);
  const e = (group === 'gpu-amd' ? table['gpu-amd'] : undefined) ?? table[device.class];
  const family = dtypeFamily(resolvePeak(device, dtype).dtype);
  const gen = group === 'gpu' && family === 'int' ? GPU_ARCHITECTURE[device.id] : undefined;
  const compute = (gen !== undefined ? e.int_by_generation?.[gen] : undefined) ?? e[family];
  return { compute, memory: e.memory, overhead_s: e.overhead_s };
}

/** Bytes of a device's memory a model may use: USABLE_MEMORY_FRACTION of it; the rest is runtime and fragmentation. */
export function usableMemory(device: Device): number {
  return USABLE_MEMORY_FRACTION * device.memory_bytes;
}

/** Factor by which a replica of `devices` devices is faster than one device: devices × 0.9^log2(devices). */
export function tensorParallelSpeedup(devices: number): number {
  checkCount('devices', devices);
  return devices * TP_EFFICIENCY_PER_DOUBLING ** Math.log2(devices);
}

export interface ReplicaPlan {
  devices: number;
  memory_needed_bytes: number;
}

/** Memory a replica needs: weights plus the KV cache (LLM) or activations (items) of a full batch. */
export function memoryNeeded(
  model: AiModel,
  shape: { input_tokens: number; output_tokens: number; items: number; max_batch: number },
): number {
  if (model.kind === 'llm') {
    return model.weight_bytes + shape.max_batch * (shape.input_tokens + shape.output_tokens) * model.kv_bytes_per_token;
  }
  return model.weight_bytes + shape.max_batch * shape.items * model.activation_bytes_per_item;
}

/**
 * Devices per model replica: the smallest power of two n ≤ maxDevices whose usable memory (n × usableMemory)
 * holds weights + KV cache (LLM: max_batch × (input + output) tokens × kv_bytes_per_token) or weights +
 * max_batch × items × activation bytes. Weights and cache are assumed to split evenly across the n devices.
 * Returns a sentence saying why when it does not fit in maxDevices.
 */
export function planReplica(
  model: AiModel,
  device: Device,
  shape: { input_tokens: number; output_tokens: number; items: number; max_batch: number },
  maxDevices: number,
): ReplicaPlan | string {
  checkCount('maxDevices', maxDevices);
  const needed = memoryNeeded(model, shape);
  const perDevice = usableMemory(device);
  let largest = 1;
  for (let n = 1; n <= maxDevices; n *= 2) {
    largest = n;
    if (n * perDevice >= needed) return { devices: n, memory_needed_bytes: needed };
  }
  const what = model.kind === 'llm' ? 'KV cache' : 'activations';
  return (
    `model "${model.name}" needs ${gb(needed)} (weights ${gb(model.weight_bytes)} + ${what} ${gb(needed - model.weight_bytes)} ` +
    `for a batch of ${shape.max_batch}) but ${largest} × ${device.name} offer ${gb(largest * perDevice)} usable ` +
    `(${USABLE_MEMORY_FRACTION * 100}% of ${gb(device.memory_bytes)} each; at most ${maxDevices} device(s) per replica)`
  );
}

export interface BatchTiming {
  /** Time from the batch starting to its last output, seconds. */
  total_s: number;
  /** Time from the batch starting to the first output token (LLM); equal to total_s for items models. */
  first_token_s: number;
  /** Arithmetic done by the whole replica. */
  flops: number;
  /** Bytes moved between memory and the compute units, whole replica. */
  bytes: number;
}

/**
 * Time to run one batch of `batch` identical requests on a replica of `devices` devices.
 *
 * Each phase is a roofline, max(flops / compute rate, bytes / bandwidth), where the rates are one device's
 * peak × efficiency × tensorParallelSpeedup(devices). LLM: a prefill pass over all input tokens produces the
 * first output token, then output_tokens − 1 decode steps each read the weights once for the whole batch plus
 * every sequence's KV cache. The class overhead is added once per batch.
 */
export function batchTiming(
  model: AiModel,
  device: Device,
  devices: number,
  batch: number,
  shape: { input_tokens: number; output_tokens: number; items: number },
  table: EfficiencyTable = CLASS_EFFICIENCY,
): BatchTiming {
  checkCount('devices', devices);
  checkCount('batch', batch);
  const eff = efficiencyFor(device, model.dtype, table);
  const speedup = tensorParallelSpeedup(devices);
  const flopRate = peakFlops(device, model.dtype) * eff.compute * speedup;
  const byteRate = device.mem_bw_bytes_per_s * eff.memory * speedup;
  const roofline = (flops: number, bytes: number): number => Math.max(flops / flopRate, bytes / byteRate);

  if (model.kind === 'items') {
    const flops = batch * shape.items * model.flops_per_item;
    const bytes = model.weight_bytes + batch * shape.items * model.activation_bytes_per_item;
    const total = roofline(flops, bytes) + eff.overhead_s;
    return { total_s: total, first_token_s: total, flops, bytes };
  }

  const input = shape.input_tokens;
  const params2 = 2 * model.params;
  const kv = model.kv_bytes_per_token;

  // Prefill: weights read once; the KV cache of every input token written once.
  const prefillFlops = params2 * batch * input;
  const prefillBytes = model.weight_bytes + batch * input * kv;
  const prefill = roofline(prefillFlops, prefillBytes);

  // Decode step j (1..steps) attends over input + j tokens of context (reading the cache, writing one entry).
  // Every step is memory-bound or compute-bound on its own, but the KV share only grows, so the phase is
  // summed exactly: a step's time is linear in j within each regime, and the regimes switch at most once.
  const steps = Math.max(0, shape.output_tokens - 1);
  const stepFlops = params2 * batch;
  const decodeFlops = stepFlops * steps;
  const contextSum = steps * input + (steps * (steps + 1)) / 2; // Σ_{j=1..steps} (input + j)
  const decodeBytes = steps * model.weight_bytes + batch * kv * contextSum;
  const decode = sumDecodeSteps(
    steps,
    stepFlops / flopRate,
    (model.weight_bytes + batch * kv * input) / byteRate,
    (batch * kv) / byteRate,
  );

  return {
    total_s: prefill + decode + eff.overhead_s,
    first_token_s: prefill + eff.overhead_s,
    flops: prefillFlops + decodeFlops,
    bytes: prefillBytes + decodeBytes,
  };
}

/** Σ_{j=1..steps} max(compute, mem0 + j × memSlope), exactly, in O(1). */
function sumDecodeSteps(steps: number, compute: number, mem0: number, memSlope: number): number {
  if (steps === 0) return 0;
  // Steps 1..k are compute-bound (mem0 + j × slope ≤ compute), the rest memory-bound.
  const k =
    memSlope > 0 ? Math.min(steps, Math.max(0, Math.floor((compute - mem0) / memSlope))) : compute >= mem0 ? steps : 0;
  const memSteps = steps - k;
  // Σ_{j=k+1..steps} (mem0 + j × slope)
  const memSum = memSteps * mem0 + memSlope * ((steps * (steps + 1)) / 2 - (k * (k + 1)) / 2);
  return k * compute + memSum;
}

/** Power drawn by one device at utilisation u ∈ [0, 1]: P_idle + (P_max − P_idle) × u, watts. */
export function devicePower(device: Device, utilisation: number): number {
  if (!(utilisation >= 0 && utilisation <= 1)) throw new Error(`utilisation must be in [0, 1], got ${utilisation}`);
  return device.power_idle_w + (device.power_max_w - device.power_idle_w) * utilisation;
}

function checkCount(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${n}`);
}

function gb(bytes: number): string {
  return `${(bytes / 1e9).toFixed(1)} GB`;
}
