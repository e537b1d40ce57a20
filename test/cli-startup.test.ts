/**
 * Start-up (issue 10 item 3): the CLI module loads only commander, the error types and the exit codes up
 * front; every command imports its own modules when it runs. A static import of a heavy layer here would
 * make `placesim --help` pay for the simulator, sweeps and charts again.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';

const source = readFileSync(new URL('../src/cli/main.ts', import.meta.url), 'utf8');

/** Modules main.ts imports statically for their values (type-only imports cost nothing at run time). */
function staticValueImports(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)';/gms)) if (!m[1]) out.push(m[2]);
  return out;
}

describe('CLI start-up', () => {
  it('imports only the light modules statically', () => {
    expect(staticValueImports(source).sort()).toEqual(
      [
        '../app/exit.js',
        // The SIGINT/SIGTERM handlers and the terminal-text escaping: each imports only the exit codes or nothing.
        '../app/signals.js',
        '../output/safe-text.js',
        '../errors.js',
        '../sweep/set-spec.js',
        // Flag parsers of search, --shard and --queue: each imports only the error types.
        '../search/spec.js',
        '../sweep/shard-spec.js',
        '../sweep/queue-url.js',
        '../version.js',
        // The completion script generator: it reads commander's declarations only.
        './completion.js',
        'commander',
        'node:fs',
        'node:os',
        'node:path',
      ].sort(),
    );
  });

  it('loads the heavy layers with import() inside the commands', () => {
    for (const m of ['../app/index.js', '../report/index.js', '../sweep/index.js', '../check/index.js'])
      expect(source).toContain(`import('${m}')`);
  });
});
