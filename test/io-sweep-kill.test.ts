/**
 * Interrupting a real sweep (issue 9): killed at 65% of its runs it keeps at least 60% of its points in the
 * journal (runs start in point order); SIGINT / SIGTERM end it with one line and status 130 / 143.
 */
import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlacesim, waitForStderr } from './helpers/placesim-process.js';

const SMALL = 'test/fixtures/cli/base.yaml';
const RATES = Array.from({ length: 10 }, (_, i) => `${40 + i}/s`).join(',');
const args = (out: string) => [
  'sweep',
  SMALL,
  '--set',
  `services.chat.arrivals.poisson=${RATES}`,
  '--replications',
  '2',
  '--workers',
  '2',
  '--out',
  out,
];
const runsDone = (stderr: string) =>
  Math.max(0, ...[...stderr.matchAll(/run (\d+)\/20 done/g)].map((m) => Number(m[1])));
const points = (out: string) => readFileSync(join(out, 'sweep.journal.jsonl'), 'utf8').trimEnd().split('\n').length - 1;

describe('interrupting a sweep', () => {
  it('killed (SIGKILL) at ≥ 65% of its runs, it keeps ≥ 60% of its points', async () => {
    const out = mkdtempSync(join(tmpdir(), 'placesim-kill-'));
    const s = startPlacesim(args(out));
    await waitForStderr(s, (e) => runsDone(e) >= 13);
    s.child.kill('SIGKILL');
    const r = await s.done;
    expect(r.signal).toBe('SIGKILL');
    expect(points(out)).toBeGreaterThanOrEqual(6);
  });

  for (const [signal, code, word] of [
    ['SIGINT', 130, 'interrupted (SIGINT)'],
    ['SIGTERM', 143, 'terminated (SIGTERM)'],
  ] as const) {
    it(`${signal}: one line saying what was saved, status ${code}, lock released`, async () => {
      const out = mkdtempSync(join(tmpdir(), 'placesim-sig-'));
      const s = startPlacesim(args(out));
      await waitForStderr(s, (e) => runsDone(e) >= 4);
      s.child.kill(signal);
      const r = await s.done;
      // The signal may land inside a run (ended at once, by the OS) or between runs (the message).
      if (r.signal === null) {
        expect(r.status).toBe(code);
        const last = r.stderr.trimEnd().split('\n').pop()!;
        expect(last).toMatch(
          new RegExp(`^placesim: ${word.replace(/[()]/g, '\\$&')}: \\d+ of 10 point\\(s\\) saved in `),
        );
        expect(existsSync(join(out, 'sweep.lock'))).toBe(false);
      } else {
        expect(r.signal).toBe(signal);
      }
      expect(points(out)).toBeGreaterThanOrEqual(1);
    });
  }
});
