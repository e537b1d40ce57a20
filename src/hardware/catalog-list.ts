/**
 * Listing the catalog for people (`formatCatalog`, an aligned plain-text table in human units) and for
 * programs (`catalogAsJson`, the entries in base units, with notes), e.g. behind a CLI listing command.
 */
import { DTYPES, PRICINGS } from '../model/types.js';
import type { Catalog, Dtype, Provenance } from '../model/types.js';

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
    d.source,
  ]);
  const right = headers.map((_, i) => i >= 2 && i < headers.length - 2);
  return renderTable(headers, rows, right);
}

function formatInstances(catalog: Catalog): string {
  const headers = [
    'id',
    'devices',
    'host idle W',
    'host max W',
    'region',
    ...PRICINGS.map((p) => `${p} $/h`),
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
        inst.as_of,
        inst.source,
      ]);
    }
  }
  const right = headers.map((h, i) => (i >= 2 && i <= 3) || h.endsWith('$/h'));
  return renderTable(headers, rows, right);
}

function formatRegions(catalog: Catalog): string {
  const headers = ['id', 'name', 'gCO2/kWh', 'PUE', 'as_of', 'source'];
  const rows = byId(catalog.regions).map((r) => [
    r.id,
    r.name,
    cell(r, 'grid_gco2_per_kwh', r.grid_gco2_per_kwh),
    cell(r, 'pue', r.pue),
    r.as_of,
    r.source,
  ]);
  return renderTable(headers, rows, [false, false, true, true, false, false]);
}

const FOOTERS: Record<CatalogSection, string> = {
  devices:
    'Peak dense throughput per device (TOPS for integer types). "-" = not given. ' +
    `${ESTIMATE_MARK} = estimated or derived; the JSON listing carries each entry's notes.`,
  instances:
    `Prices in US$ per instance-hour by catalog region; "-" = not available. ${ESTIMATE_MARK} = estimated ` +
    '(host power from CCF coefficients; spot prices from a range use its midpoint).',
  regions: `Location-based grid intensity and default PUE. ${ESTIMATE_MARK} = estimated (midpoint of a range).`,
};

/** An aligned plain-text table of one catalog section, sorted by id, with a one-line legend. */
export function formatCatalog(catalog: Catalog, what: CatalogSection): string {
  const table =
    what === 'devices' ? formatDevices(catalog) : what === 'instances' ? formatInstances(catalog) : formatRegions(catalog);
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
    prices: 'US$ per instance-hour, by catalog region id',
  },
  regions: { grid_gco2_per_kwh: 'gCO2e/kWh', pue: 'ratio' },
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
