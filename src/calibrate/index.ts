/**
 * The calibration suite: every published row of data/calibration/published.csv next to what placesim
 * predicts for it, with the signed error, and the median and worst |error| of the `fit` and `holdout` halves
 * separately (`placesim calibrate`, `npm run calibrate`; docs/calibration.md).
 */
import { defaultCatalog } from '../hardware/catalog.js';
import { CLASS_EFFICIENCY } from '../hardware/perf.js';
import { GENERATION_MFU } from '../hardware/training.js';
import type { Catalog } from '../model/types.js';
import { predict, type Constants } from './predict.js';
import { readPublished, type PublishedRow, type Split } from './table.js';

export { readPublished, parsePublished, defaultTablePath, type PublishedRow, type Split } from './table.js';
export { predict, MAX_BATCH, type Constants, type Prediction } from './predict.js';
export {
  fitConstants,
  fitGaps,
  FIT_PARTS,
  PRIOR_EFFICIENCY,
  PRIOR_MFU,
  type FitPart,
  type FitResult,
  type MfuPair,
  type Predictor,
} from './fit.js';

/** The constants in the code: what a run uses. */
export function codeConstants(): Constants {
  return { efficiency: CLASS_EFFICIENCY, mfu: GENERATION_MFU };
}

export interface CalibrationRow {
  id: string;
  split: Split;
  device: string;
  benchmark: string;
  scenario: string;
  metric: string;
  published: number;
  predicted: number | null;
  /** (predicted − published) / published; null when not predicted. */
  error: number | null;
  /** In the statistics: predicted, and not by an interim model. */
  counted: boolean;
  note: string;
}

export interface SplitSummary {
  rows: number;
  counted: number;
  median_abs_error: number | null;
  worst_abs_error: number | null;
  worst_id: string | null;
}

export interface CalibrationReport {
  rows: CalibrationRow[];
  fit: SplitSummary;
  holdout: SplitSummary;
}

export function runCalibration(
  published: readonly PublishedRow[] = readPublished(),
  constants: Constants = codeConstants(),
  catalog: Catalog = defaultCatalog(),
): CalibrationReport {
  const rows = published.map((r): CalibrationRow => {
    const p = predict(r, catalog.devices[r.catalog_device], constants);
    const error = p.value === null ? null : (p.value - r.value) / r.value;
    return {
      id: r.id,
      split: r.split,
      device: r.catalog_device,
      benchmark: r.benchmark,
      scenario: r.scenario,
      metric: r.metric,
      published: r.value,
      predicted: p.value,
      error,
      counted: error !== null && !p.interim,
      note: p.interim ? `interim (fixed batches; TODO continuous batching): ${p.note}` : p.note,
    };
  });
  return { rows, fit: summarise(rows, 'fit'), holdout: summarise(rows, 'holdout') };
}

export function summarise(rows: readonly CalibrationRow[], split: Split): SplitSummary {
  const mine = rows.filter((r) => r.split === split);
  const counted = mine.filter((r) => r.counted);
  const abs = counted.map((r) => Math.abs(r.error!)).sort((a, b) => a - b);
  let worst: CalibrationRow | null = null;
  for (const r of counted) if (worst === null || Math.abs(r.error!) > Math.abs(worst.error!)) worst = r;
  return {
    rows: mine.length,
    counted: counted.length,
    median_abs_error: abs.length === 0 ? null : median(abs),
    worst_abs_error: worst === null ? null : Math.abs(worst.error!),
    worst_id: worst?.id ?? null,
  };
}

function median(sorted: readonly number[]): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}

/** The report as a text table, one row per measurement, then the two halves' statistics. */
export function formatCalibration(report: CalibrationReport): string {
  const head = ['id', 'split', 'metric', 'published', 'predicted', 'error', 'how'];
  const lines = report.rows.map((r) => [
    r.id,
    r.split,
    r.metric,
    num(r.published),
    r.predicted === null ? '–' : num(r.predicted),
    r.error === null ? '–' : `${r.error >= 0 ? '+' : ''}${(r.error * 100).toFixed(1)}%${r.counted ? '' : '*'}`,
    r.note,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : i >= 3 && i <= 5 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [fmt(head), ...lines.map(fmt), ''];
  for (const split of ['fit', 'holdout'] as const) {
    const s = report[split];
    out.push(
      `${split.padEnd(7)}  ${s.counted} of ${s.rows} rows counted · median |error| ${pct(s.median_abs_error)} · ` +
        `worst |error| ${pct(s.worst_abs_error)}${s.worst_id ? ` (${s.worst_id})` : ''}`,
    );
  }
  out.push('* not counted: interim model or not predicted (see the last column and docs/calibration.md)');
  return out.join('\n') + '\n';
}

function pct(x: number | null): string {
  return x === null ? '–' : `${(x * 100).toFixed(1)}%`;
}

function num(x: number): string {
  if (x >= 1000) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toPrecision(3);
}
