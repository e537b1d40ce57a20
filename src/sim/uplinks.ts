/**
 * Site uplinks: a site's connection to the rest of the network, down while any random or scheduled outage
 * holds. Responses finished meanwhile wait in the site's store-and-forward buffer, or are lost when it is full.
 *
 * Owns: per site the count of outages holding its uplink, since when it is down, its buffer of responses
 * (a ring of request slots) and the bytes in it; the sites' uplink tallies.
 * Handles: *uplink down* / *uplink up* (random outages; scheduled ones come through capacity.ts).
 */
import type { RandomStream } from '../engine/index.js';
import type { RunContext, Parts } from './context.js';
import { RingQueue } from './tables.js';
import { LOSS_BUFFER } from './decisions.js';
import type { Outcomes } from './outcomes.js';
import type { Links } from './links.js';
import type { Pools } from './pools.js';

export class Uplinks {
  declare private readonly ctx: RunContext;
  /** Per site: outages holding its uplink down now. */
  declare readonly down: Int32Array;
  declare private readonly downSince: Float64Array;
  declare private readonly bufferUsed: Float64Array;
  declare private readonly buffer: RingQueue[];
  /** Per pool: its site. */
  declare readonly siteOfPool: Int32Array;
  declare private readonly streams: RandomStream[];
  declare private outcomes: Outcomes;
  declare private links: Links;
  declare private pools: Pools;

  constructor(ctx: RunContext) {
    this.ctx = ctx;
    const { scenario, plan, nSites } = ctx;
    this.down = new Int32Array(nSites);
    this.downSince = new Float64Array(nSites);
    this.bufferUsed = new Float64Array(nSites);
    this.buffer = scenario.sites.map(() => new RingQueue());
    this.siteOfPool = Int32Array.from(plan.pools.map((pp) => pp.pool.site));
    this.streams = scenario.sites.map((s) => ctx.streams.stream(`site:${s.name}:uplink`));
  }

  link(parts: Parts): void {
    this.outcomes = parts.outcomes;
    this.links = parts.links;
    this.pools = parts.pools;
  }

  /** A response finished at a cut-off site: it waits in the site's buffer, or is lost when that is full. */
  hold(slot: number, site: number, bytes: number): void {
    const st = this.ctx.siteTallies[site];
    const capacity = this.ctx.scenario.sites[site].uplink.buffer_bytes;
    if (capacity > 0 && this.bufferUsed[site] + bytes <= capacity) {
      this.bufferUsed[site] += bytes;
      this.buffer[site].push(slot);
      st.buffered++;
    } else {
      st.overflow++;
      this.outcomes.lose(slot, LOSS_BUFFER);
    }
  }

  /** One more (delta = 1) or one fewer (delta = −1) outage holds the site's uplink. */
  change(site: number, delta: number): void {
    const ctx = this.ctx;
    const now = ctx.sim.now;
    const wasDown = this.down[site] > 0;
    this.down[site] += delta;
    ctx.availabilityEpoch++;
    const isDown = this.down[site] > 0;
    const st = ctx.siteTallies[site];
    if (!wasDown && isDown) {
      this.downSince[site] = now;
      if (now >= ctx.warmup) st.uplinkOutages++;
      // Requests queued at the site stay: the site itself still works and buffers what it finishes.
    } else if (wasDown && !isDown) {
      st.uplinkDownSeconds += ctx.inWindow(this.downSince[site], now);
      // Forward what waited, in the order it finished.
      const buf = this.buffer[site];
      const rq = ctx.rq;
      while (buf.length > 0) {
        const slot = buf.shift();
        const t = ctx.plan.targets[rq.target[slot]];
        // Not even the first token got out while the uplink was down.
        if (rq.firstToken[slot] < now) rq.firstToken[slot] = now;
        this.links.deliver(slot, t);
      }
      this.bufferUsed[site] = 0;
      // Sequences still generating on an LLM server here: a first token made during the outage gets out now.
      for (const pp of ctx.plan.pools)
        if (pp.pool.site === site && pp.llm !== null)
          this.pools.llm.firstTokensHeld(pp.pool.index, this.downSince[site]);
      for (const pp of ctx.plan.pools) if (pp.pool.site === site) this.pools.dispatch(pp.pool.index);
    }
  }

  /** Event *uplink down*: a random outage starts; its end is drawn. */
  onDown(site: number): void {
    this.change(site, 1);
    this.ctx.sim.schedule(
      this.streams[site].exponential(this.ctx.scenario.sites[site].uplink.mttr_s!),
      this.ctx.kinds.uplinkUp,
      site,
    );
  }

  /** Event *uplink up*: a random outage ends; the next one is drawn. */
  onUp(site: number): void {
    this.change(site, -1);
    this.ctx.sim.schedule(
      this.streams[site].exponential(this.ctx.scenario.sites[site].uplink.mtbf_s!),
      this.ctx.kinds.uplinkDown,
      site,
    );
  }

  /** Schedules each site's first random outage. */
  start(): void {
    const { scenario, sim, kinds } = this.ctx;
    for (const site of scenario.sites) {
      if (site.uplink.mtbf_s !== null)
        sim.schedule(this.streams[site.index].exponential(site.uplink.mtbf_s), kinds.uplinkDown, site.index);
    }
  }

  /** At the end of the run: a site still cut off counts its downtime up to the end. */
  close(): void {
    const { nSites, siteTallies, duration } = this.ctx;
    for (let site = 0; site < nSites; site++) {
      if (this.down[site] > 0) siteTallies[site].uplinkDownSeconds += this.ctx.inWindow(this.downSince[site], duration);
    }
  }
}
