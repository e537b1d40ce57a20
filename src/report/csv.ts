/**
 * The CSV reporter, for spreadsheets and pandas. writeCsv always writes summary.csv (a row per policy),
 * services.csv (a row per policy and service), placements.csv (a row per policy, service and target),
 * pools.csv (a row per policy and pool) and timeseries.csv (a row per policy and interval); uplinks.csv,
 * backhaul.csv, shared_uplinks.csv, apis.csv and jobs.csv only when some policy has such an element.
 *
 * Numbers are written at full precision (JavaScript's shortest round-trip form, so a value parses back to
 * exactly the number in the Result); an empty cell means null. Every column whose field has a unit names it
 * (CSV_UNIT_SUFFIX in the Result schema): `_ms`, `_s`, `_usd`, `_frac` (0..1), …
 */

import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { makeDir, writeFileAtomically } from './write.js';
import { csvText } from './safe-text.js';
import type { PolicyResult, Result } from '../metrics/result.js';
import { csvNameWithUnit, PolicyResultSchema, TimeSeriesSchema, type FieldMeta } from '../metrics/result-schema.js';
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
 * Each name carries the unit of its field (or of the object it sits in), see csvNameWithUnit.
 */
function fieldColumns<T>(fields: readonly Field[], base: string, from: (source: T) => unknown): Column<T>[] {
  const out: Column<T>[] = [];
  for (const { key, schema, meta } of fields) {
    if (meta.csv?.omit) continue;
    const kind = nodeKind(schema);
    if (kind === 'object') {
      const name = meta.csv?.column ?? ((sub: string) => `${key}_${sub}`);
      for (const sub of fieldsOf(schema)!) {
        out.push({
          name: csvNameWithUnit(name(sub.key), sub.meta.unit ?? meta.unit),
          from: `${base}.${key}.${sub.key}`,
          get: (x) => asCell(at(at(from(x), key), sub.key)),
        });
      }
    } else if (kind === 'record' && meta.csv?.pairs) {
      // Record keys are identifiers ("site/pool"), so ";" and "=" cannot occur inside them.
      out.push({
        name: csvNameWithUnit(key, meta.unit),
        from: `${base}.${key}`,
        get: (x) => pairs(at(from(x), key) as Record<string, number>),
      });
    } else if (kind === 'number' || kind === 'string' || kind === 'boolean') {
      out.push({ name: csvNameWithUnit(key, meta.unit), from: `${base}.${key}`, get: (x) => asCell(at(from(x), key)) });
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

type ListRow = { policy: string; element: Obj };
type LongRow = { policy: string; element: Obj; key: string; value: unknown };

interface ListFile {
  /** The PolicyResult field holding the list. */
  field: keyof PolicyResult;
  file: NonNullable<NonNullable<FieldMeta['csv']>['file']>;
  columns: Column<ListRow>[];
  /** The long files of the element's records (placements.csv), written after this file. */
  long: LongFile[];
}

interface LongFile {
  /** The record field of the list element. */
  record: string;
  name: string;
  columns: Column<LongRow>[];
}

/**
 * The per-element CSV files (services.csv, pools.csv, …), from PolicyResult lists with a `csv.file`, in
 * the schema's order. A list whose elements have a `name` writes it under `nameColumn`; other lists start
 * with their identifying fields (`site`, `direction`, …) as declared.
 */
const LIST_FILES: ListFile[] = fieldsOf(PolicyResultSchema)!.flatMap((x) => {
  const file = x.meta.csv?.file;
  if (file === undefined) return [];
  const fields = fieldsOf(elementOf(x.schema)!)!;
  const policy: Column<ListRow> = { name: 'policy', from: 'policies[].policy', get: (r) => r.policy };
  const named = file.nameColumn !== undefined;
  const nameCol: Column<ListRow>[] = named
    ? [{ name: file.nameColumn!, from: `policies[].${x.key}[].name`, get: (r) => asCell(r.element.name) }]
    : [];
  const columns: ListFile['columns'] = [
    policy,
    ...nameCol,
    ...fieldColumns<ListRow>(
      fields.filter((y) => !named || y.key !== 'name'),
      `policies[].${x.key}[]`,
      (r) => r.element,
    ),
  ];
  const long = fields.flatMap((y): LongFile[] => {
    const l = y.meta.csv?.long;
    if (l === undefined) return [];
    if (!named)
      throw new Error(`result schema: ${x.key}[].${y.key} has csv.long but ${x.key} has no csv.file.nameColumn`);
    return [
      {
        record: y.key,
        name: l.name,
        columns: [
          { name: 'policy', from: 'policies[].policy', get: (r) => r.policy },
          { name: file.nameColumn!, from: `policies[].${x.key}[].name`, get: (r) => asCell(r.element.name) },
          { name: l.keyColumn, from: `policies[].${x.key}[].${y.key} (each key)`, get: (r) => r.key },
          {
            name: csvNameWithUnit(l.valueColumn, y.meta.unit),
            from: `policies[].${x.key}[].${y.key} (its value)`,
            get: (r) => asCell(r.value),
          },
        ],
      },
    ];
  });
  return [{ field: x.key as keyof PolicyResult, file, columns, long }];
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
  const sections = policyFields
    .filter((x) => x.meta.csv?.summary !== undefined)
    .sort((a, b) => a.meta.csv!.summary! - b.meta.csv!.summary!);
  for (const section of sections) {
    const kind = nodeKind(section.schema);
    if (kind === 'object') {
      cols.push(
        ...fieldColumns<Row>(
          fieldsOf(section.schema)!,
          `policies[].${section.key}`,
          (r) => (r.p as unknown as Obj)[section.key],
        ),
      );
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
  const scalars = policyFields.filter(
    (x) => x.key !== 'policy' && !x.meta.csv?.omit && ['number', 'string', 'boolean'].includes(nodeKind(x.schema)),
  );
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

/**
 * The CSV files of a Result but timeseries.csv, in the order writeCsv writes them: summary.csv, then each
 * list file in the schema's order, each followed by its long files (services.csv, placements.csv, …).
 */
interface CsvFile {
  file: string;
  columns: readonly Column<never>[];
  /** The file's text for a Result. */
  render: (result: Result) => string;
  /** Whether writeCsv writes it for this Result. */
  wanted: (result: Result) => boolean;
}

const FILES: CsvFile[] = [
  {
    file: 'summary.csv',
    columns: SUMMARY,
    render: (result) => {
      const pareto = new Set(result.pareto);
      return render(
        SUMMARY,
        result.policies.map((p) => ({ p, pareto })),
      );
    },
    wanted: () => true,
  },
  ...LIST_FILES.flatMap((l): CsvFile[] => {
    const elements = (result: Result) =>
      result.policies.flatMap((p) =>
        (p[l.field] as unknown as Obj[]).map((element) => ({ policy: p.policy, element })),
      );
    // A list file marked `whenAny` in the schema is written only when some policy has an element.
    const wanted = (result: Result) =>
      !l.file.whenAny || result.policies.some((p) => (p[l.field] as unknown[]).length > 0);
    return [
      { file: l.file.name, columns: l.columns, render: (r) => render(l.columns, elements(r)), wanted },
      ...l.long.map((g) => ({
        file: g.name,
        columns: g.columns,
        render: (r: Result) =>
          render(
            g.columns,
            elements(r).flatMap((e) =>
              Object.entries(e.element[g.record] as Record<string, unknown>).map(([key, value]) => ({
                ...e,
                key,
                value,
              })),
            ),
          ),
        wanted,
      })),
    ];
  }),
];

/** The columns of each per-policy CSV file and the Result field each comes from (for docs/result-format.md). */
export function csvLayout(): { file: string; columns: { name: string; from: string }[] }[] {
  return FILES.map((f) => ({ file: f.file, columns: f.columns.map(({ name, from }) => ({ name, from })) }));
}

function cell(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'number') {
    // NaN or Infinity in a Result is a bug upstream; an empty cell would pass it off as null.
    if (!Number.isFinite(v)) throw new Error(`cannot write ${v} to CSV`);
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  // Text (a name from the scenario) that a spreadsheet would run as a formula gets a leading quote.
  return csvText(v);
}

function render<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const records = rows.map((r) => columns.map((c) => cell(c.get(r))));
  return stringify(records, { header: true, columns: columns.map((c) => csvText(c.name)) });
}

/**
 * The per-policy CSV files' contents by file name without `.csv` (`summary`, `services`, `placements`,
 * `pools`, `uplinks`, `backhaul`, `shared_uplinks`, `apis`, `jobs`), each with a header row and "\n" line
 * endings. A file writeCsv leaves out for this Result (no training jobs, …) is here with its header only.
 */
export type CsvTables = Record<string, string>;

export function csvTables(result: Result): CsvTables {
  return Object.fromEntries(FILES.map((f) => [f.file.replace(/\.csv$/, ''), f.render(result)]));
}

/**
 * timeseries.csv: one row per (policy, interval), wide — for each service its arrivals, completions and
 * rejections in the interval, for each pool its utilisation, mean queue length, replicas and mean power.
 */
export function timeseriesCsv(result: Result): string {
  const first = result.policies[0]?.timeseries;
  const columns = ['policy', csvNameWithUnit('t', fieldOf(TimeSeriesSchema, 't_s')!.meta.unit)];
  for (const s of first?.services ?? []) for (const k of SERIES.services) columns.push(`${s.name}.${k.column}`);
  for (const p of first?.pools ?? []) for (const k of SERIES.pools) columns.push(`${p.name}.${k.column}`);
  const records: string[][] = [];
  for (const policy of result.policies) {
    const ts = policy.timeseries;
    ts.t_s.forEach((t, i) => {
      const rec: Cell[] = [policy.policy, t];
      for (const s of ts.services)
        for (const k of SERIES.services) rec.push((s as unknown as Record<string, number[]>)[k.key][i]);
      for (const p of ts.pools)
        for (const k of SERIES.pools) rec.push((p as unknown as Record<string, number[]>)[k.key][i]);
      records.push(rec.map(cell));
    });
  }
  return stringify(records, { header: true, columns: columns.map(csvText) });
}

/**
 * The series of each service and pool in timeseries.csv: every field of their TimeSeries entry but `name`,
 * with its column suffix (`<pool>.utilisation_frac`, `<pool>.power_w`).
 */
const SERIES = {
  services: seriesOf('services'),
  pools: seriesOf('pools'),
};

function seriesOf(key: 'services' | 'pools'): { key: string; column: string }[] {
  return fieldsOf(elementOf(fieldOf(TimeSeriesSchema, key)!.schema)!)!
    .filter((x) => x.key !== 'name')
    .map((x) => ({ key: x.key, column: csvNameWithUnit(x.key, x.meta.unit) }));
}

/**
 * Write the files of csvLayout() that this Result has (see the file comment), then timeseries.csv, into dir
 * (created if missing); returns their paths in that order. A file marked `whenAny` in the schema that would
 * hold only its header is not written, so a directory from a plain inference scenario stays small.
 */
export function writeCsv(result: Result, dir: string): string[] {
  const files: [string, string][] = FILES.filter((f) => f.wanted(result)).map((f) => [f.file, f.render(result)]);
  files.push(['timeseries.csv', timeseriesCsv(result)]);
  makeDir(dir, 'the CSV folder');
  const paths: string[] = [];
  for (const [name, text] of files) {
    const path = join(dir, name);
    writeFileAtomically(path, text, 'the CSV file');
    paths.push(path);
  }
  return paths;
}
