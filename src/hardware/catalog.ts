/**
 * The embedded default hardware catalog: devices, cloud instance types with prices, and region defaults
 * (grid carbon intensity, PUE), each with the publication it came from.
 *
 * Figures come from /work/shared/reference-data.md (a snapshot of public datasheets, price lists and grid
 * data). Every number is in base units: FLOP/s (OP/s for integer dtypes), bytes, bytes/s, W, US$/hour,
 * gCO2e/kWh. Decimal prefixes throughout (1 GB = 1e9 bytes, as vendors quote memory and bandwidth).
 *
 * Marking: a field whose value is an estimate ([EST]) or derived from other specs ([DER]) is listed in the
 * entry's `estimated`, and `notes` says how it was obtained. Dtype throughput fields are named
 * `peak_flops.<dtype>`, prices `prices.<region>.<pricing>`; a parent name (`peak_flops`, `prices`) or
 * `all` covers everything below it.
 *
 * `as_of` is the source's own publication month where the reference gives one, otherwise the month the
 * figure was collected for this catalog (CATALOG_AS_OF).
 */
import type { Catalog, Device, InstanceType, RegionDefaults } from '../model/types.js';

/**
 * Month the reference snapshot was taken. The AWS GPU prices in it are the list prices from before AWS's
 * June 2025 P4/P5 price cut, so the snapshot describes May 2025.
 */
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
const SRC_CCF = 'Cloud Carbon Footprint (CCF) methodology coefficients';

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
      'Dense figures (datasheet sparse ÷ 2). Idle 60–75 W [EST], midpoint used; with a model loaded at 0% ' +
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
    notes: 'Same GH100 die and 700 W TDP as the H100 SXM, so its idle estimate (67.5 W [EST]) is reused.',
  },
  {
    id: 'a100-80gb-sxm',
    name: 'NVIDIA A100 80GB SXM',
    class: 'gpu',
    peak_flops: { bf16: 312 * T, fp16: 312 * T, int8: 624 * T },
    memory_bytes: 80 * GB,
    mem_bw_bytes_per_s: 2039 * GB,
    power_max_w: 400,
    power_idle_w: 48,
    source: `${SRC_A100}; ${SRC_CCF}`,
    as_of: CATALOG_AS_OF,
    notes: 'Idle 46–50 W (CCF); midpoint used.',
  },
  {
    id: 'a100-40gb-sxm',
    name: 'NVIDIA A100 40GB SXM',
    class: 'gpu',
    peak_flops: { bf16: 312 * T, fp16: 312 * T, int8: 624 * T },
    memory_bytes: 40 * GB,
    mem_bw_bytes_per_s: 1555 * GB,
    power_max_w: 400,
    power_idle_w: 48,
    source: `${SRC_A100}; ${SRC_CCF}`,
    as_of: CATALOG_AS_OF,
    estimated: ['power_idle_w'],
    notes: 'Idle taken from the CCF A100 figure (46–50 W, midpoint) measured for the 80 GB part [EST].',
  },
  {
    id: 'l4',
    name: 'NVIDIA L4',
    class: 'gpu',
    peak_flops: { bf16: 121 * T, fp16: 121 * T, int8: 242 * T },
    memory_bytes: 24 * GB,
    mem_bw_bytes_per_s: 300 * GB,
    power_max_w: 72,
    power_idle_w: 72 * GPU_IDLE_FRACTION,
    source: 'NVIDIA L4 Tensor Core GPU datasheet',
    as_of: CATALOG_AS_OF,
    estimated: ['peak_flops', 'power_idle_w'],
    notes: `Throughput [DER]: the datasheet quotes sparse figures, halved here. ${NOTE_GPU_IDLE}.`,
  },
  {
    id: 't4',
    name: 'NVIDIA T4',
    class: 'gpu',
    // Turing has no bf16 tensor cores, so only fp16 is listed.
    peak_flops: { fp16: 65 * T, int8: 130 * T },
    memory_bytes: 16 * GB,
    mem_bw_bytes_per_s: 320 * GB,
    power_max_w: 70,
    power_idle_w: 8,
    source: `NVIDIA T4 Tensor Core GPU datasheet; ${SRC_CCF}`,
    as_of: CATALOG_AS_OF,
    notes: 'No bf16 support (Turing); idle from CCF.',
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
    notes: NOTE_GPU_IDLE,
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
      'Google publishes no TDP: max = 918 TFLOPS / (v5e 197 TFLOPS per 175 W × 1.67), using Google\'s ' +
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
    peak_flops: { int8: 137.5 * T, fp16: 42 * T },
    memory_bytes: 64 * GB,
    mem_bw_bytes_per_s: 204.8 * GB,
    power_max_w: 60,
    power_idle_w: 60 * GPU_IDLE_FRACTION,
    source: 'NVIDIA Jetson AGX Orin series datasheet',
    as_of: CATALOG_AS_OF,
    estimated: ['peak_flops', 'power_idle_w'],
    notes:
      'int8 [DER] = 275 sparse TOPS ÷ 2; fp16 ~42 TFLOPS [DER]. Power modes 15–60 W; max = the 60 W mode. ' +
      `${NOTE_GPU_IDLE}. Memory is shared by CPU and GPU.`,
  },
  {
    id: 'jetson-orin-nx-16gb',
    name: 'NVIDIA Jetson Orin NX 16GB',
    class: 'edge',
    peak_flops: { int8: 50 * T, fp16: 15 * T },
    memory_bytes: 16 * GB,
    mem_bw_bytes_per_s: 102.4 * GB,
    power_max_w: 25,
    power_idle_w: 25 * GPU_IDLE_FRACTION,
    source: 'NVIDIA Jetson Orin NX series datasheet',
    as_of: CATALOG_AS_OF,
    estimated: ['peak_flops', 'power_idle_w'],
    notes:
      'int8 [DER] = 100 sparse TOPS ÷ 2; fp16 ~15 TFLOPS [DER]. Power modes 10–25 W; max = the 25 W mode. ' +
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
      '38 TOPS is Apple\'s claim, precision unstated (taken as int8). Ships with up to 32 GB unified memory; ' +
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
      '~45 TOPS is Qualcomm\'s claim (taken as int8). Phones ship 12–16 GB; 12 GB assumed [EST], shared with ' +
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

/** Host power from CCF coefficients: per-vCPU W at 0% and 100% utilisation, plus memory at 0.392 W/GB. */
const CCF_VCPU_W: Record<'aws' | 'gcp' | 'azure', { min: number; max: number }> = {
  aws: { min: 0.74, max: 3.5 },
  gcp: { min: 0.71, max: 4.26 },
  azure: { min: 0.78, max: 3.76 },
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

const SRC_AWS_PRICES = 'AWS EC2 On-Demand and Spot price lists (us-east-1)';
const NOTE_AWS_PRICE =
  'Prices: us-east-1 list price from before the June 2025 AWS GPU price cut (up to 45%).';

const INSTANCES: InstanceType[] = [
  {
    id: 'aws/p5.48xlarge',
    provider: 'aws',
    name: 'p5.48xlarge',
    device: 'h100-sxm',
    devices: 8,
    ...ccfHostPower('aws', 192, 2048),
    prices: { 'us-east': { 'on-demand': 98.32, spot: 27 } },
    source: `${SRC_AWS_PRICES}; ${SRC_CCF}`,
    as_of: CATALOG_AS_OF,
    estimated: [...HOST_ESTIMATED, 'prices.us-east.spot'],
    notes: `${NOTE_AWS_PRICE} Spot seen 23–31 $/h, midpoint used. ${hostNote(192, 2048)}`,
  },
  {
    id: 'aws/p5en.48xlarge',
    provider: 'aws',
    name: 'p5en.48xlarge',
    device: 'h200-sxm',
    devices: 8,
    ...ccfHostPower('aws', 192, 2048),
    prices: { 'us-east': { 'on-demand': 84.8, spot: 19.5 } },
    source: `${SRC_AWS_PRICES}; ${SRC_CCF}`,
    as_of: CATALOG_AS_OF,
    estimated: [...HOST_ESTIMATED],
    notes: `${NOTE_AWS_PRICE} Spot is one observed price. ${hostNote(192, 2048)}`,
  },
  {
    id: 'aws/p4d.24xlarge',
    provider: 'aws',
    name: 'p4d.24xlarge',
    device: 'a100-40gb-sxm',
    devices: 8,
    ...ccfHostPower('aws', 96, 1152),
    prices: { 'us-east': { 'on-demand': 32.77, spot: 8 } },
    source: `${SRC_AWS_PRICES}; ${SRC_CCF}`,
    as_of: CATALOG_AS_OF,
    estimated: [...HOST_ESTIMATED, 'prices.us-east.spot'],
    notes: `${NOTE_AWS_PRICE} Spot seen 5–11 $/h, midpoint used. ${hostNote(96, 1152)}`,
  },
  {
    id: 'aws/p4de.24xlarge',
    provider: 'aws',
    name: 'p4de.24xlarge',
    device: 'a100-80gb-sxm',
    devices: 8,
    ...ccfHostPower('aws', 96, 1152),
    prices: { 'us-east': { 'on-demand': 40.97, spot: 5.3 } },
    source: `${SRC_AWS_PRICES}; ${SRC_CCF}`,
    as_of: CATALOG_AS_OF,
    estimated: [...HOST_ESTIMATED, 'prices.us-east.spot'],
    notes: `${NOTE_AWS_PRICE} Spot seen 4.7–5.9 $/h, midpoint used. ${hostNote(96, 1152)}`,
  },
  {
    id: 'aws/g5.xlarge',
    provider: 'aws',
    name: 'g5.xlarge',
    device: 'a10g',
    devices: 1,
    ...ccfHostPower('aws', 4, 16),
    prices: {
      'us-east': { 'on-demand': 1.006, spot: 0.4 },
      'ap-northeast-2': { 'on-demand': 1.237 },
    },
    source: `AWS EC2 On-Demand and Spot price lists (us-east-1, ap-northeast-2); ${SRC_CCF}`,
    as_of: CATALOG_AS_OF,
    estimated: [...HOST_ESTIMATED],
    notes: `Spot ~0.40 $/h observed in us-east-1. ${hostNote(4, 16)}`,
  },
  {
    id: 'aws/g6.12xlarge',
    provider: 'aws',
    name: 'g6.12xlarge',
    device: 'l4',
    devices: 4,
    ...ccfHostPower('aws', 48, 192),
    prices: { 'us-east': { 'on-demand': 4.6, spot: 2.1 } },
    source: `${SRC_AWS_PRICES}; ${SRC_CCF}`,
    as_of: CATALOG_AS_OF,
    estimated: [...HOST_ESTIMATED],
    notes: `Spot ~2.1 $/h observed. ${hostNote(48, 192)}`,
  },
  {
    id: 'aws/g4dn.xlarge',
    provider: 'aws',
    name: 'g4dn.xlarge',
    device: 't4',
    devices: 1,
    ...ccfHostPower('aws', 4, 16),
    prices: { 'us-east': { 'on-demand': 0.526, spot: 0.18 } },
    source: `${SRC_AWS_PRICES}; ${SRC_CCF}`,
    as_of: CATALOG_AS_OF,
    estimated: [...HOST_ESTIMATED],
    notes: `Spot ~0.18 $/h observed. ${hostNote(4, 16)}`,
  },
  {
    id: 'gcp/tpu-v5e',
    provider: 'gcp',
    name: 'TPU v5e (1 chip, ct5lp-hightpu-1t)',
    device: 'tpu-v5e',
    devices: 1,
    ...ccfHostPower('gcp', 24, 48),
    prices: { 'us-east': { 'on-demand': 1.2 } },
    source: `Google Cloud TPU pricing; ${SRC_CCF}`,
    as_of: CATALOG_AS_OF,
    estimated: [...HOST_ESTIMATED],
    notes:
      'Per chip-hour US list price; the reference does not name the US region, mapped to us-east. ' +
      hostNote(24, 48, '; the 1-chip VM ct5lp-hightpu-1t'),
  },
  {
    id: 'gcp/tpu-v5p',
    provider: 'gcp',
    name: 'TPU v5p (1 chip)',
    device: 'tpu-v5p',
    devices: 1,
    ...ccfHostPower('gcp', 52, 112),
    prices: { 'us-east': { 'on-demand': 4.2, spot: 1.68 } },
    source: `Google Cloud TPU pricing; ${SRC_CCF}`,
    as_of: CATALOG_AS_OF,
    estimated: [...HOST_ESTIMATED],
    notes:
      'Per chip-hour US list price; the reference does not name the US region, mapped to us-east. v5p is ' +
      'sold in 4-chip hosts; host figures are a quarter of ct5p-hightpu-4t (208 vCPUs, 448 GB) [UNV]. ' +
      hostNote(52, 112),
  },
  {
    id: 'gcp/tpu-v6e',
    provider: 'gcp',
    name: 'TPU v6e (1 chip, ct6e-standard-1t)',
    device: 'tpu-v6e',
    devices: 1,
    ...ccfHostPower('gcp', 44, 176),
    prices: {
      'us-east': { 'on-demand': 2.7, spot: 0.65 },
      'ap-northeast-1': { 'on-demand': 3.24 },
    },
    source: `Google Cloud TPU pricing (US, asia-northeast1); ${SRC_CCF}`,
    as_of: CATALOG_AS_OF,
    estimated: [...HOST_ESTIMATED],
    notes:
      'Per chip-hour list price; the reference does not name the US region, mapped to us-east; ' +
      'asia-northeast1 (Tokyo) mapped to ap-northeast-1. ' +
      hostNote(44, 176, '; the 1-chip VM ct6e-standard-1t [UNV]'),
  },
  {
    id: 'azure/nd96isr-h100-v5',
    provider: 'azure',
    name: 'Standard_ND96isr_H100_v5',
    device: 'h100-sxm',
    devices: 8,
    ...ccfHostPower('azure', 96, 1900),
    prices: { 'us-east': { 'on-demand': 117.98, spot: 29.5 } },
    source: `Azure Virtual Machines pricing (East US); ${SRC_CCF}`,
    as_of: CATALOG_AS_OF,
    estimated: [...HOST_ESTIMATED],
    notes: `Azure East US mapped to us-east. ${hostNote(96, 1900)}`,
  },
];

// --------------------------------------------------------------------------------------------- regions

const SRC_GRID = 'Google Cloud region carbon data (location-based, 2024)';
const SRC_PUE = 'AWS sustainability report (global PUE 1.15, 2023)';
const NOTE_REGION =
  'Grid: calendar-year 2024 average. PUE: AWS global 1.15 (2023) as a hyperscale default; Google fleet ' +
  'is 1.10, Azure 1.18, the industry average 1.55–1.58 (Uptime Institute) — override for colo or edge sites.';

function region(id: string, name: string, grid: number, extra?: { estimated: string[]; notes: string }) {
  const r: RegionDefaults = {
    id,
    name,
    grid_gco2_per_kwh: grid,
    pue: 1.15,
    source: `${SRC_GRID}; ${SRC_PUE}`,
    as_of: CATALOG_AS_OF,
    notes: extra ? `${extra.notes} ${NOTE_REGION}` : NOTE_REGION,
  };
  if (extra) r.estimated = extra.estimated;
  return r;
}

// eu-central (Frankfurt) is deliberately absent: the reference has no grid figure for it.
const REGIONS: RegionDefaults[] = [
  region('us-east', 'US East (Virginia)', 323),
  region('us-west', 'US West (Oregon)', 79),
  region('eu-west', 'EU West (Ireland)', 305, {
    estimated: ['grid_gco2_per_kwh'],
    notes: 'Reference gives ~280–330; midpoint used [EST].',
  }),
  region('eu-north', 'EU North (Sweden / Finland)', 11.5, {
    estimated: ['grid_gco2_per_kwh'],
    notes: 'Reference gives ~3–20 across the Nordic regions; midpoint used [EST].',
  }),
  region('ap-northeast-1', 'Asia Pacific (Tokyo)', 453),
  region('ap-northeast-2', 'Asia Pacific (Seoul)', 357),
  region('ap-southeast-1', 'Asia Pacific (Singapore)', 367),
];

// --------------------------------------------------------------------------------------------- network

export interface NetworkDefaults {
  egress_usd_per_gb: number;
  inter_region_usd_per_gb: number;
  energy_kwh_per_gb: number;
  sources: { egress_usd_per_gb: string; inter_region_usd_per_gb: string; energy_kwh_per_gb: string };
  as_of: string;
  notes: string;
}

export const CATALOG_NETWORK_DEFAULTS: Readonly<NetworkDefaults> = Object.freeze({
  egress_usd_per_gb: 0.09,
  inter_region_usd_per_gb: 0.02,
  energy_kwh_per_gb: 0.001,
  sources: Object.freeze({
    egress_usd_per_gb: 'AWS data transfer out to internet, first 10 TB/month',
    inter_region_usd_per_gb: 'AWS / GCP / Azure inter-region transfer list prices (~0.02 $/GB)',
    energy_kwh_per_gb: 'Cloud Carbon Footprint network coefficient',
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
  notes?: string;
}

const SRC_RTT = 'Public inter-region latency measurements (reference-data snapshot)';

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
  ).map(([a, b, rtt_ms, notes]) => {
    const rtt: RegionRtt = { a, b, rtt_ms, source: SRC_RTT };
    if (notes) rtt.notes = notes;
    return Object.freeze(rtt);
  }),
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
