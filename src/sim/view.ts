/**
 * The policy's view: one reusable request object and one candidate object per target of each service,
 * filled with the estimates of this moment (network, queue wait, execution, cost, carbon, availability),
 * and the calls into the policy (`place`, `deferRequest`) with their answers checked.
 *
 * Scale: the static part of a candidate — whether the user group can reach the target at all, its round
 * trip, up and down times and shared-uplink time — is computed once per (service, user group), and only for
 * the targets that group can reach (a "row", built on its first request from a per-service index: targets
 * every group reaches, a device site's region, a `serves` site's groups). A policy that declares
 * `candidates: 'reachable'` (every built-in does) gets only the row's candidates, so a request from a fleet
 * store costs the same whether the fleet has 10 stores or 10,000. Other policies get every target of the
 * service, as always (unreachable ones unavailable): their cost per request grows with the sites.
 *
 * Owns: the request and candidate objects (allocated once per run; a policy must not keep them).
 * Reads: pools (queues, replicas), links (backlogs), capacity (units, outages), uplinks, managed APIs.
 * Handles no events.
 */
import { gridAt } from '../model/types.js';
import type { Candidate, PlacementRequest } from '../placement/policy.js';
import { estimateApiGco2, estimateGco2, estimateUsd } from './pricing.js';
import type { Simulator } from '../engine/index.js';
import { targetNet, type TargetPlan } from './plan.js';
import type { RunContext, Parts } from './context.js';
import type { Pools } from './pools.js';
import type { Links } from './links.js';
import type { Capacity } from './capacity.js';
import type { Uplinks } from './uplinks.js';
import type { ManagedApis } from './apis.js';
import { CAUSE_API_LIMIT, CAUSE_DOWN, CAUSE_FULL, CAUSE_NONE, Decisions } from './decisions.js';

interface View {
  now: number;
  candidates: Candidate[];
  gridAt: (region: string, t: number) => number;
}

interface ServiceView {
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
  /** Per user group: its row, built on first use. */
  rows: (Row | undefined)[];
}

/** The targets one user group can reach for one service, with the static part of its candidates. */
interface Row {
  /** Positions in the service's targets, ascending. */
  pos: Int32Array;
  rtt: Float64Array;
  up: Float64Array;
  down: Float64Array;
  groupUp: Float64Array;
  /** 1 when the target's site is the group's own LAN (LAN energy; the site's uplink bypassed). */
  lan: Uint8Array;
  /** The service's candidate objects at those positions. */
  cands: Candidate[];
}

export class PolicyView {
  declare private readonly ctx: RunContext;
  /** Shortcuts into the context for the event path. */
  declare private readonly sim: Simulator;
  declare private readonly targets: TargetPlan[];
  declare private readonly views: ServiceView[];
  declare private readonly userRegion: Int32Array;
  /** Per user group: the site whose LAN it sits on and whose uplink its WAN traffic crosses, or −1. */
  declare private readonly userGateway: Int32Array;
  /** The policy takes the pruned view (only reachable candidates). */
  declare private readonly pruned: boolean;
  declare private pools: Pools;
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
  /** The network of the last placement (read by Links.send). */
  pickUp = 0;
  pickDown = 0;
  pickRtt = 0;
  pickGroupUp = 0;

  constructor(ctx: RunContext) {
    this.ctx = ctx;
    this.decisions = new Decisions(ctx.policy.name);
    this.lastSvc = 0;
    this.lastUser = 0;
    this.causeOf = (i) => this.unavailableCause(i);
    this.sim = ctx.sim;
    this.targets = ctx.plan.targets;
    this.pruned = ctx.policy.candidates === 'reachable';
    const { scenario, plan } = ctx;
    this.userRegion = Int32Array.from(scenario.users.map((u) => u.region));
    this.userGateway = Int32Array.from(scenario.users.map((u) => u.lan_site ?? -1));
    const regionByName = new Map(scenario.regions.map((r) => [r.name, r]));
    /** The scenario's grid intensity as a perfect forecast (policies may look ahead with it). */
    const gridForecast = (region: string, t: number): number => {
      const reg = regionByName.get(region);
      return reg ? gridAt(reg, t) : NaN;
    };
    this.views = plan.services.map((sp) => {
      const s = sp.service;
      const request: PlacementRequest = {
        service: s.name,
        serviceIndex: s.index,
        user: '',
        userIndex: 0,
        arrival_s: 0,
        slo_latency_s: s.slo.latency_s,
        slo_ttft_s: s.slo.ttft_s,
        input_tokens: s.request.input_tokens,
        output_tokens: s.request.output_tokens,
        upload_bytes: s.request.upload_bytes,
        download_bytes: s.request.download_bytes,
      };
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
        return {
          pool: api ? api.name : pool!.name,
          poolIndex: pool ? pool.index : -1,
          site: api ? api.name : site!.name,
          kind: api ? 'api' : site!.kind,
          region: scenario.regions[t.region].name,
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
      });
      return {
        request,
        view: { now: 0, candidates, gridAt: gridForecast },
        reachable: { now: 0, candidates: [], gridAt: gridForecast },
        targetIds: Int32Array.from(sp.targets),
        openPos: Int32Array.from(open),
        devicePos,
        servesPos,
        rows: new Array<Row | undefined>(scenario.users.length),
      };
    });
    // The rows of every (service, user group) that sends requests, built now rather than on the first request.
    plan.services.forEach((sp, i) => {
      for (const { user } of sp.service.users) this.row(this.views[i], user);
    });
  }

  link(parts: Parts): void {
    this.pools = parts.pools;
    this.links = parts.links;
    this.capacity = parts.capacity;
    this.uplinks = parts.uplinks;
    this.apis = parts.apis;
  }

  /** Service svc's row for user group `user`: the targets it reaches, with their static network figures. */
  private row(v: ServiceView, user: number): Row {
    const cached = v.rows[user];
    if (cached !== undefined) return cached;
    const { scenario } = this.ctx;
    const region = this.userRegion[user];
    const merged = [...v.openPos, ...(v.devicePos.get(region) ?? []), ...(v.servesPos.get(user) ?? [])].sort(
      (a, b) => a - b,
    );
    const kept: number[] = [];
    const nets = merged.map((i) => targetNet(scenario, this.targets[v.targetIds[i]], user));
    const reach = merged.filter((_, k) => nets[k].reachable);
    for (let k = 0; k < merged.length; k++) if (nets[k].reachable) kept.push(k);
    const row: Row = {
      pos: Int32Array.from(reach),
      rtt: Float64Array.from(kept, (k) => nets[k].rtt_s),
      up: Float64Array.from(kept, (k) => nets[k].up_s),
      down: Float64Array.from(kept, (k) => nets[k].down_s),
      groupUp: Float64Array.from(kept, (k) => nets[k].groupUp_s),
      lan: Uint8Array.from(kept, (k) => (nets[k].lan ? 1 : 0)),
      cands: reach.map((i) => v.view.candidates[i]),
    };
    v.rows[user] = row;
    return row;
  }

  /** Service svc's request, for a request of user group `user` that arrived at `arrival`. */
  private request(svc: number, user: number, arrival: number): ServiceView {
    const v = this.views[svc];
    v.request.arrival_s = arrival;
    v.request.user = this.ctx.scenario.users[user].name;
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
    const row = this.row(v, user);
    const now = this.sim.now;
    const gw = this.userGateway[user];
    // WAN traffic of users on a site's LAN crosses that site's uplink: none while it is down.
    const wanUp = gw < 0 || this.uplinks.down[gw] === 0;
    if (this.pruned) {
      const view = v.reachable;
      view.now = now;
      view.candidates = row.cands;
      for (let k = 0; k < row.pos.length; k++)
        this.fillOne(row.cands[k], v.targetIds[row.pos[k]], user, now, row, k, wanUp);
      return view;
    }
    // Every target, in order; the row's pointer walks along (both ascend).
    const view = v.view;
    view.now = now;
    const cands = view.candidates;
    let k = 0;
    for (let i = 0; i < cands.length; i++) {
      if (k < row.pos.length && row.pos[k] === i) {
        this.fillOne(cands[i], v.targetIds[i], user, now, row, k, wanUp);
        k++;
      } else this.fillOne(cands[i], v.targetIds[i], user, now, null, 0, wanUp);
    }
    return view;
  }

  /**
   * One candidate's estimates now, from the static network figures at position k of its row (row null: the
   * group cannot reach it; zeros). wanUp: the group's WAN traffic can leave its LAN (its gateway is up).
   */
  private fillOne(
    c: Candidate,
    id: number,
    user: number,
    now: number,
    row: Row | null,
    k: number,
    wanUp: boolean,
  ): void {
    const reachable = row !== null;
    const rtt = reachable ? row.rtt[k] : 0;
    const up0 = reachable ? row.up[k] : 0;
    const down0 = reachable ? row.down[k] : 0;
    const gUp0 = reachable ? row.groupUp[k] : 0;
    const lan = reachable && row.lan[k] === 1;
    const ctx = this.ctx;
    const { plan, scenario, nRegions } = ctx;
    const t = this.targets[id];
    const cap = this.capacity;
    const links = this.links;
    const linkDown = cap.linkDown;
    const userRegion = this.userRegion[user];
    if (t.api >= 0) {
      const a = scenario.apis[t.api];
      const exec = t.batchTime[1];
      c.available =
        t.allowed &&
        this.apis.usable[t.api] &&
        this.apis.inFlight[t.api] < a.max_concurrency &&
        wanUp &&
        cap.regionDown[t.region] === 0 &&
        linkDown[userRegion * nRegions + t.region] === 0;
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
      c.carbon_g = estimateApiGco2(t, gridAt(scenario.regions[t.region], now));
      return;
    }
    const pools = this.pools;
    const p = t.pool;
    const servers = pools.serving[p];
    const free = pools.freeCount[p];
    const qAll = pools.queued[p];
    const qThis = pools.queues[t.id].length;
    const B = t.maxBatch;
    let bEff = qThis + 1 < B ? qThis + 1 : B;
    const tB = t.batchTime[B];
    let wait: number;
    if (pools.isLlm[p] === 1) {
      // Continuous batching: it joins the running sequences at the next step unless requests already wait;
      // the tables give times at b concurrent sequences per replica.
      const conc = servers > 0 ? Math.floor(pools.llm.running[p] / servers) + 1 : 1;
      bEff = conc < B ? conc : B;
      if (servers === 0) wait = plan.pools[p].coldStart_s;
      else wait = qAll === 0 ? 0 : (Math.floor(qAll / (servers * B)) + 0.5) * tB;
    } else if (servers === 0) {
      // Nothing serving yet: a unit is booting or would have to start.
      wait = plan.pools[p].coldStart_s + (Math.floor(qAll / B) + 0.5) * tB;
    } else if (free > 0 && qAll < free * B) {
      wait = bEff < B ? t.maxWait : 0;
    } else {
      wait = (Math.floor(qAll / (servers * B)) + 0.5) * tB;
    }
    const exec = t.batchTime[bEff];
    // The shared links' backlog, as it stands now, adds to the transfers.
    let up = t.backhaulIn_s > 0 ? up0 + links.siteIn.backlog(t.site, now) + t.backhaulIn_s : up0;
    if (gUp0 > 0) up += links.groupUp.backlog(user * 2 + t.groupLink, now) + gUp0;
    const down = t.backhaulOut_s > 0 ? down0 + links.siteOut.backlog(t.site, now) + t.backhaulOut_s : down0;
    c.available =
      t.allowed &&
      reachable &&
      ctx.usedForInference[p] &&
      (lan || (wanUp && this.uplinks.down[this.uplinks.siteOfPool[p]] === 0)) &&
      linkDown[userRegion * nRegions + t.region] === 0 &&
      cap.canServe(p) &&
      (qAll < pools.maxQueue[p] || (free > 0 && qAll === 0));
    c.rtt_s = rtt;
    c.network_s = up + down;
    c.queue_s = wait;
    c.exec_s = exec;
    c.latency_s = up + wait + exec + down;
    c.ttft_s = up + wait + t.firstToken[bEff] + rtt / 2;
    c.queue_length = qThis;
    c.busy_servers = pools.busy[p];
    c.servers = servers;
    c.cost_usd = estimateUsd(t, exec, bEff);
    const grid = gridAt(scenario.regions[t.region], now);
    c.carbon_g = estimateGco2(t, exec, bEff, grid);
    // Over the users' own LAN the transfer costs the LAN's energy, not the WAN's.
    if (lan) c.carbon_g -= (t.kwhNetworkPerRequest - t.kwhLanPerRequest) * grid;
  }

  /** Remembers the static network of the chosen candidate (choice: an index into the view's candidates). */
  private pick(v: ServiceView, user: number, choice: number): number {
    const row = v.rows[user]!;
    // (A chosen candidate is available, so reachable: it has a place in the row.)
    const k = this.pruned ? choice : rowIndex(row, choice);
    this.pickUp = row.up[k];
    this.pickDown = row.down[k];
    this.pickRtt = row.rtt[k];
    this.pickGroupUp = row.groupUp[k];
    return v.targetIds[row.pos[k]];
  }

  /** Asks the policy where a request of service svc goes; returns the target id or −1. */
  place(svc: number, user: number, arrival: number): number {
    const v = this.request(svc, user, arrival);
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
    const row = v.rows[user]!;
    // Its place in the row (−1: the group cannot reach it) and its target.
    const k = this.pruned ? i : rowIndex(row, i);
    const t = this.targets[v.targetIds[this.pruned ? row.pos[i] : i]];
    const lan = k >= 0 && row.lan[k] === 1;
    const cap = this.capacity;
    const userRegion = this.userRegion[user];
    const linkDown = cap.linkDown[userRegion * this.ctx.nRegions + t.region] !== 0;
    const gw = this.userGateway[user];
    const cutOff = gw >= 0 && this.uplinks.down[gw] > 0 && !lan;
    if (!t.allowed) return CAUSE_NONE;
    if (t.api >= 0) {
      if (!this.apis.usable[t.api]) return CAUSE_NONE;
      if (cap.regionDown[t.region] !== 0 || linkDown || cutOff) return CAUSE_DOWN;
      return this.apis.inFlight[t.api] >= this.ctx.scenario.apis[t.api].max_concurrency ? CAUSE_API_LIMIT : CAUSE_NONE;
    }
    const p = t.pool;
    if (k < 0 || !this.ctx.usedForInference[p]) return CAUSE_NONE;
    const siteCut = this.uplinks.down[this.uplinks.siteOfPool[p]] > 0 && !lan;
    if (siteCut || cutOff || linkDown || !cap.canServe(p)) return CAUSE_DOWN;
    return this.pools.isFull(p) ? CAUSE_FULL : CAUSE_NONE;
  }

  /** Asks the policy how long to hold a deferrable request arriving now (0 = place it now). */
  deferDelay(svc: number, user: number): number {
    const ctx = this.ctx;
    const service = ctx.scenario.services[svc];
    const now = this.sim.now;
    const v = this.request(svc, user, now);
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

/** The place of service position i in a row (−1 when the row's group cannot reach it). */
function rowIndex(row: Row, i: number): number {
  let lo = 0;
  let hi = row.pos.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (row.pos[mid] < i) lo = mid + 1;
    else hi = mid;
  }
  return row.pos.length > 0 && row.pos[lo] === i ? lo : -1;
}
