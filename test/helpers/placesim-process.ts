/** The real executable as a child process (`node bin/placesim …`), for exit codes, signals and streams. */
import { spawn, type StdioOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CHILD_TIMEOUT_MS } from './timeouts.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Exit {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Spawned {
  child: ReturnType<typeof spawn>;
  /** stderr so far. */
  stderr: () => string;
  done: Promise<Exit>;
}

/** Starts placesim; `stdout` may be a file descriptor (e.g. /dev/full opened for writing). */
export function startPlacesim(
  args: string[],
  opts: { env?: Record<string, string>; stdout?: number; cwd?: string } = {},
): Spawned {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  delete env.PLACESIM_DEBUG;
  const stdio: StdioOptions = ['ignore', opts.stdout ?? 'pipe', 'pipe'];
  const child = spawn(process.execPath, [`${ROOT}bin/placesim`, ...args], { cwd: opts.cwd ?? ROOT, env, stdio });
  const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<Exit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
  return { child, stderr: () => stderr, done };
}

export function placesim(args: string[], opts: Parameters<typeof startPlacesim>[1] = {}): Promise<Exit> {
  return startPlacesim(args, opts).done;
}

/** Resolves when `test` is true of the child's stderr so far (polled), or rejects after `ms`. */
export function waitForStderr(s: Spawned, test: (stderr: string) => boolean, ms = CHILD_TIMEOUT_MS): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      if (test(s.stderr())) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() - started > ms || s.child.exitCode !== null) {
        clearInterval(poll);
        reject(new Error(`gave up waiting; stderr so far:\n${s.stderr()}`));
      }
    }, 20);
  });
}
