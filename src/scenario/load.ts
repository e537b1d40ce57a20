/**
 * Reading a scenario: text → YAML document (JSON is YAML) → zod-checked file → resolved Scenario.
 * Every failure on the way is one InputError whose message starts with file:line:col and the field path.
 */
import { extname } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import type { z } from 'zod';
import {
  CATALOG_INTRA_REGION_RTT_MS,
  CATALOG_NETWORK_DEFAULTS,
  CATALOG_RTT_MS,
  defaultCatalog,
} from '../hardware/catalog.js';
import type { Catalog, FleetGroup, Scenario } from '../model/types.js';
import { expandFleets, type FleetInfo } from './fleet.js';
import { BUILTIN_POLICY_NAMES } from '../placement/names.js';
import { InputError, hint, type PathSegment } from './errors.js';
import { DEFAULT_MAX_FILE_BYTES, excerpt, readRegularFile, type FileAccess } from './files.js';
import { checkKeys, checkNesting, firstAlias } from './guard.js';
import { resolveScenario, type NetworkDefaultsInput } from './resolve.js';
import { fieldsAt, ScenarioFileSchema } from './schema.js';

type Path = readonly PathSegment[];
type Position = { line: number; col: number };

export interface LoadOptions {
  /** The hardware catalog; default: the embedded one. The file's `catalog:` section is applied on top. */
  catalog?: Catalog;
  /** Override the file's seed. */
  seed?: number;
  /** Override the file's policies. */
  policies?: string[];
  /** Policy names accepted (default: the built-in ones); extend it when user policies are registered. */
  knownPolicies?: readonly string[];
  /** Network defaults used where the file gives none; default: the catalog's. */
  networkDefaults?: Partial<NetworkDefaultsInput>;
  /** Inter-region RTTs between catalog region ids; default: the catalog's. */
  rttMs?: readonly { a: string; b: string; rtt_ms: number }[];
  /** Which files the scenario may read (traces, grid CSVs) and how big: scenario/files.ts. */
  files?: FileAccess;
}

export function loadScenarioFile(path: string, opts: LoadOptions = {}): Scenario {
  return loadScenarioText(readScenarioFile(path), path, opts);
}

/**
 * A scenario file's text; an unreadable file is an InputError naming it. Only a regular file of at most
 * maxBytes (default 64 MiB) is read: never a device, FIFO or directory (scenario/files.ts).
 */
export function readScenarioFile(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): string {
  return readRegularFile(path, maxBytes, (why) => {
    const text = why === 'it is a directory' ? 'is a directory, not a scenario file' : why;
    throw new InputError(`cannot read scenario: ${text}`, { file: path });
  });
}

export function loadScenarioText(text: string, file: string, opts: LoadOptions = {}): Scenario {
  const format = extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML';
  // Before the parser sees it: the parser recurses per level, and 10,000 levels would exhaust the stack.
  checkNesting(text, file);
  const lineCounter = new LineCounter();
  // Duplicate keys are found by checkKeys, in linear time (the parser's check is quadratic).
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });

  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = lineCounter.linePos(e.pos[0]);
    let detail: string;
    if (e.code === 'DUPLICATE_KEY') detail = `duplicate key${duplicateKeyName(doc, e.pos[0])}`;
    else if (e.code === 'MULTIPLE_DOCS') detail = 'the file holds several documents (---); a scenario file holds one';
    else detail = `${format} syntax error: ${firstLine(e.message)}`;
    throw new InputError(detail, { file, line: pos.line, col: pos.col });
  }
  checkKeys(doc, lineCounter, file);

  const locate = makeLocator(doc, lineCounter);
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (err) {
    // yaml refuses documents whose aliases expand too far (the "billion laughs" guard).
    if (err instanceof ReferenceError || /alias/i.test((err as Error).message)) {
      throw new InputError('aliases (*name) expand to too many values (an alias bomb?); write the values out', {
        file,
        ...firstAlias(doc, lineCounter),
      });
    }
    throw new InputError(`${format} error: ${firstLine(String((err as Error).message))}`, { file });
  }
  if (raw === null || raw === undefined)
    throw new InputError(
      'the file is empty; a scenario needs at least name, duration, regions, sites, users and services',
      { file, line: 1, col: 1 },
    );
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError('a scenario must be a mapping of fields (name, duration, regions, …)', {
      file,
      ...locate.value([]),
    });
  }

  const parsed = ScenarioFileSchema.safeParse(raw, { jitless: true });
  if (!parsed.success) throw issuesToError(parsed.error.issues, raw, file, locate);

  const nd = opts.networkDefaults ?? {};
  const expanded = expandFleets(parsed.data, { file, locate: locate.value, seed: opts.seed ?? parsed.data.seed });
  // Errors from resolve carry the file already; those about opts.seed / opts.policies must not.
  const scenario = resolveScenario(expanded.file, {
    file,
    locate: locate.value,
    alias: expanded.fleets.length > 0 ? expanded.alias : undefined,
    catalog: opts.catalog ?? defaultCatalog(),
    network: {
      egress_usd_per_gb: nd.egress_usd_per_gb ?? CATALOG_NETWORK_DEFAULTS.egress_usd_per_gb,
      inter_region_usd_per_gb: nd.inter_region_usd_per_gb ?? CATALOG_NETWORK_DEFAULTS.inter_region_usd_per_gb,
      energy_kwh_per_gb: nd.energy_kwh_per_gb ?? CATALOG_NETWORK_DEFAULTS.energy_kwh_per_gb,
      lan_energy_kwh_per_gb: nd.lan_energy_kwh_per_gb ?? CATALOG_NETWORK_DEFAULTS.lan_energy_kwh_per_gb,
      intra_region_rtt_ms: nd.intra_region_rtt_ms ?? CATALOG_INTRA_REGION_RTT_MS,
    },
    rttMs: opts.rttMs ?? CATALOG_RTT_MS,
    knownPolicies: opts.knownPolicies ?? BUILTIN_POLICY_NAMES,
    defaultPolicies: BUILTIN_POLICY_NAMES,
    seed: opts.seed,
    policies: opts.policies,
    ...(opts.files !== undefined ? { files: opts.files } : {}),
  });
  if (expanded.fleets.length > 0) scenario.fleets = fleetGroups(scenario, expanded.fleets);
  return scenario;
}

/** The fleets' instances as site and user indices of the resolved scenario. */
function fleetGroups(scenario: Scenario, fleets: readonly FleetInfo[]): FleetGroup[] {
  const siteIndex = new Map(scenario.sites.map((s) => [s.name, s.index]));
  const userIndex = new Map(scenario.users.map((u) => [u.name, u.index]));
  return fleets.map((f) => ({
    name: f.name,
    sites: f.instances.map((n) => siteIndex.get(n)!),
    users: f.users.map((us) => us.map((u) => userIndex.get(u)!)),
  }));
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

function duplicateKeyName(doc: Document, offset: number): string {
  let found: string | undefined;
  const visit = (node: unknown): void => {
    if (found !== undefined) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isScalar(pair.key) && pair.key.range?.[0] === offset) found = String(pair.key.value);
        visit(pair.value);
      }
    } else if (isSeq(node)) node.items.forEach(visit);
  };
  visit(doc.contents);
  return found === undefined ? '' : ` ${excerpt(found)}`;
}

// ------------------------------------------------------------------------------------------------ locating

interface Locator {
  /** Position of the value at path, or of its nearest ancestor that exists. */
  value: (path: Path) => Position | undefined;
  /** Position of the key that ends the path (for "unknown field"). */
  key: (path: Path) => Position | undefined;
}

function makeLocator(doc: Document, lc: LineCounter): Locator {
  const pos = (offset: number | undefined): Position | undefined =>
    offset === undefined ? undefined : lc.linePos(offset);
  const deref = (n: unknown): unknown => (isAlias(n) ? n.resolve(doc) : n);

  /** The deepest node (and the pair that leads to it) along path. */
  const walk = (path: Path): { node: Node | null; pair?: Pair; complete: boolean } => {
    let node = deref(doc.contents) as Node | null;
    let pair: Pair | undefined;
    for (const seg of path) {
      const n = deref(node);
      let next: unknown;
      let nextPair: Pair | undefined;
      if (isMap(n)) {
        nextPair = n.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
        next = nextPair?.value ?? (nextPair !== undefined ? null : undefined);
      } else if (isSeq(n) && typeof seg === 'number') next = n.items[seg];
      if (next === undefined) return { node, pair, complete: false };
      if (next === null) return { node: (nextPair!.key as Node) ?? node, pair: nextPair, complete: true };
      node = deref(next) as Node;
      pair = nextPair;
    }
    return { node, pair, complete: true };
  };

  return {
    value: (path) => pos(walk(path).node?.range?.[0]),
    key: (path) => {
      const w = walk(path);
      if (w.complete && w.pair !== undefined && isScalar(w.pair.key)) return pos(w.pair.key.range?.[0]);
      return pos(w.node?.range?.[0]);
    },
  };
}

// ------------------------------------------------------------------------------------------------ zod issues

type Issue = z.core.$ZodIssue;

function valueAt(raw: unknown, path: Path): unknown {
  let v = raw;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/** Union failures carry one issue list per option; follow the option that got furthest (deepest path). */
function flatten(issues: readonly Issue[], prefix: Path = []): { issue: Issue; path: PathSegment[] }[] {
  const out: { issue: Issue; path: PathSegment[] }[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as PathSegment[])];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const branches = issue.errors.filter((b) => !b.every((i) => i.code === 'invalid_type' && i.path.length === 0));
      if (branches.length === 1) {
        out.push(...flatten(branches[0], path));
        continue;
      }
    }
    out.push({ issue, path });
  }
  return out;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  record: 'a mapping',
};

function show(v: unknown): string {
  if (v === null) return 'null (empty)';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  // Strings are cut and escaped: a scenario may be a file that was never meant to be one (a secret).
  if (typeof v === 'string') return excerpt(v, 40);
  return JSON.stringify(v);
}

/** True when the object at path's parent has the last segment as an own key (present, even if null). */
function hasKey(raw: unknown, path: Path): boolean {
  const parent = valueAt(raw, path.slice(0, -1));
  return parent !== null && typeof parent === 'object' && Object.hasOwn(parent, path[path.length - 1]);
}

function issuesToError(issues: readonly Issue[], raw: unknown, file: string, locate: Locator): InputError {
  const flat = flatten(issues);
  // Unknown fields first: a typo ("arival") also causes a "missing field" issue, and the typo is the news.
  const rank = (i: Issue) => (i.code === 'unrecognized_keys' ? 0 : 1);
  const sorted = flat.map((x, n) => ({ ...x, n })).sort((a, b) => rank(a.issue) - rank(b.issue) || a.n - b.n);
  const { issue, path } = sorted[0];
  const extra = sorted.length > 1 ? ` (and ${sorted.length - 1} more)` : '';
  const value = valueAt(raw, path);
  let pos = locate.value(path);
  let detail: string;

  // A field that is absent fails its type check (or every option of a union, or an enum): say it is missing.
  if (value === undefined && path.length > 0 && issue.code !== 'unrecognized_keys' && !hasKey(raw, path)) {
    const parent = path.slice(0, -1);
    return new InputError(`missing required field "${String(path[path.length - 1])}"${extra}`, {
      file,
      path: parent,
      ...locate.value(parent),
    });
  }
  switch (issue.code) {
    case 'unrecognized_keys': {
      const key = issue.keys[0];
      pos = locate.key([...path, key]);
      // Field names are shown cut and escaped: a file that is not a scenario would otherwise be listed line by line.
      detail = `unknown field ${excerpt(key)}${hint(key, fieldsAt(path))}`;
      const more = issue.keys.slice(1);
      if (more.length > 0)
        detail += `; also unknown: ${more
          .slice(0, 3)
          .map((k) => excerpt(k))
          .join(', ')}${more.length > 3 ? ` and ${more.length - 3} more` : ''}`;
      break;
    }
    case 'invalid_type':
      detail = `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}, got ${show(value)}`;
      break;
    case 'too_small':
      if (issue.origin === 'array' || issue.origin === 'string') detail = 'must not be empty';
      else detail = `${show(value)} is too small: must be ${issue.inclusive ? '>=' : '>'} ${issue.minimum}`;
      break;
    case 'too_big':
      detail = `${show(value)} is too big: must be ${issue.inclusive ? '<=' : '<'} ${issue.maximum}`;
      break;
    case 'invalid_value': {
      const options = issue.values.map(String);
      detail = `bad value ${show(value)}: expected one of ${options.join(', ')}${typeof value === 'string' ? hint(value, options) : ''}`;
      break;
    }
    case 'invalid_union':
      detail = issue.message.startsWith('Invalid input') ? `bad value ${show(value)}` : issue.message;
      break;
    default:
      detail = issue.message;
  }
  return new InputError(detail + extra, { file, path, ...pos });
}
