/**
 * Numeric axes on d3-scale: a scale function plus its ticks, labelled the way the console table formats
 * numbers.
 */

import { scaleLinear, scaleLog } from 'd3-scale';
import { formatNumber } from '../table.js';
import { FONT_PX, textWidth, type Tick } from './svg.js';

export interface Axis {
  scale: (v: number) => number;
  ticks: Tick[];
  log: boolean;
  /** The domain the scale maps onto its range, padding included. */
  domain: [number, number];
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
  /**
   * Room beyond the data at both ends, as a share of the data's span (of its span in decades on a log axis),
   * so that no point sits on the frame. Ticks stay on the data's side of 0: padding below a domain that
   * starts at 0 or above adds no negative tick.
   */
  pad?: number;
  /** Roughly how many labelled ticks fit. */
  count: number;
  /** Which way labels run, to tell when they collide: 'x' side by side, 'y' stacked. Default: 'y' when range is reversed. */
  orient?: 'x' | 'y';
}

/** Ticks on a log axis: "1,000", "0.05" (three significant digits, trailing zeros dropped). */
export function tickLabel(v: number): string {
  const s = formatNumber(v);
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}

/** The leading digit of a positive number: 3 for 300 and 0.03. */
const lead = (t: number) => Math.round(t / 10 ** Math.floor(Math.log10(t) + 1e-9));

/**
 * Which ticks of a log axis get a label. Labels are taken by importance: the decades, then the first and
 * the last tick (so the labels span the whole axis, not only its lower part), then 5, 2 and 3 × 10^k, then
 * the rest; a tick is labelled only where its label keeps clear of those already taken, and at most
 * `count + 1` of them. Unlabelled ticks keep their mark.
 */
export function labelLogTicks(values: number[], pos: number[], count: number, orient: 'x' | 'y'): Tick[] {
  const labels = values.map(tickLabel);
  const rank = (i: number) => {
    const d = lead(values[i]);
    if (d === 1) return 0;
    if (i === 0 || i === values.length - 1) return 1;
    return d === 5 ? 2 : d === 2 ? 3 : d === 3 ? 4 : 5;
  };
  const order = values.map((_, i) => i).sort((a, b) => rank(a) - rank(b) || a - b);
  const taken: number[] = [];
  const clear = (i: number, j: number) => {
    const gap = Math.abs(pos[i] - pos[j]);
    return orient === 'x' ? gap >= (textWidth(labels[i]) + textWidth(labels[j])) / 2 + 12 : gap >= FONT_PX + 6;
  };
  for (const i of order) {
    if (taken.length >= count + 1) break;
    if (taken.every((j) => clear(i, j))) taken.push(i);
  }
  return values.map((_, i) => ({ pos: pos[i], label: taken.includes(i) ? labels[i] : '' }));
}

export function numericAxis(o: AxisOptions): Axis {
  let lo = o.lo;
  let hi = o.hi;
  const orient = o.orient ?? (o.range[0] > o.range[1] ? 'y' : 'x');
  const pad = o.pad ?? 0;
  const useLog = o.log === 'auto' ? lo > 0 && hi / lo >= (o.autoRatio ?? 20) : o.log && lo > 0;
  if (useLog) {
    // A log domain is padded, not "niced": nice() would round out to whole decades and leave most of the
    // plot empty when the data span one or two.
    if (hi <= lo) {
      lo /= 1.5;
      hi *= 1.5;
    }
    const f = Math.max(1.08, (hi / lo) ** pad);
    const s = scaleLog()
      .domain([lo / f, hi * f])
      .range(o.range);
    const all = s.ticks();
    const ticks = labelLogTicks(
      all,
      all.map((t) => s(t)),
      o.count,
      orient,
    );
    const [d0, d1] = s.domain();
    return { scale: (v) => s(v), ticks, log: true, domain: [d0, d1] };
  }
  const nonNegative = lo >= 0;
  if (o.zeroWhenNear && lo > 0 && lo < hi / 2) lo = 0;
  if (hi <= lo) {
    const p = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= lo === 0 ? 0 : p;
    hi += p;
  }
  const s = scaleLinear().domain([lo, hi]).range(o.range).nice(o.count);
  if (o.max !== undefined && s.domain()[1] > o.max) s.domain([s.domain()[0], o.max]);
  if (pad > 0) {
    // Padding after nice(), and only at an end the data come within `pad` of: rounding out to nice numbers
    // often leaves room enough, and a padded domain niced again can double the empty part.
    const [d0, d1] = s.domain();
    const room = (d1 - d0) * pad;
    s.domain([o.lo - d0 < room ? d0 - room : d0, d1 - o.hi < room ? d1 + room : d1]);
  }
  const fmt = s.tickFormat(o.count);
  const ticks = s
    .ticks(o.count)
    .filter((t) => !(nonNegative && t < 0) && (o.max === undefined || t <= o.max + 1e-9))
    .map((t) => ({ pos: s(t), label: fmt(t) }));
  const [d0, d1] = s.domain();
  return { scale: (v) => s(v), ticks, log: false, domain: [d0, d1] };
}
