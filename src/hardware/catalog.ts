/**
 * The embedded default hardware catalog: devices, cloud instance types with prices, and region defaults
 * (grid carbon intensity, PUE), each with the publication it came from.
 *
 * Device figures come from /work/shared/reference-data.md (a snapshot of public datasheets). Prices, grid
 * intensity and PUE come from newer public snapshots of the providers' price lists and sustainability data,
 * named in each entry's `source` (docs/catalog.md says how to refresh them). Every number is in base units:
 * FLOP/s (OP/s for integer dtypes), bytes, bytes/s, W, US$/hour, gCO2e/kWh. Decimal prefixes throughout
 * (1 GB = 1e9 bytes, as vendors quote memory and bandwidth).
 *
 * Marking: a field whose value is an estimate ([EST]) or derived from other specs ([DER]) is listed in the
 * entry's `estimated`, and `notes` says how it was obtained. Dtype throughput fields are named
 * `peak_flops.<dtype>`, prices `prices.<region>.<pricing>`; a parent name (`peak_flops`, `prices`) or
 * `all` covers everything below it.
 *
 * `as_of` is the month the figures were published or read; for an entry that mixes sources, the oldest.
 */
import type { Catalog, Device, GeoArea, InstancePrice, InstanceType, RegionDefaults } from '../model/types.js';

/** Month the device reference snapshot (datasheets, CCF coefficients, network defaults) was taken. */
export const CATALOG_AS_OF = '2025-05';

const T = 1e12; // TFLOPS / TOPS
const GB = 1e9;

// Idle power is rarely published. The reference pairs give idle/TDP ratios of 67.5/700 (H100 SXM),
// 48/400 (A100), 8/70 (T4) and 18/300 (A10G): 6–12 %, so ≈10 % of TDP is used for GPUs and GPU-like edge
// modules that have no published idle figure.
const GPU_IDLE_FRACTION = 0.1;
// The only TPU data point (v4: 90 W idle, 192 W TDP) shows TPUs idle far higher than GPUs; other TPU
// generations reuse that ratio.
const TPU_IDLE_FRACTION = 90 / 192;
// Cloud Carbon Footprint's AWS per-vCPU range (0.74–3.5 W) gives the idle/max ratio for a CPU socket.
const CPU_IDLE_FRACTION = 0.74 / 3.5;

const NOTE_GPU_IDLE = 'idle ≈ 10% of TDP [EST], the ratio seen on H100/A100/T4 where idle is published';
const NOTE_CPU_IDLE = 'idle ≈ 21% of TDP [EST], the min/max ratio of CCF AWS per-vCPU power (0.74/3.5 W)';

const TPU_V4_TFLOPS_PER_W = 275 / 192;
const TPU_V5E_TDP_W = 175; // midpoint of the reference's [EST 150–200 W]
// Google's Trillium (v6e) announcement, May 2024: ">67% more energy-efficient than TPU v5e".
const TRILLIUM_EFFICIENCY_GAIN = 1.67;
const TPU_V5P_TDP_W = 459 / TPU_V4_TFLOPS_PER_W;
const TPU_V6E_TDP_W = 918 / ((197 / TPU_V5E_TDP_W) * TRILLIUM_EFFICIENCY_GAIN);

// Server memory: one 64 GB DIMM per DDR5-4800 channel (channels = bandwidth / 38.4 GB/s). A configuration
// choice, not a spec; override per scenario.
const DIMM_BYTES = 64 * GB;

const SRC_H100 = 'NVIDIA H100 Tensor Core GPU datasheet';
const SRC_A100 = 'NVIDIA A100 Tensor Core GPU datasheet';
const SRC_CCF = 'Cloud Carbon Footprint (CCF) methodology coefficients (cloudcarbonfootprint.org/docs/methodology)';

const DEVICES: Device[] = [
  // ---------------------------------------------------------------------------------------- GPUs
  {
    id: 'h100-sxm',
    name: 'NVIDIA H100 SXM 80GB',
    class: 'gpu',
    peak_flops: { bf16: 989 * T, fp16: 989 * T, fp8: 1979 * T, int8: 1979 * T },
    memory_bytes: 80 * GB,
    mem_bw_bytes_per_s: 3350 * GB,
    power_max_w: 700,
    power_idle_w: 67.5,
    source: SRC_H100,
    as_of: CATALOG_AS_OF,
    estimated: ['power_idle_w'],
    notes:
      'Dense figures (datasheet sparse ÷ 2: FP8 and INT8 3,958 → 1,979). Hopper publishes no INT4 Tensor Core ' +
      'figure: int4 weights run through the int8 figure (fallback). Idle 60–75 W [EST], midpoint used; with a model loaded at 0% ' +
      'utilisation it draws ≈140 W — override power_idle_w for always-loaded serving pools if that matters.',
  },
  {
    id: 'h100-pcie',
    name: 'NVIDIA H100 PCIe 80GB',
    class: 'gpu',
    peak_flops: { bf16: 756 * T, fp16: 756 * T, fp8: 1513 * T, int8: 1513 * T },
    memory_bytes: 80 * GB,
    mem_bw_bytes_per_s: 2000 * GB,
    power_max_w: 350,
    power_idle_w: 350 * GPU_IDLE_FRACTION,
    source: 'NVIDIA H100 PCIe product brief PB-11133',
    as_of: CATALOG_AS_OF,
    estimated: ['power_idle_w'],
    notes: NOTE_GPU_IDLE,
  },
  {
    id: 'h200-sxm',
    name: 'NVIDIA H200 SXM 141GB',
    class: 'gpu',
    peak_flops: { bf16: 989 * T, fp16: 989 * T, fp8: 1979 * T, int8: 1979 * T },
    memory_bytes: 141 * GB,
    mem_bw_bytes_per_s: 4800 * GB,
    power_max_w: 700,
    power_idle_w: 67.5,
    source: 'NVIDIA H200 Tensor Core GPU datasheet',
    as_of: CATALOG_AS_OF,
    estimated: ['power_idle_w'],
    notes:
      'Same GH100 die and 700 W TDP as the H100 SXM, so its idle estimate (67.5 W [EST]) is reused. Dense ' +
      'figures (FP8 and INT8 3,958 sparse ÷ 2); no INT4 figure (Hopper).',
  },
  {
    id: 'a100-80gb-sxm',
    name: 'NVIDIA A100 80GB SXM',
    class: 'gpu',
    peak_flops: { bf16: 312 * T, fp16: 312 * T, int8: 624 * T, int4: 1248 * T },
    memory_bytes: 80 * GB,
    mem_bw_bytes_per_s: 2039 * GB,
    power_max_w: 400,
    power_idle_w: 48,
    source: `${SRC_A100}; ${SRC_CCF}`,
    as_of: CATALOG_AS_OF,
    notes:
      "Idle 46–50 W (CCF); midpoint used. int4 = the datasheet's dense INT4 Tensor Core figure (1,248 TOPS; " +
      '2,496 with sparsity); Ampere has no fp8.',
  },
  {
    id: 'a100-40gb-sxm',
    name: 'NVIDIA A100 40GB SXM',
    class: 'gpu',
    peak_flops: { bf16: 312 * T, fp16: 312 * T, int8: 624 * T, int4: 1248 * T },
    memory_bytes: 40 * GB,
    mem_bw_bytes_per_s: 1555 * GB,
    power_max_w: 400,
    power_idle_w: 48,
    source: `${SRC_A100}; ${SRC_CCF}`,
    as_of: CATALOG_AS_OF,
    estimated: ['power_idle_w'],
    notes:
      'Idle taken from the CCF A100 figure (46–50 W, midpoint) measured for the 80 GB part [EST]. int4 = the ' +
      "datasheet's dense INT4 figure (1,248 TOPS); no fp8 on Ampere.",
  },
  {
    id: 'l4',
    name: 'NVIDIA L4',
    class: 'gpu',
    peak_flops: { bf16: 121 * T, fp16: 121 * T, fp8: 242 * T, int8: 242 * T },
    memory_bytes: 24 * GB,
    mem_bw_bytes_per_s: 300 * GB,
    power_max_w: 72,
    power_idle_w: 72 * GPU_IDLE_FRACTION,
    source: 'NVIDIA L4 Tensor Core GPU datasheet',
    as_of: CATALOG_AS_OF,
    estimated: ['peak_flops', 'power_idle_w'],
    notes:
      'Throughput [DER]: the datasheet quotes sparse figures, halved here (FP8 and INT8 485 → 242; Ada ' +
      `supports fp8; no INT4 figure is published for L4). ${NOTE_GPU_IDLE}.`,
  },
  {
    id: 't4',
    name: 'NVIDIA T4',
    class: 'gpu',
    // Turing has no bf16 tensor cores, so only fp16 is listed.
    peak_flops: { fp16: 65 * T, int8: 130 * T, int4: 260 * T },
    memory_bytes: 16 * GB,
    mem_bw_bytes_per_s: 320 * GB,
    power_max_w: 70,
    power_idle_w: 8,
    source: `NVIDIA T4 Tensor Core GPU datasheet; ${SRC_CCF}`,
    as_of: CATALOG_AS_OF,
    notes: 'No bf16 or fp8 support (Turing); int4 = the datasheet INT4 figure (260 TOPS); idle from CCF.',
  },
  {
    id: 'a10g',
    name: 'NVIDIA A10G',
    class: 'gpu',
    peak_flops: { bf16: 70 * T, fp16: 70 * T, int8: 140 * T },
    memory_bytes: 24 * GB,
    mem_bw_bytes_per_s: 600 * GB,
    power_max_w: 300,
    power_idle_w: 18,
    source: `${SRC_CCF}; llm-analysis GPU configs`,
    as_of: CATALOG_AS_OF,
    notes: 'AWS-only part (g5) with no public NVIDIA datasheet; 300 W is the AWS g5 power cap; idle from CCF.',
  },
  {
    id: 'mi300x',
    name: 'AMD Instinct MI300X',
    class: 'gpu',
    peak_flops: { bf16: 1307 * T, fp16: 1307 * T, fp8: 2615 * T, int8: 2615 * T },
    memory_bytes: 192 * GB,
    mem_bw_bytes_per_s: 5300 * GB,
    power_max_w: 750,
    power_idle_w: 750 * GPU_IDLE_FRACTION,
    source: 'AMD Instinct MI300X datasheet',
    as_of: CATALOG_AS_OF,
    estimated: ['power_idle_w'],
    notes: `Dense figures (FP8 and INT8 2,614.9; the datasheet gives no INT4 figure). ${NOTE_GPU_IDLE}`,
  },

  // ---------------------------------------------------------------------------------------- TPUs
  {
    id: 'tpu-v4',
    name: 'Google Cloud TPU v4',
    class: 'tpu',
    peak_flops: { bf16: 275 * T, int8: 275 * T },
    memory_bytes: 32 * GB,
    mem_bw_bytes_per_s: 1200 * GB,
    power_max_w: 192,
    power_idle_w: 90,
    source: 'Google Cloud TPU v4 documentation',
    as_of: CATALOG_AS_OF,
    notes: 'Per chip. 192 W is TDP; mean power under load is 170 W. v4 has no int8 speed-up over bf16.',
  },
  {
    id: 'tpu-v5e',
    name: 'Google Cloud TPU v5e',
    class: 'tpu',
    peak_flops: { bf16: 197 * T, int8: 393 * T },
    memory_bytes: 16 * GB,
    mem_bw_bytes_per_s: 819 * GB,
    power_max_w: TPU_V5E_TDP_W,
    power_idle_w: TPU_V5E_TDP_W * TPU_IDLE_FRACTION,
    source: 'Google Cloud TPU v5e documentation',
    as_of: CATALOG_AS_OF,
    estimated: ['power_max_w', 'power_idle_w'],
    notes:
      'Google publishes no TDP: max = midpoint of the reference estimate 150–200 W [EST]; idle = the TPU v4 ' +
      'idle/TDP ratio (90/192) × max [EST].',
  },
  {
    id: 'tpu-v5p',
    name: 'Google Cloud TPU v5p',
    class: 'tpu',
    peak_flops: { bf16: 459 * T, int8: 918 * T },
    memory_bytes: 95 * GB,
    mem_bw_bytes_per_s: 2765 * GB,
    power_max_w: TPU_V5P_TDP_W,
    power_idle_w: TPU_V5P_TDP_W * TPU_IDLE_FRACTION,
    source: 'Google Cloud TPU v5p documentation',
    as_of: CATALOG_AS_OF,
    estimated: ['power_max_w', 'power_idle_w'],
    notes:
      'Google publishes no TDP: max assumes the bf16 TFLOPS per W of its predecessor TPU v4 at TDP ' +
      '(275/192), i.e. 459 / 1.43 ≈ 320 W [EST]; idle = v4 idle/TDP ratio (90/192) × max [EST].',
  },
  {
    id: 'tpu-v6e',
    name: 'Google Cloud TPU v6e (Trillium)',
    class: 'tpu',
    peak_flops: { bf16: 918 * T, int8: 1836 * T },
    memory_bytes: 32 * GB,
    mem_bw_bytes_per_s: 1638 * GB,
    power_max_w: TPU_V6E_TDP_W,
    power_idle_w: TPU_V6E_TDP_W * TPU_IDLE_FRACTION,
    source: 'Google Cloud TPU v6e documentation',
    as_of: CATALOG_AS_OF,
    estimated: ['power_max_w', 'power_idle_w'],
    notes:
      "Google publishes no TDP: max = 918 TFLOPS / (v5e 197 TFLOPS per 175 W × 1.67), using Google's " +
      'Trillium launch claim of >67% better energy efficiency than v5e [UNV] ≈ 488 W [EST]; idle = v4 ' +
      'idle/TDP ratio (90/192) × max [EST].',
  },

  // ---------------------------------------------------------------------------------------- server CPUs
  {
    id: 'epyc-9654',
    name: 'AMD EPYC 9654 (96 cores)',
    class: 'cpu',
    peak_flops: { fp32: 7.4 * T, bf16: 14.7 * T },
    memory_bytes: 12 * DIMM_BYTES,
    mem_bw_bytes_per_s: 460.8 * GB,
    power_max_w: 360,
    power_idle_w: 360 * CPU_IDLE_FRACTION,
    source: 'AMD EPYC 9654 specifications via TechPowerUp CPU database',
    as_of: CATALOG_AS_OF,
    estimated: ['peak_flops', 'memory_bytes', 'mem_bw_bytes_per_s', 'power_idle_w'],
    notes:
      'One socket. Throughput [DER] from cores × clock × SIMD width; bandwidth [DER] = 12 DDR5-4800 channels. ' +
      `Memory assumes one 64 GB DIMM per channel (768 GB) [EST]. ${NOTE_CPU_IDLE}.`,
  },
  {
    id: 'xeon-8480',
    name: 'Intel Xeon Platinum 8480+ (56 cores)',
    class: 'cpu',
    peak_flops: { fp32: 7.2 * T, bf16: 30 * T },
    memory_bytes: 8 * DIMM_BYTES,
    mem_bw_bytes_per_s: 307.2 * GB,
    power_max_w: 350,
    power_idle_w: 350 * CPU_IDLE_FRACTION,
    source: 'Intel ARK: Xeon Platinum 8480+',
    as_of: CATALOG_AS_OF,
    estimated: ['peak_flops', 'memory_bytes', 'mem_bw_bytes_per_s', 'power_idle_w'],
    notes:
      'One socket. fp32 [DER]. bf16 is the ~30 TFLOPS achieved with AMX [EST], not the (much higher, rarely ' +
      'reached) AMX theoretical peak. Bandwidth [DER] = 8 DDR5-4800 channels; memory assumes one 64 GB ' +
      `DIMM per channel (512 GB) [EST]. ${NOTE_CPU_IDLE}.`,
  },
  {
    id: 'graviton3',
    name: 'AWS Graviton3 (64 cores)',
    class: 'cpu',
    peak_flops: { fp32: 5.3 * T, bf16: 10 * T },
    memory_bytes: 8 * DIMM_BYTES,
    mem_bw_bytes_per_s: 307.2 * GB,
    power_max_w: 100,
    power_idle_w: 100 * CPU_IDLE_FRACTION,
    source: 'WikiChip: AWS Graviton3',
    as_of: CATALOG_AS_OF,
    estimated: ['peak_flops', 'memory_bytes', 'power_max_w', 'power_idle_w'],
    notes:
      'fp32 [DER]; bf16 ~10 TFLOPS [EST]; TDP ~100 W [EST] (AWS publishes none). Memory assumes one 64 GB ' +
      `DIMM on each of 8 DDR5 channels (512 GB) [EST]. ${NOTE_CPU_IDLE}.`,
  },
  {
    id: 'generic-cpu',
    name: 'Generic server CPU socket',
    class: 'cpu',
    peak_flops: { fp32: ((7.4 + 7.2) / 2) * T, bf16: 7.3 * 2 * T },
    memory_bytes: ((12 + 8) / 2) * DIMM_BYTES,
    mem_bw_bytes_per_s: ((460.8 + 307.2) / 2) * GB,
    power_max_w: (360 + 350) / 2,
    power_idle_w: ((360 + 350) / 2) * CPU_IDLE_FRACTION,
    source: 'Derived from the epyc-9654 and xeon-8480 entries',
    as_of: CATALOG_AS_OF,
    estimated: ['all'],
    notes:
      'A stand-in for "a current two-digit-core-count server socket", used by validation scenarios where the ' +
      'hardware does not matter: fp32, bandwidth, memory and TDP are the means of the EPYC 9654 and Xeon ' +
      '8480+ entries; bf16 = 2 × fp32 (the EPYC ratio, no AMX); idle ≈ 21% of TDP.',
  },

  // ---------------------------------------------------------------------------------------- edge
  {
    id: 'jetson-agx-orin-64gb',
    name: 'NVIDIA Jetson AGX Orin 64GB',
    class: 'edge',
    peak_flops: { int8: 85 * T, fp16: 42 * T },
    memory_bytes: 64 * GB,
    mem_bw_bytes_per_s: 204.8 * GB,
    power_max_w: 60,
    power_idle_w: 60 * GPU_IDLE_FRACTION,
    source:
      'NVIDIA Jetson AGX Orin series datasheet; NVIDIA Jetson AGX Orin Series Technical Brief (GPU and DLA figures)',
    as_of: CATALOG_AS_OF,
    estimated: ['peak_flops', 'power_idle_w'],
    notes:
      'int8 [DER] = the GPU alone: 170 sparse TOPS ÷ 2 (technical brief: 64 tensor cores, 170 sparse INT8 TOPS). ' +
      'The module total of 275 sparse TOPS adds the two DLAs (105 sparse INT8 TOPS), separate engines that only ' +
      'DLA-compiled convolutional models use, not a model the GPU runs; fp16 ~42 TFLOPS [DER] (GPU). ' +
      'Power modes 15–60 W; max = the 60 W mode. ' +
      `${NOTE_GPU_IDLE}. Memory is shared by CPU and GPU.`,
  },
  {
    id: 'jetson-orin-nx-16gb',
    name: 'NVIDIA Jetson Orin NX 16GB',
    class: 'edge',
    peak_flops: { int8: 30 * T, fp16: 15 * T },
    memory_bytes: 16 * GB,
    mem_bw_bytes_per_s: 102.4 * GB,
    power_max_w: 25,
    power_idle_w: 25 * GPU_IDLE_FRACTION,
    source: 'NVIDIA Jetson Orin NX series datasheet',
    as_of: CATALOG_AS_OF,
    estimated: ['peak_flops', 'power_idle_w'],
    notes:
      "int8 [DER] = the GPU alone, 60 sparse TOPS ÷ 2: the AGX Orin GPU's 170 sparse TOPS (16 SMs, 1.3 GHz) scaled " +
      'to the NX 16GB GPU (8 SMs, 918 MHz); the module total of 100 sparse TOPS adds the two DLAs (the other ~40), ' +
      'which only DLA-compiled convolutional models use. fp16 ~15 TFLOPS [DER] (GPU; half the dense int8 rate). ' +
      'Power modes 10–25 W; max = the 25 W mode. ' +
      `${NOTE_GPU_IDLE}.`,
  },
  {
    id: 'jetson-orin-nano-8gb',
    name: 'NVIDIA Jetson Orin Nano 8GB',
    class: 'edge',
    peak_flops: { int8: 20 * T, fp16: 10 * T },
    memory_bytes: 8 * GB,
    mem_bw_bytes_per_s: 68 * GB,
    power_max_w: 15,
    power_idle_w: 15 * GPU_IDLE_FRACTION,
    source: 'NVIDIA Jetson Orin Nano series datasheet',
    as_of: CATALOG_AS_OF,
    estimated: ['peak_flops', 'power_idle_w'],
    notes:
      'int8 [DER] = 40 sparse TOPS ÷ 2; fp16 ~10 TFLOPS [DER]. Power modes 7–15 W; max = the 15 W mode. ' +
      `${NOTE_GPU_IDLE}.`,
  },
  {
    id: 'jetson-orin-nano-super',
    name: 'NVIDIA Jetson Orin Nano Super 8GB',
    class: 'edge',
    peak_flops: { int8: 33.5 * T, fp16: 17 * T },
    memory_bytes: 8 * GB,
    mem_bw_bytes_per_s: 102 * GB,
    power_max_w: 25,
    power_idle_w: 25 * GPU_IDLE_FRACTION,
    source: 'NVIDIA Jetson Orin Nano Super developer kit datasheet',
    as_of: '2024-12',
    estimated: ['peak_flops', 'power_idle_w'],
    notes:
      'int8 [DER] = 67 sparse TOPS ÷ 2; fp16 ~17 TFLOPS [DER]. Power modes 7–25 W; max = the 25 W mode. ' +
      `${NOTE_GPU_IDLE}.`,
  },
  {
    id: 'coral-edge-tpu',
    name: 'Google Coral Edge TPU (USB Accelerator)',
    class: 'edge',
    peak_flops: { int8: 4 * T },
    memory_bytes: 8e6,
    mem_bw_bytes_per_s: 500e6,
    power_max_w: 2,
    power_idle_w: 2 * GPU_IDLE_FRACTION,
    source: 'Coral USB Accelerator datasheet v1.4 (coral.ai)',
    as_of: CATALOG_AS_OF,
    estimated: ['memory_bytes', 'mem_bw_bytes_per_s', 'power_idle_w'],
    notes:
      'int8 only. Parameters live in ~8 MB of on-chip SRAM [UNV]; anything larger streams from host memory ' +
      'over USB 3.0, so bandwidth = 5 Gbit/s after 8b/10b coding = 500 MB/s [EST]. 2 W = 4 TOPS at 2 TOPS/W; ' +
      `${NOTE_GPU_IDLE}.`,
  },
  {
    id: 'apple-m4',
    name: 'Apple M4 (Neural Engine)',
    class: 'edge',
    peak_flops: { int8: 38 * T },
    memory_bytes: 16 * GB,
    mem_bw_bytes_per_s: 120 * GB,
    power_max_w: 20,
    power_idle_w: 20 * GPU_IDLE_FRACTION,
    source: 'Apple M4 announcement (Apple Newsroom)',
    as_of: '2024-05',
    estimated: ['memory_bytes', 'power_max_w', 'power_idle_w'],
    notes:
      "38 TOPS is Apple's claim, precision unstated (taken as int8). Ships with up to 32 GB unified memory; " +
      '16 GB assumed [EST]. Package power under AI load 10–20 W [EST]; max = 20 W. ' +
      `${NOTE_GPU_IDLE}.`,
  },
  {
    id: 'snapdragon-8-gen3',
    name: 'Qualcomm Snapdragon 8 Gen 3 (Hexagon NPU)',
    class: 'edge',
    peak_flops: { int8: 45 * T },
    memory_bytes: 12 * GB,
    mem_bw_bytes_per_s: 76.8 * GB,
    power_max_w: 8,
    power_idle_w: 8 * GPU_IDLE_FRACTION,
    source: 'Qualcomm Snapdragon 8 Gen 3 product brief',
    as_of: CATALOG_AS_OF,
    estimated: ['memory_bytes', 'power_max_w', 'power_idle_w'],
    notes:
      "~45 TOPS is Qualcomm's claim (taken as int8). Phones ship 12–16 GB; 12 GB assumed [EST], shared with " +
      `the OS. SoC power under AI load 5–8 W [EST]; max = 8 W. ${NOTE_GPU_IDLE}.`,
  },
  {
    id: 'raspberry-pi-5',
    name: 'Raspberry Pi 5 (Cortex-A76 CPU)',
    class: 'edge',
    peak_flops: { fp32: 0.154 * T },
    memory_bytes: 8 * GB,
    mem_bw_bytes_per_s: 17 * GB,
    power_max_w: 9.5,
    power_idle_w: 2.85,
    source: 'Jeff Geerling, Raspberry Pi 5 power and benchmark measurements',
    as_of: CATALOG_AS_OF,
    estimated: ['peak_flops', 'memory_bytes', 'mem_bw_bytes_per_s'],
    notes:
      'Measurements published in 2024. fp32 [DER] = 4 cores × 2.4 GHz × 16 FLOP/cycle; bandwidth ~17 GB/s ' +
      '[DER]. Sold with 4–16 GB; 8 GB assumed [EST]. Idle 2.4–3.3 W measured, midpoint used; ~9.5 W at load.',
  },
];

// --------------------------------------------------------------------------------------------- instances

/**
 * Host power from CCF coefficients: per-vCPU W at 0% and 100% utilisation, plus memory at 0.392 W/GB.
 * CCF publishes coefficients for the three hyperscalers only; GPU clouds use their mean ([EST]).
 */
const CCF_VCPU_W: Record<'aws' | 'gcp' | 'azure' | 'mean', { min: number; max: number }> = {
  aws: { min: 0.74, max: 3.5 },
  gcp: { min: 0.71, max: 4.26 },
  azure: { min: 0.78, max: 3.76 },
  mean: { min: (0.74 + 0.71 + 0.78) / 3, max: (3.5 + 4.26 + 3.76) / 3 },
};
const CCF_MEMORY_W_PER_GB = 0.000392 * 1000;

function ccfHostPower(provider: keyof typeof CCF_VCPU_W, vcpus: number, memoryGb: number) {
  const memory = memoryGb * CCF_MEMORY_W_PER_GB;
  return {
    host_power_idle_w: vcpus * CCF_VCPU_W[provider].min + memory,
    host_power_max_w: vcpus * CCF_VCPU_W[provider].max + memory,
  };
}

const HOST_ESTIMATED = ['host_power_idle_w', 'host_power_max_w'];
const hostNote = (vcpus: number, memoryGb: number, extra = '') =>
  `Host power [EST] = CCF per-vCPU min/max × ${vcpus} vCPUs + CCF memory 0.392 W/GB × ${memoryGb} GB` +
  ` (vCPU and memory from the provider's instance page${extra}); excludes NVLink switches, NICs and fans.`;
const gpuCloudHostNote = (vcpus: number, memoryGb: number, extra = '') =>
  `Host power [EST] = the mean of CCF's AWS/GCP/Azure per-vCPU min/max (0.74/3.84 W) × ${vcpus} vCPUs + ` +
  `CCF memory 0.392 W/GB × ${memoryGb} GB${extra}; excludes NVLink switches, NICs and fans.`;

/** Median of the spot prices seen in a region's availability zones, to 4 decimals (no float noise). */
function median(...xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return Math.round(m * 1e4) / 1e4;
}

/** One region's list prices. `spotAz`: spot per availability zone (the median is used, marked [EST]). */
interface PriceRow {
  od: number;
  spot?: number;
  spotAz?: number[];
  reserved?: number;
}

/** Prices per catalog region, and which of them are estimates (spot medians over several zones). */
function priced(rows: Record<string, PriceRow>): { prices: Record<string, InstancePrice>; estimated: string[] } {
  const prices: Record<string, InstancePrice> = {};
  const estimated: string[] = [];
  for (const [region, row] of Object.entries(rows)) {
    const p: InstancePrice = { 'on-demand': row.od };
    if (row.spotAz !== undefined) {
      p.spot = median(...row.spotAz);
      if (row.spotAz.length > 1) estimated.push(`prices.${region}.spot`);
    } else if (row.spot !== undefined) p.spot = row.spot;
    if (row.reserved !== undefined) p.reserved = row.reserved;
    prices[region] = p;
  }
  return { prices, estimated };
}

function instance(
  base: Omit<InstanceType, 'prices' | 'estimated'>,
  rows: Record<string, PriceRow>,
  estimated: string[],
): InstanceType {
  const p = priced(rows);
  return { ...base, prices: p.prices, estimated: [...estimated, ...p.estimated] };
}

// Provider price lists and the snapshots that carry them. Each is one publication; an entry's `source`
// joins several with "; ".
const SRC_AWS_SKYPILOT =
  'AWS EC2 On-Demand and Spot prices per region and zone, from the AWS Price List API via the SkyPilot ' +
  'catalog (github.com/skypilot-org/skypilot-catalog, catalogs/v8/aws/vms.csv)';
const SRC_DATA_RECEIPTS =
  'data-receipts 109 "What an H100 actually costs per hour": AWS and Azure list prices and GPU-cloud ' +
  'price pages, read 2026-11-09 (github.com/datareceipts/data-receipts, 109-gpu-pricing)';
const SRC_AWS_CUT =
  'AWS price reduction of up to 45% for P4d/P4de/P5/P5en, June 2025 (summarised in usage.ai, "LLM Cost ' +
  'Optimization on AWS", updated 2026-06-30, usage.ai/blogs/aws/ai-ml-cost/llm-cost-optimization-aws)';
const SRC_DSTACK_P5EN =
  'dstack pull request #4110, `dstack offer` for AWS p5en.48xlarge from the gpuhunt price catalog, ' +
  '2026-08-06 (github.com/dstackai/dstack/pull/4110)';
const SRC_GCP_CYCLENERD =
  'Google Cloud Compute Engine prices per region (on-demand, Spot, 1- and 3-year committed use) from the ' +
  'Cloud Billing Catalog API via Cyclenerd google-cloud-pricing-cost-calculator pricing.yml generated ' +
  '2025-03-06 (github.com/Cyclenerd/google-cloud-pricing-cost-calculator)';
const SRC_GCP_SILYBENCH =
  'silybench-data gpu_prices.csv: a3-highgpu-1g from the Cloud Billing Catalog API, checked 2026-09-26 ' +
  '(github.com/tgarg01/silybench-data, derived/csv/gpu_prices.csv)';
const SRC_GCP_TPU = 'Google Cloud TPU pricing (cloud.google.com/tpu/pricing)';
const SRC_LAMBDA =
  'Lambda GPU Cloud instance pricing (lambda.ai/instances, lambda.ai/pricing), as transcribed 2026-09-20 ' +
  '(github.com/api-evangelist/lambda-labs, plans/lambda-labs-plans-pricing.yml) and 2026-09-25 ' +
  '(github.com/tgarg01/silybench-data)';
const SRC_COREWEAVE =
  'CoreWeave GPU pricing (coreweave.com/pricing), as transcribed 2026-09-20 (github.com/api-evangelist/' +
  'coreweave, plans/coreweave-plans-pricing.yml)';
const SRC_RUNPOD =
  'RunPod GPU pricing (runpod.io/pricing), Secure and Community Cloud, as read 2026-11-09 by data-receipts ' +
  '(github.com/datareceipts/data-receipts, 109-gpu-pricing/vendors.json)';

const NOTE_AWS_REGIONS =
  'AWS regions: us-east = us-east-1, us-west = us-west-2 (Oregon), ca-central = ca-central-1, eu-west = ' +
  'eu-west-1, eu-central = eu-central-1, eu-north = eu-north-1, the ap-* ids are the AWS ones.';
const NOTE_AWS_SPOT =
  'Spot: the median of the zone prices below on-demand in the SkyPilot snapshot [EST]; a region whose ' +
  'zones all showed the on-demand price has no spot entry. Spot prices move daily.';
const NOTE_AWS_SNAPSHOT =
  'The SkyPilot snapshot is undated; its us-east-1 P-instance prices equal the AWS list prices ' +
  'data-receipts read on 2026-11-09, and it lists p5.4xlarge, so it postdates the June 2025 cut.';
const NOTE_NO_COMMIT =
  'No committed (1-/3-year) price is given: Savings Plans rates were not found in a public snapshot.';
const NOTE_GCP_REGIONS =
  'GCP regions: us-east = us-east4 (N. Virginia), us-central = us-central1, us-west = us-west1 (Oregon), ' +
  'ca-central = northamerica-northeast1, sa-east = southamerica-east1, eu-west-2 = europe-west2, ' +
  'eu-central = europe-west3, eu-north = europe-north1 (Finland), ap-northeast-1 = asia-northeast1, ' +
  'ap-northeast-2 = asia-northeast3, ap-southeast-1 = asia-southeast1, ap-southeast-2 = ' +
  'australia-southeast1, ap-south-1 = asia-south1. No GCP region in Ireland.';
const SRC_AZURE_SNR =
  'Azure Retail Prices API readings (Linux, USD/h) for Standard_ND96isr_H100_v5 in uksouth (2026-08-13) and ' +
  'canadacentral and uksouth (2026-08-26), with the `az vm list-skus` regions offering the size, recorded in ' +
  'the snr-multilingual training budget (github.com/mariagrandury/snr-multilingual, plan/compute-budget.md ' +
  'and src/pretrain/azure/env.sh)';
const NOTE_AZURE_REGIONS =
  'Azure regions: us-east = eastus (Virginia); us-central = centralus (Iowa); us-west = westus2 ' +
  '(Washington; Azure has no Oregon region); ca-central = canadacentral (Toronto; canadaeast, Québec City, ' +
  'is not listed for this size); eu-west-2 = uksouth (London); eu-north = swedencentral; ap-northeast-1 = ' +
  'japaneast; ap-northeast-2 = koreacentral; ap-southeast-2 = australiaeast. The 2026-08 SKU list shows ' +
  'ND H100 v5 in centralus, westus2, swedencentral, japaneast, koreacentral and australiaeast too, but no ' +
  'published price was found for them: give usd_per_hour there. It does not show the size in brazilsouth ' +
  '(sa-east), northeurope (eu-west, Ireland), germanywestcentral (eu-central), southeastasia ' +
  '(ap-southeast-1) or India (ap-south-1: westindia, Mumbai, or centralindia, Pune), and no price was found ' +
  'there: Azure has no ND H100 v5 in those catalog regions as far as the sources show (the list elides ' +
  'some regions, so that is unconfirmed).';
const NOTE_GPU_CLOUD_REGION =
  'GPU clouds publish one price for all their (mostly North American) locations; it is listed under ' +
  'us-east. Give usd_per_hour, or a catalog override, for a site elsewhere.';

const INSTANCES: InstanceType[] = [
  // ------------------------------------------------------------------------------------------------ AWS
  instance(
    {
      id: 'aws/p5.48xlarge',
      provider: 'aws',
      name: 'p5.48xlarge',
      device: 'h100-sxm',
      devices: 8,
      ...ccfHostPower('aws', 192, 2048),
      source: `${SRC_AWS_SKYPILOT}; ${SRC_DATA_RECEIPTS}; ${SRC_AWS_CUT}; ${SRC_CCF}`,
      as_of: '2026-11',
      notes:
        'On-demand after the June 2025 AWS cut: 55.04 $/h in us-east-1 (6.88 $/GPU-h; 98.32 $/h before). ' +
        `${NOTE_AWS_SPOT} ${NOTE_AWS_SNAPSHOT} ${NOTE_NO_COMMIT} ${NOTE_AWS_REGIONS} ${hostNote(192, 2048)}`,
    },
    {
      'us-east': { od: 55.04, spotAz: [19.2531, 21.1543, 25.7522, 17.6289] },
      'us-west': { od: 55.04, spotAz: [12.6935, 12.9785, 12.9727, 16.1301] },
      'ca-central': { od: 63.296 },
      'eu-north': { od: 58.8928, spot: 28.3188 },
      'eu-west-2': { od: 71.552, spotAz: [15.7259, 15.5259, 16.3251] },
      'ap-northeast-1': { od: 68.8, spot: 23.1449 },
      'ap-northeast-2': { od: 75.9552 },
      'ap-south-1': { od: 66.048, spotAz: [48.1142, 33.2941, 18.8933] },
      'ap-southeast-2': { od: 71.552, spot: 26.5713 },
    },
    HOST_ESTIMATED,
  ),
  instance(
    {
      id: 'aws/p5en.48xlarge',
      provider: 'aws',
      name: 'p5en.48xlarge',
      device: 'h200-sxm',
      devices: 8,
      ...ccfHostPower('aws', 192, 2048),
      source: `${SRC_DSTACK_P5EN}; ${SRC_CCF}`,
      as_of: '2026-08',
      notes:
        'On-demand and spot as listed by dstack (lowest zone spot per region). ' +
        `${NOTE_NO_COMMIT} ${NOTE_AWS_REGIONS} ${hostNote(192, 2048)}`,
    },
    {
      'us-east': { od: 63.296, spot: 27.1988 },
      'us-west': { od: 63.296, spot: 26.9369 },
      'eu-north': { od: 67.7267, spot: 39.8158 },
    },
    HOST_ESTIMATED,
  ),
  instance(
    {
      id: 'aws/p4d.24xlarge',
      provider: 'aws',
      name: 'p4d.24xlarge',
      device: 'a100-40gb-sxm',
      devices: 8,
      ...ccfHostPower('aws', 96, 1152),
      source: `${SRC_AWS_SKYPILOT}; ${SRC_DATA_RECEIPTS}; ${SRC_CCF}`,
      as_of: '2026-11',
      notes:
        'On-demand after the June 2025 cut (32.77 $/h before). No us-east-1 spot zone in the snapshot. ' +
        `${NOTE_AWS_SPOT} ${NOTE_AWS_SNAPSHOT} ${NOTE_NO_COMMIT} ${NOTE_AWS_REGIONS} ${hostNote(96, 1152)}`,
    },
    {
      'us-east': { od: 21.95764 },
      'us-west': { od: 21.95764, spotAz: [7.9992, 8.2259, 9.7315, 8.4794] },
    },
    HOST_ESTIMATED,
  ),
  instance(
    {
      id: 'aws/p4de.24xlarge',
      provider: 'aws',
      name: 'p4de.24xlarge',
      device: 'a100-80gb-sxm',
      devices: 8,
      ...ccfHostPower('aws', 96, 1152),
      source: `${SRC_AWS_SKYPILOT}; ${SRC_DATA_RECEIPTS}; ${SRC_CCF}`,
      as_of: '2026-11',
      notes:
        'On-demand after the June 2025 cut (40.97 $/h before). ' +
        `${NOTE_AWS_SPOT} ${NOTE_AWS_SNAPSHOT} ${NOTE_NO_COMMIT} ${NOTE_AWS_REGIONS} ${hostNote(96, 1152)}`,
    },
    {
      'us-east': { od: 27.44705, spotAz: [9.9734, 8.6505] },
      'us-west': { od: 27.44705, spotAz: [10.9991, 11.0144, 10.3338] },
      'eu-central': { od: 34.29122, spotAz: [8.8218, 8.0274] },
      'ap-northeast-1': { od: 37.6223, spot: 15.9785 },
      'ap-southeast-1': { od: 32.93646, spot: 13.7534 },
    },
    HOST_ESTIMATED,
  ),
  instance(
    {
      id: 'aws/g5.xlarge',
      provider: 'aws',
      name: 'g5.xlarge',
      device: 'a10g',
      devices: 1,
      ...ccfHostPower('aws', 4, 16),
      source: `${SRC_AWS_SKYPILOT}; ${SRC_CCF}`,
      as_of: '2025-08',
      notes:
        'as_of is the earliest month the undated snapshot can be from (see p5.48xlarge); these list prices ' +
        `have not changed since 2025-05. ${NOTE_AWS_SPOT} ${NOTE_NO_COMMIT} ${NOTE_AWS_REGIONS} ` +
        hostNote(4, 16),
    },
    {
      'us-east': { od: 1.006, spotAz: [0.4507, 0.4246, 0.436, 0.4259, 0.4364] },
      'us-west': { od: 1.006, spotAz: [0.4857, 0.5134, 0.4829] },
      'ca-central': { od: 1.117, spotAz: [0.4301, 0.5272] },
      'eu-west': { od: 1.123, spotAz: [0.5765, 0.5746, 0.5727] },
      'eu-west-2': { od: 1.277, spotAz: [0.5036, 0.5181] },
      'eu-central': { od: 1.258, spotAz: [0.6178, 0.651, 0.6059] },
      'eu-north': { od: 1.067, spotAz: [0.4388, 0.4166] },
      'ap-northeast-2': { od: 1.237 },
      'ap-south-1': { od: 1.208, spotAz: [0.488, 0.4999] },
      'ap-southeast-2': { od: 1.308, spotAz: [0.5693, 0.4669] },
    },
    HOST_ESTIMATED,
  ),
  instance(
    {
      id: 'aws/g6.12xlarge',
      provider: 'aws',
      name: 'g6.12xlarge',
      device: 'l4',
      devices: 4,
      ...ccfHostPower('aws', 48, 192),
      source: `${SRC_AWS_SKYPILOT}; ${SRC_CCF}`,
      as_of: '2025-08',
      notes:
        'as_of is the earliest month the undated snapshot can be from (see p5.48xlarge). ' +
        `${NOTE_AWS_SPOT} ${NOTE_NO_COMMIT} ${NOTE_AWS_REGIONS} ${hostNote(48, 192)}`,
    },
    {
      'us-east': { od: 4.6016, spotAz: [2.0968, 1.9631, 2.0353, 1.7552] },
      'us-west': { od: 4.6016, spotAz: [2.3163, 2.5757, 2.4053, 2.3736] },
      'ca-central': { od: 5.10933, spotAz: [1.6139, 1.6519] },
      'eu-west-2': { od: 5.8412, spotAz: [2.473, 2.6196] },
      'eu-central': { od: 5.75429, spotAz: [2.2931, 2.16] },
      'eu-north': { od: 4.88062, spotAz: [1.2805, 0.7092] },
      'ap-southeast-2': { od: 5.98299 },
    },
    HOST_ESTIMATED,
  ),
  instance(
    {
      id: 'aws/g4dn.xlarge',
      provider: 'aws',
      name: 'g4dn.xlarge',
      device: 't4',
      devices: 1,
      ...ccfHostPower('aws', 4, 16),
      source: `${SRC_AWS_SKYPILOT}; ${SRC_CCF}`,
      as_of: '2025-08',
      notes:
        'as_of is the earliest month the undated snapshot can be from (see p5.48xlarge). Spot excludes ' +
        `Local Zones. ${NOTE_AWS_SPOT} ${NOTE_NO_COMMIT} ${NOTE_AWS_REGIONS} ${hostNote(4, 16)}`,
    },
    {
      'us-east': { od: 0.526, spotAz: [0.2158, 0.2, 0.2039, 0.202, 0.2043] },
      'us-west': { od: 0.526, spotAz: [0.2464, 0.2479, 0.2386] },
      'eu-west': { od: 0.587, spotAz: [0.3147, 0.3171, 0.3317] },
      'eu-west-2': { od: 0.615, spotAz: [0.2059, 0.1937, 0.1955] },
      'eu-central': { od: 0.658 },
      'eu-north': { od: 0.558, spotAz: [0.1822, 0.1934, 0.184] },
    },
    HOST_ESTIMATED,
  ),

  // ------------------------------------------------------------------------------------------------ Google Cloud
  instance(
    {
      id: 'gcp/a3-highgpu-8g',
      provider: 'gcp',
      name: 'a3-highgpu-8g',
      device: 'h100-sxm',
      devices: 8,
      ...ccfHostPower('gcp', 208, 1872),
      source: `${SRC_GCP_CYCLENERD}; ${SRC_GCP_SILYBENCH}; ${SRC_CCF}`,
      sources: {
        'prices.us-central.on-demand': SRC_GCP_SILYBENCH,
        'prices.us-central.spot': SRC_GCP_SILYBENCH,
      },
      as_of: '2025-03',
      dates: { 'prices.us-central.on-demand': '2026-09', 'prices.us-central.spot': '2026-09' },
      notes:
        'us-central on-demand and spot are the newest published figures found: the Cloud Billing catalog on ' +
        '2026-09-26 gave 10.9791 $/GPU-h on-demand and 6.571 $/GPU-h Spot for a3-highgpu-1g in us-central1 ' +
        '(GPU + 26 vCPUs + 234 GiB, one eighth of a3-highgpu-8g); × 8 = 87.8328 and 52.568 $/h [DER] (boot ' +
        'disk and Local SSD not included). That on-demand figure is 0.7% below the 2025-03 snapshot (88.49): no ' +
        'A3 on-demand cut shows in us-central1 between the two readings. Spot moves up to daily (35.3957 then). ' +
        'Every other price is from the 2025-03-06 snapshot (no newer per-region A3 snapshot was found). ' +
        'reserved = the 1-year committed-use price (the snapshot gives it per 730-hour month; ÷ 730, 30.6% ' +
        'below on-demand). 3-year committed use is 56.1% below on-demand: us-east 38.894, us-central and ' +
        'us-west 38.8644, ca-central and eu-north 42.7932, sa-east 61.6867, eu-west-2 44.3231, eu-central ' +
        '45.8659, ap-northeast-1 55.6177, ap-northeast-2 49.9143, ap-southeast-1 50.1881, ap-southeast-2 ' +
        `48.6101, ap-south-1 40.4663 $/h. ${NOTE_GCP_REGIONS} ${hostNote(208, 1872)}`,
    },
    {
      'us-east': { od: 88.5558, spot: 35.639, reserved: 61.4251 },
      'us-central': { od: 87.8328, spot: 52.568, reserved: 61.3837 },
      'us-west': { od: 88.49, spot: 35.3957, reserved: 61.3837 },
      'ca-central': { od: 97.4356, spot: 68.5004, reserved: 67.5891 },
      'sa-east': { od: 140.4555, spot: 98.762, reserved: 97.4347 },
      'eu-west-2': { od: 100.9181, spot: 71.1716, reserved: 70.0022 },
      'eu-central': { od: 104.4314, spot: 73.504, reserved: 72.441 },
      'eu-north': { od: 97.4356, spot: 68.5004, reserved: 67.5891 },
      'ap-northeast-1': { od: 126.6434, spot: 89.0605, reserved: 87.8534 },
      'ap-northeast-2': { od: 113.6492, spot: 79.8957, reserved: 78.8355 },
      'ap-southeast-1': { od: 114.2783, spot: 32.3018, reserved: 79.2797 },
      'ap-southeast-2': { od: 110.6783, spot: 77.7681, reserved: 76.771 },
      'ap-south-1': { od: 92.1348, spot: 64.7417, reserved: 63.9053 },
    },
    [...HOST_ESTIMATED, 'prices.us-central.on-demand', 'prices.us-central.spot'],
  ),
  instance(
    {
      id: 'gcp/tpu-v5e',
      provider: 'gcp',
      name: 'TPU v5e (1 chip, ct5lp-hightpu-1t)',
      device: 'tpu-v5e',
      devices: 1,
      ...ccfHostPower('gcp', 24, 48),
      source: `${SRC_GCP_TPU}; ${SRC_CCF}`,
      as_of: CATALOG_AS_OF,
      notes:
        'Per chip-hour US list price; the reference does not name the US region, mapped to us-east. ' +
        hostNote(24, 48, '; the 1-chip VM ct5lp-hightpu-1t'),
    },
    { 'us-east': { od: 1.2 } },
    HOST_ESTIMATED,
  ),
  instance(
    {
      id: 'gcp/tpu-v5p',
      provider: 'gcp',
      name: 'TPU v5p (1 chip)',
      device: 'tpu-v5p',
      devices: 1,
      ...ccfHostPower('gcp', 52, 112),
      source: `${SRC_GCP_TPU}; ${SRC_CCF}`,
      as_of: CATALOG_AS_OF,
      notes:
        'Per chip-hour US list price; the reference does not name the US region, mapped to us-east. v5p is ' +
        'sold in 4-chip hosts; host figures are a quarter of ct5p-hightpu-4t (208 vCPUs, 448 GB) [UNV]. ' +
        hostNote(52, 112),
    },
    { 'us-east': { od: 4.2, spot: 1.68 } },
    HOST_ESTIMATED,
  ),
  instance(
    {
      id: 'gcp/tpu-v6e',
      provider: 'gcp',
      name: 'TPU v6e (1 chip, ct6e-standard-1t)',
      device: 'tpu-v6e',
      devices: 1,
      ...ccfHostPower('gcp', 44, 176),
      source: `${SRC_GCP_TPU}; ${SRC_CCF}`,
      as_of: CATALOG_AS_OF,
      notes:
        'Per chip-hour list price; the reference does not name the US region, mapped to us-east; ' +
        'asia-northeast1 (Tokyo) mapped to ap-northeast-1. ' +
        hostNote(44, 176, '; the 1-chip VM ct6e-standard-1t [UNV]'),
    },
    {
      'us-east': { od: 2.7, spot: 0.65 },
      'ap-northeast-1': { od: 3.24 },
    },
    HOST_ESTIMATED,
  ),

  // ------------------------------------------------------------------------------------------------ Azure
  instance(
    {
      id: 'azure/nd96isr-h100-v5',
      provider: 'azure',
      name: 'Standard_ND96isr_H100_v5',
      device: 'h100-sxm',
      devices: 8,
      ...ccfHostPower('azure', 96, 1900),
      source: `${SRC_DATA_RECEIPTS}; ${SRC_AZURE_SNR}; ${SRC_CCF}`,
      sources: {
        'prices.us-east': SRC_DATA_RECEIPTS,
        'prices.ca-central': SRC_AZURE_SNR,
        'prices.eu-west-2': SRC_AZURE_SNR,
      },
      as_of: '2026-08',
      dates: { 'prices.us-east': '2026-11', 'prices.ca-central': '2026-08', 'prices.eu-west-2': '2026-08' },
      notes:
        'Linux pay-as-you-go (Azure Retail Prices API, "Consumption" meter) and Spot meter, per region: East US ' +
        '98.32 $/h (12.29 $/GPU-h, read 2026-11-09); Canada Central 122.40, Spot 21.80; UK South 122.90, Spot ' +
        '23.53 (both read 2026-08-26; UK South on 2026-08-13: Spot 22.7119). Spot prices move. No 1- or 3-year ' +
        'reservation or savings-plan price for this size was found in any public snapshot, so `reserved` is ' +
        `left out. ${NOTE_AZURE_REGIONS} ${hostNote(96, 1900)}`,
    },
    {
      'us-east': { od: 98.32 },
      'ca-central': { od: 122.4, spot: 21.8 },
      'eu-west-2': { od: 122.9, spot: 23.53 },
    },
    HOST_ESTIMATED,
  ),

  // ------------------------------------------------------------------------------------------------ GPU clouds
  instance(
    {
      id: 'lambda/gpu_8x_h100_sxm5',
      provider: 'lambda',
      name: '8x NVIDIA H100 SXM (gpu_8x_h100_sxm5)',
      device: 'h100-sxm',
      devices: 8,
      ...ccfHostPower('mean', 208, 1800),
      source: `${SRC_LAMBDA}; ${SRC_CCF}`,
      as_of: '2026-09',
      notes:
        `On-demand 3.99 $/GPU-h × 8. Lambda sells reserved clusters by quote only. ${NOTE_GPU_CLOUD_REGION} ` +
        gpuCloudHostNote(208, 1800, ' (208 vCPUs, 1800 GiB on the pricing page)'),
    },
    { 'us-east': { od: 31.92 } },
    HOST_ESTIMATED,
  ),
  instance(
    {
      id: 'lambda/gpu_1x_h100_sxm5',
      provider: 'lambda',
      name: '1x NVIDIA H100 SXM (gpu_1x_h100_sxm5)',
      device: 'h100-sxm',
      devices: 1,
      ...ccfHostPower('mean', 26, 225),
      source: `${SRC_LAMBDA}; ${SRC_CCF}`,
      as_of: '2026-09',
      notes: `On-demand, one GPU. ${NOTE_GPU_CLOUD_REGION} ` + gpuCloudHostNote(26, 225, ' (26 vCPUs, 225 GiB [UNV])'),
    },
    { 'us-east': { od: 4.29 } },
    HOST_ESTIMATED,
  ),
  instance(
    {
      id: 'lambda/gpu_8x_a100_80gb_sxm4',
      provider: 'lambda',
      name: '8x NVIDIA A100 SXM 80GB (gpu_8x_a100_80gb_sxm4)',
      device: 'a100-80gb-sxm',
      devices: 8,
      ...ccfHostPower('mean', 240, 1800),
      source: `${SRC_LAMBDA}; ${SRC_CCF}`,
      as_of: '2026-09',
      notes:
        `On-demand 2.79 $/GPU-h × 8. ${NOTE_GPU_CLOUD_REGION} ` +
        gpuCloudHostNote(240, 1800, ' (240 vCPUs, 1800 GiB on the pricing page)'),
    },
    { 'us-east': { od: 22.32 } },
    HOST_ESTIMATED,
  ),
  instance(
    {
      id: 'coreweave/hgx-h100',
      provider: 'coreweave',
      name: 'NVIDIA HGX H100 (8 GPUs)',
      device: 'h100-sxm',
      devices: 8,
      ...ccfHostPower('mean', 128, 2048),
      source: `${SRC_COREWEAVE}; ${SRC_CCF}`,
      as_of: '2026-09',
      notes:
        'On-demand 49.24 $/h (6.16 $/GPU-h); spot 19.71 $/h (North America). CoreWeave advertises "up to 60%" ' +
        `off on-demand for committed use but lists no committed price. ${NOTE_GPU_CLOUD_REGION} ` +
        gpuCloudHostNote(128, 2048, ' (128 vCPUs, 2048 GB as for its HGX B200 node [UNV])'),
    },
    { 'us-east': { od: 49.24, spot: 19.71 } },
    HOST_ESTIMATED,
  ),
  instance(
    {
      id: 'runpod/h100-sxm',
      provider: 'runpod',
      name: 'H100 SXM 80GB, Secure Cloud (1 GPU)',
      device: 'h100-sxm',
      devices: 1,
      ...ccfHostPower('mean', 16, 125),
      source: `${SRC_RUNPOD}; ${SRC_CCF}`,
      as_of: '2026-11',
      notes:
        'Secure Cloud: RunPod-operated data centres, per-second billing, no commitment. ' +
        `${NOTE_GPU_CLOUD_REGION} ${gpuCloudHostNote(16, 125, ' (16 vCPUs, 125 GB per GPU pod [UNV])')}`,
    },
    { 'us-east': { od: 3.99 } },
    HOST_ESTIMATED,
  ),
  instance(
    {
      id: 'runpod/h100-sxm-community',
      provider: 'runpod',
      name: 'H100 SXM 80GB, Community Cloud (1 GPU)',
      device: 'h100-sxm',
      devices: 1,
      ...ccfHostPower('mean', 16, 125),
      source: `${SRC_RUNPOD}; ${SRC_CCF}`,
      as_of: '2026-11',
      notes:
        'Community Cloud: third-party hosts, no data-centre SLA; cheaper than Secure Cloud (3.99). ' +
        `${NOTE_GPU_CLOUD_REGION} ${gpuCloudHostNote(16, 125, ' (16 vCPUs, 125 GB per GPU pod [UNV])')}`,
    },
    { 'us-east': { od: 2.69 } },
    HOST_ESTIMATED,
  ),
];

/** Kind of each provider in the catalog: a planner compares hyperscalers with GPU clouds. */
export const CATALOG_PROVIDERS: Readonly<Record<string, { name: string; kind: 'hyperscaler' | 'gpu-cloud' }>> =
  Object.freeze({
    aws: { name: 'Amazon Web Services', kind: 'hyperscaler' },
    gcp: { name: 'Google Cloud', kind: 'hyperscaler' },
    azure: { name: 'Microsoft Azure', kind: 'hyperscaler' },
    lambda: { name: 'Lambda', kind: 'gpu-cloud' },
    coreweave: { name: 'CoreWeave', kind: 'gpu-cloud' },
    runpod: { name: 'RunPod', kind: 'gpu-cloud' },
  });

// --------------------------------------------------------------------------------------------- regions

const SRC_GRID_GOOGLE =
  'Google Cloud region carbon data, calendar year 2025, location-based grid intensity (published ' +
  '2026-09-15, github.com/GoogleCloudPlatform/region-carbon-info, data/yearly/2025.csv)';
const SRC_GRID_REFERENCE =
  'Google Cloud region carbon data 2024 as summarised in the project reference data (~280–330)';
const SRC_PUE_AWS =
  'AWS per-region PUE for calendar year 2025 from the AWS sustainability fact sheets (published 2026-07, ' +
  'sustainability.aboutamazon.com), tabulated by the Green Software Foundation Real Time Cloud project ' +
  '(github.com/Green-Software-Foundation/real-time-cloud, metrics/2025/aws-2025-metrics.md)';
const SRC_PUE_GOOGLE =
  'Google 2026 Environmental Report, per-data-centre PUE for calendar year 2025, tabulated by the Green ' +
  'Software Foundation Real Time Cloud project (github.com/Green-Software-Foundation/real-time-cloud, ' +
  'metrics/2025/google-2025-metrics.md)';
const NOTE_REGION =
  'The grid figure is a location-based annual average; the PUE is that of the hyperscale data centres ' +
  'there: override it for colo or edge sites (industry average 1.55–1.58, Uptime Institute).';

function region(
  id: string,
  name: string,
  area: GeoArea,
  grid: { value: number; source: string; where: string },
  pue: { value: number; source: string; where: string },
  extra?: { estimated: string[]; notes: string; as_of: string },
): RegionDefaults {
  const r: RegionDefaults = {
    id,
    name,
    area,
    grid_gco2_per_kwh: grid.value,
    pue: pue.value,
    source: grid.source === pue.source ? grid.source : `${grid.source}; ${pue.source}`,
    sources: { grid_gco2_per_kwh: grid.source, pue: pue.source },
    as_of: extra?.as_of ?? '2026-09',
    notes: `Grid: ${grid.where}. PUE: ${pue.where}. ${extra ? `${extra.notes} ` : ''}${NOTE_REGION}`,
  };
  if (extra) r.estimated = extra.estimated;
  return r;
}

const g = (value: number, where: string) => ({ value, source: SRC_GRID_GOOGLE, where: `Google ${where}` });
const awsPue = (value: number, where: string) => ({ value, source: SRC_PUE_AWS, where: `AWS ${where}` });

const REGIONS: RegionDefaults[] = [
  // Americas
  region('us-east', 'US East (N. Virginia)', 'americas', g(343.48, 'us-east4'), awsPue(1.15, 'us-east-1')),
  region('us-central', 'US Central (Iowa)', 'americas', g(431.95, 'us-central1'), {
    value: 1.11,
    source: SRC_PUE_GOOGLE,
    where: 'Google Council Bluffs, Iowa (us-central1; AWS has no region there)',
  }),
  region('us-west', 'US West (Oregon)', 'americas', g(97.85, 'us-west1'), awsPue(1.12, 'us-west-2')),
  region(
    'ca-central',
    'Canada Central (Montréal)',
    'americas',
    g(11.36, 'northamerica-northeast1'),
    awsPue(1.19, 'ca-central-1'),
  ),
  region(
    'sa-east',
    'South America East (São Paulo)',
    'americas',
    g(73.25, 'southamerica-east1'),
    awsPue(1.14, 'sa-east-1'),
  ),
  // Europe
  region(
    'eu-west',
    'EU West (Ireland)',
    'europe',
    { value: 305, source: SRC_GRID_REFERENCE, where: 'no Google region in Ireland' },
    awsPue(1.1, 'eu-west-1'),
    {
      estimated: ['grid_gco2_per_kwh'],
      as_of: CATALOG_AS_OF,
      notes:
        'Grid [EST]: midpoint of the reference range 280–330. Electricity Maps gives 403.4 for Ireland in 2024 ' +
        '(GSF Real Time Cloud, Cloud_Region_Metadata.csv), but that is a life-cycle figure, about 20% above ' +
        'the direct figures used for the other regions (Virginia: 396 vs 323 for 2024), so it is not used.',
    },
  ),
  region('eu-west-2', 'EU West 2 (London)', 'europe', g(109.39, 'europe-west2'), awsPue(1.23, 'eu-west-2')),
  region('eu-central', 'EU Central (Frankfurt)', 'europe', g(275.81, 'europe-west3'), awsPue(1.24, 'eu-central-1')),
  region(
    'eu-north',
    'EU North (Stockholm)',
    'europe',
    g(19.39, 'europe-north2 (Stockholm); Finland, europe-north1, is 29.84'),
    awsPue(1.09, 'eu-north-1'),
  ),
  // Asia-Pacific
  region(
    'ap-northeast-1',
    'Asia Pacific (Tokyo)',
    'asia-pacific',
    g(449.23, 'asia-northeast1'),
    awsPue(1.25, 'ap-northeast-1'),
  ),
  region(
    'ap-northeast-2',
    'Asia Pacific (Seoul)',
    'asia-pacific',
    g(359.05, 'asia-northeast3'),
    awsPue(1.25, 'Asia Pacific average (no figure for ap-northeast-2 itself)'),
    {
      estimated: ['pue'],
      as_of: '2026-09',
      notes: 'PUE [EST]: AWS publishes only its Asia Pacific average for Seoul.',
    },
  ),
  region(
    'ap-southeast-1',
    'Asia Pacific (Singapore)',
    'asia-pacific',
    g(365.66, 'asia-southeast1'),
    awsPue(1.3, 'ap-southeast-1'),
  ),
  region(
    'ap-southeast-2',
    'Asia Pacific (Sydney)',
    'asia-pacific',
    g(468.34, 'australia-southeast1'),
    awsPue(1.14, 'ap-southeast-2'),
  ),
  region('ap-south-1', 'Asia Pacific (Mumbai)', 'asia-pacific', g(598.45, 'asia-south1'), awsPue(1.4, 'ap-south-1')),
];

// --------------------------------------------------------------------------------------------- network

export interface NetworkDefaults {
  egress_usd_per_gb: number;
  inter_region_usd_per_gb: number;
  energy_kwh_per_gb: number;
  /** Marginal energy of traffic on an on-premises LAN (users on an edge site's local network) [EST]. */
  lan_energy_kwh_per_gb: number;
  sources: {
    egress_usd_per_gb: string;
    inter_region_usd_per_gb: string;
    energy_kwh_per_gb: string;
    lan_energy_kwh_per_gb: string;
  };
  as_of: string;
  notes: string;
}

export const CATALOG_NETWORK_DEFAULTS: Readonly<NetworkDefaults> = Object.freeze({
  egress_usd_per_gb: 0.09,
  inter_region_usd_per_gb: 0.02,
  energy_kwh_per_gb: 0.001,
  // [EST] ~2 W per 1 Gbit/s switch port at full load = 2 nJ/bit = 16 J/GB ≈ 4.4e-6 kWh/GB: an upper bound for
  // the marginal energy, since a LAN switch draws most of its power whether traffic flows or not.
  lan_energy_kwh_per_gb: 4.4e-6,
  sources: Object.freeze({
    egress_usd_per_gb: 'AWS data transfer out to internet, first 10 TB/month',
    inter_region_usd_per_gb: 'AWS / GCP / Azure inter-region transfer list prices (~0.02 $/GB)',
    energy_kwh_per_gb: 'Cloud Carbon Footprint network coefficient',
    lan_energy_kwh_per_gb:
      'Estimate from office Ethernet switch power per port (Lanzisera, Nordman & Brown, "Data Network Equipment Energy Use and Savings Potential in Buildings", LBNL-3510E, 2010); LAN energy is mostly baseline power, not proportional to data (Mytton, Lundén & Malmodin, J. Ind. Ecol. 28(4), 2024)',
  }),
  as_of: CATALOG_AS_OF,
  notes:
    'Other egress prices: GCP 0.12 premium / 0.085 standard tier, Azure 0.087 $/GB; Azure inter-region ' +
    'within Asia 0.08 $/GB.',
});

export interface RegionRtt {
  a: string;
  b: string;
  rtt_ms: number;
  source: string;
  /** Month the figure was measured or published (default CATALOG_AS_OF). */
  as_of?: string;
  notes?: string;
}

const SRC_RTT = 'Public inter-region latency measurements (reference-data snapshot)';
const SRC_RTT_IBM =
  'IBM Cloud VPC network latency, inter-region averages of 17 Aug–15 Sep 2024 between its Washington DC, ' +
  'Toronto, São Paulo, London, Frankfurt, Sydney and Tokyo regions (github.com/ibm-cloud-docs/vpc, ' +
  '_include-segments/network-latency.md, snapshot of 15 Sep 2024)';
const NOTE_RTT_IBM =
  'Measured between the IBM Cloud regions in the same cities (us-east: Washington DC, next to N. Virginia), ' +
  'mean of the two directions; another operator’s backbone, so a few ms either way [EST].';
const NOTE_RTT_TORONTO =
  'Measured from IBM Cloud Toronto: Montréal is ~500 km further east, a few ms more or less [EST]; mean of the ' +
  'two directions.';

const SRC_RTT_AZURE =
  'Microsoft Azure network round-trip latency statistics, monthly P50 between Azure regions for the 30 days ' +
  'ending 2026-07-30 (learn.microsoft.com/azure/networking/azure-network-latency; github.com/MicrosoftDocs/' +
  'azure-docs, articles/networking/azure-network-latency.md)';
/** The Azure region measured for each catalog region, and how far it is from the catalog's city. */
const AZURE_RTT_REGION: Record<string, [string, string?]> = {
  'us-east': ['East US (Virginia)'],
  'us-central': ['Central US (Iowa)'],
  'us-west': ['West US 2 (Washington state)', 'Azure has no Oregon region; Quincy is ~250 km from Boardman'],
  'ca-central': ['Canada Central (Toronto)', 'Toronto stands for Montréal, ~500 km away, as in the IBM rows'],
  'sa-east': ['Brazil South (São Paulo)'],
  'eu-west': ['North Europe (Ireland)'],
  'eu-west-2': ['UK South (London)'],
  'eu-central': ['Germany West Central (Frankfurt)'],
  'eu-north': ['Sweden Central (Gävle)', 'Gävle is ~170 km from Stockholm'],
  'ap-northeast-1': ['Japan East (Tokyo)'],
  'ap-northeast-2': ['Korea Central (Seoul)'],
  'ap-southeast-1': ['Southeast Asia (Singapore)'],
  'ap-southeast-2': ['Australia East (Sydney)'],
  'ap-south-1': ['Central India (Pune)', 'Pune stands for Mumbai, ~150 km away; Azure lists no Mumbai figures'],
};
function azureRttNote(a: string, b: string): string {
  const [ra, ca] = AZURE_RTT_REGION[a];
  const [rb, cb] = AZURE_RTT_REGION[b];
  const caveats = [ca, cb].filter((c) => c !== undefined).join('; ');
  return (
    `Measured between Azure ${ra} and ${rb}, mean of the two directions; another operator’s backbone, a ` +
    `few ms either way [EST]${caveats ? ` (${caveats})` : ''}.`
  );
}

/** Symmetric round-trip times between well-known regions. */
export const CATALOG_RTT_MS: readonly Readonly<RegionRtt>[] = Object.freeze(
  (
    [
      ['us-east', 'eu-west', 80],
      ['us-east', 'us-west', 87],
      ['us-east', 'ap-northeast-1', 154.5, 'Measured 145–164 ms; midpoint used.'],
      ['us-east', 'ap-northeast-2', 177],
      ['us-east', 'ap-southeast-1', 217],
      ['us-west', 'ap-northeast-1', 89],
      ['eu-west', 'eu-central', 20],
      ['eu-west', 'ap-northeast-1', 212],
      ['ap-northeast-1', 'ap-northeast-2', 31],
      ['ap-northeast-1', 'ap-southeast-1', 74],
      ['ap-northeast-2', 'ap-southeast-1', 72],
    ] as [string, string, number, string?][]
  )
    .map(([a, b, rtt_ms, notes]) => {
      const rtt: RegionRtt = { a, b, rtt_ms, source: SRC_RTT };
      if (notes) rtt.notes = notes;
      return Object.freeze(rtt);
    })
    .concat(
      // The regions added in 2026, where a public table covers both ends (IBM Cloud's, by city).
      (
        [
          ['us-east', 'sa-east', 118.5],
          ['us-east', 'eu-west-2', 75.5],
          ['us-east', 'ap-southeast-2', 215],
          ['us-east', 'ca-central', 19.5, NOTE_RTT_TORONTO],
          ['sa-east', 'eu-west-2', 187],
          ['sa-east', 'eu-central', 197.5],
          ['sa-east', 'ap-southeast-2', 327.5],
          ['sa-east', 'ap-northeast-1', 284.5],
          ['sa-east', 'ca-central', 130, NOTE_RTT_TORONTO],
          ['eu-west-2', 'eu-central', 13],
          ['eu-west-2', 'ap-southeast-2', 261],
          ['eu-west-2', 'ap-northeast-1', 242],
          ['eu-west-2', 'ca-central', 82.5, NOTE_RTT_TORONTO],
          ['ap-southeast-2', 'eu-central', 250],
          ['ap-southeast-2', 'ap-northeast-1', 115],
          ['ap-southeast-2', 'ca-central', 214.5, NOTE_RTT_TORONTO],
          ['ca-central', 'eu-central', 92.5, NOTE_RTT_TORONTO],
          ['ca-central', 'ap-northeast-1', 161.5, NOTE_RTT_TORONTO],
        ] as [string, string, number, string?][]
      ).map(([a, b, rtt_ms, notes]) =>
        Object.freeze({ a, b, rtt_ms, source: SRC_RTT_IBM, as_of: '2024-09', notes: notes ?? NOTE_RTT_IBM }),
      ),
      // Every other pair of catalog regions, from Azure's table (it has a region in or near each city).
      (
        [
          ['us-east', 'us-central', 28.5],
          ['us-east', 'eu-central', 94],
          ['us-east', 'eu-north', 100],
          ['us-east', 'ap-south-1', 199.5],
          ['us-central', 'us-west', 38.5],
          ['us-central', 'ca-central', 29],
          ['us-central', 'sa-east', 149],
          ['us-central', 'eu-west', 101],
          ['us-central', 'eu-west-2', 108.5],
          ['us-central', 'eu-central', 119],
          ['us-central', 'eu-north', 127.5],
          ['us-central', 'ap-northeast-1', 135.5],
          ['us-central', 'ap-northeast-2', 157.5],
          ['us-central', 'ap-southeast-1', 197.5],
          ['us-central', 'ap-southeast-2', 176],
          ['us-central', 'ap-south-1', 221.5],
          ['us-west', 'ca-central', 64],
          ['us-west', 'sa-east', 177],
          ['us-west', 'eu-west', 129.5],
          ['us-west', 'eu-west-2', 139],
          ['us-west', 'eu-central', 154.5],
          ['us-west', 'eu-north', 158.5],
          ['us-west', 'ap-northeast-2', 124],
          ['us-west', 'ap-southeast-1', 162],
          ['us-west', 'ap-southeast-2', 160.5],
          ['us-west', 'ap-south-1', 210.5],
          ['ca-central', 'eu-west', 76.5],
          ['ca-central', 'eu-north', 107.5],
          ['ca-central', 'ap-northeast-2', 182],
          ['ca-central', 'ap-southeast-1', 222],
          ['ca-central', 'ap-south-1', 201],
          ['sa-east', 'eu-west', 172],
          ['sa-east', 'eu-north', 201],
          ['sa-east', 'ap-northeast-2', 283.5],
          ['sa-east', 'ap-southeast-1', 330.5],
          ['sa-east', 'ap-south-1', 303.5],
          ['eu-west', 'eu-west-2', 12.5],
          ['eu-west', 'eu-north', 34],
          ['eu-west', 'ap-northeast-2', 239],
          ['eu-west', 'ap-southeast-1', 176],
          ['eu-west', 'ap-southeast-2', 263],
          ['eu-west', 'ap-south-1', 146.5],
          ['eu-west-2', 'eu-north', 31],
          ['eu-west-2', 'ap-northeast-2', 239.5],
          ['eu-west-2', 'ap-southeast-1', 167],
          ['eu-west-2', 'ap-south-1', 141],
          ['eu-central', 'eu-north', 27.5],
          ['eu-central', 'ap-northeast-1', 235.5],
          ['eu-central', 'ap-northeast-2', 239.5],
          ['eu-central', 'ap-southeast-1', 166],
          ['eu-central', 'ap-south-1', 139.5],
          ['eu-north', 'ap-northeast-1', 252.5],
          ['eu-north', 'ap-northeast-2', 260],
          ['eu-north', 'ap-southeast-1', 190.5],
          ['eu-north', 'ap-southeast-2', 285.5],
          ['eu-north', 'ap-south-1', 160.5],
          ['ap-northeast-1', 'ap-south-1', 122],
          ['ap-northeast-2', 'ap-southeast-2', 126.5],
          ['ap-northeast-2', 'ap-south-1', 120],
          ['ap-southeast-1', 'ap-southeast-2', 95],
          ['ap-southeast-1', 'ap-south-1', 53],
          ['ap-southeast-2', 'ap-south-1', 144.5],
        ] as [string, string, number][]
      ).map(([a, b, rtt_ms]) =>
        Object.freeze({ a, b, rtt_ms, source: SRC_RTT_AZURE, as_of: '2026-07', notes: azureRttNote(a, b) }),
      ),
    ),
);

/** RTT between availability zones of one region: the reference gives ~1–2 ms; midpoint. */
export const CATALOG_INTRA_REGION_RTT_MS = 1.5;

// --------------------------------------------------------------------------------------------- API

function byId<T extends { id: string }>(entries: readonly T[]): Record<string, T> {
  const out: Record<string, T> = {};
  for (const e of entries) {
    if (out[e.id]) throw new Error(`catalog: duplicate id "${e.id}"`);
    out[e.id] = structuredClone(e);
  }
  return out;
}

/** The embedded catalog. Each call returns a fresh deep copy, so callers may mutate or override it. */
export function defaultCatalog(): Catalog {
  return { devices: byId(DEVICES), instances: byId(INSTANCES), regions: byId(REGIONS) };
}
