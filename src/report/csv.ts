/**
 * The CSV reporter, for spreadsheets and pandas. writeCsv always writes summary.csv (a row per policy),
 * services.csv (a row per policy and service), pools.csv (a row per policy and pool) and timeseries.csv
 * (a row per policy and interval); jobs.csv (a row per policy and training job) only when the scenario has
 * training jobs, and apis.csv (a row per policy and managed AI API) only when it has APIs.
 *
 * Numbers are written at full precision (JavaScript's shortest round-trip form, so a value parses back to
 * exactly the number in the Result); an empty cell means null. Units are in the column names.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { PolicyResult, Result } from '../metrics/result.js';
import { PolicyResultSchema, TimeSeriesSchema, type FieldMeta } from '../metrics/result-schema.js';
import { elementOf, fieldOf, fieldsOf, nodeKind, type Field } from '../metrics/result-shape.js';

type Cell = string | number | boolean | null;

/**
 * A CSV column: its name and how to read its cell from the row's source object. The columns of every file
 * are derived from the Result schema (the `csv` metadata of its fields), so a field added there shows up here.
 */
interface Column<T> {
  name: string;
  /** Where the cell comes from, for the docs: a Result field path ("policies[].totals.cost_usd.total"). */
  from: string;
  get: (source: T) => Cell;
}

type Obj = Record<string, unknown>;

const at = (o: unknown, k: string): unknown => (o === null || o === undefined ? undefined : (o as Obj)[k]);
const asCell = (v: unknown): Cell => (v === undefined ? null : (v as Cell));

/**
 * The columns an object's fields become, read through `from`: a scalar is one column under its own name, an
 * object one column per sub-field (named by its `csv.column`), a record of counts one `key=value;…` cell.
 */
function fieldColumns<T>(fields: readonly Field[], base: string, from: (source: T) => unknown): Column<T>[] {
  const out: Column<T>[] = [];
  for (const { key, schema, meta } of fields) {
    if (meta.csv?.omit) continue;
    const kind = nodeKind(schema);
    if (kind === 'object') {
      const name = meta.csv?.column ?? ((sub: string) => `${key}_${sub}`);
      for (const sub of fieldsOf(schema)!) {
        out.push({ name: name(sub.key), from: `${base}.${key}.${sub.key}`, get: (x) => asCell(at(at(from(x), key), sub.key)) });
      }
    } else if (kind === 'record' && meta.csv?.pairs) {
      // Record keys are identifiers ("site/pool"), so ";" and "=" cannot occur inside them.
      out.push({ name: key, from: `${base}.${key}`, get: (x) => pairs(at(from(x), key) as Record<string, number>) });
    } else if (kind === 'number' || kind === 'string' || kind === 'boolean') {
      out.push({ name: key, from: `${base}.${key}`, get: (x) => asCell(at(from(x), key)) });
    } else {
      throw new Error(`result schema: ${key} (${kind}) has no CSV form; give it csv: { omit: true }`);
    }
  }
  return out;
}

function pairs(r: Record<string, number>): string {
  return Object.entries(r)
    .map(([k, n]) => `${k}=${cell(n)}`)
    .join(';');
}

interface ListFile {
  /** The PolicyResult field holding the list. */
  field: keyof PolicyResult;
  file: NonNullable<NonNullable<FieldMeta['csv']>['file']>;
  columns: Column<{ policy: string; element: Obj }>[];
}

/** The per-element CSV files (services.csv, pools.csv, …), from PolicyResult lists with a `csv.file`. */
const LIST_FILES: ListFile[] = fieldsOf(PolicyResultSchema)!.flatMap((x) => {
  const file = x.meta.csv?.file;
  if (file === undefined) return [];
  const fields = fieldsOf(elementOf(x.schema)!)!;
  const columns: ListFile['columns'] = [
    { name: 'policy', from: 'policies[].policy', get: (r) => r.policy },
    { name: file.nameColumn, from: `policies[].${x.key}[].name`, get: (r) => asCell(r.element.name) },
    ...fieldColumns<{ policy: string; element: Obj }>(
      fields.filter((y) => y.key !== 'name'),
      `policies[].${x.key}[]`,
      (r) => r.element,
    ),
  ];
  return [{ field: x.key as keyof PolicyResult, file, columns }];
});

const listFile = (name: string): ListFile => LIST_FILES.find((l) => l.file.name === name)!;

/**
 * summary.csv: `policy`, `pareto` (in Result.pareto), then the PolicyResult sections marked `csv.summary`
 * in their rank order — an object's fields as columns, a list's `measuredSum` fields summed as
 * `<field>_measured` — then PolicyResult's own scalar fields (`events`).
 */
function summaryColumns(): Column<{ p: PolicyResult; pareto: Set<string> }>[] {
  type Row = { p: PolicyResult; pareto: Set<string> };
  const cols: Column<Row>[] = [
    { name: 'policy', from: 'policies[].policy', get: (r) => r.p.policy },
    { name: 'pareto', from: 'pareto (holds the policy)', get: (r) => r.pareto.has(r.p.policy) },
  ];
  const policyFields = fieldsOf(PolicyResultSchema)!;
  const sections = policyFields.filter((x) => x.meta.csv?.summary !== undefined).sort((a, b) => a.meta.csv!.summary! - b.meta.csv!.summary!);
  for (const section of sections) {
    const kind = nodeKind(section.schema);
    if (kind === 'object') {
      cols.push(...fieldColumns<Row>(fieldsOf(section.schema)!, `policies[].${section.key}`, (r) => (r.p as unknown as Obj)[section.key]));
    } else if (kind === 'array') {
      for (const y of fieldsOf(elementOf(section.schema)!)!) {
        if (!y.meta.csv?.measuredSum) continue;
        cols.push({
          name: `${y.key}_measured`,
          from: `policies[].${section.key}[].${y.key} (summed)`,
          get: (r) => ((r.p as unknown as Obj)[section.key] as Obj[]).reduce((a, e) => a + (e[y.key] as number), 0),
        });
      }
    }
  }
  const scalars = policyFields.filter((x) => x.key !== 'policy' && !x.meta.csv?.omit && ['number', 'string', 'boolean'].includes(nodeKind(x.schema)));
  cols.push(...fieldColumns<Row>(scalars, 'policies[]', (r) => r.p));
  return cols;
}

const SUMMARY = summaryColumns();

export const SUMMARY_COLUMNS: readonly string[] = SUMMARY.map((c) => c.name);
export const SERVICE_COLUMNS: readonly string[] = listFile('services.csv').columns.map((c) => c.name);
export const POOL_COLUMNS: readonly string[] = listFile('pools.csv').columns.map((c) => c.name);
/** jobs.csv: the JobResult fields, whole run (training has no warm-up). */
export const JOB_COLUMNS: readonly string[] = listFile('jobs.csv').columns.map((c) => c.name);
/** apis.csv: the ApiResult fields, measured window. */
export const API_COLUMNS: readonly string[] = listFile('apis.csv').columns.map((c) => c.name);

/** The columns of each per-policy CSV file and the Result field each comes from (for docs/result-format.md). */
export function csvLayout(): { file: string; columns: { name: string; from: string }[] }[] {
  const cols = (c: readonly Column<never>[]) => c.map(({ name, from }) => ({ name, from }));
  return [
    { file: 'summary.csv', columns: cols(SUMMARY) },
    ...(['services.csv', 'pools.csv', 'jobs.csv', 'apis.csv'] as const).map((file) => ({ file, columns: cols(listFile(file).columns) })),
  ];
}

function cell(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'number') {
    // NaN or Infinity in a Result is a bug upstream; an empty cell would pass it off as null.
    if (!Number.isFinite(v)) throw new Error(`cannot write ${v} to CSV`);
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return v;
}

function render<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const records = rows.map((r) => columns.map((c) => cell(c.get(r))));
  return stringify(records, { header: true, columns: columns.map((c) => c.name) });
}

export interface CsvTables {
  summary: string;
  services: string;
  pools: string;
  /** Header only when the scenario has no training jobs (writeCsv then leaves jobs.csv out). */
  jobs: string;
  /** Header only when the scenario has no managed APIs (writeCsv then leaves apis.csv out). */
  apis: string;
}

/** The per-policy CSV files' contents, each with a header row and "\n" line endings. */
export function csvTables(result: Result): CsvTables {
  const pareto = new Set(result.pareto);
  const list = (name: string) => {
    const l = listFile(name);
    const rows = result.policies.flatMap((p) => (p[l.field] as unknown as Obj[]).map((element) => ({ policy: p.policy, element })));
    return render(l.columns, rows);
  };
  return {
    summary: render(
      SUMMARY,
      result.policies.map((p) => ({ p, pareto })),
    ),
    services: list('services.csv'),
    pools: list('pools.csv'),
    jobs: list('jobs.csv'),
    apis: list('apis.csv'),
  };
}

/**
 * timeseries.csv: one row per (policy, interval), wide — for each service its arrivals, completions and
 * rejections in the interval, for each pool its utilisation, mean queue length, replicas and mean power.
 */
export function timeseriesCsv(result: Result): string {
  const first = result.policies[0]?.timeseries;
  const columns = ['policy', 't_s'];
  for (const s of first?.services ?? []) for (const k of SERIES.services) columns.push(`${s.name}.${k}`);
  for (const p of first?.pools ?? []) for (const k of SERIES.pools) columns.push(`${p.name}.${k}`);
  const records: string[][] = [];
  for (const policy of result.policies) {
    const ts = policy.timeseries;
    ts.t_s.forEach((t, i) => {
      const rec: Cell[] = [policy.policy, t];
      for (const s of ts.services) for (const k of SERIES.services) rec.push((s as unknown as Record<string, number[]>)[k][i]);
      for (const p of ts.pools) for (const k of SERIES.pools) rec.push((p as unknown as Record<string, number[]>)[k][i]);
      records.push(rec.map(cell));
    });
  }
  return stringify(records, { header: true, columns });
}

/** The series of each service and pool in timeseries.csv: every field of their TimeSeries entry but `name`. */
const SERIES = {
  services: seriesOf('services'),
  pools: seriesOf('pools'),
};

function seriesOf(key: 'services' | 'pools'): string[] {
  return fieldsOf(elementOf(fieldOf(TimeSeriesSchema, key)!.schema)!)!
    .map((x) => x.key)
    .filter((k) => k !== 'name');
}

/**
 * Write summary.csv, services.csv, pools.csv, then jobs.csv when some policy has training jobs and apis.csv
 * when some policy has managed APIs, then timeseries.csv, into dir (created if missing); returns their
 * paths in that order. A file that would hold only its header is not written, so a directory from an
 * inference-only scenario looks as it always did.
 */
export function writeCsv(result: Result, dir: string): string[] {
  const tables = csvTables(result);
  // A list file marked `whenAny` in the schema is written only when some policy has an element.
  const wanted = (name: string) => {
    const l = listFile(name);
    return !l.file.whenAny || result.policies.some((p) => (p[l.field] as unknown[]).length > 0);
  };
  const files: [string, string][] = [['summary.csv', tables.summary]];
  for (const [name, text] of [
    ['services.csv', tables.services],
    ['pools.csv', tables.pools],
    ['jobs.csv', tables.jobs],
    ['apis.csv', tables.apis],
  ] as const) {
    if (wanted(name)) files.push([name, text]);
  }
  files.push(['timeseries.csv', timeseriesCsv(result)]);
  mkdirSync(dir, { recursive: true });
  const paths: string[] = [];
  for (const [name, text] of files) {
    const path = join(dir, name);
    writeFileSync(path, text);
    paths.push(path);
  }
  return paths;
}
