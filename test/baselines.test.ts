/**
 * The project's own regression check: every shipped scenario, run now, against its committed baseline in
 * results/ (what `placesim check scenarios/*.yaml --baseline results/` does in CI). A deliberate change of
 * the model moves these numbers; review the listed diff, then regenerate the baselines with
 * `placesim check scenarios/*.yaml --baseline results/ --update` and commit them with the change.
 */
import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { renderCheckTable, runCheck } from '../src/check/index.js';
import { loadScenarioFile } from '../src/scenario/index.js';

const SHIPPED = readdirSync('scenarios')
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => `scenarios/${f}`);

describe('committed baselines', () => {
  it('exist for every shipped scenario', () => {
    expect(SHIPPED.length).toBeGreaterThan(0);
    const missing = SHIPPED.filter((f) => !existsSync(`results/${loadScenarioFile(f).name}.json`));
    expect(missing).toEqual([]);
  });

  it.each(SHIPPED)('%s matches its baseline within tolerance', async (file) => {
    const report = await runCheck({ files: [file], baselineDir: 'results' });
    // The table in the message is the diff to review.
    expect(report.failed, renderCheckTable(report)).toBe(false);
    expect(report.scenarios[0].status).toBe('pass');
    expect(report.scenarios[0].metrics).toBeGreaterThan(0);
  });
});
