/**
 * A unit's up/down clock: failures (up for an exponential time with mean MTBF, down for one with mean MTTR)
 * or spot interruptions (up for an exponential time, down for a fixed restart time). Each pool draws from its
 * own stream. A clock runs only while its unit is provisioned.
 *
 * Owns: per unit its *down* flag and its pending clock event; per pool the count of measured down-going
 * flips. Handles: its own event kind (*unit failure* for the failure clock, *preemption* for the spot
 * clock): each event flips the unit up or down, draws the next flip and tells the owner (`onChange`).
 */
import type { Simulator, RandomStream } from '../engine/index.js';

/** Per pool: whether the clock runs, its mean up time, its down time (mean, or fixed). */
export interface ClockSpec {
  enabled: boolean;
  up_s: number;
  down_s: number;
}

export class UnitClock {
  /** Event kind of this clock's flips (set once by the owner after registering `onEvent`). */
  kind = -1;
  /** Per unit: 1 while down. */
  declare readonly down: Uint8Array;
  /** Per unit: id of its pending flip, or −1. */
  declare readonly event: Float64Array;
  /** Per pool: flips to down at or after `countFrom`. */
  declare readonly count: Int32Array;
  declare private readonly sim: Simulator;
  declare private readonly unitPool: Int32Array;
  declare private readonly specs: readonly ClockSpec[];
  declare private readonly streams: readonly RandomStream[];
  declare private readonly randomDown: boolean;
  declare private readonly countFrom: number;
  private readonly onChange: (unit: number) => void;

  /**
   * `specs` and `streams` are per pool; `randomDown` says whether down times are exponential (failures) or
   * fixed (spot restarts).
   */
  constructor(
    sim: Simulator,
    unitPool: Int32Array,
    specs: readonly ClockSpec[],
    streams: readonly RandomStream[],
    randomDown: boolean,
    countFrom: number,
    onChange: (unit: number) => void,
  ) {
    this.sim = sim;
    this.unitPool = unitPool;
    this.specs = specs;
    this.streams = streams;
    this.randomDown = randomDown;
    this.countFrom = countFrom;
    this.onChange = onChange;
    this.down = new Uint8Array(unitPool.length);
    this.event = new Float64Array(unitPool.length).fill(-1);
    this.count = new Int32Array(specs.length);
  }

  /** Starts the unit's clock (up now), if its pool has one. */
  start(u: number): void {
    const p = this.unitPool[u];
    const spec = this.specs[p];
    if (spec.enabled) this.event[u] = this.sim.schedule(this.streams[p].exponential(spec.up_s), this.kind, u);
  }

  /** Stops the unit's clock and clears its flag; the owner updates the unit. */
  stop(u: number): void {
    if (this.event[u] >= 0) this.sim.cancel(this.event[u]);
    this.event[u] = -1;
    this.down[u] = 0;
  }

  /** The clock's event: the unit goes down (or comes back up), the next flip is drawn, the owner is told. */
  onEvent(u: number): void {
    const p = this.unitPool[u];
    const spec = this.specs[p];
    const goingDown = this.down[u] === 0;
    let next: number;
    if (goingDown) {
      this.down[u] = 1;
      if (this.sim.now >= this.countFrom) this.count[p]++;
      next = this.randomDown ? this.streams[p].exponential(spec.down_s) : spec.down_s;
    } else {
      this.down[u] = 0;
      next = this.streams[p].exponential(spec.up_s);
    }
    this.event[u] = this.sim.schedule(next, this.kind, u);
    this.onChange(u);
  }
}
