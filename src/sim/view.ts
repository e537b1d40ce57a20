/**
 * The policy's view: one reusable request object and one candidate object per target of each service,
 * filled with the estimates of this moment (network, queue wait, execution, cost, carbon, availability),
 * and the calls into the policy (`place`, `deferRequest`) with their answers checked.
 *
 * Scale (docs/performance.md, "Placement at scale"): the static part of a candidate — whether the user group
 * can reach the target at all, its round trip, up and down times, shared-uplink time, whether it is the
 * group's own LAN — is computed once per (service, user group), and only for the targets that group can
 * reach (a "row", built from a per-service index: targets every group reaches, a device site's region, a
 * `serves` site's groups). A policy that declares `candidates: 'reachable'` (every built-in does) gets only
 * the row's candidates, so a request from a fleet store costs the same whether the fleet has 10 stores or
 * 10,000. Other policies get every target of the service, as always (unreachable ones unavailable): their
 * cost per request grows with the sites.
 *
 * What a request reads is kept in few places, so that a request from one of 10,000 sites (whose data is not
 * in the processor's cache) costs few memory reads: a (service, user group)'s header is 32 bytes and its row
 * one run of a flat array; what a target's estimates read — its figures, its queue's length — is its record
 * in the run's target table (target-table.ts, shared with the pools), its batch-timing table another; the
 * pruned view's candidates are a handful of objects per service, reused for every row (only their identity
 * changes with the target), rather than one object per target; the grid intensity is looked up once per
 * region and hour.
 *
 * Owns: the request and candidate objects (allocated once per run; a policy must not keep them).
 * Reads: pools (queues, replicas), links (backlogs), capacity (units, outages), uplinks, managed APIs.
 * Handles no events.
 */
import { gridAt, type Service } from '../model/types.js';
import type { Candidate, PlacementRequest } from '../placement/policy.js';
import { estimateApiGco2 } from './pricing.js';
import type { Simulator } from '../engine/index.js';
import { targetNet, type TargetPlan } from './plan.js';
import type { RunContext, Parts } from './context.js';
import { PI, P_BUSY, P_FREE, P_QUEUED, P_SERVING, type Pools } from './pools.js';
import type { Links } from './links.js';
import type { Capacity } from './capacity.js';
import type { Uplinks } from './uplinks.js';
import type { ManagedApis } from './apis.js';
import {
  F_ALLOWED,
  F_GROUP_LINK_CLOUD,
  F_LLM,
  F_USED,
  T_BACKHAUL_IN,
  T_BACKHAUL_OUT,
  T_FLAGS,
  T_KWH_LAN,
  T_KWH_NET,
  T_KWH_S,
  T_MAX_BATCH,
  T_MAX_QUEUE,
  T_MAX_WAIT,
  T_POOL,
  T_QUEUE,
  T_REGION,
  T_SITE,
  T_TABLE,
  T_USD_NET,
  T_USD_S,
  TR,
} from './target-table.js';
import { CAUSE_API_LIMIT, CAUSE_DOWN, CAUSE_FULL, CAUSE_NONE, Decisions, loneKinds } from './decisions.js';
import { policyUsesPool, type TargetKind } from '../placement/policy.js';

interface View {
  now: number;
  candidates: Candidate[];
  gridAt: (region: string, t: number) => number;
}

/** A row entry: [position in the service's targets, target id, rtt, up, down, shared-uplink time, on LAN]. */
const R_POS = 0;
const R_ID = 1;
const R_RTT = 2;
const R_UP = 3;
const R_DOWN = 4;
const R_GROUP_UP = 5;
const R_LAN = 6;
const RS = 7;

/**
 * Per (service, user group), its header: where its row starts in rowData (−1: not built yet), its length,
 * the group's gateway (the site whose LAN it sits on, −1: none), its region, and the entry the policy takes
 * alone whenever it is available (−1: none; see `place`) with that entry's target record (id × TR) and pool
 * (−1: an API), and the availability epoch at which that pool target was last found available with replicas
 * serving (−1: never; see `place`) — one 32-byte read.
 */
const H_START = 0;
const H_LEN = 1;
const H_GW = 2;
const H_REGION = 3;
const H_LONE = 4;
const H_LONE_REC = 5;
const H_LONE_POOL = 6;
const H_LONE_EPOCH = 7;
const HS = 8;

/** A candidate whose identity the view sets (a policy sees Candidate, read-only where it must not write). */
type Cand = { -readonly [K in keyof Candidate]: Candidate[K] };

export class PolicyView {
  declare private readonly ctx: RunContext;
  /** Shortcuts into the context for the event path. */
  declare private readonly sim: Simulator;
  declare private readonly targets: TargetPlan[];
  declare private readonly views: ServiceView[];
  declare private readonly userNames: string[];
  /** Per target: its record (target-table.ts T_*), and the batch tables (time, first token per batch size). */
  declare private readonly rec: Float64Array;
  declare private readonly table: Float64Array;
  /** The records as int32s: a target's queue length at 2 × (record + T_QUEUE) + 1 (target-table.ts). */
  declare private readonly qi: Int32Array;
  /** Per region: the grid intensity of the hour [gridFrom, gridTo) (refreshed when the hour changes). */
  declare private readonly gridValue: Float64Array;
  declare private readonly gridFrom: Float64Array;
  declare private readonly gridTo: Float64Array;
  /** The policy takes the pruned view (only reachable candidates). */
  declare private readonly pruned: boolean;
  declare private pools: Pools;
  /** The pools' per-pool records (pools.ts PC, P_*): serving, free, busy, queued on one line. */
  declare private pi: Int32Array;
  declare private links: Links;
  declare private capacity: Capacity;
  declare private uplinks: Uplinks;
  declare private apis: ManagedApis;
  declare private readonly decisions: Decisions;
  /** Why the last placement went where it did (a code of decisions.ts), or why it was refused. */
  lastDecision = 0;
  lastRejectCause = 0;
  /** The service and user of the last fill, for `unavailableCause`. */
  declare private lastSvc: number;
  declare private lastUser: number;
  declare private readonly causeOf: (i: number) => number;
  /**
   * The policy takes a lone available candidate whatever its estimates (of any kind, or of loneKind: decisions.ts
   * loneKinds).
   */
  declare private readonly loneFast: boolean;
  declare private readonly loneKind: TargetKind | null;
  /** Per managed API: the policy may place on it (as ManagedApis.usable). */
  declare private readonly apiUsable: boolean[];
  /**
   * When the request being placed arrived: set by the caller of `place` (a field, not an argument: place is
   * too large to inline, and a double argument to a call that is not inlined is boxed on every request).
   */
  arrivalAt = 0;
  /** The network of the last placement (read by Links.send). */
  pickUp = 0;
  pickDown = 0;
  pickRtt = 0;
  pickGroupUp = 0;

  constructor(ctx: RunContext) {
    this.ctx = ctx;
    const lone = loneKinds(ctx.policy);
    this.loneFast = lone !== 'none';
    this.loneKind = lone === 'none' ? null : lone;
    this.apiUsable = ctx.scenario.apis.map((a) => policyUsesPool(ctx.policy, a.name, 'api'));
    this.decisions = new Decisions(ctx.policy.name);
    // Fractions (lastSvc and lastUser come from event arguments, which are doubles): each starts as one (see
    // the Simulator's constructor).
    this.lastSvc = this.lastUser = 0.5;
    this.lastSvc = this.lastUser = 0;
    this.pickUp = this.pickDown = this.pickRtt = this.pickGroupUp = this.arrivalAt = 0.5;
    this.pickUp = this.pickDown = this.pickRtt = this.pickGroupUp = this.arrivalAt = 0;
    this.causeOf = (i) => this.unavailableCause(i);
    this.sim = ctx.sim;
    this.targets = ctx.plan.targets;
    this.pruned = ctx.policy.candidates === 'reachable';
    const { scenario, plan } = ctx;
    this.userNames = scenario.users.map((u) => u.name);
    this.rec = ctx.targetTable.rec;
    this.table = ctx.targetTable.table;
    this.qi = ctx.targetTable.qi;
    const gateway = ctx.targetTable.userGateway;
    const nRegions = scenario.regions.length;
    this.gridValue = new Float64Array(nRegions);
    this.gridFrom = new Float64Array(nRegions).fill(Infinity);
    this.gridTo = new Float64Array(nRegions).fill(-Infinity);
    const regionByName = new Map(scenario.regions.map((r) => [r.name, r]));
    /** The scenario's grid intensity as a perfect forecast (policies may look ahead with it). */
    const gridForecast = (region: string, t: number): number => {
      const reg = regionByName.get(region);
      return reg ? gridAt(reg, t) : NaN;
    };
    const nUsers = scenario.users.length;
    this.views = plan.services.map((sp) => {
      const s = sp.service;
      const request = new RequestState(s);
      const open: number[] = [];
      const devicePos = new Map<number, number[]>();
      const servesPos = new Map<number, number[]>();
      const push = (m: Map<number, number[]>, k: number, v: number) => {
        const list = m.get(k);
        if (list === undefined) m.set(k, [v]);
        else list.push(v);
      };
      const candidates: Candidate[] = sp.targets.map((id, i) => {
        const t = plan.targets[id];
        const api = t.api >= 0 ? scenario.apis[t.api] : null;
        const pool = t.pool >= 0 ? scenario.pools[t.pool] : null;
        const site = pool ? scenario.sites[pool.site] : null;
        if (site !== null && site.kind === 'device') push(devicePos, site.region, i);
        else if (site !== null && site.serves !== null) for (const u of site.serves) push(servesPos, u, i);
        else open.push(i);
        const c = newCandidate();
        c.pool = api ? api.name : pool!.name;
        c.poolIndex = pool ? pool.index : -1;
        c.site = api ? api.name : site!.name;
        c.kind = api ? 'api' : site!.kind;
        c.region = scenario.regions[t.region].name;
        return c;
      });
      const hdr = new Int32Array(nUsers * HS);
      for (let u = 0; u < nUsers; u++) {
        hdr[u * HS + H_START] = -1;
        hdr[u * HS + H_LONE] = -1;
        hdr[u * HS + H_LONE_POOL] = -1;
        hdr[u * HS + H_LONE_EPOCH] = -1;
        hdr[u * HS + H_GW] = gateway[u];
        hdr[u * HS + H_REGION] = scenario.users[u].region;
      }
      return new ServiceView(
        request,
        new ViewState(candidates, gridForecast),
        new ViewState([], gridForecast),
        Int32Array.from(sp.targets),
        Int32Array.from(open),
        devicePos,
        servesPos,
        hdr,
      );
    });
    // The rows of every (service, user group) that sends requests, built now rather than on the first request.
    plan.services.forEach((sp, i) => {
      for (const { user } of sp.service.users) this.row(this.views[i], user);
    });
  }

  link(parts: Parts): void {
    this.pools = parts.pools;
    this.pi = parts.pools.pi;
    this.links = parts.links;
    this.capacity = parts.capacity;
    this.uplinks = parts.uplinks;
    this.apis = parts.apis;
  }

  /**
   * Service v's row for user group `user` (the targets it reaches, with their static network figures): the
   * offset of its first entry in v.rowData, its length in the group's header. Built on first use.
   */
  private row(v: ServiceView, user: number): number {
    const cached = v.hdr[user * HS + H_START];
    if (cached >= 0) return cached;
    const { scenario } = this.ctx;
    const region = v.hdr[user * HS + H_REGION];
    const merged = [...v.openPos, ...(v.devicePos.get(region) ?? []), ...(v.servesPos.get(user) ?? [])].sort(
      (a, b) => a - b,
    );
    let n = 0;
    const entries: number[] = [];
    for (const i of merged) {
      const id = v.targetIds[i];
      const net = targetNet(scenario, this.targets[id], user);
      if (!net.reachable) continue;
      entries.push(i, id, net.rtt_s, net.up_s, net.down_s, net.groupUp_s, net.lan ? 1 : 0);
      n++;
    }
    if (v.rowUsed + entries.length > v.rowData.length) {
      const grown = new Float64Array(Math.max(2 * v.rowData.length, v.rowUsed + entries.length));
      grown.set(v.rowData);
      v.rowData = grown;
    }
    const start = v.rowUsed;
    v.rowData.set(entries, start);
    v.rowUsed += entries.length;
    v.hdr[user * HS + H_START] = start;
    v.hdr[user * HS + H_LEN] = n;
    const lone = this.loneEntry(v, entries, n);
    v.hdr[user * HS + H_LONE] = lone;
    if (lone >= 0) {
      const id = entries[lone * RS + R_ID];
      v.hdr[user * HS + H_LONE_REC] = id * TR;
      v.hdr[user * HS + H_LONE_POOL] = this.targets[id].pool;
    }
    // Enough reusable candidates for the longest row.
    while (v.scratch.length < n) {
      v.scratch.push(newCandidate());
      v.byLen.push(v.scratch.slice());
    }
    if (v.scratchId.length < v.scratch.length) v.scratchId = new Int32Array(v.scratch.length).fill(-1);
    return start;
  }

  /**
   * Of a row (its n entries), the one a lone-taking policy (loneFast) chooses whenever it is available, or −1:
   * the row's only entry the policy could ever place on (its residency allows it and the policy uses its pool
   * or API; the others are unavailable all run long, with no passing cause), if of a kind the policy takes.
   * With one such candidate, each of these built-ins chooses it exactly when it is available, whatever the
   * estimates, and the placement is classified "only available candidate", as the full path would.
   */
  private loneEntry(v: ServiceView, entries: number[], n: number): number {
    if (!this.loneFast) return -1;
    let found = -1;
    for (let k = 0; k < n; k++) {
      const t = this.targets[entries[k * RS + R_ID]];
      const usable = t.allowed && (t.pool >= 0 ? this.ctx.usedForInference[t.pool] : this.apiUsable[t.api]);
      if (!usable) continue;
      if (found >= 0) return -1;
      found = k;
    }
    if (found < 0) return -1;
    const kind = v.view.candidates[entries[found * RS + R_POS]].kind;
    return this.loneKind === null || kind === this.loneKind ? found : -1;
  }

  /** Service svc's request, for a request of user group `user` that arrived at `arrivalAt`. */
  private request(svc: number, user: number): ServiceView {
    const v = this.views[svc];
    v.request.arrival_s = this.arrivalAt;
    v.request.user = this.userNames[user];
    v.request.userIndex = user;
    return v;
  }

  /**
   * Fills service svc's candidates for a request of user group `user`: the row's (pruned view) or every
   * target's. (The arrival time is set by `request`, kept small enough to inline: a double passed to this
   * large function would be boxed.)
   */
  private fill(svc: number, user: number): View {
    const v = this.views[svc];
    const h = user * HS;
    // (The rows of a service's user groups are built with the view, so row() is asked only for a first use:
    // called on every request it was hot enough to be compiled on its own, for nothing.)
    const built = v.hdr[h + H_START];
    const start = built >= 0 ? built : this.row(v, user);
    const n = v.hdr[h + H_LEN];
    const data = v.rowData;
    const now = this.sim.now;
    const gw = v.hdr[h + H_GW];
    const userRegion = v.hdr[h + H_REGION];
    // WAN traffic of users on a site's LAN crosses that site's uplink: none while it is down.
    const wanUp = gw < 0 || this.uplinks.down[gw] === 0;
    if (this.pruned) {
      const view = v.reachable;
      view.now = now;
      const cands = v.byLen[n];
      view.candidates = cands;
      const ids = v.scratchId;
      for (let k = 0; k < n; k++) {
        const off = start + k * RS;
        // (The packed rows and records are Float64Arrays: ids and indices read from them are made integers
        // once, here and below, rather than converted again at every array index they are used in.)
        const id = data[off + R_ID] | 0;
        const c = cands[k];
        if (ids[k] !== id) {
          // A different target in this place than last time: its identity.
          const full = v.view.candidates[data[off + R_POS]];
          c.pool = full.pool;
          c.poolIndex = full.poolIndex;
          c.site = full.site;
          c.kind = full.kind;
          c.region = full.region;
          ids[k] = id;
        }
        this.fillOne(c, id, user, userRegion, now, data, off, wanUp);
      }
      return view;
    }
    // Every target, in order; the row's pointer walks along (both ascend).
    const view = v.view;
    view.now = now;
    const cands = view.candidates;
    let k = 0;
    for (let i = 0; i < cands.length; i++) {
      const off = start + k * RS;
      if (k < n && data[off + R_POS] === i) {
        this.fillOne(cands[i], v.targetIds[i], user, userRegion, now, data, off, wanUp);
        k++;
      } else this.fillOne(cands[i], v.targetIds[i], user, userRegion, now, data, -1, wanUp);
    }
    return view;
  }

  /** The grid intensity of region r at time `now` (looked up once per region and hour). */
  private grid(r: number, now: number): number {
    if (now >= this.gridFrom[r] && now < this.gridTo[r]) return this.gridValue[r];
    const region = this.ctx.scenario.regions[r];
    const value = gridAt(region, now);
    const hour = Math.floor(now / 3600);
    this.gridValue[r] = value;
    this.gridFrom[r] = region.grid_hourly === null ? -Infinity : hour * 3600;
    this.gridTo[r] = region.grid_hourly === null ? Infinity : (hour + 1) * 3600;
    return value;
  }

  /**
   * One candidate's estimates now, from the static network figures of its row entry at data[off] (off −1:
   * the group cannot reach it; zeros). wanUp: the group's WAN traffic can leave its LAN (its gateway is up).
   */
  private fillOne(
    c: Candidate,
    id: number,
    user: number,
    userRegion: number,
    now: number,
    data: Float64Array,
    off: number,
    wanUp: boolean,
  ): void {
    const reachable = off >= 0;
    const rtt = reachable ? data[off + R_RTT] : 0;
    const up0 = reachable ? data[off + R_UP] : 0;
    const down0 = reachable ? data[off + R_DOWN] : 0;
    const gUp0 = reachable ? data[off + R_GROUP_UP] : 0;
    const lan = reachable && data[off + R_LAN] === 1;
    const ctx = this.ctx;
    const links = this.links;
    const rec = this.rec;
    const r = id * TR;
    const p = rec[r + T_POOL] | 0;
    if (p < 0) {
      const t = this.targets[id];
      const a = ctx.scenario.apis[t.api];
      const exec = t.batchTime[1];
      c.available = this.apiAvailable(id, userRegion, wanUp);
      c.rtt_s = rtt;
      const gUp = gUp0 > 0 ? links.groupUp.backlog(user * 2 + 1, now) + gUp0 : 0;
      c.network_s = up0 + gUp + down0;
      c.queue_s = 0;
      c.exec_s = exec;
      c.latency_s = c.network_s + exec;
      c.ttft_s = up0 + gUp + t.firstToken[1] + c.rtt_s / 2;
      c.queue_length = 0;
      c.busy_servers = this.apis.inFlight[t.api];
      c.servers = a.max_concurrency;
      c.cost_usd = t.usdPerUse;
      c.carbon_g = estimateApiGco2(t, this.grid(t.region, now));
      return;
    }
    const region = rec[r + T_REGION] | 0;
    const site = rec[r + T_SITE] | 0;
    const flags = rec[r + T_FLAGS];
    const llm = (flags & F_LLM) !== 0;
    const pools = this.pools;
    const pi = this.pi;
    const servers = pi[p * PI + P_SERVING];
    const free = pi[p * PI + P_FREE];
    const qAll = pi[p * PI + P_QUEUED];
    const qThis = this.qi[2 * (r + T_QUEUE) + 1];
    const B = rec[r + T_MAX_BATCH] | 0;
    const table = this.table;
    const tb = rec[r + T_TABLE] | 0;
    let bEff = qThis + 1 < B ? qThis + 1 : B;
    // (A full batch's time, tB = table[tb + 2 * B], is read in the two branches that use it: an LLM pool's
    // estimate does not.)
    let wait: number;
    if (llm) {
      // Continuous batching: the simulator's step model at the pool's load now (llm-estimate.ts).
      const e = pools.llm.estimate(id, p, servers, qAll, free > 0);
      bEff = e.batch;
      wait = servers === 0 ? ctx.plan.pools[p].coldStart_s + e.wait_s : e.wait_s;
    } else if (servers === 0) {
      // Nothing serving yet: a unit is booting or would have to start.
      wait = ctx.plan.pools[p].coldStart_s + (Math.floor(qAll / B) + 0.5) * table[tb + 2 * B];
    } else if (free > 0 && qAll < free * B) {
      wait = bEff < B ? rec[r + T_MAX_WAIT] : 0;
    } else {
      wait = (Math.floor(qAll / (servers * B)) + 0.5) * table[tb + 2 * B];
    }
    const exec = llm ? pools.llm.est.total_s : table[tb + 2 * bEff];
    // The shared links' backlog, as it stands now, adds to the transfers.
    const inS = rec[r + T_BACKHAUL_IN];
    const outS = rec[r + T_BACKHAUL_OUT];
    let up = inS > 0 ? up0 + links.siteIn.backlog(site, now) + inS : up0;
    if (gUp0 > 0) up += links.groupUp.backlog(user * 2 + ((flags & F_GROUP_LINK_CLOUD) !== 0 ? 1 : 0), now) + gUp0;
    const down = outS > 0 ? down0 + links.siteOut.backlog(site, now) + outS : down0;
    c.available = this.poolAvailable(r, p, userRegion, reachable, lan, wanUp);
    c.rtt_s = rtt;
    c.network_s = up + down;
    c.queue_s = wait;
    c.exec_s = exec;
    c.latency_s = up + wait + exec + down;
    c.ttft_s = up + wait + (llm ? pools.llm.est.first_token_s : table[tb + 2 * bEff + 1]) + rtt / 2;
    c.queue_length = qThis;
    c.busy_servers = pi[p * PI + P_BUSY];
    c.servers = servers;
    // As pricing.ts's estimateUsd and estimateGco2, from the packed figures.
    c.cost_usd = (rec[r + T_USD_S] * exec) / bEff + rec[r + T_USD_NET];
    const grid = this.grid(region, now);
    c.carbon_g = ((rec[r + T_KWH_S] * exec) / bEff + rec[r + T_KWH_NET]) * grid;
    // Over the users' own LAN the transfer costs the LAN's energy, not the WAN's.
    if (lan) c.carbon_g -= (rec[r + T_KWH_NET] - rec[r + T_KWH_LAN]) * grid;
  }

  /** Whether API target id can take a request of a group in region userRegion now (wanUp: its LAN's uplink is up). */
  private apiAvailable(id: number, userRegion: number, wanUp: boolean): boolean {
    const t = this.targets[id];
    const cap = this.capacity;
    return (
      t.allowed &&
      this.apis.usable[t.api] &&
      this.apis.inFlight[t.api] < this.ctx.scenario.apis[t.api].max_concurrency &&
      wanUp &&
      cap.regionDown[t.region] === 0 &&
      cap.linkDown[userRegion * this.ctx.nRegions + t.region] === 0
    );
  }

  /**
   * Whether the pool target whose record is at rec[r] (pool p) can take a request of a group in region
   * userRegion now (lan: over its own LAN). Read from the record: residency, whether the policy uses the pool,
   * max_queue; a pool with replicas serving can serve (Capacity.canServe is asked only when none is).
   */
  private poolAvailable(
    r: number,
    p: number,
    userRegion: number,
    reachable: boolean,
    lan: boolean,
    wanUp: boolean,
  ): boolean {
    const rec = this.rec;
    return (
      (rec[r + T_FLAGS] & (F_ALLOWED | F_USED)) === (F_ALLOWED | F_USED) &&
      reachable &&
      (lan || (wanUp && this.uplinks.down[rec[r + T_SITE] | 0] === 0)) &&
      this.capacity.linkDown[userRegion * this.ctx.nRegions + (rec[r + T_REGION] | 0)] === 0 &&
      (this.pi[p * PI + P_SERVING] > 0 || this.capacity.canServe(p)) &&
      this.queueOpen(r, p)
    );
  }

  /**
   * Whether the queue of pool target r (record offset; pool p) takes a request now: below max_queue, or
   * nothing queued and a replica free. The one part of a pool target's availability that moves with every
   * request (RunContext.availabilityEpoch).
   */
  private queueOpen(r: number, p: number): boolean {
    const pi = this.pi;
    const qAll = pi[p * PI + P_QUEUED];
    return qAll < this.rec[r + T_MAX_QUEUE] || (pi[p * PI + P_FREE] > 0 && qAll === 0);
  }

  /** The offset of the row entry of the chosen candidate (choice: an index into the view's candidates). */
  private entryOf(v: ServiceView, user: number, choice: number): number {
    const start = v.hdr[user * HS + H_START];
    return this.pruned ? start + choice * RS : rowEntry(v.rowData, start, v.hdr[user * HS + H_LEN], choice);
  }

  /** Remembers the static network of the chosen candidate and returns its target id. */
  private pick(v: ServiceView, user: number, choice: number): number {
    // (A chosen candidate is available, so reachable: it has an entry in the row.)
    return this.pickEntry(v.rowData, this.entryOf(v, user, choice));
  }

  /** Remembers the static network of the row entry at data[off] and returns its target id. */
  private pickEntry(data: Float64Array, off: number): number {
    this.pickUp = data[off + R_UP];
    this.pickDown = data[off + R_DOWN];
    this.pickRtt = data[off + R_RTT];
    this.pickGroupUp = data[off + R_GROUP_UP];
    return data[off + R_ID] | 0;
  }

  /**
   * Asks the policy where a request of service svc goes (that arrived at `arrivalAt`, set by the caller);
   * returns the target id or −1.
   */
  place(svc: number, user: number): number {
    // One candidate the policy could ever place on, and a policy that takes such a one whenever it is
    // available (loneEntry): its availability is the answer (classified as the only available candidate),
    // without estimates or a call into the policy. Unavailable, the full path below fills the view to say why.
    if (this.loneFast) {
      const sv = this.views[svc];
      const hdr = sv.hdr;
      const h = user * HS;
      // (The rows of a service's user groups are built with the view: row() only for a first use.)
      const built = hdr[h + H_START];
      const start = built >= 0 ? built : this.row(sv, user);
      const k = hdr[h + H_LONE];
      if (k >= 0) {
        const data = sv.rowData;
        const off = start + k * RS;
        const r = hdr[h + H_LONE_REC];
        const p = hdr[h + H_LONE_POOL];
        // A pool target found available with replicas serving stays so, but for its queue, until the epoch
        // moves (RunContext.availabilityEpoch): then only its queue is asked. Otherwise the whole test; an
        // available pool target with replicas serving is remembered.
        const epoch = this.ctx.availabilityEpoch;
        let ok: boolean;
        if (hdr[h + H_LONE_EPOCH] === epoch) ok = this.queueOpen(r, p);
        else {
          const gw = hdr[h + H_GW];
          const wanUp = gw < 0 || this.uplinks.down[gw] === 0;
          const userRegion = hdr[h + H_REGION];
          ok =
            p < 0
              ? this.apiAvailable(data[off + R_ID], userRegion, wanUp)
              : this.poolAvailable(r, p, userRegion, true, data[off + R_LAN] === 1, wanUp);
          if (ok && p >= 0 && this.pi[p * PI + P_SERVING] > 0) hdr[h + H_LONE_EPOCH] = epoch;
        }
        if (ok) {
          // (lastSvc and lastUser are for unavailableCause, which only a fill asks.)
          this.lastDecision = 0;
          // (The entry the full path's pick would find for this choice.)
          return this.pickEntry(data, off);
        }
      }
    }
    return this.placeByPolicy(svc, user);
  }

  /**
   * The full path of `place`: fills the view, asks the policy, checks and classifies its answer. A method of
   * its own, so that what changes from one policy to the next (the policy's code, which V8 inlines here, and
   * the paths of classify it takes) recompiles this, not the lone-candidate path above.
   */
  private placeByPolicy(svc: number, user: number): number {
    const v = this.request(svc, user);
    const view = this.fill(svc, user);
    const policy = this.ctx.policy;
    const choice = policy.place(v.request, view);
    const cands = view.candidates;
    this.lastSvc = svc;
    this.lastUser = user;
    if (choice === -1) {
      this.lastRejectCause = this.decisions.rejectCause(cands, v.request, this.causeOf);
      return -1;
    }
    if (!(Number.isInteger(choice) && choice >= 0 && choice < cands.length) || !cands[choice].available) {
      throw new Error(
        `policy "${policy.name}" returned ${String(choice)} for service "${this.ctx.scenario.services[svc].name}": ` +
          `expected -1 or the index of an available candidate (0..${cands.length - 1})`,
      );
    }
    this.lastDecision = this.decisions.classify(cands, choice, v.request, this.causeOf);
    return this.pick(v, user, choice);
  }

  /** Why candidate i of the last fill is unavailable, if for a passing reason (decisions.ts). */
  private unavailableCause(i: number): number {
    const v = this.views[this.lastSvc];
    const user = this.lastUser;
    // Its row entry (−1: the group cannot reach it) and its target.
    const off = this.entryOf(v, user, i);
    const t = this.targets[this.pruned ? v.rowData[off + R_ID] : v.targetIds[i]];
    const lan = off >= 0 && v.rowData[off + R_LAN] === 1;
    const cap = this.capacity;
    const userRegion = v.hdr[user * HS + H_REGION];
    const linkDown = cap.linkDown[userRegion * this.ctx.nRegions + t.region] !== 0;
    const gw = v.hdr[user * HS + H_GW];
    const cutOff = gw >= 0 && this.uplinks.down[gw] > 0 && !lan;
    if (!t.allowed) return CAUSE_NONE;
    if (t.api >= 0) {
      if (!this.apis.usable[t.api]) return CAUSE_NONE;
      if (cap.regionDown[t.region] !== 0 || linkDown || cutOff) return CAUSE_DOWN;
      return this.apis.inFlight[t.api] >= this.ctx.scenario.apis[t.api].max_concurrency ? CAUSE_API_LIMIT : CAUSE_NONE;
    }
    const p = t.pool;
    if (off < 0 || !this.ctx.usedForInference[p]) return CAUSE_NONE;
    const siteCut = this.uplinks.down[this.uplinks.siteOfPool[p]] > 0 && !lan;
    if (siteCut || cutOff || linkDown || !cap.canServe(p)) return CAUSE_DOWN;
    return this.pools.isFull(p) ? CAUSE_FULL : CAUSE_NONE;
  }

  /** Asks the policy how long to hold a deferrable request arriving now (0 = place it now). */
  deferDelay(svc: number, user: number): number {
    const ctx = this.ctx;
    const service = ctx.scenario.services[svc];
    const now = this.sim.now;
    this.arrivalAt = now;
    const v = this.request(svc, user);
    const view = this.fill(svc, user);
    const delay = ctx.policy.deferRequest!(v.request, view, now + service.deferrable_s!);
    if (!(delay >= 0 && delay <= service.deferrable_s!)) {
      throw new Error(
        `policy "${ctx.policy.name}" returned ${String(delay)} from deferRequest for service "${service.name}": expected 0..${service.deferrable_s} s`,
      );
    }
    return delay;
  }
}

/*
 * A service's view state is made of class instances rather than object literals: V8 builds a literal's
 * boilerplate the second time the literal runs, and doing so generalises the fields that hold objects; a
 * literal that runs once per service per run would throw away the compiled placement path at the start of
 * every policy's run after the first. (Fields that will hold fractions start as one: see the Simulator's
 * constructor.) Policies see the same fields, in the same order.
 */
class RequestState implements PlacementRequest {
  service: string;
  serviceIndex: number;
  user = '';
  userIndex = 0;
  arrival_s = 0.5;
  slo_latency_s: number | null;
  slo_ttft_s: number | null;
  input_tokens: number;
  output_tokens: number;
  upload_bytes: number;
  download_bytes: number;

  constructor(s: Service) {
    this.service = s.name;
    this.serviceIndex = s.index;
    this.arrival_s = 0;
    this.slo_latency_s = s.slo.latency_s;
    this.slo_ttft_s = s.slo.ttft_s;
    this.input_tokens = s.request.input_tokens;
    this.output_tokens = s.request.output_tokens;
    this.upload_bytes = s.request.upload_bytes;
    this.download_bytes = s.request.download_bytes;
  }
}

class ViewState implements View {
  now = 0.5;
  candidates: Candidate[];
  gridAt: View['gridAt'];

  constructor(candidates: Candidate[], gridAt: View['gridAt']) {
    this.now = 0;
    this.candidates = candidates;
    this.gridAt = gridAt;
  }
}

/** One service's placement state: its views, reachability index and packed rows (built once per run; a class so that every run gives it one hidden class). */
class ServiceView {
  request: PlacementRequest;
  /** Every target of the service (policies with candidates: 'all'). */
  view: View;
  /** The reachable targets of the request's user group (policies with candidates: 'reachable'). */
  reachable: View;
  targetIds: Int32Array;
  /** Positions (in targetIds) every user group reaches; per region, of device sites; per group, of `serves` sites. */
  openPos: Int32Array;
  devicePos: Map<number, number[]>;
  servesPos: Map<number, number[]>;
  /** The rows, one after another (RS numbers per entry); per user group, its header (H_*). */
  rowData = new Float64Array(RS * 16);
  rowUsed = 0;
  hdr: Int32Array;
  /** The pruned view's candidate objects, reused for every row; byLen[n]: the first n of them. */
  scratch: Cand[] = [];
  byLen: Cand[][] = [[]];
  /** The target each scratch candidate's identity (pool, site, kind, region) is of now. */
  scratchId = new Int32Array(0);

  constructor(
    request: PlacementRequest,
    view: View,
    reachable: View,
    targetIds: Int32Array,
    openPos: Int32Array,
    devicePos: Map<number, number[]>,
    servesPos: Map<number, number[]>,
    hdr: Int32Array,
  ) {
    this.request = request;
    this.view = view;
    this.reachable = reachable;
    this.targetIds = targetIds;
    this.openPos = openPos;
    this.devicePos = devicePos;
    this.servesPos = servesPos;
    this.hdr = hdr;
  }
}

/** A candidate object with its fields in one order (one hidden class for all of them). */
function newCandidate(): Cand {
  return {
    pool: '',
    poolIndex: -1,
    site: '',
    kind: 'cloud',
    region: '',
    available: true,
    rtt_s: 0,
    network_s: 0,
    queue_s: 0,
    exec_s: 0,
    latency_s: 0,
    ttft_s: 0,
    queue_length: 0,
    busy_servers: 0,
    servers: 0,
    cost_usd: 0,
    carbon_g: 0,
  };
}

/** The offset of the entry for service position i in the row at data[start] of n entries (−1: none). */
function rowEntry(data: Float64Array, start: number, n: number, i: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (data[start + mid * RS + R_POS] < i) lo = mid + 1;
    else hi = mid;
  }
  return n > 0 && data[start + lo * RS + R_POS] === i ? start + lo * RS : -1;
}
