/**
 * The search report's frontier chart: every configuration a search evaluated for one policy, objective
 * across, the first constraint's metric up; the constraint's bound as a line, infeasible points hollow, the
 * Pareto frontier joined, the winner ringed.
 */
import type { SearchResult } from '../../search/result.js';
import { numericAxis } from './scales.js';
import { esc, IdSource, INK, legend, n, seriesStyle, svgChart, widestLabel, xAxis, yAxis } from './svg.js';

export function searchFrontierChart(ids: IdSource, result: SearchResult, policyIndex: number, width = 640): string {
  const ps = result.policies[policyIndex];
  const c = result.constraints[0];
  const obj = result.objective;
  if (!c || !obj) return '';
  const pts = result.evaluated
    .filter((e) => e.policy === ps.policy && e.objective !== null && e.metrics[c.metric])
    .map((e) => ({ e, x: e.objective!, y: e.metrics[c.metric]!.mean, ci: e.metrics[c.metric]!.ci95 }));
  if (pts.length === 0) return `<p class="note">${esc(ps.policy)}: no evaluated configuration has both figures.</p>`;
  const color = seriesStyle(policyIndex).color;
  const plotH = 260;
  const yAx = numericAxis({
    lo: Math.min(c.bound, ...pts.map((p) => p.y - p.ci)),
    hi: Math.max(c.bound, ...pts.map((p) => p.y + p.ci)),
    range: [plotH, 0],
    log: 'auto',
    autoRatio: 100,
    pad: 0.08,
    count: 5,
  });
  const left = Math.ceil(widestLabel(yAx.ticks)) + 36;
  const right = 20;
  const leg = legend(
    [
      { label: 'feasible', color, swatch: 'rect' },
      { label: 'frontier', color, swatch: 'line' },
      { label: 'winner', color, swatch: 'ring' },
      { label: `bound ${c.op} ${c.bound}`, color: INK, swatch: 'line', dash: '4 3' },
    ],
    left,
    6,
    width - left - right,
  );
  const top = 6 + leg.height + 14;
  const x0 = left;
  const x1 = width - right;
  const xAx = numericAxis({
    lo: Math.min(...pts.map((p) => p.x)),
    hi: Math.max(...pts.map((p) => p.x)),
    range: [x0, x1],
    log: 'auto',
    autoRatio: 100,
    pad: 0.08,
    count: Math.max(3, Math.floor((x1 - x0) / 80)),
    orient: 'x',
  });
  const y = (v: number) => top + yAx.scale(yAx.log ? Math.max(v, yAx.domain[0]) : v);
  const body: string[] = [
    leg.svg,
    xAxis(xAx.ticks, top + plotH, x0, x1, `${obj.text}${xAx.log ? ' (log scale)' : ''}`, top),
    yAxis(
      yAx.ticks.map((t) => ({ pos: top + t.pos, label: t.label })),
      x0,
      top + plotH,
      top,
      `${c.metric}${yAx.log ? ' (log scale)' : ''}`,
      x1,
      14,
    ),
    `<line class="bound" x1="${n(x0)}" x2="${n(x1)}" y1="${n(y(c.bound))}" y2="${n(y(c.bound))}" stroke="${INK}" stroke-dasharray="4 3"/>`,
  ];
  const front = ps.frontier.map((i) => pts.find((p) => p.e.index === i)).filter((p) => p !== undefined);
  if (front.length > 1) {
    body.push(
      `<polyline class="frontier" points="${front.map((p) => `${n(xAx.scale(p.x))},${n(y(p.y))}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`,
    );
  }
  for (const p of pts) {
    const config = Object.entries(p.e.values)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    const fill = p.e.feasible ? color : '#ffffff';
    body.push(
      `<circle class="point${p.e.feasible ? ' feasible' : ''}" data-index="${p.e.index}" cx="${n(xAx.scale(p.x))}" cy="${n(y(p.y))}" r="4" fill="${fill}" stroke="${color}" stroke-width="1.5">` +
        `<title>${esc(`${config}: ${obj.text} ${p.x}, ${c.metric} ${p.y}${p.e.feasible ? '' : ' (infeasible)'}`)}</title></circle>`,
    );
  }
  if (ps.winner !== null) {
    const w = pts.find((p) => p.e.index === ps.winner);
    if (w) {
      body.push(
        `<circle class="winner" cx="${n(xAx.scale(w.x))}" cy="${n(y(w.y))}" r="9" fill="none" stroke="#000" stroke-width="2"/>`,
      );
    }
  }
  return svgChart({
    ids,
    kind: 'search-frontier',
    width,
    height: top + plotH + 46,
    title: `${ps.policy}: ${obj.text} against ${c.metric}`,
    desc:
      `Every configuration the search evaluated for ${ps.policy}: ${obj.text} across, ${c.metric} up (mean over ` +
      `${result.replications} replication(s)). Hollow points break a constraint; the line joins the Pareto frontier; ` +
      `the ring marks the cheapest feasible configuration.`,
    attrs: { 'data-policy': ps.policy },
    body: body.join(''),
  });
}
