// placesim benchmark: `npm run bench`. Not part of `npm test`: it prints figures rather than asserting
// timings, which would flake on a busy machine. Each measurement runs in a fresh child process so that its
// peak RSS and start-up are its own. Figures and targets are explained in docs/performance.md.
//
// Every timed command runs several times and the best time is kept (the least disturbed by whatever else
// the machine does). Two clocks are printed: wall time, which the targets are about, and the child's CPU
// time (user + system, from /proc on Linux), which a busy machine disturbs less.
import { fork, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import os from 'node:os';
import { SIMULATING_COMMANDS, SIMULATION_V8_FLAGS } from '../dist/app/v8-flags.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * `node bench/run.js --only=startup,sweep` runs only those sections (startup, mm8, memory, sweep, sites,
 * distributed); without it, every section runs.
 */
const SECTIONS = ['startup', 'mm8', 'memory', 'sweep', 'sites', 'distributed'];
const onlyArg = process.argv.find((a) => a.startsWith('--only='));
const only = onlyArg === undefined ? undefined : onlyArg.slice('--only='.length).split(',');
for (const s of only ?? []) {
  if (!SECTIONS.includes(s)) {
    console.error(`bench: unknown section "${s}" (sections: ${SECTIONS.join(', ')})`);
    process.exit(2);
  }
}
const want = (section) => only === undefined || only.includes(section);
const root = path.resolve(here, '..');
const bin = path.join(root, 'bin', 'placesim');

/**
 * SimPy cannot be installed here (no Python package index), so its figure is the one measured earlier on
 * this 2-core machine by the session that filed issue 10 (written up there; recorded here on 2026-12-02):
 * on the 1M-request M/M/8 queue, the CLI end to end was 8.7× faster than SimPy 4.1.2 while being 0.4× the
 * bare loop, so the bare loop ran at ~21.75× SimPy. The SimPy ratio printed below is the measured CLI ÷
 * bare ratio × that factor: an estimate, as long as the bare loop's speed relative to SimPy holds.
 */
const SIMPY = { version: '4.1.2', measured: 'issue 10, recorded 2026-12-02', cliVsSimpy: 8.7, cliVsBare: 0.4 };
const BARE_VS_SIMPY = SIMPY.cliVsSimpy / SIMPY.cliVsBare;

/** Child processes' CPU seconds so far (user + system of waited-for children), or NaN off Linux. */
function childCpuSeconds() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3; cutime and cstime are fields 16 and 17 (clock ticks).
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return NaN;
  }
}

/** Runs `node args…` `reps` times; the best wall and CPU seconds, and the last run's stdout. */
function timeNode(args, reps) {
  let wall = Infinity;
  let cpu = Infinity;
  let stdout = '';
  for (let i = 0; i < reps; i++) {
    const c0 = childCpuSeconds();
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
    const t = (performance.now() - t0) / 1000;
    const c = childCpuSeconds() - c0;
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
    wall = Math.min(wall, t);
    cpu = Math.min(cpu, c);
    stdout = r.stdout;
  }
  return { wall, cpu, stdout };
}

async function measure(kind, arg) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(here, 'worker.js'), [kind, String(arg)], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('message', resolve);
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`${kind} worker exited with ${code}`));
    });
  });
}

const fmt = (x) => Math.round(x).toLocaleString('en-US');
const mb = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;
const ms = (s) => `${(s * 1000).toFixed(0)} ms`;
const x = (r) => `${r.toFixed(2)}×`;

console.log(`placesim bench — node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}`);
console.log(`load average now: ${os.loadavg()[0].toFixed(1)} (figures from a busy machine are not comparable)`);
// bench/worker.js sets them for its scenario runs, as bin/placesim does for the commands that simulate.
console.log(
  `V8 flags of the CLI's simulating commands (${SIMULATING_COMMANDS.join(', ')}), also set for the in-process ` +
    `scenario runs below: ${SIMULATION_V8_FLAGS.join(' ') || '(none)'}`,
);
console.log('');

// ---- start-up (issue 10 item 3) -------------------------------------------------------------------------
// Rounds: each round runs `node -e 1` and every command once, so that all of them see the same machine;
// the best of the rounds is kept for each.
if (want('startup')) {
  const REPS = 8;
  const startups = [
    ['placesim --help', [bin, '--help'], 2],
    ['placesim validate (tiny)', [bin, 'validate', 'bench/tiny.yaml'], 2],
    ['placesim catalog', [bin, 'catalog'], 2],
    ['placesim run (tiny)', [bin, 'run', 'bench/tiny.yaml'], 3],
  ];
  const best = (a, b) => ({ wall: Math.min(a.wall, b.wall), cpu: Math.min(a.cpu, b.cpu), stdout: b.stdout });
  let baseline = { wall: Infinity, cpu: Infinity };
  const times = startups.map(() => ({ wall: Infinity, cpu: Infinity }));
  for (let r = 0; r < REPS; r++) {
    baseline = best(baseline, timeNode(['-e', '1'], 1));
    startups.forEach(([, args], i) => (times[i] = best(times[i], timeNode(args, 1))));
  }
  console.log(
    `start-up, best of ${REPS} rounds: wall (cpu), ratio to \`node -e 1\` = ${ms(baseline.wall)} (${ms(baseline.cpu)})`,
  );
  startups.forEach(([label, , target], i) => {
    const t = times[i];
    console.log(
      `  ${label.padEnd(26)} ${ms(t.wall).padStart(7)} (${ms(t.cpu)})  ${x(t.wall / baseline.wall)} wall, ` +
        `${x(t.cpu / baseline.cpu)} cpu   target ≤ ${target}×`,
    );
  });
  console.log('');
}

// ---- the run loop against a bare loop (issue 10 item 4) -------------------------------------------------
if (want('mm8')) {
  // Alternated (bare, CLI, bare, CLI, …) so that both see the same machine, the best of each kept: on a shared
  // host the ratio of one bare run and one CLI run moved 0.54–0.74× within a minute (docs/performance.md).
  const MM8_ROUNDS = 7;
  let bare = { wall: Infinity, cpu: Infinity, stdout: '' };
  let cli = { wall: Infinity, cpu: Infinity, stdout: '' };
  const mm8Rounds = [];
  for (let i = 0; i < MM8_ROUNDS; i++) {
    const b = timeNode([path.join(here, 'bare-mm8.js')], 1);
    const c = timeNode([bin, 'run', 'bench/mm8.yaml', '--json'], 1);
    mm8Rounds.push(b.wall / c.wall);
    bare = { wall: Math.min(bare.wall, b.wall), cpu: Math.min(bare.cpu, b.cpu), stdout: b.stdout };
    cli = { wall: Math.min(cli.wall, c.wall), cpu: Math.min(cli.cpu, c.cpu), stdout: c.stdout };
  }
  const bareOut = JSON.parse(bare.stdout);
  const inProcess = await measure('file', 'bench/mm8.yaml');
  console.log(
    `M/M/8, ${fmt(bareOut.requests)} requests (bench/mm8.yaml; bare loop: bench/bare-mm8.js), best of ${MM8_ROUNDS} ` +
      'alternated rounds:',
  );
  console.log(
    `  bare loop, whole process        ${ms(bare.wall)} (${ms(bare.cpu)} cpu); its loop ${ms(bareOut.seconds)}`,
  );
  console.log(`  placesim run, CLI end to end    ${ms(cli.wall)} (${ms(cli.cpu)} cpu)`);
  console.log(`  runScenario in process          ${ms(inProcess.seconds)} (${ms(inProcess.cpuSeconds)} cpu)`);
  const cliVsBare = bare.wall / cli.wall;
  console.log(
    `  CLI end to end vs bare loop: ${x(cliVsBare)} wall, ${x(bare.cpu / cli.cpu)} cpu (target ≥ 0.6×); ` +
      `run alone vs bare loop ${x(bareOut.seconds / inProcess.seconds)}`,
  );
  const mm8Median = [...mm8Rounds].sort((a, b) => a - b)[mm8Rounds.length >> 1];
  console.log(`  round by round (wall): ${mm8Rounds.map(x).join(' ')} (median ${x(mm8Median)})`);
  console.log(
    `  vs SimPy ${SIMPY.version}: ~${x(cliVsBare * BARE_VS_SIMPY)} faster (estimate: not measured here, see SIMPY in ` +
      `bench/run.js; target ≥ 15×)`,
  );
  console.log('');
}

// ---- throughput and memory --------------------------------------------------------------------------------
if (want('memory')) {
  const engine = await measure('engine', 5_000_000);
  console.log(`engine (bare event loop, 5M events, 1k pending):  ${fmt(engine.perSecond)} events/s`);
  const rows = [];
  for (const n of [1_000_000, 10_000_000]) {
    const r = await measure('mmc', n);
    rows.push(r);
    console.log(
      `M/M/c scenario, ${fmt(r.requests)} requests:  ${fmt(r.perSecond)} requests/s end to end ` +
        `(${r.seconds.toFixed(2)} s, ${fmt(r.events)} events; ${fmt(r.perCpuSecond)} per cpu-second), ` +
        `peak RSS ${mb(r.maxRss)}`,
    );
  }
  // chatbot-seoul is short (~0.5 s, most of it the compiler warming up in a fresh process): one run is at
  // the mercy of the machine and of when V8's background threads get a core, so it runs in 5 fresh processes;
  // the fastest is the figure, as the other figures keep their best, and the median is printed beside it (the
  // target is meant to hold for a typical process, not a lucky one).
  const CHAT_RUNS = 5;
  const chatRuns = [];
  for (let i = 0; i < CHAT_RUNS; i++) chatRuns.push(await measure('chatbot', 0));
  const bySpeed = [...chatRuns].sort((a, b) => a.seconds - b.seconds);
  const chat = bySpeed[0];
  const median = bySpeed[CHAT_RUNS >> 1];
  console.log(
    `chatbot-seoul (${chat.policies} policies, ${fmt(chat.requests)} requests), best of ${CHAT_RUNS} fresh processes:  ` +
      `${fmt(chat.perSecond)} requests/s (${chat.seconds.toFixed(2)} s; ${fmt(chat.perCpuSecond)} per cpu-second; ` +
      `median ${fmt(median.perSecond)}; all runs ${chatRuns.map((r) => fmt(r.perSecond)).join(' / ')}), ` +
      `peak RSS ${mb(chat.maxRss)}`,
  );
  console.log(
    `peak RSS: 1M requests ${mb(rows[0].maxRss)}, 10M requests ${mb(rows[1].maxRss)} (target: flat, < 150 MB)`,
  );
  console.log('');
}

// ---- sweep speed-up (issue 10 item 4) -------------------------------------------------------------------
// Two sweeps of bench/sweep.yaml (8 arrival rates × 2 replications), each with one worker and with two:
//   - small: the file as it is, 300 s per run (~0.1 s of CPU a run, ~1.4 s in all). Its speed-up is bounded
//     by what a sweep does once besides its runs (starting node and the CLI, loading the simulator in each
//     worker thread and warming its compiler: ~0.7 s of wall before the first run ends), not by the runs;
//   - realistic: `--set duration=3000s`, ~0.6–1 s of CPU a run, as a sweep worth two workers has. The target
//     (≥ 1.85×) is about this one. docs/performance.md (Sweeps) has the analysis.
if (want('sweep')) {
  const sweepOut = mkdtempSync(path.join(os.tmpdir(), 'placesim-bench-'));
  try {
    // A fresh output folder for every run: a sweep resumes from the journal it finds there.
    let runs = 0;
    const sweepOnce = (workers, extra) =>
      timeNode(
        [
          bin,
          'sweep',
          'bench/sweep.yaml',
          ...extra,
          '--set',
          'services.jobs.arrivals.poisson=400/s..750/s:50/s',
          '--replications',
          '2',
          '--workers',
          String(workers),
          '--out',
          path.join(sweepOut, `run${runs++}`),
          '--quiet',
        ],
        1,
      );
    // Alternated (1, 2, 1, 2, …) so that both see the same machine; the best of each is kept. Five rounds, not
    // three: on the shared 2-core machine one neighbour's burst during a 2-worker run costs it a core, and the
    // best of three was at the mercy of that (the 2-worker figure moved ~5% between bench runs of one build).
    // Each round's own ratio is printed too, and their median, so that a reader sees the spread.
    const ROUNDS = 5;
    const best = (a, b) => (a.wall <= b.wall ? a : b);
    const speedUp = (extra) => {
      let one = { wall: Infinity };
      let two = { wall: Infinity };
      const rounds = [];
      for (let r = 0; r < ROUNDS; r++) {
        const a = sweepOnce(1, extra);
        const b = sweepOnce(2, extra);
        rounds.push(a.wall / b.wall);
        one = best(one, a);
        two = best(two, b);
      }
      return { one, two, rounds };
    };
    const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
    const line = (label, { one, two, rounds }, target) =>
      `${label}, best of ${ROUNDS}: 1 worker ${ms(one.wall)} (${ms(one.cpu)} cpu), 2 workers ${ms(two.wall)} ` +
      `(${ms(two.cpu)} cpu): speed-up ${x(one.wall / two.wall)}${target}; round by round ` +
      `${rounds.map(x).join(' ')} (median ${x(median(rounds))})`;
    console.log(
      line(
        'sweep, small (bench/sweep.yaml, 8 points × 2 replications, 300 s a run)',
        speedUp([]),
        ' (fixed costs bound it)',
      ),
    );
    console.log(
      line(
        'sweep, realistic (the same, --set duration=3000s: ~0.6–1 s of CPU a run)',
        speedUp(['--set', 'duration=3000s']),
        ' (target ≥ 1.85× on 2 cores)',
      ),
    );
  } finally {
    rmSync(sweepOut, { recursive: true, force: true });
  }
}

// ---- per-site-count figures (issue 10 items 2 and 5) ------------------------------------------------------
// bench/sites.js (the fleet work) prints per-request cost at 10…10,000 sites per built-in policy, the load
// time of the 10,000-site file and the peak RSS there. It default-exports `async ({ root, measure }) => …`.
if (want('sites')) {
  const sites = path.join(here, 'sites.js');
  if (existsSync(sites)) {
    console.log('');
    const mod = await import(pathToFileURL(sites).href);
    if (typeof mod.default === 'function') await mod.default({ root, measure });
  }
}

// ---- the distributed queue (issue 11 item 5) -------------------------------------------------------------
// bench/distributed.js: the same 16-task sweep through BullMQ on a real redis-server with 1 and 2 worker
// processes, and the queue's cost per task; it says so and skips when redis-server is not installed.
if (want('distributed')) {
  console.log('');
  const { distributedBench } = await import(pathToFileURL(path.join(here, 'distributed.js')).href);
  await distributedBench();

  console.log('');
  console.log('targets on a 2-core machine: M/M/c ≥ 1,500,000 requests/s; chatbot ≥ 300,000 requests/s;');
  console.log('  start-up ≤ 2× node (help, validate, catalog), ≤ 3× (tiny run); CLI ≥ 0.6× the bare loop;');
  console.log(
    '  sweep 2 workers ≥ 1.85× one; queue 2 workers ≥ 1.8× one; RSS flat as requests grow (10M requests < 150 MB).',
  );
}
