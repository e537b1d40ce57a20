/**
 * What a spreadsheet user relies on in the CSV files: every header names its unit (from the Result schema),
 * placements.csv holds exactly the services' placements, and the link statistics have files of their own.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvLayout, csvTables, timeseriesCsv, writeCsv } from '../src/report/csv.js';
import { TRACE_COLUMNS } from '../src/report/trace-csv.js';
import { CSV_UNIT_SUFFIX, csvNameWithUnit } from '../src/metrics/result-schema.js';
import { metaAt } from '../src/metrics/result-shape.js';
import type { Result } from '../src/metrics/result.js';
import { fixture, withExtras } from './fixtures/reports/results.js';

/** Records of a CSV text (RFC 4180 quoting; enough for these files), keyed by the header. */
function rowsOf(text: string): Record<string, string>[] {
  const lines: string[][] = [];
  for (const line of text.trimEnd().split('\n')) {
    const cells: string[] = [];
    for (const m of line.matchAll(/(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g))
      cells.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]);
    lines.push(cells);
  }
  const [header, ...rows] = lines;
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

/** The unit of the Result field a column is read from ("policies[].services[].latency_ms.p99" → ms). */
function unitOf(from: string): string | undefined {
  const path = from.split(' ')[0].replace(/\[\]/g, '.*');
  const segs = path.split('.');
  // A sub-field without a unit of its own inherits the unit of the object it sits in.
  for (let n = segs.length; n > 0; n--) {
    const p = segs.slice(0, n).join('.');
    if (segs[n - 1] === '*') continue;
    const unit = metaAt(p).unit;
    if (unit !== undefined) return unit;
  }
  return undefined;
}

/** Whether a header holds the CSV suffix of `unit` as a `_`-separated part. */
function namesUnit(header: string, unit: string): boolean {
  const suffix = CSV_UNIT_SUFFIX[unit];
  expect(suffix, `unit "${unit}" of ${header} has a CSV suffix entry`).not.toBeUndefined();
  return suffix === null || `_${header.replace(/\./g, '_')}_`.includes(`_${suffix}_`);
}

describe('CSV headers name their unit', () => {
  it('every column of every file whose Result field has a unit carries its suffix', () => {
    let checked = 0;
    for (const { file, columns } of csvLayout()) {
      for (const c of columns) {
        const unit = unitOf(c.from);
        if (unit === undefined) continue;
        expect(namesUnit(c.name, unit), `${file}: ${c.name} (from ${c.from}, unit ${unit})`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(60);
  });

  it('writes fractions as 0..1 under _frac, never a bare name', () => {
    const names = csvLayout().flatMap((l) => l.columns.map((c) => c.name));
    for (const bare of ['utilisation', 'slo_attainment', 'progress']) expect(names).not.toContain(bare);
    expect(names).toEqual(expect.arrayContaining(['utilisation_frac', 'slo_attainment_frac', 'progress_frac']));
    const chat = rowsOf(csvTables(fixture()).services).find((r) => r.policy === 'edge-first' && r.service === 'chat')!;
    expect(Number(chat.slo_attainment_frac)).toBe(0.99995);
  });

  it('names the unit in timeseries.csv and trace.csv headers', () => {
    const header = timeseriesCsv(withExtras()).split('\n')[0].split(',');
    expect(header[1]).toBe('t_s');
    for (const h of header.slice(2)) {
      const leaf = h.slice(h.lastIndexOf('.') + 1);
      if (leaf.startsWith('utilisation')) expect(leaf).toBe('utilisation_frac');
      if (leaf.startsWith('power')) expect(leaf).toBe('power_w');
    }
    expect(header.some((h) => h.endsWith('.utilisation_frac'))).toBe(true);
    // trace.csv: the arrival is a time in the run (s), the durations are in ms like services.csv.
    expect(TRACE_COLUMNS.filter((c) => /_(s|ms)$/.test(c))).toEqual([
      'arrival_s',
      'network_ms',
      'queue_ms',
      'execution_ms',
      'latency_ms',
      'ttft_ms',
    ]);
  });

  it('appends a suffix only where the name lacks it, and refuses a unit without a decision', () => {
    expect(csvNameWithUnit('utilisation', 'fraction')).toBe('utilisation_frac');
    expect(csvNameWithUnit('latency_p99_ms', 'ms')).toBe('latency_p99_ms');
    expect(csvNameWithUnit('cost_usd_30d', '$')).toBe('cost_usd_30d');
    expect(csvNameWithUnit('chat.slo_attainment', 'fraction')).toBe('chat.slo_attainment_frac');
    expect(csvNameWithUnit('arrivals', 'requests')).toBe('arrivals');
    expect(csvNameWithUnit('events', undefined)).toBe('events');
    expect(() => csvNameWithUnit('x', 'furlongs')).toThrow('furlongs');
  });
});

describe('placements.csv', () => {
  for (const [name, make] of [
    ['plain', fixture],
    ['with an API target', withExtras],
  ] as const) {
    it(`holds exactly the services' placements, one row per target (${name})`, () => {
      const result = make();
      const rows = rowsOf(csvTables(result).placements);
      expect(Object.keys(rows[0])).toEqual(['policy', 'service', 'target', 'count']);
      const expected = result.policies.flatMap((p) =>
        p.services.flatMap((s) =>
          Object.entries(s.placements).map(([target, n]) => ({
            policy: p.policy,
            service: s.name,
            target,
            count: String(n),
          })),
        ),
      );
      expect(rows).toEqual(expected);
      // Summed per (policy, service), the counts give the packed column's total.
      for (const p of result.policies) {
        for (const s of p.services) {
          const sum = rows
            .filter((r) => r.policy === p.policy && r.service === s.name)
            .reduce((a, r) => a + Number(r.count), 0);
          expect(sum).toBe(Object.values(s.placements).reduce((a, n) => a + n, 0));
        }
      }
    });
  }

  it('agrees with the packed placements column of services.csv', () => {
    const t = csvTables(withExtras());
    const long = rowsOf(t.placements);
    for (const s of rowsOf(t.services)) {
      const packed = s.placements === '' ? [] : s.placements.split(';');
      const mine = long
        .filter((r) => r.policy === s.policy && r.service === s.service)
        .map((r) => `${r.target}=${r.count}`);
      expect(mine).toEqual(packed);
    }
  });
});

describe('rejections.csv and losses.csv', () => {
  function withCauses(): Result {
    const r = fixture();
    const s = r.policies[1].services[0];
    s.rejected_by = { 'no candidate available (down or cut off)': 48, 'no estimate meets the SLO': 2 };
    s.rejected = 50;
    s.lost_by = { 'the response found the users cut off (the uplink of the site whose LAN they are on was down)': 7 };
    s.lost = 7;
    return r;
  }

  it('hold the rejections and losses by cause, one row per (policy, service, cause), summing to the counts', () => {
    const result = withCauses();
    const t = csvTables(result);
    for (const [file, field, total] of [
      ['rejections', 'rejected_by', 'rejected'],
      ['losses', 'lost_by', 'lost'],
    ] as const) {
      const rows = rowsOf(t[file]);
      expect(Object.keys(rows[0])).toEqual(['policy', 'service', 'cause', 'count']);
      const expected = result.policies.flatMap((p) =>
        p.services.flatMap((s) =>
          Object.entries(s[field]).map(([cause, n]) => ({
            policy: p.policy,
            service: s.name,
            cause,
            count: String(n),
          })),
        ),
      );
      expect(rows).toEqual(expected);
      for (const p of result.policies)
        for (const s of p.services) {
          const sum = rows
            .filter((r) => r.policy === p.policy && r.service === s.name)
            .reduce((a, r) => a + Number(r.count), 0);
          expect(sum, `${file} ${p.policy}/${s.name}`).toBe(s[total]);
        }
    }
  });

  it('are written by --csv, with the header only when nothing was lost', () => {
    const dir = mkdtempSync(join(tmpdir(), 'placesim-causes-'));
    try {
      const r = fixture();
      for (const p of r.policies) for (const s of p.services) s.lost_by = {};
      const names = writeCsv(r, dir).map((f) => f.slice(dir.length + 1));
      expect(names).toEqual(expect.arrayContaining(['rejections.csv', 'losses.csv']));
      expect(readFileSync(join(dir, 'losses.csv'), 'utf8')).toBe('policy,service,cause,count\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('link statistics in CSV', () => {
  function withLinks(): Result {
    const r = withExtras();
    const [co, ef] = r.policies;
    co.backhaul = [
      {
        site: 'edge-seoul',
        direction: 'in',
        capacity_mbps: 1000,
        utilisation: 0.0615043137,
        mean_wait_ms: 0.170901283,
        transfers: 78418,
      },
      {
        site: 'edge-seoul',
        direction: 'out',
        capacity_mbps: 1000,
        utilisation: 0.000246023529,
        mean_wait_ms: 0.00141753716,
        transfers: 78420,
      },
    ];
    ef.shared_uplinks = [
      {
        users: 'cameras',
        path: 'cloud',
        capacity_mbps: 600,
        utilisation: 0.847889899,
        mean_wait_ms: 95698.6341,
        transfers: 839411,
      },
    ];
    return r;
  }

  it('writes uplinks.csv, backhaul.csv and shared_uplinks.csv when some policy has such a link', () => {
    const base = mkdtempSync(join(tmpdir(), 'placesim-links-'));
    try {
      const names = writeCsv(withLinks(), base).map((p) => p.slice(base.length + 1));
      expect(names).toEqual(expect.arrayContaining(['uplinks.csv', 'backhaul.csv', 'shared_uplinks.csv']));
      const uplinks = rowsOf(readFileSync(join(base, 'uplinks.csv'), 'utf8'));
      expect(uplinks).toEqual([
        {
          policy: 'edge-first',
          site: 'edge-seoul',
          downtime_s: '1234.5',
          outages: '3',
          buffered: '420',
          overflow: '7',
        },
      ]);
      const backhaul = rowsOf(readFileSync(join(base, 'backhaul.csv'), 'utf8'));
      expect(backhaul.map((b) => [b.policy, b.site, b.direction])).toEqual([
        ['cloud-only', 'edge-seoul', 'in'],
        ['cloud-only', 'edge-seoul', 'out'],
      ]);
      expect(Object.keys(backhaul[0])).toEqual([
        'policy',
        'site',
        'direction',
        'capacity_mbps',
        'utilisation_frac',
        'mean_wait_ms',
        'transfers',
      ]);
      expect(Number(backhaul[0].utilisation_frac)).toBe(0.0615043137);
      const shared = rowsOf(readFileSync(join(base, 'shared_uplinks.csv'), 'utf8'));
      expect(shared).toEqual([
        {
          policy: 'edge-first',
          users: 'cameras',
          path: 'cloud',
          capacity_mbps: '600',
          utilisation_frac: '0.847889899',
          mean_wait_ms: '95698.6341',
          transfers: '839411',
        },
      ]);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('leaves the link files out when no policy has a link', () => {
    const base = mkdtempSync(join(tmpdir(), 'placesim-links-'));
    try {
      const names = writeCsv(fixture(), base).map((p) => p.slice(base.length + 1));
      for (const f of ['uplinks.csv', 'backhaul.csv', 'shared_uplinks.csv']) expect(names).not.toContain(f);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
