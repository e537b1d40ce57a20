/**
 * Named, seeded random streams. Each source of randomness (a service's arrivals, its request sizes, a pool's
 * service-time noise, …) draws from its own stream, seeded from (run seed, stream name). Two policies run
 * with the same seed therefore see exactly the same arrivals and sizes — common random numbers — and a
 * difference in their results comes from the policy, not from the noise.
 */
import seedrandom from 'seedrandom';

/*
 * The draws as functions of uniforms already drawn, for callers that draw their uniforms ahead of time
 * (a managed API's latency is drawn at arrival, whatever the policy decides). The streams use them too.
 */

/** Exponential with the given mean, from a uniform u in (0, 1]. */
export function exponentialOf(mean: number, u: number): number {
  return -mean * Math.log(u);
}

/** Standard normal from two uniforms (Box–Muller, cosine branch): u in (0, 1], v in [0, 1]. */
export function normalCos(u: number, v: number): number {
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** The sine branch of Box–Muller: a second standard normal, independent of normalCos(u, v). */
export function normalSin(u: number, v: number): number {
  return Math.sqrt(-2 * Math.log(u)) * Math.sin(2 * Math.PI * v);
}

/** Lognormal with the given mean and coefficient of variation (sd / mean), from a standard normal z. */
export function lognormalOf(mean: number, cv: number, z: number): number {
  const sigma2 = Math.log(1 + cv * cv);
  const mu = Math.log(mean) - sigma2 / 2;
  return Math.exp(mu + Math.sqrt(sigma2) * z);
}

/** Whole number uniform on [min, max] (both included), from a uniform u in [0, 1). */
export function integerOf(min: number, max: number, u: number): number {
  return min + Math.floor(u * (max - min + 1));
}

/** 2^-53: the weight of the second output's 21 bits in a 53-bit double. */
const TWO_POW_MINUS_53 = 1.1102230246251565e-16;

/**
 * A stream keeps a block of the generator's outputs drawn ahead, refilled in bulk: a draw reads the block,
 * which keeps the draw small enough to inline where it is used (the generator's own step, inlined at every
 * draw, was a large part of the compiler's inlining budget on the event path). Blocks start small and grow
 * up to BLOCK_MAX as a stream is used, so that thousands of rarely used streams (one per fleet site) cost
 * little memory. Drawing ahead changes nothing: each stream is its own generator and yields its outputs in
 * the same order whenever they are computed.
 */
const BLOCK_MIN = 8;
const BLOCK_MAX = 256;
const NO_BLOCK = new Float64Array(0);

/** 2^-32: Alea's carry weight. */
const TWO_POW_MINUS_32 = 2.3283064365386963e-10;

/** Alea's state as seedrandom exposes it (`{ state: true }`). */
interface AleaState {
  c: number;
  s0: number;
  s1: number;
  s2: number;
}

export class RandomStream {
  /**
   * Alea's state (seedrandom's: c, s0, s1, s2), seeded by seedrandom and stepped here by refill, with
   * seedrandom's own arithmetic: stepping it in a loop over locals, rather than calling the generator's
   * closure (which reads and writes its state on an object) once per output, makes a refill a few times
   * cheaper. test/engine.test.ts checks the outputs against seedrandom's generator.
   */
  private c = 0;
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  /** Outputs drawn ahead; the next unread one is block[pos]. */
  private block: Float64Array = NO_BLOCK;
  private pos = 0;

  constructor(
    readonly name: string,
    seed: number,
  ) {
    // Alea (seedrandom): fast, small state, and well tested by seedrandom's authors. Its 32-bit output is taken
    // directly and two of them are combined into 53 bits below, exactly as its double() does (the tails of
    // exponential draws need the 53 bits): the same numbers in the same order. seedrandom seeds it; its state
    // is then stepped here (refill).
    const seeded: AleaState = seedrandom.alea(`${seed}\u0000${name}`, { state: true }).state();
    // (Fractions from the start: see the Simulator's constructor.)
    this.c = 0.5;
    this.s0 = 0.5;
    this.s1 = 0.5;
    this.s2 = 0.5;
    this.c = seeded.c;
    this.s0 = seeded.s0;
    this.s1 = seeded.s1;
    this.s2 = seeded.s2;
  }

  /**
   * Refills the block: the unread outputs move to its start, the generator's next outputs follow. Returns
   * the new read position (0).
   */
  private refill(): number {
    const old = this.block;
    const left = old.length - this.pos;
    const size = Math.min(BLOCK_MAX, Math.max(BLOCK_MIN, old.length * 2));
    const b = size === old.length ? old : new Float64Array(size);
    for (let i = 0; i < left; i++) b[i] = old[this.pos + i];
    // seedrandom's Alea step (lib/alea.js, me.next), on locals.
    let c = this.c;
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    for (let i = left; i < size; i++) {
      const t = 2091639 * s0 + c * TWO_POW_MINUS_32;
      s0 = s1;
      s1 = s2;
      c = t | 0;
      s2 = t - c;
      b[i] = s2;
    }
    this.c = c;
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.block = b;
    this.pos = 0;
    return 0;
  }

  /** The generator's next 32-bit output, in [0, 1). */
  private output(): number {
    let p = this.pos;
    if (p >= this.block.length) p = this.refill();
    this.pos = p + 1;
    return this.block[p];
  }

  /** Uniform on [0, 1) with 53 bits: seedrandom's alea double() (two outputs), written out (the hot path). */
  private double(): number {
    let p = this.pos;
    if (p + 2 > this.block.length) p = this.refill();
    const b = this.block;
    this.pos = p + 2;
    return b[p] + ((b[p + 1] * 0x200000) | 0) * TWO_POW_MINUS_53;
  }

  /** Uniform on [0, 1). */
  uniform(): number {
    return this.double();
  }

  /** Uniform on (0, 1]: safe to take the log of. */
  private open(): number {
    return 1 - this.double();
  }

  /**
   * Exponential with the given mean (the same formula as exponentialOf, and double() written out: this is the
   * hot path, and one function to inline costs a caller's inlining budget less than two).
   */
  exponential(mean: number): number {
    let p = this.pos;
    if (p + 2 > this.block.length) p = this.refill();
    const b = this.block;
    this.pos = p + 2;
    return -mean * Math.log(1 - (b[p] + ((b[p + 1] * 0x200000) | 0) * TWO_POW_MINUS_53));
  }

  /** Standard normal (Box–Muller; the second value is discarded to keep the stream position simple). */
  normal(): number {
    const u = this.open();
    const v = this.double();
    return normalCos(u, v);
  }

  /** Lognormal with the given mean and coefficient of variation (sd / mean). */
  lognormal(mean: number, cv: number): number {
    return lognormalOf(mean, cv, this.normal());
  }

  /** Whole number uniform on [min, max], both included (one uniform). */
  integer(min: number, max: number): number {
    return integerOf(min, max, this.output());
  }
}

/** Hands out one stream per name; asking twice for a name returns the same stream. */
export class RandomStreams {
  private readonly streams = new Map<string, RandomStream>();

  constructor(readonly seed: number) {}

  stream(name: string): RandomStream {
    let s = this.streams.get(name);
    if (!s) {
      s = new RandomStream(name, this.seed);
      this.streams.set(name, s);
    }
    return s;
  }

  /** Names of the streams created so far, sorted (for reports and debugging). */
  names(): string[] {
    return [...this.streams.keys()].sort();
  }
}
