/**
 * Request lengths that vary: the schema of a length field (`input_tokens`, `output_tokens`, `items`), its
 * resolution to a `LengthDist`, and the CSV columns it can come from (an empirical distribution, or a trace
 * that carries per-request lengths next to its times).
 *
 * A length is a whole number: a fixed value (a plain number, which draws nothing), or
 *   { uniform: [min, max] }                      every whole number in [min, max] equally likely
 *   { normal: mean, sd, min?, max }              rounded and clipped to [min, max]
 *   { lognormal: mean, cv, min?, max }           rounded and clipped to [min, max]
 *   { empirical: file.csv, column: name }        a value of the column, each row equally likely
 * `min` defaults to the field's least value (1). A trace's columns are declared on the trace itself.
 */
import { dirname, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import type { LengthDist, LengthField } from '../model/types.js';
import { InputError, type PathSegment } from './errors.js';
import { readResolvedFile, type FileAccess } from './files.js';

type Path = readonly PathSegment[];

/** Largest length accepted: Int32 storage per request. */
export const MAX_LENGTH = 2 ** 31 - 1;

const whole = () => z.number().int().min(0).max(MAX_LENGTH);

/** The schema of one length field: a whole number >= `min`, or a distribution (checked further by resolveLength). */
export function lengthSchema(min: number) {
  return z.union(
    [
      z.number().int().min(min).max(MAX_LENGTH),
      z
        .strictObject({
          uniform: z.tuple([whole(), whole()]).optional().describe('[min, max]: each whole number equally likely.'),
          normal: z
            .number()
            .positive()
            .max(MAX_LENGTH)
            .optional()
            .describe('Mean of a normal, rounded and clipped; give sd and max.'),
          sd: z.number().positive().max(MAX_LENGTH).optional().describe('Standard deviation of the normal.'),
          lognormal: z
            .number()
            .positive()
            .max(MAX_LENGTH)
            .optional()
            .describe('Mean of a lognormal, rounded and clipped; give cv and max.'),
          cv: z
            .number()
            .positive()
            .max(100)
            .optional()
            .describe('Coefficient of variation (sd / mean) of the lognormal.'),
          min: whole()
            .optional()
            .describe('Least value after rounding (normal, lognormal). Default: the least allowed.'),
          max: whole().optional().describe('Largest value after rounding (normal, lognormal; required).'),
          empirical: z
            .string()
            .min(1)
            .optional()
            .describe('CSV file (relative to the scenario) whose column gives the values; give column.'),
          column: z.string().min(1).optional().describe('Header of the CSV column (empirical).'),
        })
        .describe('A distribution: exactly one of uniform, normal, lognormal, empirical.'),
    ],
    {
      error: (iss) =>
        iss.input === undefined
          ? undefined
          : `expected a whole number >= ${min} or a distribution ({ uniform: [min, max] }, { normal, sd, max }, { lognormal, cv, max }, { empirical, column }), got ${JSON.stringify(iss.input)}`,
    },
  );
}

export type LengthEntry = z.infer<ReturnType<typeof lengthSchema>>;

/** Where a length is resolved: the scenario file (for relative CSV paths and line:col) and the error helper. */
export interface LengthPlace {
  scenarioFile: string | undefined;
  fail: (path: Path, message: string) => never;
  /** What the scenario may read (scenario/files.ts): its folder tree, --allow-read, the size cap. */
  files?: FileAccess;
}

/**
 * A length field's distribution (null for a fixed number) and the value planning uses: the fixed number, or
 * the distribution's mean rounded to a whole number (at least `min`).
 */
export function resolveLength(
  e: LengthEntry,
  field: LengthField,
  min: number,
  path: Path,
  at: LengthPlace,
): { value: number; dist: LengthDist | null } {
  if (typeof e === 'number') return { value: e, dist: null };
  const kinds = (['uniform', 'normal', 'lognormal', 'empirical'] as const).filter((k) => e[k] !== undefined);
  if (kinds.length !== 1)
    at.fail(
      path,
      `give exactly one of uniform, normal, lognormal, empirical${kinds.length > 1 ? ` (got ${kinds.join(', ')})` : ''}`,
    );
  const kind = kinds[0];
  const only = (fields: readonly (keyof typeof e)[]) => {
    for (const f of ['sd', 'cv', 'min', 'max', 'column'] as const)
      if (e[f] !== undefined && !fields.includes(f))
        at.fail([...path, f], `${f} does not apply to a ${kind} distribution`);
  };
  const need = <K extends keyof typeof e>(f: K, what: string): NonNullable<(typeof e)[K]> => {
    const v = e[f];
    if (v === undefined || v === null) return at.fail(path, `missing required field "${String(f)}" (${what})`);
    return v;
  };
  const rounded = (mean: number, lo: number) => Math.max(lo, Math.round(mean));
  switch (kind) {
    case 'uniform': {
      only([]);
      const [lo, hi] = e.uniform!;
      if (lo < min) at.fail([...path, 'uniform', 0], `the least value ${lo} is too small: ${field} must be >= ${min}`);
      if (hi < lo) at.fail([...path, 'uniform', 1], `the largest value ${hi} is below the least ${lo}`);
      return { value: rounded((lo + hi) / 2, min), dist: { kind, min: lo, max: hi } };
    }
    case 'normal':
    case 'lognormal': {
      const spread = kind === 'normal' ? 'sd' : 'cv';
      only([spread, 'min', 'max']);
      const mean = e[kind]!;
      const s = need(spread, kind === 'normal' ? 'standard deviation' : 'coefficient of variation, sd / mean');
      const hi = need('max', 'the largest value: draws are clipped to [min, max]');
      const lo = e.min ?? min;
      if (lo < min) at.fail([...path, 'min'], `${lo} is too small: ${field} must be >= ${min}`);
      if (hi < lo) at.fail([...path, 'max'], `${hi} is below min ${lo}`);
      const dist: LengthDist =
        kind === 'normal' ? { kind, mean, sd: s, min: lo, max: hi } : { kind, mean, cv: s, min: lo, max: hi };
      return { value: rounded(clippedMean(dist), lo), dist };
    }
    case 'empirical': {
      only(['column']);
      const column = need('column', 'the header of the CSV column to draw from');
      const file = relativeTo(at.scenarioFile, e.empirical!);
      const values = readLengthColumns(
        file,
        [{ column, field, min, path: [...path, 'column'] }],
        [...path, 'empirical'],
        at,
      )[0];
      return { value: rounded(meanOf(values), min), dist: { kind, file, column, values } };
    }
  }
}

/** A path relative to the scenario file (absolute paths, and scenarios without a file, as given). */
export function relativeTo(scenarioFile: string | undefined, rel: string): string {
  return isAbsolute(rel) || scenarioFile === undefined ? rel : join(dirname(scenarioFile), rel);
}

export function meanOf(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return values.length > 0 ? s / values.length : 0;
}

/** One column to read from a CSV: its header, what it holds and where the scenario names it. */
export interface ColumnRequest {
  column: string;
  field: LengthField;
  min: number;
  path: Path;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Reads a CSV's text, or fails at `path` naming the file. */
export function readCsvText(file: string, what: string, path: Path, at: LengthPlace): string[] {
  let text: string;
  try {
    // Every referenced file is read by scenario/files.ts: folder tree, regular files only, size cap.
    text = readResolvedFile(file, at.scenarioFile, what, at.files);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return at.fail(path, err.detail);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text.split(/\r?\n/);
}

/** The header cells of a CSV's first line, and the index of each requested column (or an error naming the file). */
export function headerIndex(
  lines: readonly string[],
  file: string,
  requests: readonly { column: string; path: Path }[],
  at: LengthPlace,
): number[] {
  const header = (lines[0] ?? '').split(',').map((c) => c.trim());
  return requests.map((r) => {
    const i = header.indexOf(r.column);
    if (i < 0)
      at.fail(
        r.path,
        `"${file}" has no column "${r.column}" (its header: ${header.filter((h) => h !== '').join(', ') || 'empty'})`,
      );
    return i;
  });
}

/** The 1-based character column at which cell `index` of a CSV line starts. */
export function cellColumn(line: string, index: number): number {
  let col = 1;
  let seen = 0;
  for (let k = 0; k < line.length && seen < index; k++) {
    if (line[k] === ',') {
      seen++;
      col = k + 2;
    }
  }
  return col;
}

/**
 * Whole numbers >= min from named columns of a CSV with a header line (blank lines skipped). A bad cell is an
 * error at the CSV's file:row:col naming the scenario field; `filePath` is the field that names the file.
 */
export function readLengthColumns(
  file: string,
  requests: readonly ColumnRequest[],
  filePath: Path,
  at: LengthPlace,
): Int32Array[] {
  const lines = readCsvText(file, 'CSV', filePath, at);
  const idx = headerIndex(lines, file, requests, at);
  const out: number[][] = requests.map(() => []);
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n];
    if (line.trim() === '') continue;
    const cells = line.split(',');
    requests.forEach((r, k) => out[k].push(lengthCell(cells, idx[k], line, n + 1, file, r)));
  }
  if (out[0].length === 0) at.fail(filePath, `"${file}" has no rows below its header`);
  return out.map((v) => Int32Array.from(v));
}

/** Cell `index` of a row as a length (a whole number >= r.min), or an InputError at file:line:col. */
export function lengthCell(
  cells: readonly string[],
  index: number,
  line: string,
  lineNo: number,
  file: string,
  r: ColumnRequest,
): number {
  const cell = (cells[index] ?? '').trim();
  const bad = (why: string): never => {
    throw new InputError(`bad ${r.field} ${JSON.stringify(cell)} in column "${r.column}": ${why}`, {
      file,
      line: lineNo,
      col: cellColumn(line, index),
      path: r.path,
    });
  };
  if (cell === '') bad('the cell is empty');
  if (!NUMBER.test(cell)) bad('expected a whole number');
  const v = Number(cell);
  if (v < 0) bad('a length must not be negative');
  if (!Number.isInteger(v)) bad('expected a whole number');
  if (v < r.min) bad(`must be >= ${r.min}`);
  if (v > MAX_LENGTH) bad(`must be <= ${MAX_LENGTH}`);
  return v;
}

// ------------------------------------------------------------------------------------------------ means

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 erf, |error| < 1.5e-7: planning only, never a draw). */
function phi(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}

function pdf(x: number): number {
  return Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
}

/** Mean of a normal or lognormal clipped to [min, max] (rounding ignored). */
export function clippedMean(d: LengthDist): number {
  if (d.kind === 'normal') {
    const a = (d.min - d.mean) / d.sd;
    const b = (d.max - d.mean) / d.sd;
    return d.min * phi(a) + d.max * (1 - phi(b)) + d.mean * (phi(b) - phi(a)) + d.sd * (pdf(a) - pdf(b));
  }
  if (d.kind === 'lognormal') {
    const s2 = Math.log(1 + d.cv * d.cv);
    const s = Math.sqrt(s2);
    const mu = Math.log(d.mean) - s2 / 2;
    // E[X; X < c] = mean × Φ((ln c − mu − s²) / s) for a lognormal.
    const partial = (c: number) => (c <= 0 ? 0 : d.mean * phi((Math.log(c) - mu - s2) / s));
    const cdf = (c: number) => (c <= 0 ? 0 : phi((Math.log(c) - mu) / s));
    return d.min * cdf(d.min) + d.max * (1 - cdf(d.max)) + partial(d.max) - partial(d.min);
  }
  throw new Error(`clippedMean: not a clipped distribution (${d.kind})`);
}
