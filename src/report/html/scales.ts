/**
 * Numeric axes on d3-scale: a scale function plus its ticks, labelled the way the console table formats
 * numbers.
 */

import { scaleLinear, scaleLog } from 'd3-scale';
import { formatNumber } from '../table.js';
import type { Tick } from './svg.js';

export interface Axis {
  scale: (v: number) => number;
  ticks: Tick[];
  log: boolean;
}

export interface AxisOptions {
  /** Smallest and largest value to show (data, error bars included). */
  lo: number;
  hi: number;
  /** Pixel range, [at lo, at hi] (reversed for a y axis). */
  range: [number, number];
  /** Log scale: always, never, or 'auto' (when every value is positive and they span at least `autoRatio`×). */
  log: boolean | 'auto';
  autoRatio?: number;
  /** Stretch a linear domain down to 0 when lo is positive and not far from it (under half of hi). */
  zeroWhenNear?: boolean;
  /** Clamp the upper end of a linear domain (e.g. 100 for percentages). */
  max?: number;
  /** Roughly how many labelled ticks fit. */
  count: number;
}

/** Ticks on a log axis: "1,000", "0.05" (three significant digits, trailing zeros dropped). */
export function tickLabel(v: number): string {
  const s = formatNumber(v);
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}

export function numericAxis(o: AxisOptions): Axis {
  let lo = o.lo;
  let hi = o.hi;
  const useLog = o.log === 'auto' ? lo > 0 && hi / lo >= (o.autoRatio ?? 20) : o.log && lo > 0;
  if (useLog) {
    // A log domain is padded, not "niced": nice() would round out to whole decades and leave most of the
    // plot empty when the data span one or two.
    if (hi <= lo) {
      lo /= 1.5;
      hi *= 1.5;
    }
    const s = scaleLog().domain([lo / 1.08, hi * 1.08]).range(o.range);
    const all = s.ticks();
    // With more ticks than fit, only 1, 2 and 5 × 10^k keep their label (then only 1 × 10^k); the marks stay.
    const lead = (t: number) => Math.round(t / 10 ** Math.floor(Math.log10(t) + 1e-9));
    let labelled = (_t: number) => true;
    if (all.length > o.count + 2) {
      labelled = (t) => [1, 2, 5].includes(lead(t));
      if (all.filter(labelled).length > o.count + 2) labelled = (t) => lead(t) === 1;
    }
    const ticks = all.map((t) => ({ pos: s(t), label: labelled(t) ? tickLabel(t) : '' }));
    return { scale: (v) => s(v), ticks, log: true };
  }
  if (o.zeroWhenNear && lo > 0 && lo < hi / 2) lo = 0;
  if (hi <= lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= lo === 0 ? 0 : pad;
    hi += pad;
  }
  const s = scaleLinear().domain([lo, hi]).range(o.range).nice(o.count);
  if (o.max !== undefined && s.domain()[1] > o.max) s.domain([s.domain()[0], o.max]);
  const fmt = s.tickFormat(o.count);
  const ticks = s.ticks(o.count).map((t) => ({ pos: s(t), label: fmt(t) }));
  return { scale: (v) => s(v), ticks, log: false };
}
