/**
 * Shared links: each site's backhaul (one link inbound, one outbound) and each user group's shared uplinks
 * (towards edge sites, towards cloud regions and APIs), each a first-come-first-served queue.
 *
 * A FIFO queue with known transfer times needs no list: each transfer leaves at
 * max(now, when the previous one leaves) + its own time, in the order it arrives (`FifoLinks.pass`).
 *
 * Owns: when each link is next free and its measured busy/wait/transfer tallies.
 * Handles: *link in* (a request reaches its site and crosses the inbound backhaul) — and sends requests
 * (group uplink → backhaul → *enqueue*) and delivers responses (outbound backhaul → the user).
 */
import type { TargetPlan } from './plan.js';
import type { Simulator } from '../engine/index.js';
import type { RequestTable } from './tables.js';
import type { RunContext, Parts } from './context.js';
import type { Outcomes } from './outcomes.js';
import type { Pools } from './pools.js';
import type { Uplinks } from './uplinks.js';
import { LOSS_USERS_CUT_OFF } from './decisions.js';
import type { PolicyView } from './view.js';

/** A set of FIFO links with known transfer times; tallies count transfers that enter in the measured window. */
export class FifoLinks {
  /** When each link is next free. */
  declare readonly freeAt: Float64Array;
  declare readonly busy: Float64Array;
  declare readonly wait: Float64Array;
  declare readonly count: Float64Array;

  constructor(n: number) {
    this.freeAt = new Float64Array(n);
    this.busy = new Float64Array(n);
    this.wait = new Float64Array(n);
    this.count = new Float64Array(n);
  }

  /** A transfer of `duration` enters link `k` at `now`: returns when it leaves. */
  pass(k: number, now: number, duration: number, measured: boolean): number {
    const start = this.freeAt[k] > now ? this.freeAt[k] : now;
    const leave = start + duration;
    this.freeAt[k] = leave;
    if (measured) {
      this.busy[k] += duration;
      this.wait[k] += start - now;
      this.count[k]++;
    }
    return leave;
  }

  /** How long a transfer entering link `k` at `now` would wait. */
  backlog(k: number, now: number): number {
    return Math.max(0, this.freeAt[k] - now);
  }
}

export class Links {
  declare private readonly ctx: RunContext;
  /** Shortcuts into the context for the event path. */
  declare private readonly sim: Simulator;
  declare private readonly rq: RequestTable;
  declare private readonly targets: TargetPlan[];
  /** Per site: its inbound and outbound backhaul. */
  declare readonly siteIn: FifoLinks;
  declare readonly siteOut: FifoLinks;
  /** Per user group × 2 (towards edge, towards cloud): its shared uplinks. */
  declare readonly groupUp: FifoLinks;
  declare private readonly kinds: RunContext['kinds'];
  declare private readonly warmup: number;
  declare private pools: Pools;
  declare private outcomes: Outcomes;
  declare private uplinks: Uplinks;
  /** Per user group: the site whose LAN it sits on (its WAN traffic crosses that site's uplink), or −1. */
  declare private readonly userGateway: Int32Array;
  declare private view: PolicyView;

  constructor(ctx: RunContext) {
    this.ctx = ctx;
    this.kinds = ctx.kinds;
    this.warmup = ctx.warmup;
    this.sim = ctx.sim;
    this.rq = ctx.rq;
    this.targets = ctx.plan.targets;
    this.siteIn = new FifoLinks(ctx.nSites);
    this.siteOut = new FifoLinks(ctx.nSites);
    this.groupUp = new FifoLinks(ctx.scenario.users.length * 2);
    this.userGateway = ctx.targetTable.userGateway;
  }

  link(parts: Parts): void {
    this.pools = parts.pools;
    this.outcomes = parts.outcomes;
    this.uplinks = parts.uplinks;
    this.view = parts.view;
  }

  /** The request leaves for `targetId`: through its group's shared uplink, then the site's backhaul. */
  send(slot: number, targetId: number): void {
    const t = this.targets[targetId];
    const rq = this.rq;
    rq.target[slot] = targetId;
    const user = rq.user[slot];
    // The network of the placement the view just made (send always follows a placement).
    const view = this.view;
    rq.netDown[slot] = view.pickDown;
    rq.netRtt[slot] = view.pickRtt;
    let up = view.pickUp;
    // First through the group's shared uplink, if it has one: a FIFO queue whose entries come in time order.
    const g = view.pickGroupUp;
    if (g > 0) {
      const now = this.sim.now;
      const leave = this.groupUp.pass(user * 2 + t.groupLink, now, g, now >= this.warmup);
      up += leave - now;
    }
    const kinds = this.kinds;
    const next = t.backhaulIn_s > 0 ? kinds.linkIn : kinds.enqueue;
    if (up > 0 || next === kinds.linkIn) this.sim.schedule(up, next, slot);
    else this.pools.enqueue(slot, false);
  }

  /** Event *link in*: the request crosses its site's inbound backhaul, then is enqueued. */
  onLinkIn(slot: number): void {
    const t = this.targets[this.rq.target[slot]];
    const now = this.sim.now;
    const leave = this.siteIn.pass(t.site, now, t.backhaulIn_s, now >= this.warmup);
    this.sim.scheduleAt(leave, this.kinds.enqueue, slot);
  }

  /**
   * The response leaves the site (through its shared outbound link, if any) and reaches the user — unless the
   * user sits on an edge site's LAN whose uplink is down and the response comes over the WAN: it is lost.
   */
  deliver(slot: number, t: TargetPlan): void {
    const now = this.sim.now;
    const user = this.rq.user[slot];
    const gw = this.userGateway[user];
    if (gw >= 0 && gw !== t.site && this.uplinks.down[gw] > 0) {
      this.outcomes.lose(slot, LOSS_USERS_CUT_OFF);
      return;
    }
    let leave = now;
    if (t.backhaulOut_s > 0) leave = this.siteOut.pass(t.site, now, t.backhaulOut_s, now >= this.warmup);
    const rq = this.rq;
    rq.delivered[slot] = leave + rq.netDown[slot];
    this.outcomes.complete(slot);
  }

  /** Copies the links' tallies into the run's tallies. */
  close(): void {
    const { tallies } = this.ctx;
    const i = this.siteIn;
    const o = this.siteOut;
    tallies.links = this.ctx.scenario.sites.map((_, s) => ({
      inBusy: i.busy[s],
      inWait: i.wait[s],
      inCount: i.count[s],
      outBusy: o.busy[s],
      outWait: o.wait[s],
      outCount: o.count[s],
    }));
    const g = this.groupUp;
    tallies.groupLinks = Array.from({ length: g.busy.length }, (_, k) => ({
      busy: g.busy[k],
      wait: g.wait[k],
      count: g.count[k],
    }));
  }
}
