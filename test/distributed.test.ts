/**
 * Sweeps through BullMQ on a real redis-server: the same bytes as a local run, a worker killed mid-task,
 * a coordinator killed and restarted, two coordinators on one queue, and refusals of foreign tasks. The
 * processes are the built binary (`npm test` builds dist/ first), as a user would start them.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { externalTool } from './helpers/external-tool.js';
import { startRedis, type RedisServer } from './helpers/redis.js';
import { CHILD_TIMEOUT_MS, TEST_TIMEOUT_MS } from './helpers/timeouts.js';
import { queueName, REFUSED, type QueueJobData } from '../src/sweep/queue.js';
import { PLACESIM_VERSION } from '../src/version.js';

const REDIS = externalTool({
  name: 'redis-server',
  envVar: 'REDIS_SERVER_PATH',
  commands: ['redis-server', '/usr/bin/redis-server'],
  neededBy: 'the distributed sweep tests (BullMQ on a real Redis)',
  install: 'Debian/Ubuntu: apt-get install redis-server',
});

const BIN = 'bin/placesim';
const tmp = mkdtempSync(join(tmpdir(), 'placesim-dist-'));

/** A sweep of `n` rates on M/M/c; `seconds` of simulated time per run sets how long each task takes. */
function sweepArgs(rates: number[], seconds: number, out: string): string[] {
  return [
    'sweep',
    'scenarios/mmc-validation.yaml',
    '--set',
    `duration=${seconds}s`,
    '--set',
    'warmup=1s',
    '--set',
    `services.jobs.arrivals.poisson=${rates.map((r) => `${r}/s`).join(',')}`,
    '--replications',
    '2',
    '--out',
    out,
    '--quiet',
  ];
}

function runLocal(args: string[]): void {
  const r = spawnSync(process.execPath, [BIN, ...args, '--workers', '1'], {
    encoding: 'utf8',
    timeout: CHILD_TIMEOUT_MS,
  });
  expect(r.status, r.stderr).toBe(0);
}

interface Proc {
  child: ChildProcess;
  exit: Promise<number | null>;
  err: () => string;
}

function start(args: string[]): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout.resume();
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exit, err: () => err };
}

const sameFiles = (a: string, b: string) => {
  for (const f of ['sweep.csv', 'sweep.json']) {
    expect(readFileSync(join(a, f), 'utf8'), f).toBe(readFileSync(join(b, f), 'utf8'));
  }
};

async function until(what: string, test: () => Promise<boolean>, ms = CHILD_TIMEOUT_MS): Promise<void> {
  const t0 = Date.now();
  while (!(await test())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!REDIS.path)('sweeps through BullMQ on a real Redis', () => {
  let redis: RedisServer;
  let queue: Queue<QueueJobData>;
  const workers: Proc[] = [];
  const worker = (extra: string[] = []) => {
    const w = start(['worker', '--queue', redis.url, '--concurrency', '1', '--lock-duration', '2000', ...extra]);
    workers.push(w);
    return w;
  };
  const stopWorkers = async () => {
    for (const w of workers.splice(0)) {
      if (w.child.exitCode === null) w.child.kill('SIGTERM');
      await w.exit;
    }
  };

  beforeAll(async () => {
    redis = await startRedis(REDIS.path!);
    queue = new Queue(queueName(), { connection: { url: redis.url } });
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    await stopWorkers();
    await queue?.close();
    await redis?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }, TEST_TIMEOUT_MS);

  it(
    'gives the same files through 2 worker processes as locally',
    async () => {
      const args = (out: string) => sweepArgs([100, 200, 300], 10, out);
      runLocal(args(join(tmp, 'local-a')));
      worker();
      worker();
      const c = start([...args(join(tmp, 'queue-a')), '--queue', redis.url]);
      expect(await c.exit, c.err()).toBe(0);
      sameFiles(join(tmp, 'local-a'), join(tmp, 'queue-a'));
      await stopWorkers();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    're-runs the task of a worker killed mid-task (SIGKILL): nothing lost, nothing counted twice',
    async () => {
      const args = (out: string) => sweepArgs([150, 250], 600, out);
      runLocal(args(join(tmp, 'local-b')));
      const doomed = worker();
      const c = start([...args(join(tmp, 'queue-b')), '--queue', redis.url]);
      await until('a task to start', async () => (await queue.getActiveCount()) > 0);
      doomed.child.kill('SIGKILL');
      await doomed.exit;
      worker();
      expect(await c.exit, c.err()).toBe(0);
      sameFiles(join(tmp, 'local-b'), join(tmp, 'queue-b'));
      await stopWorkers();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'picks up where the queue is when a killed coordinator is started again',
    async () => {
      const args = (out: string) => sweepArgs([120, 220, 320], 300, out);
      runLocal(args(join(tmp, 'local-c')));
      worker();
      const out = join(tmp, 'queue-c');
      const first = start([...args(out), '--queue', redis.url]);
      const before = await queue.getCompletedCount();
      await until('a task to finish', async () => (await queue.getCompletedCount()) > before);
      first.child.kill('SIGKILL');
      await first.exit;
      const second = start([...args(out), '--queue', redis.url]);
      expect(await second.exit, second.err()).toBe(0);
      sameFiles(join(tmp, 'local-c'), out);
      await stopWorkers();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'keeps two coordinators with different sweeps on one queue apart',
    async () => {
      const a = (out: string) => sweepArgs([110, 210], 20, out);
      const b = (out: string) => sweepArgs([130, 230, 330], 20, out);
      runLocal(a(join(tmp, 'local-d1')));
      runLocal(b(join(tmp, 'local-d2')));
      worker();
      worker();
      const c1 = start([...a(join(tmp, 'queue-d1')), '--queue', redis.url]);
      const c2 = start([...b(join(tmp, 'queue-d2')), '--queue', redis.url]);
      expect(await c1.exit, c1.err()).toBe(0);
      expect(await c2.exit, c2.err()).toBe(0);
      sameFiles(join(tmp, 'local-d1'), join(tmp, 'queue-d1'));
      sameFiles(join(tmp, 'local-d2'), join(tmp, 'queue-d2'));
      await stopWorkers();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses a task from another placesim version or with different files',
    async () => {
      worker();
      const events = new QueueEvents(queueName(), { connection: { url: redis.url } });
      await events.waitUntilReady();
      const file = join(tmp, 'data.csv');
      writeFileSync(file, 'x\n1\n');
      const task = { text: 'name: x\n', file: 'x.yaml', assignments: [], seed: 1 };
      const failed = (id: string) =>
        new Promise<string>((resolve) =>
          events.on('failed', ({ jobId, failedReason }) => {
            if (jobId === id) resolve(failedReason);
          }),
        );
      const v = failed('foreign-version');
      await queue.add(
        'task',
        { version: '0.0.0-other', run: 'x', key: 'k', task, files: [] },
        { jobId: 'foreign-version' },
      );
      expect(await v).toBe(`${REFUSED}it comes from placesim 0.0.0-other, this worker is ${PLACESIM_VERSION}`);
      const h = failed('other-file');
      await queue.add(
        'task',
        { version: PLACESIM_VERSION, run: 'x', key: 'k', task, files: [{ path: file, sha256: '0'.repeat(64) }] },
        { jobId: 'other-file' },
      );
      expect(await h).toMatch(/differs from the coordinator's copy/);
      await events.close();
      await stopWorkers();
    },
    TEST_TIMEOUT_MS,
  );
});
