/**
 * SVG building blocks for the HTML report, as strings: escaping, fixed-precision numbers, the palette, axes
 * and legends. No DOM: the report is built on the server side and must be byte-identical for the same input,
 * so every number written goes through `n()` and every text through `esc()`. The SVG is inline in HTML5,
 * so it needs no xmlns (and the document then names no URL at all).
 */

/** Escape text for HTML element content and for attribute values (double- or single-quoted). */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;',
  );
}

/** A coordinate with at most two decimals (a hundredth of a pixel is below what a screen shows). */
export function n(x: number): string {
  const r = Math.round(x * 100) / 100;
  return r === 0 ? '0' : String(r);
}

/**
 * Okabe & Ito's colour-universal-design palette ("Color Universal Design", 2008; also Wong, Nature Methods
 * 8:441, 2011), distinguishable under the common colour-vision deficiencies. Yellow (#F0E442) is left out:
 * it vanishes as a thin line on white. After seven series the colours repeat, and the dash pattern (which
 * changes with every series) still tells them apart.
 */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'] as const;

/** Dash patterns for series lines, so that overlapping lines (two policies with the same result) both show. */
const DASHES = ['', '7 3', '2 3', '10 3 2 3', '4 4', '12 4', '1 2', '6 2 2 2 2 2'];

export interface SeriesStyle {
  color: string;
  dash: string;
}

export function seriesStyle(i: number): SeriesStyle {
  return { color: PALETTE[i % PALETTE.length], dash: DASHES[i % DASHES.length] };
}

export function dashAttr(dash: string): string {
  return dash === '' ? '' : ` stroke-dasharray="${dash}"`;
}

export const FONT_PX = 12;

/**
 * Estimated width of a text in the report's sans-serif at `px`. No font metrics on the server: 0.6 em per
 * character is a little wider than the average glyph of the usual system fonts, so layouts err on the roomy
 * side.
 */
export function textWidth(s: string, px = FONT_PX): number {
  return [...s].length * px * 0.6;
}

/** Unique, deterministic element ids within one document. */
export class IdSource {
  private count = 0;
  next(prefix: string): string {
    this.count += 1;
    return `${prefix}-${this.count}`;
  }
}

export interface Margin {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

// Presentation attributes rather than CSS classes alone, so that a chart copied out of the page still draws.
export const INK = '#777777';
const GRID = '#e8e8e8';

export interface Tick {
  /** Position along the axis, px. */
  pos: number;
  /** Empty: a tick mark without a label (minor ticks of a log axis). */
  label: string;
}

/**
 * A horizontal axis at y, from x0 to x1, with grid lines up to gridTop. The label (with its unit) sits
 * centred under the tick labels.
 */
export function xAxis(ticks: Tick[], y: number, x0: number, x1: number, label: string, gridTop: number): string {
  const out: string[] = [`<g class="axis x-axis">`];
  for (const t of ticks) {
    out.push(
      `<g class="tick" transform="translate(${n(t.pos)},0)">` +
        `<line class="grid" y1="${n(gridTop)}" y2="${n(y)}" stroke="${GRID}"/>` +
        `<line y1="${n(y)}" y2="${n(y + (t.label === '' ? 3 : 5))}" stroke="${INK}"/>` +
        (t.label === '' ? '' : `<text y="${n(y + 17)}" text-anchor="middle">${esc(t.label)}</text>`) +
        `</g>`,
    );
  }
  out.push(`<line class="domain" x1="${n(x0)}" x2="${n(x1)}" y1="${n(y)}" y2="${n(y)}" stroke="${INK}"/>`);
  out.push(
    `<text class="axis-label" x="${n((x0 + x1) / 2)}" y="${n(y + 36)}" text-anchor="middle">${esc(label)}</text>`,
  );
  out.push(`</g>`);
  return out.join('');
}

/** A vertical axis at x, from y0 (bottom) to y1 (top), with grid lines across to gridRight. */
export function yAxis(
  ticks: Tick[],
  x: number,
  y0: number,
  y1: number,
  label: string,
  gridRight: number,
  labelX: number,
): string {
  const out: string[] = [`<g class="axis y-axis">`];
  for (const t of ticks) {
    out.push(
      `<g class="tick" transform="translate(0,${n(t.pos)})">` +
        `<line class="grid" x1="${n(x)}" x2="${n(gridRight)}" stroke="${GRID}"/>` +
        `<line x1="${n(x - (t.label === '' ? 3 : 5))}" x2="${n(x)}" stroke="${INK}"/>` +
        (t.label === '' ? '' : `<text x="${n(x - 8)}" dy="0.32em" text-anchor="end">${esc(t.label)}</text>`) +
        `</g>`,
    );
  }
  out.push(`<line class="domain" x1="${n(x)}" x2="${n(x)}" y1="${n(y0)}" y2="${n(y1)}" stroke="${INK}"/>`);
  const mid = (y0 + y1) / 2;
  out.push(
    `<text class="axis-label" transform="translate(${n(labelX)},${n(mid)}) rotate(-90)" text-anchor="middle">${esc(label)}</text>`,
  );
  out.push(`</g>`);
  return out.join('');
}

/** Width of the widest tick label, px: sets the left margin so that labels are never cut. */
export function widestLabel(ticks: Tick[]): number {
  return Math.max(0, ...ticks.map((t) => textWidth(t.label)));
}

export interface LegendItem {
  label: string;
  color: string;
  /** line: a series; rect: a stacked-bar component; ring: a marked point; pair: two points drawn apart. */
  swatch: 'line' | 'rect' | 'ring' | 'pair';
  dash?: string;
  /** Greyed-out item (e.g. a policy that has no data in this chart). */
  muted?: boolean;
}

const SWATCH_W = 22;
const ITEM_GAP = 16;
const ROW_H = 18;

/**
 * A legend laid out in rows within `width`, starting at (x, y). Returns the markup and the height it takes,
 * so the caller can put the plot below it.
 */
export function legend(items: LegendItem[], x: number, y: number, width: number): { svg: string; height: number } {
  const out: string[] = [`<g class="legend">`];
  let cx = x;
  let row = 0;
  for (const item of items) {
    const w = SWATCH_W + 6 + textWidth(item.label);
    if (cx > x && cx + w > x + width) {
      row += 1;
      cx = x;
    }
    const cy = y + row * ROW_H + ROW_H / 2;
    let swatch: string;
    if (item.swatch === 'line') {
      swatch =
        `<line class="swatch" x1="${n(cx)}" x2="${n(cx + SWATCH_W)}" y1="${n(cy)}" y2="${n(cy)}" ` +
        `stroke="${item.color}" stroke-width="3"${dashAttr(item.dash ?? '')}/>` +
        // A solid block in the middle keeps the colour readable whatever the dash pattern.
        `<rect class="swatch" x="${n(cx + SWATCH_W / 2 - 4)}" y="${n(cy - 4)}" width="8" height="8" fill="${item.color}"/>`;
    } else if (item.swatch === 'rect') {
      swatch = `<rect class="swatch" x="${n(cx + 5)}" y="${n(cy - 6)}" width="12" height="12" fill="${item.color}"/>`;
    } else if (item.swatch === 'pair') {
      // Two dots drawn apart, each with a spoke to the one spot of their value.
      const mx = cx + SWATCH_W / 2;
      swatch =
        `<line class="swatch" x1="${n(mx - 6)}" y1="${n(cy)}" x2="${n(mx + 6)}" y2="${n(cy)}" stroke="${item.color}" stroke-width="1"/>` +
        `<circle class="swatch" cx="${n(mx)}" cy="${n(cy)}" r="1.5" fill="${item.color}"/>` +
        `<circle class="swatch" cx="${n(mx - 6)}" cy="${n(cy)}" r="4" fill="#ffffff" stroke="${item.color}" stroke-width="1.5"/>` +
        `<circle class="swatch" cx="${n(mx + 6)}" cy="${n(cy)}" r="4" fill="#ffffff" stroke="${item.color}" stroke-width="1.5"/>`;
    } else {
      swatch = `<circle class="swatch" cx="${n(cx + SWATCH_W / 2)}" cy="${n(cy)}" r="6" fill="${item.color}" stroke="#000" stroke-width="2"/>`;
    }
    out.push(
      `<g class="legend-item${item.muted ? ' muted' : ''}">${item.muted ? `<g opacity="0.35">${swatch}</g>` : swatch}` +
        `<text x="${n(cx + SWATCH_W + 6)}" y="${n(cy)}" dy="0.32em">${esc(item.label)}</text></g>`,
    );
    cx += w + ITEM_GAP;
  }
  out.push(`</g>`);
  return { svg: out.join(''), height: (row + 1) * ROW_H };
}

/**
 * The outer element of every chart. `width`/`height` are the intrinsic size; CSS scales it down on narrow
 * screens (the viewBox keeps the proportions). Title and description are for screen readers and tooltips.
 */
export function svgChart(opts: {
  ids: IdSource;
  kind: string;
  width: number;
  height: number;
  title: string;
  desc: string;
  attrs?: Record<string, string>;
  body: string;
}): string {
  const id = opts.ids.next('chart');
  const extra = Object.entries(opts.attrs ?? {})
    .map(([k, v]) => ` ${k}="${esc(v)}"`)
    .join('');
  return (
    `<svg class="chart" data-chart="${esc(opts.kind)}"${extra} ` +
    `width="${opts.width}" height="${opts.height}" viewBox="0 0 ${opts.width} ${opts.height}" ` +
    `role="img" aria-labelledby="${id}-title ${id}-desc" font-family="sans-serif" font-size="${FONT_PX}">` +
    `<title id="${id}-title">${esc(opts.title)}</title><desc id="${id}-desc">${esc(opts.desc)}</desc>` +
    opts.body +
    `</svg>`
  );
}
