/**
 * The one Result schema (src/metrics/result-schema.ts): it matches the Results placesim writes, every field
 * carries what the derived views need, the docs tables are generated from it, and the lenient baseline check
 * finds a value of the wrong type.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { ResultSchema, TOLERANCE_CLASSES, type ToleranceClass } from '../src/metrics/result-schema.js';
import { elementOf, fieldsOf, findMismatch, keyOrders, nodeKind } from '../src/metrics/result-shape.js';
import { renderResultDocs } from '../src/report/result-doc.js';
import { csvLayout } from '../src/report/csv.js';
import { metricDefs } from '../src/sweep/metrics.js';
import { loadScenarioFile } from '../src/scenario/load.js';
import { fixture, withExtras } from './fixtures/reports/results.js';

const ROOT = join(import.meta.dirname, '..');
const BASELINES = join(ROOT, 'results');

describe('the Result schema', () => {
  it('accepts every committed baseline (real Results) exactly, no field missing or unknown', () => {
    const files = readdirSync(BASELINES).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const parsed = ResultSchema.safeParse(JSON.parse(readFileSync(join(BASELINES, f), 'utf8')));
      expect(parsed.success ? '' : `${f}: ${parsed.error.message}`).toBe('');
    }
  });

  it('accepts the hand-made reporter fixtures', () => {
    expect(ResultSchema.safeParse(fixture()).success).toBe(true);
    expect(ResultSchema.safeParse(withExtras()).success).toBe(true);
  });

  it('gives every number outside series a tolerance class, declared or inherited', () => {
    const missing: string[] = [];
    const visit = (schema: z.ZodType, path: string, inherited: ToleranceClass | undefined, compared: boolean) => {
      const fields = fieldsOf(schema);
      if (fields !== undefined) {
        for (const x of fields) {
          expect(x.meta.doc.length, `${path}${x.key} has no doc`).toBeGreaterThan(3);
          visit(x.schema, `${path}${x.key}.`, x.meta.tolerance ?? inherited, compared && x.meta.compare !== false);
        }
        return;
      }
      const el = elementOf(schema);
      if (el !== undefined) return visit(el, `${path}*.`, inherited, compared);
      const kind = nodeKind(schema);
      if (compared && (kind === 'number' || kind === 'boolean') && inherited === undefined)
        missing.push(path.slice(0, -1));
    };
    // The scenario block's numbers are compared as the run's settings; format_version is a note, not a metric.
    for (const x of fieldsOf(ResultSchema)!)
      if (x.key === 'scenario' || x.key === 'policies') visit(x.schema, `${x.key}.`, x.meta.tolerance, true);
    expect(missing).toEqual([]);
    expect(TOLERANCE_CLASSES).toEqual(['cost', 'latency', 'count', 'fraction', 'exact']);
  });

  it('declares the JSON key order of every object, in the order of the committed baselines', () => {
    const orders = keyOrders();
    expect(orders.get('')).toEqual([
      'format_version',
      'placesim_version',
      'scenario',
      'policies',
      'pareto',
      'warnings',
    ]);
    expect(orders.get('policies.*')?.slice(-2)).toEqual(['events', 'timeseries']);
    expect(orders.get('policies.*.services.*')?.slice(-4)).toEqual([
      'latency_cdf_ms',
      'placement_reasons',
      'rejected_by',
      'lost_by',
    ]);
    expect(orders.has('policies.*.services.*.placements')).toBe(false);
  });
});

describe('views derived from the schema', () => {
  it('put every CSV-able field of a list element, and every total, into a column', () => {
    const layout = Object.fromEntries(csvLayout().map((l) => [l.file, l.columns.map((c) => c.from)]));
    const leaves = (schema: z.ZodType, base: string): string[] =>
      fieldsOf(schema)!
        .filter((x) => !x.meta.csv?.omit)
        .flatMap((x) =>
          nodeKind(x.schema) === 'object' ? leaves(x.schema, `${base}.${x.key}`) : [`${base}.${x.key}`],
        );
    const policies = fieldsOf(ResultSchema)!.find((x) => x.key === 'policies')!;
    const policyFields = fieldsOf(elementOf(policies.schema)!)!;
    const el = (key: string) => elementOf(policyFields.find((x) => x.key === key)!.schema)!;
    expect(layout['pools.csv']).toEqual(['policies[].policy', ...leaves(el('pools'), 'policies[].pools[]')]);
    expect(layout['jobs.csv']).toEqual(['policies[].policy', ...leaves(el('jobs'), 'policies[].jobs[]')]);
    expect(layout['services.csv']).toEqual(['policies[].policy', ...leaves(el('services'), 'policies[].services[]')]);
    const totals = policyFields.find((x) => x.key === 'totals')!.schema;
    for (const leaf of leaves(totals, 'policies[].totals')) expect(layout['summary.csv']).toContain(leaf);
  });
});

describe('docs/result-format.md', () => {
  const page = readFileSync(join(ROOT, 'docs', 'result-format.md'), 'utf8');

  it('holds the tables the schema generates (run `npm run docs:result` after changing the schema)', () => {
    expect(renderResultDocs(page)).toBe(page);
  });

  it('documents every object of the Result and every CSV file', () => {
    for (const path of [
      'Result',
      'policies.*',
      'policies.*.services.*',
      'policies.*.pools.*',
      'policies.*.totals',
      'policies.*.jobs.*',
    ]) {
      expect(page).toContain(`<!-- result-fields ${path} -->`);
    }
    for (const l of csvLayout()) expect(page).toContain(`<!-- result-csv ${l.file} -->`);
    expect(page).toMatch(/\| `cost_usd\.compute` \| \$ \| cost \| Billed unit-seconds/);
    expect(page).toMatch(/\| `cost_compute_usd` \| `policies\[\]\.totals\.cost_usd\.compute` \|/);
  });
});

describe('findMismatch (the lenient baseline check)', () => {
  const base = () => JSON.parse(readFileSync(join(BASELINES, 'chatbot-seoul.json'), 'utf8'));

  it('passes a real Result, and one with fields missing, unknown or null', () => {
    expect(findMismatch(base())).toBeUndefined();
    const r = base();
    delete r.policies[0].pools[0].batches;
    r.policies[0].services[0].brand_new = 'x';
    r.policies[0].totals.cost_usd.total = null;
    expect(findMismatch(r)).toBeUndefined();
  });

  it('names the first value of the wrong type by its path', () => {
    const r = base();
    r.policies[1].services[0].latency_ms.p99 = '12.5';
    expect(findMismatch(r)).toEqual({
      path: ['policies', 1, 'services', 0, 'latency_ms', 'p99'],
      expected: 'number',
      got: 'string',
    });
    const s = base();
    s.policies[0].services[0].placements = [1];
    expect(findMismatch(s)).toMatchObject({
      path: ['policies', 0, 'services', 0, 'placements'],
      expected: 'record',
      got: 'array',
    });
  });
});

describe('sweep metrics named and described from the schema', () => {
  it('keeps the names and descriptions sweep.csv and sweep.json have always carried', () => {
    const defs = metricDefs(loadScenarioFile(join(ROOT, 'scenarios', 'chatbot-seoul.yaml')));
    const u =
      'busy over available server-time in the measured window, 0..1 (empty where the policy does not provision the pool)';
    const lat = 'chat: end-to-end latency of completed requests';
    expect(defs.map((d) => [d.name, d.description])).toEqual([
      ['cost_usd', 'total cost over the measured window, USD'],
      ['cost_usd_per_1k', 'cost per 1,000 completed requests, USD'],
      ['energy_kwh', 'energy (IT, facility overhead, network) over the measured window, kWh'],
      ['carbon_kg', 'carbon over the measured window, kg CO2e'],
      ['carbon_kg_per_1k', 'carbon per 1,000 completed requests, kg CO2e'],
      ['chat.latency_mean_ms', `${lat}, mean, ms`],
      ['chat.latency_p50_ms', `${lat}, median, ms`],
      ['chat.latency_p95_ms', `${lat}, 95th percentile, ms`],
      ['chat.latency_p99_ms', `${lat}, 99th percentile, ms`],
      ['chat.ttft_p99_ms', 'chat: time to first token, 99th percentile, ms'],
      ['chat.slo_attainment', 'chat: fraction of measured requests that met every SLO, 0..1'],
      ['chat.rejected', 'chat: requests rejected in the measured window'],
      ['chat.completed', 'chat: requests completed in the measured window'],
      ['aws-us-east-1/a10g.utilisation', `aws-us-east-1/a10g: ${u}`],
      ['seoul-edge/orin.utilisation', `seoul-edge/orin: ${u}`],
    ]);
  });
});
