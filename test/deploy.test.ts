/**
 * The deployment examples of docs/distributed.md are YAML that parses, and the placesim commands in them use
 * commands and flags the CLI has (docker and kubectl themselves are not run here).
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { cli } from './helpers/cli.js';

const FILES = [
  'deploy/docker-compose.yml',
  'deploy/k8s/redis.yaml',
  'deploy/k8s/workers.yaml',
  'deploy/k8s/shards-job.yaml',
  'deploy/github-actions-shards.yml',
];

describe('deployment examples', () => {
  for (const f of FILES) {
    it(`${f} is valid YAML`, () => {
      for (const doc of parseAllDocuments(readFileSync(f, 'utf8'))) expect(doc.errors, f).toEqual([]);
    });
  }

  it('use flags the commands have', async () => {
    const text = FILES.map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const cmd of ['worker', 'sweep', 'merge']) {
      const help = (await cli(cmd, '--help')).out;
      const used = new Set<string>();
      for (const m of text.matchAll(new RegExp(`(?:placesim|')${cmd}'?[^\\n]*(?:\\n\\s+--[^\\n]*)*`, 'g'))) {
        for (const f of m[0].matchAll(/--[a-z][a-z-]*/g)) used.add(f[0]);
      }
      for (const flag of used) expect(help, `${cmd} ${flag}`).toContain(flag);
    }
  });
});
