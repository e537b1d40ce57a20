/**
 * The policy's view: one reusable request object and one candidate object per target of each service,
 * filled with the estimates of this moment (network, queue wait, execution, cost, carbon, availability),
 * and the calls into the policy (`place`, `deferRequest`) with their answers checked.
 *
 * Owns: the request and candidate objects (allocated once per run; a policy must not keep them).
 * Reads: pools (queues, replicas), links (backlogs), capacity (units, outages), uplinks, managed APIs.
 * Handles no events.
 */
import { gridAt } from '../model/types.js';
import type { Candidate, PlacementRequest } from '../placement/policy.js';
import { estimateApiGco2, estimateGco2, estimateUsd } from './pricing.js';
import type { Simulator } from '../engine/index.js';
import type { TargetPlan } from './plan.js';
import type { RunContext, Parts } from './context.js';
import type { Pools } from './pools.js';
import type { Links } from './links.js';
import type { Capacity } from './capacity.js';
import type { Uplinks } from './uplinks.js';
import type { ManagedApis } from './apis.js';
import { CAUSE_API_LIMIT, CAUSE_DOWN, CAUSE_FULL, CAUSE_NONE, Decisions } from './decisions.js';

interface ServiceView {
  request: PlacementRequest;
  view: { now: number; candidates: Candidate[]; gridAt: (region: string, t: number) => number };
  targetIds: Int32Array;
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

  constructor(ctx: RunContext) {
    this.ctx = ctx;
    this.decisions = new Decisions(ctx.policy.name);
    this.lastSvc = 0;
    this.lastUser = 0;
    this.causeOf = (i) => this.unavailableCause(i);
    this.sim = ctx.sim;
    this.targets = ctx.plan.targets;
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
      const candidates: Candidate[] = sp.targets.map((id) => {
        const t = plan.targets[id];
        const api = t.api >= 0 ? scenario.apis[t.api] : null;
        const pool = t.pool >= 0 ? scenario.pools[t.pool] : null;
        const site = pool ? scenario.sites[pool.site] : null;
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
      return { request, view: { now: 0, candidates, gridAt: gridForecast }, targetIds: Int32Array.from(sp.targets) };
    });
  }

  link(parts: Parts): void {
    this.pools = parts.pools;
    this.links = parts.links;
    this.capacity = parts.capacity;
    this.uplinks = parts.uplinks;
    this.apis = parts.apis;
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
   * Fills service svc's candidates for a request of user group `user`. (The arrival time is set by
   * `request`, kept small enough to inline: a double passed to this large function would be boxed.)
   */
  private fill(svc: number, user: number): ServiceView {
    const ctx = this.ctx;
    const { plan, scenario, nRegions } = ctx;
    const v = this.views[svc];
    const cands = v.view.candidates;
    const now = this.sim.now;
    v.view.now = now;
    // Everything the loop reads, loaded once: the calls inside it cannot then force reloads.
    const targets = this.targets;
    const pools = this.pools;
    const serving = pools.serving;
    const freeCount = pools.freeCount;
    const queued = pools.queued;
    const queues = pools.queues;
    const busy = pools.busy;
    const isLlm = pools.isLlm;
    const llm = pools.llm;
    const maxQueue = pools.maxQueue;
    const cap = this.capacity;
    const links = this.links;
    const groupUp = links.groupUp;
    const linkDown = cap.linkDown;
    const uplinkDown = this.uplinks.down;
    const siteOfPool = this.uplinks.siteOfPool;
    const usedForInference = ctx.usedForInference;
    const regions = scenario.regions;
    const userRegion = this.userRegion[user];
    const gw = this.userGateway[user];
    // WAN traffic of users on a site's LAN crosses that site's uplink: none while it is down.
    const wanUp = gw < 0 || uplinkDown[gw] === 0;
    for (let i = 0; i < cands.length; i++) {
      const c = cands[i];
      const t = targets[v.targetIds[i]];
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
        c.rtt_s = t.rtt[user];
        const gUp = t.groupUp[user] > 0 ? groupUp.backlog(user * 2 + 1, now) + t.groupUp[user] : 0;
        c.network_s = t.up[user] + gUp + t.down[user];
        c.queue_s = 0;
        c.exec_s = exec;
        c.latency_s = c.network_s + exec;
        c.ttft_s = t.up[user] + gUp + t.firstToken[1] + c.rtt_s / 2;
        c.queue_length = 0;
        c.busy_servers = this.apis.inFlight[t.api];
        c.servers = a.max_concurrency;
        c.cost_usd = t.usdPerUse;
        c.carbon_g = estimateApiGco2(t, gridAt(scenario.regions[t.region], now));
        continue;
      }
      const p = t.pool;
      const servers = serving[p];
      const free = freeCount[p];
      const qAll = queued[p];
      const qThis = queues[t.id].length;
      const B = t.maxBatch;
      let bEff = qThis + 1 < B ? qThis + 1 : B;
      const tB = t.batchTime[B];
      let wait: number;
      if (isLlm[p] === 1) {
        // Continuous batching: the simulator's step model at the pool's load now (llm-estimate.ts).
        const e = llm.estimate(t.id, p, servers, qAll, free > 0);
        bEff = e.batch;
        wait = servers === 0 ? plan.pools[p].coldStart_s + e.wait_s : e.wait_s;
      } else if (servers === 0) {
        // Nothing serving yet: a unit is booting or would have to start.
        wait = plan.pools[p].coldStart_s + (Math.floor(qAll / B) + 0.5) * tB;
      } else if (free > 0 && qAll < free * B) {
        wait = bEff < B ? t.maxWait : 0;
      } else {
        wait = (Math.floor(qAll / (servers * B)) + 0.5) * tB;
      }
      const exec = isLlm[p] === 1 ? llm.est.total_s : t.batchTime[bEff];
      const rtt = t.rtt[user];
      // The shared links' backlog, as it stands now, adds to the transfers.
      let up = t.backhaulIn_s > 0 ? t.up[user] + links.siteIn.backlog(t.site, now) + t.backhaulIn_s : t.up[user];
      if (t.groupUp[user] > 0) up += groupUp.backlog(user * 2 + t.groupLink, now) + t.groupUp[user];
      const down =
        t.backhaulOut_s > 0 ? t.down[user] + links.siteOut.backlog(t.site, now) + t.backhaulOut_s : t.down[user];
      c.available =
        t.allowed &&
        t.reachable[user] === 1 &&
        usedForInference[p] &&
        (t.lan[user] === 1 || (wanUp && uplinkDown[siteOfPool[p]] === 0)) &&
        linkDown[userRegion * nRegions + t.region] === 0 &&
        cap.canServe(p) &&
        (qAll < maxQueue[p] || (free > 0 && qAll === 0));
      c.rtt_s = rtt;
      c.network_s = up + down;
      c.queue_s = wait;
      c.exec_s = exec;
      c.latency_s = up + wait + exec + down;
      c.ttft_s = up + wait + (isLlm[p] === 1 ? llm.est.first_token_s : t.firstToken[bEff]) + rtt / 2;
      c.queue_length = qThis;
      c.busy_servers = busy[p];
      c.servers = servers;
      c.cost_usd = estimateUsd(t, exec, bEff);
      const grid = gridAt(regions[t.region], now);
      c.carbon_g = estimateGco2(t, exec, bEff, grid);
      // Over the users' own LAN the transfer costs the LAN's energy, not the WAN's.
      if (t.lan[user] === 1) c.carbon_g -= (t.kwhNetworkPerRequest - t.kwhLanPerRequest) * grid;
    }
    return v;
  }

  /** Asks the policy where a request of service svc goes; returns the target id or −1. */
  place(svc: number, user: number, arrival: number): number {
    this.request(svc, user, arrival);
    const v = this.fill(svc, user);
    const policy = this.ctx.policy;
    const choice = policy.place(v.request, v.view);
    const cands = v.view.candidates;
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
    return v.targetIds[choice];
  }

  /** Why candidate i of the last fill is unavailable, if for a passing reason (decisions.ts). */
  private unavailableCause(i: number): number {
    const t = this.targets[this.views[this.lastSvc].targetIds[i]];
    const cap = this.capacity;
    const user = this.lastUser;
    const userRegion = this.userRegion[user];
    const linkDown = cap.linkDown[userRegion * this.ctx.nRegions + t.region] !== 0;
    const gw = this.userGateway[user];
    const cutOff = gw >= 0 && this.uplinks.down[gw] > 0 && t.lan[user] === 0;
    if (!t.allowed) return CAUSE_NONE;
    if (t.api >= 0) {
      if (!this.apis.usable[t.api]) return CAUSE_NONE;
      if (cap.regionDown[t.region] !== 0 || linkDown || cutOff) return CAUSE_DOWN;
      return this.apis.inFlight[t.api] >= this.ctx.scenario.apis[t.api].max_concurrency ? CAUSE_API_LIMIT : CAUSE_NONE;
    }
    const p = t.pool;
    if (t.reachable[user] !== 1 || !this.ctx.usedForInference[p]) return CAUSE_NONE;
    const siteCut = this.uplinks.down[this.uplinks.siteOfPool[p]] > 0 && t.lan[user] === 0;
    if (siteCut || cutOff || linkDown || !cap.canServe(p)) return CAUSE_DOWN;
    return this.pools.isFull(p) ? CAUSE_FULL : CAUSE_NONE;
  }

  /** Asks the policy how long to hold a deferrable request arriving now (0 = place it now). */
  deferDelay(svc: number, user: number): number {
    const ctx = this.ctx;
    const service = ctx.scenario.services[svc];
    const now = this.sim.now;
    this.request(svc, user, now);
    const v = this.fill(svc, user);
    const delay = ctx.policy.deferRequest!(v.request, v.view, now + service.deferrable_s!);
    if (!(delay >= 0 && delay <= service.deferrable_s!)) {
      throw new Error(
        `policy "${ctx.policy.name}" returned ${String(delay)} from deferRequest for service "${service.name}": expected 0..${service.deferrable_s} s`,
      );
    }
    return delay;
  }
}
