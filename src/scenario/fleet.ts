/**
 * Fleets: a site and the user groups attached to it, declared once and instantiated `count` times. The
 * expansion turns a checked file with `fleets:` into the same file written out by hand — ordinary sites,
 * users and outages, appended after the hand-written ones — so that resolve.ts, the simulator and the
 * reports see nothing new, and a file without fleets means exactly what it meant before.
 *
 * Per instance: a name from a pattern (`store-0001`, …), a region (round-robin over a list, or weights
 * spread evenly), a demand multiplier (listed, or drawn from a distribution on the fleet's own seeded
 * stream), access RTTs (one, listed, or drawn), and optional overrides. An instance's site serves only its
 * own users unless the fleet is `shared`. A service whose `users` names the fleet (or `<fleet>/<group>`)
 * spreads its requests over the instances in proportion to each instance's demand.
 *
 * Errors name the fleet's field (`fleets.store.site.pools.box.device`), never a generated instance: `alias`
 * maps the paths resolve.ts reports on the expanded file back to the fields the user wrote.
 */
import { RandomStream } from '../engine/random.js';
import { InputError, hint, type PathSegment } from './errors.js';
import type { FleetEntry, ScenarioFile } from './schema.js';

type Path = readonly PathSegment[];
type SiteEntry = ScenarioFile['sites'][string];
type UserEntry = ScenarioFile['users'][string];
type OutageEntry = NonNullable<ScenarioFile['outages']>[number];

/** What the reports need to group a fleet's instances. */
export interface FleetInfo {
  name: string;
  /** Instance (site) names, in instance order. */
  instances: string[];
  /** Per instance: its user group names. */
  users: string[][];
}

export interface Expanded {
  file: ScenarioFile;
  fleets: FleetInfo[];
  /** Maps a path of the expanded file to the field of the written file it came from. */
  alias: (path: Path) => PathSegment[];
}

export interface FleetContext {
  file?: string;
  locate: (path: Path) => { line: number; col: number } | undefined;
  /** Seed of the fleets' streams (the scenario's seed, or the --seed override). */
  seed: number;
}

/** Where an expanded name came from. */
interface Origin {
  fleet: string;
  /** User group of the template (users only). */
  group?: string;
}

/** Instance name for number n (1-based) under a pattern with `{n}`. */
export function instanceName(pattern: string, n: number, count: number): string {
  const width = Math.max(4, String(count).length);
  return pattern.replaceAll('{n}', String(n).padStart(width, '0'));
}

/** Stream name of a fleet's per-instance draws (so a fleet's figures do not move when another changes). */
function fleetStream(seed: number, fleet: string, what: string): RandomStream {
  return new RandomStream(`fleet:${fleet}:${what}`, seed);
}

/** Smooth weighted round-robin: region i is picked in proportion to its weight, spread as evenly as possible. */
function weightedOrder(weights: readonly number[], count: number): Int32Array {
  const out = new Int32Array(count);
  const credit = new Float64Array(weights.length);
  const total = weights.reduce((a, b) => a + b, 0);
  for (let n = 0; n < count; n++) {
    let pick = 0;
    for (let i = 0; i < weights.length; i++) {
      credit[i] += weights[i];
      if (credit[i] > credit[pick]) pick = i;
    }
    credit[pick] -= total;
    out[n] = pick;
  }
  return out;
}

type PerInstance = number | number[] | { uniform: [number, number] };

function perInstanceValues(v: PerInstance, count: number, draw: () => RandomStream, fail: () => never): Float64Array {
  const out = new Float64Array(count);
  if (typeof v === 'number') out.fill(v);
  else if (Array.isArray(v)) for (let n = 0; n < count; n++) out[n] = v[n % v.length];
  else {
    const [lo, hi] = v.uniform;
    if (hi < lo) fail();
    const rng = draw();
    for (let n = 0; n < count; n++) out[n] = lo + (hi - lo) * rng.uniform();
  }
  return out;
}

export function expandFleets(f: ScenarioFile, ctx: FleetContext): Expanded {
  const fleets = f.fleets ?? {};
  const fleetNames = Object.keys(fleets);
  if (fleetNames.length === 0) return { file: f, fleets: [], alias: (p) => [...p] };

  const fail = (path: Path, message: string): never => {
    throw new InputError(message, { file: ctx.file, path: [...path], ...ctx.locate(path) });
  };

  const sites: Record<string, SiteEntry> = { ...f.sites };
  const users: Record<string, UserEntry> = { ...f.users };
  const outages: OutageEntry[] = [...(f.outages ?? [])];
  const siteOrigin = new Map<string, Origin>();
  const userOrigin = new Map<string, Origin>();
  /** Per fleet: its users' names per template group, and the weight (group weight × demand) of each. */
  const fleetUsers = new Map<string, { group: string; name: string; weight: number }[]>();
  const outageOrigin: { fleet: string; index: number }[] = [];
  const infos: FleetInfo[] = [];
  const regionNames = Object.keys(f.regions);

  for (const fleetName of fleetNames) {
    const fl: FleetEntry = fleets[fleetName];
    const fp: PathSegment[] = ['fleets', fleetName];
    if (fleetName in f.sites || fleetName in f.users)
      fail(fp, `fleet name "${fleetName}" is also a ${fleetName in f.sites ? 'site' : 'user group'} name`);
    const count = fl.count;
    const pattern = fl.name ?? `${fleetName}-{n}`;
    if (!pattern.includes('{n}')) fail([...fp, 'name'], `the name pattern must contain {n} (the instance number)`);

    // Regions
    const regionOf = (name: string, path: Path): string => {
      if (!regionNames.includes(name)) fail(path, `unknown region "${name}"${hint(name, regionNames)}`);
      return name;
    };
    let region: (n: number) => string;
    if (Array.isArray(fl.regions)) {
      const list = fl.regions.map((r, i) => regionOf(r, [...fp, 'regions', i]));
      region = (n) => list[n % list.length];
    } else {
      const weights = fl.regions.weights;
      const names = Object.keys(weights);
      if (names.length === 0) fail([...fp, 'regions', 'weights'], 'give at least one region');
      names.forEach((r) => regionOf(r, [...fp, 'regions', 'weights', r]));
      const order = weightedOrder(
        names.map((r) => weights[r]),
        count,
      );
      region = (n) => names[order[n]];
    }

    // Demand and access RTTs, drawn in instance order from the fleet's own streams.
    let demand: Float64Array;
    const d = fl.demand;
    if (d === undefined) demand = new Float64Array(count).fill(1);
    else if (Array.isArray(d)) demand = Float64Array.from({ length: count }, (_, n) => d[n % d.length]);
    else if ('lognormal' in d) {
      const rng = fleetStream(ctx.seed, fleetName, 'demand');
      demand = Float64Array.from({ length: count }, () => rng.lognormal(d.lognormal, d.cv));
    } else {
      const [lo, hi] = d.uniform;
      if (hi < lo) fail([...fp, 'demand', 'uniform'], `[low, high] with low <= high, got [${lo}, ${hi}]`);
      const rng = fleetStream(ctx.seed, fleetName, 'demand');
      demand = Float64Array.from({ length: count }, () => lo + (hi - lo) * rng.uniform());
    }
    const rttFor = (kind: 'edge' | 'cloud'): Float64Array | null => {
      const v = fl.access_rtt?.[kind];
      if (v === undefined) return null;
      const path = [...fp, 'access_rtt', kind, 'uniform'];
      return perInstanceValues(
        v,
        count,
        () => fleetStream(ctx.seed, fleetName, `access_rtt:${kind}`),
        () => fail(path, 'give [low, high] with low <= high'),
      );
    };
    const rttEdge = rttFor('edge');
    const rttCloud = rttFor('cloud');

    const groups = Object.keys(fl.users);
    for (const g of groups) {
      const u = fl.users[g];
      if (u.access_rtt === undefined && (rttEdge === null || rttCloud === null))
        fail(
          [...fp, 'users', g],
          'missing required field "access_rtt" (or give the fleet an access_rtt for both edge and cloud)',
        );
    }

    // Instance names, overrides checked against them.
    const names: string[] = [];
    const byName = new Map<string, number>();
    for (let n = 0; n < count; n++) {
      const name = instanceName(pattern, n + 1, count);
      if (byName.has(name)) fail([...fp, 'name'], `the pattern gives "${name}" twice`);
      if (name in sites) fail([...fp, 'name'], `instance "${name}" is also the name of another site`);
      byName.set(name, n);
      names.push(name);
    }
    const overrides = fl.overrides ?? {};
    for (const key of Object.keys(overrides)) {
      const op = [...fp, 'overrides', key];
      if (!byName.has(key)) fail(op, `unknown instance "${key}"${hint(key, names.slice(0, 1000))}`);
      const o = overrides[key];
      if (o.region !== undefined) regionOf(o.region, [...op, 'region']);
      for (const pool of Object.keys(o.site?.pools ?? {})) {
        if (!(pool in fl.site.pools))
          fail([...op, 'site', 'pools', pool], `unknown pool "${pool}"${hint(pool, Object.keys(fl.site.pools))}`);
      }
    }

    const info: FleetInfo = { name: fleetName, instances: names, users: [] };
    const members: { group: string; name: string; weight: number }[] = [];
    for (let n = 0; n < count; n++) {
      const inst = names[n];
      const o = overrides[inst];
      const reg = o?.region ?? region(n);
      const dem = o?.demand ?? demand[n];
      const own: string[] = [];
      for (const g of groups) {
        const un = `${inst}/${g}`;
        if (un in users) fail([...fp, 'users', g], `user group "${un}" is already declared`);
        const { weight, ...template } = fl.users[g];
        const access = template.access_rtt ?? { edge: 0, cloud: 0 };
        users[un] = {
          ...template,
          region: reg,
          access_rtt: {
            edge: rttEdge === null ? access.edge : rttEdge[n],
            cloud: rttCloud === null ? access.cloud : rttCloud[n],
          },
        };
        userOrigin.set(un, { fleet: fleetName, group: g });
        own.push(un);
        members.push({ group: g, name: un, weight: weight * dem });
      }
      info.users.push(own);
      let site: SiteEntry = { ...fl.site, region: reg };
      if (o?.site !== undefined) {
        const pools = { ...fl.site.pools };
        for (const [p, change] of Object.entries(o.site.pools)) pools[p] = { ...pools[p], ...change };
        site = { ...site, pools };
      }
      if (!fl.shared && own.length > 0) site.serves = own;
      sites[inst] = site;
      siteOrigin.set(inst, { fleet: fleetName });
    }
    fleetUsers.set(fleetName, members);

    (fl.outages ?? []).forEach((o, j) => {
      const op = [...fp, 'outages', j];
      const which =
        o.instances === undefined
          ? names
          : o.instances.map((x, k) => {
              if (typeof x === 'number') {
                if (x > count) fail([...op, 'instances', k], `instance ${x} is beyond the fleet's count (${count})`);
                return names[x - 1];
              }
              if (!byName.has(x))
                fail([...op, 'instances', k], `unknown instance "${x}"${hint(x, names.slice(0, 1000))}`);
              return x;
            });
      for (const inst of which) {
        outageOrigin.push({ fleet: fleetName, index: j });
        outages.push(
          o.what === 'site'
            ? { site: inst, start: o.start, duration: o.duration }
            : { uplink: inst, start: o.start, duration: o.duration },
        );
      }
    });
    infos.push(info);
  }

  // Services may name a fleet (every group of every instance) or "<fleet>/<group>".
  const expandedServices = new Set<string>();
  const services: ScenarioFile['services'] = {};
  for (const [sname, s] of Object.entries(f.services)) {
    const shares = typeof s.users === 'string' ? [{ user: s.users, weight: 1 }] : s.users;
    let touched = false;
    const out: { user: string; weight: number }[] = [];
    shares.forEach((share, i) => {
      const slash = share.user.lastIndexOf('/');
      const fleet = fleetUsers.has(share.user) ? share.user : slash > 0 ? share.user.slice(0, slash) : '';
      const members = fleetUsers.get(fleet);
      if (members === undefined || share.user in users) {
        out.push(share);
        return;
      }
      const group = fleet === share.user ? null : share.user.slice(slash + 1);
      const picked = members.filter((m) => group === null || m.group === group);
      if (picked.length === 0) {
        const groups = Object.keys(fleets[fleet].users);
        const path: PathSegment[] = ['services', sname, 'users', ...(typeof s.users === 'string' ? [] : [i, 'user'])];
        fail(
          path,
          groups.length === 0
            ? `fleet "${fleet}" declares no users`
            : `fleet "${fleet}" has no user group "${group}"${hint(group ?? '', groups)}; its groups: ${groups.join(', ')}`,
        );
      }
      touched = true;
      const total = picked.reduce((a, m) => a + m.weight, 0);
      // Alone, the fleet's users carry their own weights (as the file written by hand would); beside other
      // groups, they share the entry's weight in proportion to theirs.
      for (const m of picked)
        out.push({ user: m.name, weight: shares.length === 1 ? m.weight : (share.weight * m.weight) / total });
    });
    if (touched) expandedServices.add(sname);
    services[sname] = touched ? { ...s, users: out } : s;
  }

  const nTopOutages = (f.outages ?? []).length;
  const alias = (path: Path): PathSegment[] => {
    const [top, key, ...rest] = path;
    if (top === 'sites' && typeof key === 'string') {
      const o = siteOrigin.get(key);
      if (o !== undefined) {
        if (rest[0] === 'region') return ['fleets', o.fleet, 'regions'];
        if (rest[0] === 'serves') return ['fleets', o.fleet, 'users'];
        return ['fleets', o.fleet, 'site', ...rest];
      }
    }
    if (top === 'users' && typeof key === 'string') {
      const o = userOrigin.get(key);
      if (o !== undefined) {
        if (rest[0] === 'region') return ['fleets', o.fleet, 'regions'];
        return ['fleets', o.fleet, 'users', o.group!, ...rest];
      }
    }
    if (top === 'outages' && typeof key === 'number' && key >= nTopOutages) {
      const o = outageOrigin[key - nTopOutages];
      if (o !== undefined) return ['fleets', o.fleet, 'outages', o.index, ...rest.slice(0, 0)];
    }
    if (top === 'services' && typeof key === 'string' && expandedServices.has(key) && rest[0] === 'users')
      return ['services', key, 'users'];
    return [...path];
  };

  return { file: { ...f, sites, users, outages, services }, fleets: infos, alias };
}
