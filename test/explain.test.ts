/** `placesim explain`: the Result's placement reasons, rejection and loss causes, and the command that prints them. */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { runScenario } from '../src/sim/index.js';
import { loadScenarioText } from '../src/scenario/load.js';
import { queueScenario } from './helpers/build-scenario.js';
import { cli, expectOneLineBadInput, withoutDebugTraces } from './helpers/cli.js';
import type { Result } from '../src/metrics/result.js';

withoutDebugTraces();

const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);

/** Every service: reasons add up to placements, causes to rejected and lost. */
function expectCausesAddUp(result: Result): void {
  for (const p of result.policies)
    for (const s of p.services) {
      for (const [target, n] of Object.entries(s.placements)) expect(sum(s.placement_reasons[target])).toBe(n);
      expect(Object.keys(s.placement_reasons)).toEqual(Object.keys(s.placements));
      expect(sum(s.rejected_by)).toBe(s.rejected);
      expect(sum(s.lost_by)).toBe(s.lost);
    }
}

describe('placement reasons and causes in the Result', () => {
  it('edge-outage: the edge down, edge-only rejects for that cause and edge-first falls back to the cloud', async () => {
    const r = await cli('run', 'scenarios/edge-outage.yaml', '--json');
    const result = JSON.parse(r.out) as Result;
    expectCausesAddUp(result);
    const by = (name: string) => result.policies.find((p) => p.policy === name)!.services[0];
    const edgeOnly = by('edge-only');
    expect(edgeOnly.rejected).toBeGreaterThan(0);
    expect(edgeOnly.rejected_by).toEqual({ 'no candidate available (down or cut off)': edgeOnly.rejected });
    const fallback = by('edge-first').placement_reasons['aws-us-east-1/t4'];
    expect(fallback['only available candidate (fallback: a better one was down or cut off)']).toBeGreaterThan(0);
    expect(by('least-latency').placement_reasons['metro-edge/orin-nx']).toHaveProperty('lowest estimated latency');
  });

  it('a queue that fills while requests travel: rejected for that cause, never silently', () => {
    const result = runScenario(
      queueScenario({
        servers: 1,
        rate: 20,
        serviceTime: { kind: 'exponential', mean_s: 0.1 },
        duration: 600,
        warmup: 0,
        maxQueue: 2,
      }),
    );
    expectCausesAddUp(result);
    const s = result.policies[0].services[0];
    expect(s.rejected).toBeGreaterThan(0);
    expect(
      Object.keys(s.rejected_by).every(
        (c) => c.startsWith('no candidate available (queues full)') || c === 'queue full when it arrived',
      ),
    ).toBe(true);
  });

  it('cheapest-within-slo says when no estimate met the SLO', () => {
    // smart-camera, 10 minutes, with an SLO the cloud can never meet and the box only when its queue is short.
    const text = readFileSync('scenarios/smart-camera.yaml', 'utf8')
      .replace('duration: 1h', 'duration: 10m')
      .replace('slo: { latency: 500ms }', 'slo: { latency: 25ms }')
      .replace(/^policies: .*$/m, 'policies: [cheapest-within-slo]');
    const result = runScenario(loadScenarioText(text, 'smart-camera.yaml'));
    expectCausesAddUp(result);
    const s = result.policies[0].services[0];
    expect(s.rejected).toBeGreaterThan(0);
    expect(s.rejected_by['no estimate meets the SLO']).toBe(s.rejected);
    expect(s.placement_reasons['store/orin-nx']).toHaveProperty('cheapest estimate meeting the SLO');
  });
});

describe('placesim explain', () => {
  it('prints, per policy and service, each target with its reasons, and rejections by cause', async () => {
    const { code, out } = await cli('explain', 'scenarios/edge-outage.yaml', '--policy', 'edge-only,edge-first');
    expect(code).toBe(0);
    expect(out).toMatch(/^placesim explain · scenario edge-outage/);
    expect(out).toContain('policy edge-only\n');
    expect(out).toContain('policy edge-first\n');
    expect(out).not.toContain('policy least-latency');
    expect(out).toMatch(/placed at metro-edge\/orin-nx +78,418 +100\.0%/);
    expect(out).toMatch(/ {6}no candidate available \(down or cut off\) +23,782 +100\.0%/);
    expect(out).toMatch(/only available candidate \(fallback: a better one was down or cut off\)/);
  });

  it('an unknown policy is one-line bad input', async () => {
    const line = expectOneLineBadInput(await cli('explain', 'scenarios/edge-outage.yaml', '--policy', 'nope'));
    expect(line).toContain('nope');
  });
});
