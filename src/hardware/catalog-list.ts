/**
 * Listing the catalog for people (`formatCatalog`, an aligned plain-text table in human units) and for
 * programs (`catalogAsJson`, the entries in base units, with notes), e.g. behind a CLI listing command;
 * and the publications it cites (`catalogSources`, `formatSources`).
 */
import { DTYPES, PRICINGS } from '../model/types.js';
import type { Catalog, Dtype, InstanceType, Provenance } from '../model/types.js';
import { CATALOG_AS_OF, CATALOG_NETWORK_DEFAULTS, CATALOG_RTT_MS } from './catalog.js';

export type CatalogSection = 'devices' | 'instances' | 'regions';
export const CATALOG_SECTIONS: readonly CatalogSection[] = ['devices', 'instances', 'regions'];

/** Prefix of a value that is an estimate or derived (listed in the entry's `estimated`). */
export const ESTIMATE_MARK = '~';

/**
 * True when `field` of an entry is an estimate: listed itself, under a parent (`peak_flops` covers
 * `peak_flops.int8`, `prices.us-east` covers `prices.us-east.spot`), or the entry says `all`.
 */
export function isEstimated(entry: Provenance, field: string): boolean {
  for (const e of entry.estimated ?? []) {
    if (e === 'all' || e === field || field.startsWith(`${e}.`)) return true;
  }
  return false;
}

/** The value `map` gives `field`: its own, else its nearest parent's (`prices.us-east` for `prices.us-east.spot`). */
function forField(map: Record<string, string> | undefined, field: string): string | undefined {
  if (map === undefined) return undefined;
  for (let f = field; ; f = f.slice(0, f.lastIndexOf('.'))) {
    if (map[f] !== undefined) return map[f];
    if (!f.includes('.')) return undefined;
  }
}

/** The month `field` of an entry was published or read: from its `dates` (field or parent), else `as_of`. */
export function fieldDate(entry: Provenance, field: string): string {
  return forField(entry.dates, field) ?? entry.as_of;
}

/** The publication `field` of an entry comes from: from its `sources` (field or parent), else `source`. */
export function fieldSource(entry: Provenance, field: string): string {
  return forField(entry.sources, field) ?? entry.source;
}

/**
 * A few significant digits, never in exponent form: the table is for reading, JSON has the exact value.
 * Prices keep more digits because list prices are quoted to the cent or tenth of a cent.
 */
function num(x: number, digits: number): string {
  return String(Number(x.toPrecision(digits)));
}

function cell(entry: Provenance, field: string, value: number | undefined, scale = 1, digits = 4): string {
  if (value === undefined) return '-';
  return (isEstimated(entry, field) ? ESTIMATE_MARK : '') + num(value / scale, digits);
}

/** Columns of numbers are right-aligned so that magnitudes line up; text columns are left-aligned. */
function renderTable(headers: string[], rows: string[][], rightAligned: boolean[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : rightAligned[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * A source for a table cell: each publication cut at its first parenthesis, comma or colon (the full
 * citation, with its address, is in the JSON listing and `--sources`).
 */
function shortSource(source: string): string {
  return splitSources(source)
    .map((s) => s.split(/ \(|, |: /)[0])
    .join('; ');
}

const byId = <T extends { id: string }>(entries: Record<string, T>): T[] =>
  Object.values(entries).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

// Column order for throughput: what most inference runs at first.
const DTYPE_COLUMNS: readonly Dtype[] = ['bf16', 'fp16', 'fp8', 'int8', 'int4', 'fp32'];

function formatDevices(catalog: Catalog): string {
  const devices = byId(catalog.devices);
  // int4 is never given in the default catalog; show a column only when some device has it.
  const dtypes = DTYPE_COLUMNS.filter((d) => devices.some((dev) => dev.peak_flops[d] !== undefined));
  const headers = [
    'id',
    'class',
    ...dtypes.map((d) => (d.startsWith('int') ? `${d} TOPS` : `${d} TFLOPS`)),
    'mem GB',
    'bw GB/s',
    'max W',
    'idle W',
    'as_of',
    'source',
  ];
  const rows = devices.map((d) => [
    d.id,
    d.class,
    ...dtypes.map((t) => cell(d, `peak_flops.${t}`, d.peak_flops[t], 1e12)),
    cell(d, 'memory_bytes', d.memory_bytes, 1e9),
    cell(d, 'mem_bw_bytes_per_s', d.mem_bw_bytes_per_s, 1e9),
    cell(d, 'power_max_w', d.power_max_w),
    cell(d, 'power_idle_w', d.power_idle_w),
    d.as_of,
    shortSource(d.source),
  ]);
  const right = headers.map((_, i) => i >= 2 && i < headers.length - 2);
  return renderTable(headers, rows, right);
}

/** The oldest month among the prices an instance lists for one region (its `as_of` if it has none). */
function priceRowDate(inst: InstanceType, region: string): string {
  const price = inst.prices[region];
  if (price === undefined) return inst.as_of;
  const dates = PRICINGS.filter((p) => price[p] !== undefined).map((p) => fieldDate(inst, `prices.${region}.${p}`));
  return dates.sort()[0] ?? inst.as_of;
}

function formatInstances(catalog: Catalog): string {
  const headers = [
    'id',
    'devices',
    'host idle W',
    'host max W',
    'region',
    ...PRICINGS.map((p) => `${p} $/h`),
    'od $/dev-h',
    'as_of',
    'source',
  ];
  const rows: string[][] = [];
  for (const inst of byId(catalog.instances)) {
    const regions = Object.keys(inst.prices).sort();
    // An instance with no price still gets a row, so that every instance is listed.
    for (const region of regions.length ? regions : ['-']) {
      const price = inst.prices[region];
      rows.push([
        inst.id,
        `${inst.devices}x ${inst.device}`,
        cell(inst, 'host_power_idle_w', inst.host_power_idle_w),
        cell(inst, 'host_power_max_w', inst.host_power_max_w),
        region,
        ...PRICINGS.map((p) => cell(inst, `prices.${region}.${p}`, price?.[p], 1, 6)),
        cell(inst, `prices.${region}.on-demand`, price?.['on-demand'], inst.devices, 4),
        priceRowDate(inst, region),
        shortSource(price ? fieldSource(inst, `prices.${region}`) : inst.source),
      ]);
    }
  }
  const right = headers.map((h, i) => (i >= 2 && i <= 3) || h.endsWith('$/h') || h.endsWith('$/dev-h'));
  return renderTable(headers, rows, right);
}

function formatRegions(catalog: Catalog): string {
  const headers = ['id', 'name', 'area', 'gCO2/kWh', 'PUE', 'as_of', 'source'];
  const rows = byId(catalog.regions).map((r) => [
    r.id,
    r.name,
    r.area ?? '-',
    cell(r, 'grid_gco2_per_kwh', r.grid_gco2_per_kwh),
    cell(r, 'pue', r.pue),
    r.as_of,
    shortSource(r.source),
  ]);
  return renderTable(headers, rows, [false, false, false, true, true, false, false]);
}

const FOOTERS: Record<CatalogSection, string> = {
  devices:
    'Peak dense throughput per device (TOPS for integer types). "-" = not given. ' +
    `${ESTIMATE_MARK} = estimated or derived; the JSON listing carries each entry's notes.`,
  instances:
    `Prices in US$ per instance-hour by catalog region; "-" = not published. reserved = 1-year commitment ` +
    '(3-year prices are in the JSON notes); od $/dev-h = on-demand per GPU or TPU chip. ' +
    `${ESTIMATE_MARK} = estimated (host power from CCF coefficients; spot = median over zones). ` +
    '`placesim catalog --sources` lists the publications.',
  regions:
    `Location-based grid intensity and the region's data-centre PUE. ${ESTIMATE_MARK} = estimated ` +
    '(see the JSON notes).',
};

/** An aligned plain-text table of one catalog section, sorted by id, with a one-line legend. */
export function formatCatalog(catalog: Catalog, what: CatalogSection): string {
  const table =
    what === 'devices'
      ? formatDevices(catalog)
      : what === 'instances'
        ? formatInstances(catalog)
        : formatRegions(catalog);
  return `${table}\n\n${FOOTERS[what]}\n`;
}

const UNITS: Record<CatalogSection, Record<string, string>> = {
  devices: {
    peak_flops: `dense FLOP/s per dtype (OP/s for ${DTYPES.filter((d) => d.startsWith('int')).join(', ')})`,
    memory_bytes: 'bytes',
    mem_bw_bytes_per_s: 'bytes/s',
    power_max_w: 'W',
    power_idle_w: 'W',
  },
  instances: {
    host_power_idle_w: 'W',
    host_power_max_w: 'W',
    prices: 'US$ per instance-hour, by catalog region id; reserved = 1-year commitment, no upfront',
  },
  regions: { grid_gco2_per_kwh: 'gCO2e/kWh', pue: 'ratio', area: 'americas | europe | asia-pacific' },
};

export interface CatalogJson {
  section: CatalogSection;
  units: Record<string, string>;
  /** Entries in base units, sorted by id, with their provenance fields. */
  entries: unknown[];
}

/** One catalog section as plain JSON-able data (deep-copied; base units, as stored). */
export function catalogAsJson(catalog: Catalog, what: CatalogSection): CatalogJson {
  const section = catalog[what] as Record<string, { id: string }>;
  return {
    section: what,
    units: { ...UNITS[what] },
    entries: byId(section).map((e) => structuredClone(e)),
  };
}

// --------------------------------------------------------------------------------------------- sources

/** One publication the catalog cites, with the entries (and fields) that cite it and their as_of months. */
export interface CatalogSource {
  source: string;
  /** "section id" or "section id (field)", sorted. */
  cited_by: string[];
  /** Distinct as_of months of the citing entries, sorted. */
  as_of: string[];
}

/** Split a `source` string into its publications (joined with "; "). */
export function splitSources(source: string): string[] {
  return source
    .split('; ')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * Every publication cited by the catalog's entries, its network defaults and its RTT table, once each,
 * sorted by name.
 */
export function catalogSources(catalog: Catalog): CatalogSource[] {
  const found = new Map<string, { cited: Set<string>; asOf: Set<string> }>();
  const cite = (source: string, by: string, asOf: string) => {
    const e = found.get(source) ?? { cited: new Set<string>(), asOf: new Set<string>() };
    e.cited.add(by);
    e.asOf.add(asOf);
    found.set(source, e);
  };
  for (const section of CATALOG_SECTIONS) {
    for (const entry of byId(catalog[section] as Record<string, Provenance & { id: string }>)) {
      const by = `${section.replace(/s$/, '')} ${entry.id}`;
      const fieldLevel = new Set<string>();
      for (const [field, s] of Object.entries(entry.sources ?? {})) {
        for (const part of splitSources(s)) {
          cite(part, `${by} (${field})`, fieldDate(entry, field));
          fieldLevel.add(part);
        }
      }
      // A publication some field cites is dated by that field; the others by the entry's as_of.
      for (const s of splitSources(entry.source)) if (!fieldLevel.has(s)) cite(s, by, entry.as_of);
    }
  }
  const net = CATALOG_NETWORK_DEFAULTS;
  for (const [field, s] of Object.entries(net.sources)) cite(s, `network ${field}`, net.as_of);
  for (const r of CATALOG_RTT_MS) cite(r.source, `rtt ${r.a} <-> ${r.b}`, r.as_of ?? CATALOG_AS_OF);
  const sorted = [...found.keys()].sort((a, b) =>
    a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0,
  );
  return sorted.map((source) => {
    const e = found.get(source)!;
    // A field-level citation repeats the entry-level one for the same entry; keep the field-level form.
    const cited = [...e.cited].filter((c) => ![...e.cited].some((o) => o !== c && o.startsWith(`${c} (`)));
    return { source, cited_by: cited.sort(), as_of: [...e.asOf].sort() };
  });
}

/** Wrap `text` at `width` columns: the first line starts with `first`, later ones with `indent`. */
function wrap(text: string, width: number, first: string, indent: string): string {
  const words = text.split(' ');
  const lines: string[] = [];
  let line = first;
  for (const w of words) {
    if (line.trim() !== '' && line.length + 1 + w.length > width) {
      lines.push(line);
      line = indent + w;
    } else line = line.trim() === '' ? line + w : `${line} ${w}`;
  }
  if (line.trim() !== '') lines.push(line);
  return lines.join('\n');
}

/** A numbered plain-text list of every source, with what cites it, for `placesim catalog --sources`. */
export function formatSources(catalog: Catalog): string {
  const sources = catalogSources(catalog);
  const out = [`${sources.length} publications cited by the default catalog:`, ''];
  sources.forEach((s, i) => {
    out.push(wrap(s.source, 110, `${i + 1}.`.padEnd(3), '    '));
    out.push(wrap(`as_of ${s.as_of.join(', ')}. Cited by: ${s.cited_by.join(', ')}.`, 110, '    ', '      '));
    out.push('');
  });
  out.push('Entries give `source` and `as_of`; estimates are listed in `estimated` and explained in `notes`');
  out.push('(`placesim catalog <section> --json`). docs/catalog.md says how to refresh each kind of figure.');
  return out.join('\n') + '\n';
}
