/**
 * A reader that stops early closes the pipe: `placesim … | head` must end quietly with status 0 (as other Unix
 * tools do), never with a stack trace. Uses the real executable and a real pipe.
 */
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CHILD_TIMEOUT_MS } from './helpers/timeouts.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Runs placesim with its stdout read for `bytes` bytes, then closed; resolves with its exit status and stderr. */
function runAndCloseEarly(args: string[], bytes: number): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/placesim', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    let seen = 0;
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr += d));
    child.stdout.on('data', (d: Buffer) => {
      seen += d.length;
      if (seen >= bytes) child.stdout.destroy();
    });
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr });
    });
  });
}

describe('a closed stdout (EPIPE)', () => {
  it('ends a large --json run quietly with status 0', async () => {
    const r = await runAndCloseEarly(['run', 'scenarios/chatbot-seoul.yaml', '--json'], 1);
    expect(r.stderr).not.toMatch(/Error|at .*\.js:\d+/);
    expect(r.status).toBe(0);
  });
});
