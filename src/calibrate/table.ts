/**
 * The calibration table: data/calibration/published.csv, one published measurement per row (MLPerf Inference
 * closed-division results and pre-training GPU-hours from model cards). docs/calibration.md describes the
 * columns, where every figure comes from and how the rows are split into a `fit` and a `holdout` half.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { InputError } from '../errors.js';

export type Split = 'fit' | 'holdout';
export type Scenario = 'Offline' | 'Server' | 'SingleStream' | 'MultiStream' | 'training';

export interface PublishedRow {
  id: string;
  kind: 'inference' | 'training';
  round: string;
  catalog_device: string;
  device_family: string;
  /** Accelerators in the measured system; null for training rows (the model cards give GPU-hours only). */
  accelerator_count: number | null;
  benchmark: string;
  scenario: Scenario;
  metric: string;
  value: number;
  precision: string;
  parallelism: string;
  constraint: string;
  split: Split;
  source_url: string;
  as_of: string;
  notes: string;
  /** 1-based line of the row in the file (for messages). */
  line: number;
}

const COLUMNS = [
  'id',
  'kind',
  'round',
  'division',
  'status',
  'submitter',
  'system',
  'accelerator',
  'catalog_device',
  'device_family',
  'accelerator_count',
  'benchmark',
  'scenario',
  'metric',
  'value',
  'precision',
  'parallelism',
  'constraint',
  'split',
  'source_url',
  'source_title',
  'as_of',
  'notes',
] as const;

const SCENARIOS: readonly Scenario[] = ['Offline', 'Server', 'SingleStream', 'MultiStream', 'training'];

/**
 * data/calibration/ of this checkout: the nearest folder above this module that has it (the module runs from
 * src/calibrate, dist/calibrate, or a bundle in dist/bundle).
 */
export function calibrationDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 5; up++) {
    const candidate = join(dir, 'data', 'calibration');
    if (existsSync(join(candidate, 'published.csv'))) return candidate;
    dir = dirname(dir);
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'calibration');
}

export function defaultTablePath(): string {
  return join(calibrationDir(), 'published.csv');
}

/** Reads and checks the table; a malformed row is an InputError naming file, line and column. */
export function readPublished(path: string = defaultTablePath()): PublishedRow[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read the calibration table: ${(e as Error).message}`, { file: path });
  }
  return parsePublished(text, path);
}

export function parsePublished(text: string, file: string): PublishedRow[] {
  let records: string[][];
  try {
    const parsed: unknown = parse(text, { relax_column_count: true, skip_empty_lines: true });
    records = parsed as string[][];
  } catch (e) {
    throw new InputError(`not a CSV file: ${(e as Error).message}`, { file });
  }
  const header = records[0] ?? [];
  COLUMNS.forEach((c, i) => {
    if (header[i] !== c)
      throw new InputError(`column ${i + 1} must be "${c}", found "${header[i] ?? ''}"`, { file, line: 1 });
  });
  const rows: PublishedRow[] = [];
  const seen = new Set<string>();
  for (let r = 1; r < records.length; r++) {
    const rec = records[r];
    const line = r + 1; // one record per line: the notes use semicolons, never line breaks
    const bad = (column: string, why: string): never => {
      throw new InputError(`${column}: ${why}`, { file, line, col: COLUMNS.indexOf(column as never) + 1 });
    };
    if (rec.length !== COLUMNS.length) bad('id', `row has ${rec.length} fields, expected ${COLUMNS.length}`);
    const get = (c: (typeof COLUMNS)[number]): string => rec[COLUMNS.indexOf(c)].trim();
    const id = get('id');
    if (id === '' || seen.has(id)) bad('id', id === '' ? 'empty' : `duplicate id "${id}"`);
    seen.add(id);
    const kind = get('kind');
    if (kind !== 'inference' && kind !== 'training') bad('kind', `"${kind}" is not inference or training`);
    const scenario = get('scenario') as Scenario;
    if (!SCENARIOS.includes(scenario)) bad('scenario', `"${scenario}" is not one of ${SCENARIOS.join(', ')}`);
    const value = Number(get('value'));
    if (!(Number.isFinite(value) && value > 0)) bad('value', `"${get('value')}" is not a positive number`);
    const split = get('split');
    if (split !== 'fit' && split !== 'holdout') bad('split', `"${split}" is not fit or holdout`);
    const countText = get('accelerator_count');
    const count = countText === '' ? null : Number(countText);
    if (count !== null && !(Number.isInteger(count) && count > 0))
      bad('accelerator_count', `"${countText}" is not a positive whole number`);
    if (kind === 'inference' && count === null) bad('accelerator_count', 'an inference row needs it');
    rows.push({
      id,
      kind: kind as PublishedRow['kind'],
      round: get('round'),
      catalog_device: get('catalog_device'),
      device_family: get('device_family'),
      accelerator_count: count,
      benchmark: get('benchmark'),
      scenario,
      metric: get('metric'),
      value,
      precision: get('precision'),
      parallelism: get('parallelism'),
      constraint: get('constraint'),
      split: split as Split,
      source_url: get('source_url'),
      as_of: get('as_of'),
      notes: get('notes'),
      line,
    });
  }
  return rows;
}
