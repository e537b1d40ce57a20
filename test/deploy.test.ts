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
    // A command starts where `placesim <cmd>` or `'<cmd>'` (a YAML list) appears; it goes on over the folded
    // lines below it, up to the next YAML key or list item.
    const lines = FILES.flatMap((f) => readFileSync(f, 'utf8').split('\n'));
    for (const cmd of ['worker', 'sweep', 'merge']) {
      const help = (await cli(cmd, '--help')).out;
      const used = new Set<string>();
      const start = new RegExp(`(?:placesim |')${cmd}\\b`);
      lines.forEach((line, i) => {
        if (!start.test(line)) return;
        let text = line.slice(line.search(start));
        for (let j = i + 1; j < lines.length && !/^\s*(-\s|[A-Za-z_-]+:)/.test(lines[j]); j++) text += ` ${lines[j]}`;
        for (const m of text.matchAll(/--[a-z][a-z-]*/g)) used.add(m[0]);
      });
      // The examples do use flags of each command: an empty set would make this check vacuous.
      expect(used.size, cmd).toBeGreaterThan(0);
      for (const flag of used) expect(help, `${cmd} ${flag}`).toContain(flag);
    }
  });
});
