/**
 * Reporters of a check: a plain-text table for the terminal, Markdown for a CI job summary, JUnit XML for CI
 * test views. All three list the same moves; none of them decides anything (CheckReport.failed does).
 */
import { formatChange, formatValue, isFailure, type MetricDiff, type Verdict } from './compare.js';
import type { CheckReport, ScenarioCheck } from './run-check.js';
import { formatTolerance, type AppliedTolerance } from './tolerance.js';

const VERDICT_TEXT: Record<Verdict, string> = {
  within: 'within',
  exceeded: 'EXCEEDED',
  added: 'added',
  removed: 'REMOVED',
};

function toleranceText(t: AppliedTolerance): string {
  const bound = formatTolerance(t);
  return `${bound} (${t.source} ${t.pattern})`;
}

function counts(s: ScenarioCheck): { moved: number; failing: number } {
  return { moved: s.diffs.length, failing: s.diffs.filter(isFailure).length };
}

function headline(s: ScenarioCheck): string {
  const { moved, failing } = counts(s);
  if (moved === 0) return `no metric moved (${s.metrics} compared)`;
  const past = s.status === 'updated' ? '' : `, ${failing} past tolerance or removed`;
  return `${moved} of ${s.metrics} metrics moved${past}`;
}

function row(d: MetricDiff): string[] {
  return [
    d.metric,
    formatValue(d.baseline),
    formatValue(d.current),
    formatChange(d),
    toleranceText(d.tolerance),
    VERDICT_TEXT[d.verdict],
  ];
}

const HEADER = ['metric', 'baseline', 'current', 'change', 'tolerance', 'verdict'];

function align(rows: string[][], indent: string): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => indent + r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  '));
}

function summaryLine(report: CheckReport): string {
  const n = (status: ScenarioCheck['status']) => report.scenarios.filter((s) => s.status === status).length;
  const total = report.scenarios.length;
  const scen = `${total} scenario${total === 1 ? '' : 's'}`;
  if (n('updated') === total) return `${scen}: baselines updated`;
  // Not "N passed, N failed": CI log readers take that line for a test runner's verdict.
  return `${scen} checked: ${n('pass')} pass, ${n('fail')} fail${n('updated') > 0 ? `, ${n('updated')} updated` : ''}`;
}

/** How many of a scenario's largest moves the digest names. */
export const DIGEST_TOP = 3;

/**
 * The size of a move for ranking: |relative change|; a move with no relative change (new, removed, to or
 * from null, from a zero baseline) ranks above every relative one, failures above moves within tolerance.
 */
function moveSize(d: MetricDiff): number {
  return d.relative === null ? Number.POSITIVE_INFINITY : Math.abs(d.relative);
}

/** The scenario's moves, largest first: failures, then by size, then in metric order. */
export function largestMoves(s: ScenarioCheck, n = DIGEST_TOP): MetricDiff[] {
  return s.diffs
    .map((d, i) => ({ d, i }))
    .sort((a, b) => Number(isFailure(b.d)) - Number(isFailure(a.d)) || moveSize(b.d) - moveSize(a.d) || a.i - b.i)
    .slice(0, n)
    .map((x) => x.d);
}

/** A metric's name without the leading "<scenario>/": the digest is already under the scenario's name. */
function shortName(s: ScenarioCheck, metric: string): string {
  return metric.startsWith(`${s.name}/`) ? metric.slice(s.name.length + 1) : metric;
}

/**
 * The short digest printed before the full table: per scenario that moved, how many metrics moved (and how
 * many of those fail) and the few that moved most with their relative change. Empty when nothing moved.
 */
export function renderCheckDigest(report: CheckReport): string {
  const moved = report.scenarios.filter((s) => s.diffs.length > 0);
  if (moved.length === 0) return '';
  const lines: string[] = ['digest (the full table follows):'];
  for (const s of moved) {
    lines.push(`  ${s.status.toUpperCase().padEnd(7)} ${s.name}: ${headline(s)}`);
    const top = largestMoves(s);
    const rows = top.map((d) => [
      shortName(s, d.metric),
      `${formatValue(d.baseline)} → ${formatValue(d.current)}`,
      formatChange(d),
      VERDICT_TEXT[d.verdict],
    ]);
    lines.push(...align(rows, '      '));
    if (s.diffs.length > top.length) lines.push(`      … and ${s.diffs.length - top.length} more`);
  }
  return lines.join('\n') + '\n\n';
}

/** `notes: false` (--quiet) leaves out the notes: the digest, the moves and the verdict remain. */
export function renderCheckTable(report: CheckReport, opts: { notes?: boolean } = {}): string {
  const showNotes = opts.notes !== false;
  const lines: string[] = [];
  for (const s of report.scenarios) {
    lines.push(`${s.status.toUpperCase().padEnd(7)} ${s.name} (${s.file} vs ${s.baseline}): ${headline(s)}`);
    if (s.diffs.length > 0) lines.push(...align([HEADER, ...s.diffs.map(row)], '  '));
    if (showNotes) for (const note of s.notes) lines.push(`  note: ${note}`);
  }
  if (showNotes) for (const note of report.notes) lines.push(`note: ${note}`);
  lines.push('', summaryLine(report));
  return renderCheckDigest(report) + lines.join('\n') + '\n';
}

// ------------------------------------------------------------------------------------------------ Markdown

/** GitHub caps a step summary at 1 MiB; a model change that moves everything must not blow it. */
const MARKDOWN_ROWS_PER_SCENARIO = 200;

function mdCell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r?\n/g, ' ');
}

function mdCode(text: string): string {
  // A code span keeps "_" and "*" in metric names literal; one holding a backtick is left plain.
  return text.includes('`') ? mdCell(text) : `\`${mdCell(text)}\``;
}

const MD_STATUS: Record<ScenarioCheck['status'], string> = { pass: '✅ pass', fail: '❌ fail', updated: '📝 updated' };

export function renderCheckMarkdown(report: CheckReport): string {
  const out: string[] = [];
  const failed = report.scenarios.filter((s) => s.status === 'fail').length;
  const title = report.failed
    ? `❌ ${failed} of ${report.scenarios.length} scenarios moved past tolerance`
    : `✅ ${summaryLine(report)}`;
  out.push(`## placesim check: ${title}`, '');
  out.push(
    '| scenario | file | baseline | status | metrics | moved | past tolerance |',
    '|---|---|---|---|---:|---:|---:|',
  );
  for (const s of report.scenarios) {
    const { moved, failing } = counts(s);
    out.push(
      `| ${mdCode(s.name)} | ${mdCode(s.file)} | ${mdCode(s.baseline)} | ${MD_STATUS[s.status]} | ${s.metrics} | ${moved} | ${s.status === 'updated' ? '—' : failing} |`,
    );
  }
  for (const s of report.scenarios) {
    if (s.diffs.length === 0 && s.notes.length === 0) continue;
    out.push('', `### ${mdCell(s.name)}: ${MD_STATUS[s.status]}`, '', mdCell(headline(s)) + '.');
    if (s.diffs.length > 0) {
      // Failures first, so a cut list still shows every reason the job failed that fits.
      const sorted = [...s.diffs.filter(isFailure), ...s.diffs.filter((d) => !isFailure(d))];
      const shown = sorted.slice(0, MARKDOWN_ROWS_PER_SCENARIO);
      out.push('', '| metric | baseline | current | change | tolerance | verdict |', '|---|---:|---:|---:|---|---|');
      for (const d of shown) {
        const [metric, ...rest] = row(d);
        const verdict = isFailure(d) ? `**${VERDICT_TEXT[d.verdict]}**` : VERDICT_TEXT[d.verdict];
        out.push(`| ${mdCode(metric)} | ${rest.slice(0, 4).map(mdCell).join(' | ')} | ${verdict} |`);
      }
      if (sorted.length > shown.length)
        out.push('', `… and ${sorted.length - shown.length} more (the full list is in the job log).`);
    }
    if (s.notes.length > 0) out.push('', ...s.notes.map((n) => `- ${mdCell(n)}`));
  }
  if (report.notes.length > 0) out.push('', ...report.notes.map((n) => `- ${mdCell(n)}`));
  return out.join('\n') + '\n';
}

// ------------------------------------------------------------------------------------------------ JUnit

// The control characters (and lone surrogates) that XML 1.0 cannot hold at all.
/* eslint-disable no-control-regex -- matching those control characters is the point */
const XML_FORBIDDEN =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/* eslint-enable no-control-regex */

/** Escapes for text and attribute values, dropping characters XML 1.0 cannot hold at all. */
export function xmlEscape(text: string): string {
  return text
    .replace(XML_FORBIDDEN, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function diffLine(d: MetricDiff): string {
  return `${d.metric}: ${formatValue(d.baseline)} → ${formatValue(d.current)} (${formatChange(d)}), tolerance ${toleranceText(d.tolerance)}: ${VERDICT_TEXT[d.verdict]}`;
}

/**
 * One <testsuite> per scenario, one <testcase> per metric group (a policy's service, pool, totals,
 * conservation, events; the scenario's settings). A group with a metric past tolerance or removed fails,
 * its <failure> listing those; moves within tolerance go to the testcase's <system-out>.
 */
export function renderCheckJunit(report: CheckReport): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let time = 0;
  for (const s of report.scenarios) {
    const byGroup = new Map<string, MetricDiff[]>();
    for (const d of s.diffs) byGroup.set(d.group, [...(byGroup.get(d.group) ?? []), d]);
    const cases: string[] = [];
    let suiteFailures = 0;
    for (const g of s.groups) {
      const diffs = byGroup.get(g.name) ?? [];
      const failing = diffs.filter(isFailure);
      const moved = diffs.filter((d) => !isFailure(d));
      const attrs = `name="${xmlEscape(g.name)}" classname="${xmlEscape(s.name)}" assertions="${g.metrics}"`;
      const body: string[] = [];
      if (failing.length > 0 && s.status === 'fail') {
        suiteFailures++;
        const message = `${failing.length} of ${g.metrics} metrics past tolerance or removed`;
        body.push(
          `      <failure message="${xmlEscape(message)}" type="regression">${xmlEscape(failing.map(diffLine).join('\n'))}</failure>`,
        );
      }
      const info = s.status === 'fail' ? moved : diffs;
      if (info.length > 0) body.push(`      <system-out>${xmlEscape(info.map(diffLine).join('\n'))}</system-out>`);
      cases.push(
        body.length === 0 ? `    <testcase ${attrs}/>` : `    <testcase ${attrs}>\n${body.join('\n')}\n    </testcase>`,
      );
    }
    tests += s.groups.length;
    failures += suiteFailures;
    time += s.time_s;
    const attrs =
      `name="${xmlEscape(s.name)}" tests="${s.groups.length}" failures="${suiteFailures}" errors="0" skipped="0" ` +
      `time="${s.time_s.toFixed(3)}" file="${xmlEscape(s.file)}"`;
    const out = s.notes.length > 0 ? [`    <system-out>${xmlEscape(s.notes.join('\n'))}</system-out>`] : [];
    suites.push(`  <testsuite ${attrs}>\n${[...cases, ...out].join('\n')}\n  </testsuite>`);
  }
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="placesim check" tests="${tests}" failures="${failures}" errors="0" time="${time.toFixed(3)}">\n` +
    suites.map((s) => s + '\n').join('') +
    '</testsuites>\n'
  );
}
