/**
 * The HTML reports opened in a real browser: headless Chromium through playwright-core. Needs a Chromium
 * binary (`chromium` on PATH, or CHROMIUM_PATH). Without one the tests are skipped with a printed notice,
 * except under CI=true, where a missing browser fails the run (.ci/run installs it).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadScenarioFile } from '../src/scenario/index.js';
import { runScenario } from '../src/sim/index.js';
import { renderHtml, renderSweepHtml } from '../src/report/html.js';
import type { Result } from '../src/metrics/result.js';
import type { SweepResult } from '../src/metrics/sweep-result.js';
import { externalTool } from './helpers/external-tool.js';

const CHROMIUM = externalTool({
  name: 'Chromium',
  envVar: 'CHROMIUM_PATH',
  commands: ['chromium', 'chromium-browser', '/usr/bin/chromium'],
  neededBy: 'test/html-e2e.test.ts (the HTML reports in a real browser)',
  install: 'Debian/Ubuntu: apt-get install --no-install-recommends chromium',
}).path;

// Okabe–Ito colours the report promises for the first policies, in order (docs/reports.md).
const POLICY_COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00'];

let browser: Browser;
let dir: string;
let result: Result;
let runFile: string;
let sweepFile: string;
let trainingFile: string;
let cameraFile: string;
/** Every URL the pages asked for: a self-contained report asks for nothing but itself. */
const requested: string[] = [];

function sweepFixture(): SweepResult {
  const path = 'services.chat.arrivals.poisson';
  return {
    format_version: 1,
    placesim_version: '0.0.0-test',
    scenario: { name: 'e2e sweep', file: null, seed: 1 },
    axes: [{ path, values: [1, 2, 4, 8] }],
    replications: 3,
    seeds: [1, 2, 3],
    metrics: [
      { name: 'cost_usd_per_1k', description: 'cost per 1,000 completed requests, USD' },
      { name: 'chat.latency_p99_ms', description: 'chat: p99 latency, ms' },
    ],
    points: [1, 2, 4, 8].map((r, index) => ({
      index,
      values: { [path]: r },
      policies: ['cloud-only', 'edge-only'].map((policy, i) => ({
        policy,
        metrics: {
          cost_usd_per_1k: { mean: 6 / r + i, ci95: 0.4, n: 3 },
          'chat.latency_p99_ms': { mean: 400 + 250 * i * r, ci95: 30 * r, n: 3 },
        },
      })),
    })),
  };
}

async function open(file: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 }, deviceScaleFactor: 1 });
  page.on('request', (r) => requested.push(r.url()));
  await page.goto(pathToFileURL(file).href);
  return page;
}

/**
 * Colour histogram of a PNG, decoded by the browser itself: drawn into a canvas on a blank page and read
 * back pixel by pixel (no PNG decoder in the project's dependencies).
 */
async function colours(png: Buffer): Promise<Map<string, number>> {
  const page = await browser.newPage();
  try {
    const counts = await page.evaluate(async (b64: string) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, img.width, img.height).data;
      const counts = new Map<number, number>();
      for (let i = 0; i < d.length; i += 4) {
        const key = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const out: Record<string, number> = {};
      for (const [key, count] of counts) out['#' + key.toString(16).padStart(6, '0')] = count;
      return out;
    }, png.toString('base64'));
    return new Map(Object.entries(counts));
  } finally {
    await page.close();
  }
}

/** Pixels within ±3 per channel of a colour (rendering may round a channel). */
function near(hist: Map<string, number>, hex: string): number {
  const rgb = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
  const want = rgb(hex);
  let total = 0;
  for (const [k, count] of hist) {
    const got = rgb(k);
    if (got.every((v, i) => Math.abs(v - want[i]) <= 3)) total += count;
  }
  return total;
}

describe.skipIf(CHROMIUM === null)('HTML reports in Chromium', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'placesim-html-'));
    result = runScenario(loadScenarioFile('scenarios/chatbot-seoul.yaml'));
    runFile = join(dir, 'report.html');
    sweepFile = join(dir, 'sweep.html');
    writeFileSync(runFile, renderHtml(result));
    writeFileSync(sweepFile, renderSweepHtml(sweepFixture()));
    // smart-camera's committed baseline: three policies at the same cost and p99 (they all place on the
    // store box), and cloud-only's latencies up to ~200 s.
    cameraFile = join(dir, 'camera.html');
    writeFileSync(cameraFile, renderHtml(JSON.parse(readFileSync('results/smart-camera.json', 'utf8')) as Result));
    trainingFile = join(dir, 'training.html');
    writeFileSync(trainingFile, renderHtml(runScenario(loadScenarioFile('test/fixtures/reports/training-api.yaml'))));
    browser = await chromium.launch({
      executablePath: CHROMIUM!,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('the run report in Chromium', () => {
    it('shows every chart with a real size and a CDF line per policy', async () => {
      const page = await open(runFile);
      const charts = page.locator('svg.chart');
      // chatbot-seoul: 1 latency CDF, TTFT and TPOT CDFs (an LLM service), 3 breakdowns, 2 pools ×
      // (utilisation, queue), 1 cost/p99 scatter.
      expect(await charts.count()).toBe(11);
      for (let i = 0; i < 11; i++) {
        const chart = charts.nth(i);
        expect(await chart.isVisible()).toBe(true);
        const box = await chart.boundingBox();
        expect(box).not.toBeNull();
        expect(box!.width).toBeGreaterThan(200);
        expect(box!.height).toBeGreaterThan(100);
      }
      const cdf = page.locator('svg.chart[data-chart="latency-cdf"]');
      const series = cdf.locator('path.series');
      expect(await series.count()).toBe(result.policies.length);
      // Each line has drawn extent: a CDF rises from its first quantile to 100 %.
      const heights = await series.evaluateAll((els) => els.map((e) => (e as SVGGraphicsElement).getBBox().height));
      for (const h of heights) expect(h).toBeGreaterThan(10);
      await page.close();
    });

    it('paints the charts: a CDF screenshot holds each policy colour, the page is not blank', async () => {
      const page = await open(runFile);
      const shot = await page.locator('svg.chart[data-chart="latency-cdf"]').screenshot();
      const hist = await colours(shot);
      // The legend swatches are solid 8×8 squares: at least that many pixels of each policy's colour.
      for (const c of POLICY_COLOURS.slice(0, result.policies.length)) expect(near(hist, c)).toBeGreaterThanOrEqual(36);
      // White background, dark text, grid, five colours and their anti-aliased edges.
      expect(hist.size).toBeGreaterThan(30);
      const whole = await colours(await page.screenshot());
      const [, most] = [...whole.entries()].sort((a, b) => b[1] - a[1])[0];
      const total = [...whole.values()].reduce((a, b) => a + b, 0);
      expect(most / total).toBeLessThan(0.97);
      await page.close();
    });

    it('labels the Pareto points where they can be read', async () => {
      const page = await open(runFile);
      const labels = page.locator('svg.chart[data-chart="cost-p99"] text.pareto-label');
      expect(await labels.allTextContents()).toEqual(
        expect.arrayContaining(['cloud-only (Pareto)', 'edge-only (Pareto)']),
      );
      // Inside the chart's box.
      const chart = (await page.locator('svg.chart[data-chart="cost-p99"]').boundingBox())!;
      for (const box of await Promise.all((await labels.all()).map((l) => l.boundingBox()))) {
        expect(box!.x).toBeGreaterThanOrEqual(chart.x);
        expect(box!.x + box!.width).toBeLessThanOrEqual(chart.x + chart.width + 1);
      }
      await page.close();
    });
  });

  describe('the charts a planner questioned (issue 12), as drawn', () => {
    type Box = { x: number; y: number; width: number; height: number };
    const overlap = (a: Box, b: Box) =>
      a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    const inside = (a: Box, frame: Box) =>
      a.x >= frame.x - 0.5 &&
      a.y >= frame.y - 0.5 &&
      a.x + a.width <= frame.x + frame.width + 0.5 &&
      a.y + a.height <= frame.y + frame.height + 0.5;

    it('cost/p99: coinciding policies are drawn apart and every label is readable, none on another', async () => {
      const page = await open(cameraFile);
      const chart = page.locator('svg.chart[data-chart="cost-p99"]');
      const frame = (await chart.boundingBox())!;
      const dots = await Promise.all((await chart.locator('circle.point').all()).map((c) => c.boundingBox()));
      expect(dots.length).toBe(5);
      for (let i = 0; i < dots.length; i++) {
        expect(inside(dots[i]!, frame)).toBe(true);
        for (let j = i + 1; j < dots.length; j++) expect(overlap(dots[i]!, dots[j]!), `dots ${i} and ${j}`).toBe(false);
      }
      const labels = chart.locator('text.point-label, text.pareto-label');
      const names = await labels.allTextContents();
      for (const p of ['edge-only', 'cloud-only', 'least-latency', 'cheapest-within-slo', 'lowest-carbon'])
        expect(names.some((t) => t.startsWith(p))).toBe(true);
      const boxes = await Promise.all((await labels.all()).map((l) => l.boundingBox()));
      for (let i = 0; i < boxes.length; i++) {
        expect(inside(boxes[i]!, frame), names[i]).toBe(true);
        for (let j = i + 1; j < boxes.length; j++)
          expect(overlap(boxes[i]!, boxes[j]!), `${names[i]} / ${names[j]}`).toBe(false);
      }
      await page.close();
    });

    it('latency CDF: the x axis is labelled past 2,000 ms, up to the slowest policy', async () => {
      const page = await open(cameraFile);
      const labels = await page.locator('svg.chart[data-chart="latency-cdf"] .x-axis text').allTextContents();
      const values = labels.map((t) => Number(t.replace(/,/g, ''))).filter((v) => Number.isFinite(v));
      expect(Math.max(...values)).toBeGreaterThanOrEqual(100_000);
      expect(values.filter((v) => v > 2000).length).toBeGreaterThanOrEqual(2);
      await page.close();
    });

    it('sweep: the points sit inside the frame, clear of the axes', async () => {
      const page = await open(sweepFile);
      for (const chart of await page.locator('svg.chart[data-chart="sweep-metric"]').all()) {
        const yAxis = (await chart.locator('.y-axis line.domain').boundingBox())!;
        const xAxis = (await chart.locator('.x-axis line.domain').boundingBox())!;
        for (const dot of await chart.locator('circle.point').all()) {
          const b = (await dot.boundingBox())!;
          expect(b.x).toBeGreaterThan(yAxis.x + yAxis.width + 8);
          expect(b.x + b.width).toBeLessThan(xAxis.x + xAxis.width - 8);
          expect(b.y + b.height).toBeLessThan(xAxis.y);
        }
      }
      await page.close();
    });
  });

  describe('a report with training jobs, an API and autoscaling in Chromium', () => {
    it('shows the job, replica and API charts with a real size', async () => {
      const page = await open(trainingFile);
      for (const kind of ['jobs', 'pool-replicas', 'cost-breakdown']) {
        const chart = page.locator(`svg.chart[data-chart="${kind}"]`).first();
        expect(await chart.isVisible(), kind).toBe(true);
        const box = await chart.boundingBox();
        expect(box!.width, kind).toBeGreaterThan(200);
        expect(box!.height, kind).toBeGreaterThan(60);
      }
      // The API's share is drawn as a segment of the cost bars, with some width.
      const api = page.locator('svg.chart[data-chart="cost-breakdown"] [data-part="api"]');
      expect(await api.count()).toBeGreaterThan(0);
      const widths = await api.evaluateAll((els) => els.map((e) => (e as SVGGraphicsElement).getBBox().width));
      expect(Math.max(...widths)).toBeGreaterThan(0);
      await page.close();
    });
  });

  describe('the sweep report in Chromium', () => {
    it('shows each metric chart with its lines and CI bands', async () => {
      const page = await open(sweepFile);
      const charts = page.locator('svg.chart[data-chart="sweep-metric"]');
      expect(await charts.count()).toBe(2);
      for (let i = 0; i < 2; i++) {
        const chart = charts.nth(i);
        expect(await chart.isVisible()).toBe(true);
        expect((await chart.boundingBox())!.width).toBeGreaterThan(200);
        expect(await chart.locator('path.series').count()).toBe(2);
        const bands = await chart.locator('path.band').evaluateAll((els) =>
          els.map((e) => {
            const b = (e as SVGGraphicsElement).getBBox();
            return { width: b.width, height: b.height };
          }),
        );
        expect(bands).toHaveLength(2);
        for (const b of bands) {
          expect(b.width).toBeGreaterThan(100);
          expect(b.height).toBeGreaterThan(1);
        }
      }
      await page.close();
    });
  });

  describe('self-containment', () => {
    it('fetched nothing but the report files', () => {
      expect(requested.length).toBeGreaterThan(0);
      for (const url of requested) expect(url.startsWith('file://')).toBe(true);
    });
  });
});
