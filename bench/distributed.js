// The queue's figures for `npm run bench` (also runnable alone: `node bench/distributed.js`): the same
// 16-task sweep through BullMQ on a real redis-server with 1 worker process and with 2 (the ratio), and the
// queue's cost per task on tiny tasks. Needs redis-server on PATH (or REDIS_SERVER_PATH); says so and skips
// otherwise. Figures are ratios and per-task times measured in this run, as the machine is shared.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'placesim');

function findRedis() {
  if (process.env.REDIS_SERVER_PATH) return process.env.REDIS_SERVER_PATH;
  const r = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

const freePort = () =>
  new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function startProc(args) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: 'ignore', cwd: root });
  const exit = new Promise((r) => child.on('exit', (code) => r(code)));
  return { child, exit };
}

/** Seconds for a sweep through the queue with `n` worker processes (each one task at a time). */
async function timed(url, n, sweepArgs, out) {
  const workers = Array.from({ length: n }, () =>
    startProc(['worker', '--queue', url, '--concurrency', '1', '--quiet']),
  );
  await sleep(1500); // let them connect and load
  const t0 = process.hrtime.bigint();
  const c = startProc([...sweepArgs, '--queue', url, '--out', out, '--quiet']);
  const code = await c.exit;
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  for (const w of workers) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exit));
  if (code !== 0) throw new Error(`queued sweep exited with ${code}`);
  return s;
}

export async function distributedBench(log = console.log) {
  const redis = findRedis();
  if (!redis) {
    log('distributed (BullMQ on Redis): skipped — redis-server not found (apt-get install redis-server)');
    return null;
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'placesim-bench-redis-'));
  const server = spawn(
    redis,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    {
      stdio: 'ignore',
    },
  );
  await sleep(500);
  const url = `redis://127.0.0.1:${port}`;
  try {
    // 16 tasks of ~0.5 s each: 8 rates × 2 replications of M/M/c.
    const rates = Array.from({ length: 8 }, (_, i) => `${100 + 25 * i}/s`).join(',');
    const work = (tag) => [
      'sweep',
      'scenarios/mmc-validation.yaml',
      '--set',
      'duration=1500s',
      '--set',
      'warmup=10s',
      '--set',
      `services.jobs.arrivals.poisson=${rates}`,
      '--seed',
      String(tag),
      '--replications',
      '2',
    ];
    const one = await timed(url, 1, work(101), join(dir, 'a'));
    const two = await timed(url, 2, work(202), join(dir, 'b'));
    // Tiny tasks: 40 runs of 1 simulated second each; their compute is negligible, so the time per task is
    // the queue's round trip plus the task's set-up.
    const tiny = [
      'sweep',
      'scenarios/mmc-validation.yaml',
      '--set',
      'duration=1s',
      '--set',
      'warmup=0.1s',
      '--set',
      `services.jobs.arrivals.poisson=${Array.from({ length: 20 }, (_, i) => `${10 + i}/s`).join(',')}`,
      '--replications',
      '2',
    ];
    const tinyS = await timed(url, 1, tiny, join(dir, 'c'));
    const tLocal0 = process.hrtime.bigint();
    spawnSync(process.execPath, [bin, ...tiny, '--workers', '1', '--out', join(dir, 'e'), '--quiet'], { cwd: root });
    const localS = Number(process.hrtime.bigint() - tLocal0) / 1e9;
    const perTaskMs = ((tinyS - localS) / 40) * 1000;
    log(
      `distributed (BullMQ on Redis), 16-task sweep: 1 worker ${one.toFixed(2)} s, 2 workers ${two.toFixed(2)} s — ` +
        `speed-up ${(one / two).toFixed(2)}× (target ≥ 1.8×)`,
    );
    log(
      `queue overhead on tiny tasks: ${perTaskMs.toFixed(1)} ms per task ` +
        `(40 tasks: ${tinyS.toFixed(2)} s through the queue vs ${localS.toFixed(2)} s in one local worker thread)`,
    );
    return { one, two, speedup: one / two, perTaskMs };
  } finally {
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await distributedBench();
