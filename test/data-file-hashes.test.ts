import { createHash } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { prepareScenario } from '../src/app/load-run.js';
import { dataFileHashes } from '../src/sweep/run-sweep.js';

describe('data files a scenario reads', () => {
  it('are reported as they are read, and hashed by their path relative to the scenario folder', () => {
    const read: string[] = [];
    prepareScenario({ file: 'scenarios/azure-trace-replay.yaml' }, [], { onFileRead: (p) => read.push(p) });
    expect(read.length).toBeGreaterThan(0);
    for (const p of read) expect(p).toBe(realpathSync(p));
    const hashes = dataFileHashes(read, 'scenarios/azure-trace-replay.yaml');
    const keys = Object.keys(hashes);
    expect(keys.every((k) => k.startsWith('data/azure-llm-2023-'))).toBe(true);
    for (const p of read) {
      const key = keys.find((k) => p.endsWith(k))!;
      expect(hashes[key]).toBe(createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  });

  it('a scenario without data files reads none', () => {
    const read: string[] = [];
    prepareScenario({ file: 'scenarios/mmc-validation.yaml' }, [], { onFileRead: (p) => read.push(p) });
    expect(read).toEqual([]);
  });
});
