/**
 * The command line: a thin layer that parses arguments, calls the application layer (src/app: one
 * load-and-run path) and prints. Failures become exit codes in src/app/exit.ts (0 success · 1 a regression
 * check failed · 2 bad input · 3 a bug). `main()` takes its arguments and output streams as parameters so
 * the tests can call it directly.
 */
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { availableParallelism } from 'node:os';
import { InputError } from '../errors.js';
import { describeFailure, EXIT_BAD_INPUT, EXIT_CHECK_FAILED, EXIT_OK } from '../app/exit.js';
import { PLACESIM_VERSION } from '../version.js';
import type { InputLimits, LoadedScenario } from '../app/index.js';
import { parseSet, type SetSpec } from '../sweep/set-spec.js';
import { parseShard, type Shard } from '../sweep/shard-spec.js';
import { parseQueueUrl } from '../sweep/queue-url.js';
import { parseConstraint, type Constraint } from '../search/spec.js';
import type { SearchOptions } from '../search/index.js';
import type { SearchShardFile, SweepShardFile } from '../sweep/shard.js';
import type { TraceCsvWriter } from '../report/trace-csv.js';
import type { Result } from '../metrics/result.js';
import { completionScript, SHELLS, type Shell } from './completion.js';
import { terminalText } from '../output/safe-text.js';
import { onInterrupt } from '../app/signals.js';
import type { InitOptions } from '../init/index.js';

/*
 * Start-up: each command imports what it needs when it runs (`await import(…)` in its action), so that
 * `--help`, `validate` or `catalog` do not load the simulator, sweeps, checks, HTML charts or worker
 * threads. Only commander, the error types and the exit codes are loaded up front (docs/performance.md).
 */
const app = () => import('../app/index.js');
const reports = () => import('../report/index.js');
const output = () => import('../output/write.js');

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Standard input's text, for a scenario given as `-`; default: the process's stdin. */
  readStdin?: () => string;
  /** Asks a question at a terminal (`placesim init` without flags); absent: never ask. */
  ask?: (question: string) => Promise<string>;
}

const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  ...(process.stdin.isTTY && process.stdout.isTTY ? { ask: askAtTerminal } : {}),
};

async function askAtTerminal(question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

export { EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT, EXIT_BUG, describeFailure } from '../app/exit.js';
// For bin/placesim: the process-wide handlers must come from the same module instances as main() (one
// bundle or one dist/), or the handlers would not see the cleanups and loaded modules main() registers.
export { installSignalHandlers } from '../app/signals.js';
export { installProcessGuards } from '../placement/plugin.js';

function parseSeed(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number ≥ 0');
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('is too large');
  return n;
}

function parseList(value: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) throw new InvalidArgumentError('expects a comma-separated list of names');
  return items;
}

interface RunFlags extends LimitFlags {
  policy?: string[];
  policyModule?: string[];
  seed?: number;
  json?: boolean;
  csv?: string;
  trace?: boolean;
  html?: string;
  instances?: boolean;
  color?: boolean;
}

interface SweepFlags extends LimitFlags {
  policyModule?: string[];
  queue?: string;
  shard?: Shard;
  set: SetSpec[];
  replications: number;
  seed?: number;
  policy?: string[];
  workers?: number;
  out: string;
  html?: string;
  json?: boolean;
}

interface SearchFlags extends LimitFlags {
  policyModule?: string[];
  queue?: string;
  shard?: Shard;
  vary: SetSpec[];
  require: Constraint[];
  minimise?: string;
  maxDemand?: string;
  tolerance?: string;
  monotone?: string[];
  enumerate?: string[];
  replications: number;
  seed?: number;
  policy?: string[];
  workers?: number;
  out: string;
  html?: string;
  json?: boolean;
}

interface CheckFlags extends LimitFlags {
  policyModule?: string[];
  baseline: string;
  update?: boolean;
  tolerance: string[];
  summary?: string;
  junit?: string;
}

function parseCount(min: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min) throw new InvalidArgumentError(`must be a whole number ≥ ${min}`);
    return Number(value);
  };
}

/**
 * The --policy-module files first, so the scenario may name their policies, then the scenario; without
 * --policy, loaded policies the scenario does not list are appended to its list (src/app/load-run.ts).
 */
async function loadWithPolicyModules(
  file: string,
  flags: { seed?: number; policy?: string[]; policyModule?: string[] } & LimitFlags,
  io: Io,
): Promise<LoadedScenario> {
  const { loadUserPolicies, prepareScenario, scenarioSource } = await app();
  const userPolicies = await loadUserPolicies(flags.policyModule ?? []);
  // `-`: the scenario is read from standard input and named <stdin> (src/app/stdin.ts).
  return prepareScenario(scenarioSource(file, io.readStdin), userPolicies, {
    seed: flags.seed,
    policies: flags.policy,
    ...limitsOf(flags),
  });
}

// Input limits (docs/security.md): --allow-read widens what a scenario may read, --max-events how big its run may be.
interface LimitFlags {
  allowRead?: string[];
  maxEvents?: number;
}
const ALLOW_READ_HELP =
  'let the scenario read files (traces, grid CSVs) in this folder too, besides its own folder tree (repeatable)';
const MAX_EVENTS_HELP = 'refuse runs estimated past this many events (default 1e9)';

function parseMaxEvents(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?(e\d+)?$/i.test(value) || !Number.isFinite(n) || n < 1)
    throw new InvalidArgumentError('must be a number of events ≥ 1, e.g. 5e9');
  return n;
}

function limitsOf(flags: LimitFlags): InputLimits {
  return {
    ...(flags.allowRead !== undefined ? { allowRead: flags.allowRead } : {}),
    ...(flags.maxEvents !== undefined ? { maxEvents: flags.maxEvents } : {}),
  };
}

const SHARD_HELP =
  'run only share I of N (1-based; every N-th point or bisection line) and write a shard file for `placesim merge`';

const QUEUE_HELP =
  'run the tasks on `placesim worker`s through this Redis queue (redis://HOST:6379) instead of on this machine';

const POLICY_MODULE_HELP = 'load your own placement policies from a JavaScript module (.js, .mjs, .cjs; repeatable)';
// No default list: commander would print "(default: [])" in the help.
const collect = (value: string, acc: string[] = []): string[] => [...acc, value];

/** What a command decided about the exit code beyond success (the check's 1). */
export interface RunState {
  exitCode: number;
}

/** What the commands share: the output (escaped and raw), the exit state, and the global --quiet. */
interface CommandContext {
  readonly io: Io;
  readonly rawIo: Io;
  readonly state: RunState;
  readonly quiet: () => boolean;
}

export function buildProgram(rawIo: Io, state: RunState = { exitCode: EXIT_OK }): Command {
  // Names and paths from a scenario reach the terminal: control characters in them (ANSI escapes, a
  // terminal-title sequence) are shown escaped. The coloured table and the progress bar use rawIo.
  const io: Io = {
    ...rawIo,
    out: (t) => rawIo.out(terminalText(t)),
    err: (t) => rawIo.err(terminalText(t)),
  };
  const program = new Command();
  program
    .name('placesim')
    .description('Where should AI work run — cloud, edge or device — and what does each choice cost?')
    .version(PLACESIM_VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: io.out,
      writeErr: io.err,
      outputError: (text, write) => write(oneLineUsageError(text)),
    })
    // Global, so it works before or after the command: `placesim --quiet run …` and `placesim run … --quiet`.
    .option('-q, --quiet', 'no progress and no notices (files written, notes): results and errors only');
  const quiet = (): boolean => program.opts<{ quiet?: boolean }>().quiet === true;
  // The commands, each registered by a function of its own below, in the order `--help` lists them.
  const cx: CommandContext = { io, rawIo, state, quiet };
  addRunCommand(program, cx);
  addSweepCommand(program, cx);
  addSearchCommand(program, cx);
  addWorkerCommand(program, cx);
  addMergeCommand(program, cx);
  addCheckCommand(program, cx);
  addDiffCommand(program, cx);
  addValidateCommand(program, cx);
  addSchemaCommand(program, cx);
  addCalibrateCommand(program, cx);
  addCatalogCommand(program, cx);
  addExplainCommand(program, cx);
  addInitCommand(program, cx);
  addCompletionCommand(program, cx);
  return program;
}

/** `placesim run`. */
function addRunCommand(program: Command, { io, rawIo, quiet }: CommandContext): void {
  program
    .command('run')
    .description('run a scenario under each of its policies and print a side-by-side comparison')
    .argument('<file>', 'scenario file (YAML or JSON), or - to read it from standard input')
    .option('--policy <names>', "comma-separated policies to compare, instead of the scenario's", parseList)
    .option('--policy-module <file>', POLICY_MODULE_HELP, collect)
    .option('--seed <n>', "random seed, instead of the scenario's", parseSeed)
    .option('--json', 'print the Result as JSON instead of the table')
    .option(
      '--csv <dir>',
      'also write summary.csv, services.csv, placements.csv, rejections.csv, losses.csv, pools.csv, timeseries.csv, and uplinks.csv, backhaul.csv, shared_uplinks.csv, apis.csv, jobs.csv and fleets.csv when the scenario has them, into <dir>',
    )
    .option('--trace', 'with --csv: also write trace.csv, one row per request (streamed, any length)')
    .option('--html <file>', 'also write a self-contained HTML report with charts')
    .option(
      '--instances',
      "list every instance of a fleet (its pools, placements, time series), not just the fleet's rows",
    )
    .addOption(new Option('--color', 'colour the table').hideHelp())
    .option('--allow-read <dir>', ALLOW_READ_HELP, collect)
    .option('--max-events <n>', MAX_EVENTS_HELP, parseMaxEvents)
    .action(async (file: string, flags: RunFlags) => {
      if (flags.trace && !flags.csv)
        throw new InputError('--trace writes trace.csv next to the other CSV files: give --csv <dir> too');
      const loaded = await loadWithPolicyModules(file, flags, io);
      const { runLoaded } = await app();
      const tracer = flags.trace ? await openTrace(join(flags.csv!, 'trace.csv')) : null;
      const instances = flags.instances === true ? { instances: true } : {};
      const result = tracer ? runTracing(loaded, tracer, runLoaded, instances) : runLoaded(loaded, instances);
      const notes: string[] = [];
      if (flags.csv) notes.push(...(await writeCsvOrExplain(result, flags.csv)));
      if (tracer) notes.push(`${tracer.path} (${tracer.rows} rows)`);
      if (flags.html) {
        const { renderHtml } = await import('../report/html.js');
        await writeOutput(flags.html, renderHtml(result), 'the HTML report');
        notes.push(flags.html);
      }
      if (notes.length > 0 && !quiet()) {
        if (flags.json) io.err(`wrote ${notes.join(', ')}\n`);
        else io.out(`wrote ${notes.join(', ')}\n\n`);
      }
      // Only the reporter this output needs, not the whole report layer (its CSV columns and HTML charts).
      const text = flags.json
        ? (await import('../report/json.js')).renderJson(result)
        : (await import('../report/table.js')).renderTable(result, { color: flags.color === true });
      // The table has escaped its names itself (and may hold its own colour codes); JSON escapes them.
      rawIo.out(text.endsWith('\n') ? text : text + '\n');
    });
}

/** `placesim sweep`. */
function addSweepCommand(program: Command, { io, rawIo, quiet }: CommandContext): void {
  program
    .command('sweep')
    .description(
      'run a grid of scenario variants, each for several seeds, and report means with 95% confidence intervals',
    )
    .argument('<file>', 'scenario file (YAML or JSON)')
    .option(
      '--set <path=values>',
      'a field and its values: a.b=1,2,3 or a.b=start..end:step (repeatable)',
      (v: string, acc: SetSpec[]) => [...acc, parseSet(v)],
      [] as SetSpec[],
    )
    .option('--replications <n>', 'seeds per point (seed, seed+1, …; the same at every point)', parseCount(1), 1)
    .option('--seed <n>', "first seed, instead of the scenario's", parseSeed)
    .option('--policy <names>', "comma-separated policies, instead of the scenario's", parseList)
    .option('--workers <n>', 'worker threads (default: one per core)', parseCount(1))
    .option('--policy-module <file>', POLICY_MODULE_HELP, collect)
    .option('--queue <url>', QUEUE_HELP, parseQueueUrl)
    .option('--shard <i/n>', SHARD_HELP, parseShard)
    .option('--out <dir>', 'where sweep.csv, sweep.json and the resume journal go (created if missing)', 'sweep-out')
    .option('--html <file>', 'also write an HTML report of the sweep')
    .option('--json', 'print the sweep result as JSON')
    .option('--allow-read <dir>', ALLOW_READ_HELP, collect)
    .option('--max-events <n>', MAX_EVENTS_HELP, parseMaxEvents)
    .action(async (file: string, flags: SweepFlags) => {
      if (flags.set.length === 0) throw new InputError('sweep needs at least one --set path=values');
      // The worker threads start first, before the sweep (and through it the simulator) is loaded below: each
      // thread's own start, ~0.1–0.2 s of Node's bootstrap and the worker bundle, then overlaps that loading
      // instead of following it (docs/performance.md, Sweeps).
      const { startSweepThreads } = await import('../sweep/thread-pool.js');
      const threads = startSweepThreads({ ...flags, sets: flags.set });
      let closing: Promise<void> | undefined;
      try {
        const { createProgress, runSweep, silentProgress, sweepJournalPath, sweepJson, sweepTable, writeSweepOutputs } =
          await import('../sweep/index.js');
        const { shardFileName, shardJson, shardPath, SHARD_FORMAT_VERSION, SHARD_KIND } =
          await import('../sweep/shard.js');
        // Runs (point × seed), counted as they finish: points finish out of order across the workers.
        const progress = quiet()
          ? silentProgress
          : createProgress(Boolean(process.stderr.isTTY) && rawIo === processIo, (s) => rawIo.err(s), 'run');
        const { lockSweepDir } = await import('../sweep/lock.js');
        (await output()).makeDir(flags.out);
        // The folder is locked until the outputs are written: a second sweep on it would interleave journals.
        const lock = lockSweepDir(
          flags.out,
          (line) => {
            if (!quiet()) io.err(`placesim: ${line}\n`);
          },
          flags.shard ? shardFileName('sweep', flags.shard).replace(/\.json$/, '.lock') : undefined,
        );
        let saved = { done: 0, total: 0 };
        const journal = flags.shard
          ? shardPath(flags.out, 'sweep', flags.shard).replace(/\.json$/, '.journal.jsonl')
          : sweepJournalPath(flags.out);
        const off = onInterrupt(() => {
          progress.stop();
          lock.release();
          return `${saved.done} of ${saved.total} point(s) saved in ${journal}; run the same command again to resume`;
        });
        let result;
        let paths: string[];
        try {
          let definition = '';
          try {
            result = await runSweep({
              file,
              sets: flags.set,
              replications: flags.replications,
              seed: flags.seed,
              policies: flags.policy,
              policyModules: flags.policyModule,
              workers: flags.workers,
              journal,
              ...(flags.shard ? { shard: flags.shard, onDefinition: (h: string) => (definition = h) } : {}),
              ...(flags.queue ? { queue: flags.queue, onNotice: (line: string) => io.err(`${line}\n`) } : {}),
              onProgress: (done, total) => (saved = { done, total }),
              onRunProgress: (done, total) => progress.update(done, total),
              limits: limitsOf(flags),
              ...(threads ? { threads } : {}),
            });
          } finally {
            progress.stop();
            // The threads end while the outputs are written: a thread's end (its heap unmapped page by page)
            // takes ~50 ms, which would otherwise come after the last run and before the first output.
            closing = threads?.close();
            closing?.catch(() => {});
          }
          if (flags.shard) {
            const path = shardPath(flags.out, 'sweep', flags.shard);
            await writeOutput(
              path,
              shardJson({
                kind: SHARD_KIND,
                format_version: SHARD_FORMAT_VERSION,
                of: 'sweep',
                shard: flags.shard,
                definition,
                result,
              }),
              'the shard file',
            );
            if (!quiet())
              io.out(
                `share ${flags.shard.index}/${flags.shard.count}: ${result.points.length} point(s): wrote ${path}\n`,
              );
            return;
          }
          paths = writeSweepOutputs(result, flags.out);
          if (flags.html) {
            const { renderSweepHtml } = await import('../report/html.js');
            await writeOutput(flags.html, renderSweepHtml(result), 'the HTML report');
            paths.push(flags.html);
          }
        } finally {
          off();
          lock.release();
        }
        // Say where the files went in both modes: without --out they land in ./sweep-out.
        if (flags.json) {
          io.out(sweepJson(result));
          if (!quiet()) io.err(`wrote ${paths.join(', ')}\n`);
        } else {
          io.out(sweepTable(result, { quiet: quiet() }));
          if (!quiet())
            io.out(
              `${result.points.length} point(s) × ${result.replications} replication(s): wrote ${paths.join(', ')}\n`,
            );
        }
      } finally {
        await (closing ?? threads?.close());
      }
    });
}

/** `placesim search`. */
function addSearchCommand(program: Command, { io, rawIo, quiet }: CommandContext): void {
  program
    .command('search')
    .description(
      'find, per policy, the cheapest configuration that meets every constraint (--minimise), or the highest demand a configuration serves (--max-demand)',
    )
    .argument('<file>', 'scenario file (YAML or JSON)')
    .option(
      '--vary <path=values>',
      'a field and the values to try: a.b=1,2,3 or a.b=start..end:step (repeatable; pool counts and replicas are bisected)',
      (v: string, acc: SetSpec[]) => [...acc, parseSet(v)],
      [] as SetSpec[],
    )
    .option(
      '--require <metric op bound>',
      'a constraint on a sweep metric, e.g. chat.latency_p99_ms<=800 or chat.slo_attainment>=0.99 (repeatable)',
      (v: string, acc: Constraint[]) => [...acc, parseConstraint(v)],
      [] as Constraint[],
    )
    .option('--minimise <objective>', 'cost, carbon, energy, a metric, or a weighted sum such as cost_usd+20*carbon_kg')
    .option('--max-demand <path=low..high>', 'instead: the highest value of a demand field that meets every constraint')
    .option('--tolerance <fraction>', 'max-demand: stop when high/low ≤ 1 + tolerance (default 0.02)')
    .option('--monotone <path>', 'treat a varied field as monotone (bisect it) besides counts and replicas', collect)
    .option(
      '--enumerate <path>',
      'try every value of a varied count or replicas field instead of bisecting it',
      collect,
    )
    .option('--replications <n>', 'seeds per evaluation (seed, seed+1, …)', parseCount(1), 3)
    .option('--seed <n>', "first seed, instead of the scenario's", parseSeed)
    .option('--policy <names>', "comma-separated policies, instead of the scenario's", parseList)
    .option('--workers <n>', 'worker threads (default: one per core)', parseCount(1))
    .option('--policy-module <file>', POLICY_MODULE_HELP, collect)
    .option('--queue <url>', QUEUE_HELP, parseQueueUrl)
    .option('--shard <i/n>', SHARD_HELP, parseShard)
    .option('--out <dir>', 'where search.csv, search.json and the resume journal go (created if missing)', 'search-out')
    .option('--html <file>', "also write an HTML report with each policy's frontier")
    .option('--json', 'print the search result as JSON')
    .option('--allow-read <dir>', ALLOW_READ_HELP, collect)
    .option('--max-events <n>', MAX_EVENTS_HELP, parseMaxEvents)
    .action(async (file: string, flags: SearchFlags) => {
      let tolerance: number | undefined;
      if (flags.tolerance !== undefined) {
        tolerance = Number(flags.tolerance);
        if (!/^\d*\.?\d+(e-?\d+)?$/i.test(flags.tolerance) || !(tolerance > 0 && tolerance < 1))
          throw new InputError(`--tolerance must be a number between 0 and 1, got ${JSON.stringify(flags.tolerance)}`);
      }
      const { createProgress, silentProgress } = await import('../sweep/index.js');
      const { parseDemand, parseObjective, runSearch, searchJournalPath, searchJson, searchTable, writeSearchOutputs } =
        await import('../search/index.js');
      const { shardJson, shardPath, SHARD_FORMAT_VERSION, SHARD_KIND } = await import('../sweep/shard.js');
      const { readScenarioFile } = await import('../scenario/load.js');
      const progress = quiet()
        ? silentProgress
        : createProgress(Boolean(process.stderr.isTTY) && rawIo === processIo, (s) => rawIo.err(s), 'run');
      let result;
      let shardFile: SearchShardFile | undefined;
      try {
        await mkdirOrExplain(flags.out);
        const options = {
          vary: flags.vary,
          monotone: flags.monotone,
          enumerate: flags.enumerate,
          constraints: flags.require,
          ...(flags.minimise !== undefined ? { objective: parseObjective(flags.minimise) } : {}),
          ...(flags.maxDemand !== undefined ? { demand: parseDemand(flags.maxDemand) } : {}),
          ...(tolerance !== undefined ? { tolerance } : {}),
          replications: flags.replications,
          seed: flags.seed,
          policies: flags.policy,
          policyModules: (flags.policyModule ?? []).map((f) => resolvePath(f)),
        };
        const limits = limitsOf(flags);
        result = await runSearch({
          ...options,
          ...(flags.shard
            ? {
                shard: flags.shard,
                onEvaluations: (definition: string, evaluations: [string, Record<string, number | null>[]][]) => {
                  shardFile = {
                    kind: SHARD_KIND,
                    format_version: SHARD_FORMAT_VERSION,
                    of: 'search',
                    shard: flags.shard!,
                    definition,
                    search: {
                      file,
                      text: readScenarioFile(file),
                      options: JSON.parse(JSON.stringify(options)) as Record<string, unknown>,
                    },
                    evaluations,
                  };
                },
              }
            : {}),
          file,
          workers: flags.workers,
          journal: flags.shard
            ? shardPath(flags.out, 'search', flags.shard).replace(/\.json$/, '.journal.jsonl')
            : searchJournalPath(flags.out),
          ...(flags.queue ? { queue: flags.queue, onNotice: (line: string) => io.err(`${line}\n`) } : {}),
          onRunProgress: (done, total) => progress.update(done, total),
          limits,
        });
      } finally {
        progress.stop();
      }
      if (shardFile) {
        const path = shardPath(flags.out, 'search', shardFile.shard);
        await writeOutput(path, shardJson(shardFile), 'the shard file');
        if (!quiet())
          io.out(
            `share ${shardFile.shard.index}/${shardFile.shard.count}: ${shardFile.evaluations.length} evaluation(s): wrote ${path}\n`,
          );
        return;
      }
      const paths = writeSearchOutputs(result, flags.out);
      if (flags.html) {
        const { renderSearchHtml } = await import('../report/html.js');
        await writeOutput(flags.html, renderSearchHtml(result), 'the HTML report');
        paths.push(flags.html);
      }
      if (flags.json) {
        io.out(searchJson(result));
        if (!quiet()) io.err(`wrote ${paths.join(', ')}\n`);
      } else {
        io.out(searchTable(result, { quiet: quiet() }));
        if (!quiet()) io.out(`wrote ${paths.join(', ')}\n`);
      }
    });
}

/** `placesim worker`. */
function addWorkerCommand(program: Command, { io, quiet }: CommandContext): void {
  program
    .command('worker')
    .description('take sweep and search tasks from a Redis queue and run them, until stopped (Ctrl-C, SIGTERM)')
    .requiredOption('--queue <url>', 'the Redis server the coordinators use (redis://HOST:6379)', parseQueueUrl)
    .option('--concurrency <n>', 'tasks run at once, each in a worker thread (default: one per core)', parseCount(1))
    .option(
      '--lock-duration <ms>',
      'how long a dead worker keeps its task before another takes it (default 30000)',
      parseCount(1000),
    )
    .action(async (flags: { queue: string; concurrency?: number; lockDuration?: number }) => {
      const { queueName, startQueueWorker } = await import('../sweep/queue.js');
      const concurrency = flags.concurrency ?? availableParallelism();
      const handle = await startQueueWorker({
        url: flags.queue,
        concurrency,
        ...(flags.lockDuration !== undefined ? { lockDurationMs: flags.lockDuration } : {}),
        onTask: (key, ok) => {
          if (!quiet()) io.err(`${ok ? 'done' : 'FAILED'} ${key}\n`);
        },
      });
      if (!quiet())
        io.err(`placesim ${PLACESIM_VERSION} worker: ${concurrency} task(s) at a time from ${queueName()}\n`);
      const stop = () => void handle.close();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        await handle.closed;
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}

/** `placesim merge`. */
function addMergeCommand(program: Command, { io, quiet }: CommandContext): void {
  program
    .command('merge')
    .description('combine the shard files of a sweep or search run with --shard I/N into the files one run writes')
    .argument('<files...>', 'every shard file (sweep.shard-*.json or search.shard-*.json)')
    .option('--out <dir>', "where to write the merged files (default: the first shard file's folder)")
    .option('--html <file>', 'also write the HTML report')
    .option('--json', 'print the merged result as JSON')
    .action(async (files: string[], flags: { out?: string; html?: string; json?: boolean }) => {
      const { mergeSweepShards, readShards } = await import('../sweep/shard.js');
      const { sweepJson, sweepTable, writeSweepOutputs } = await import('../sweep/index.js');
      const { runSearch, searchJson, searchTable, writeSearchOutputs } = await import('../search/index.js');
      const { renderSearchHtml, renderSweepHtml } = await import('../report/html.js');
      const shards = readShards(files);
      const out = flags.out ?? dirname(files[0]);
      await mkdirOrExplain(out);
      let paths: string[];
      let json: string;
      let table: string;
      if (shards[0].of === 'sweep') {
        const result = mergeSweepShards(shards as SweepShardFile[]);
        paths = writeSweepOutputs(result, out);
        if (flags.html) await writeOutput(flags.html, renderSweepHtml(result), 'the HTML report');
        json = sweepJson(result);
        table = sweepTable(result, { quiet: quiet() });
      } else {
        const s = shards as SearchShardFile[];
        const preloaded = new Map(s.flatMap((x) => x.evaluations));
        let definition = '';
        const result = await runSearch({
          ...(s[0].search.options as unknown as Omit<SearchOptions, 'file'>),
          file: s[0].search.file,
          text: s[0].search.text,
          preloaded,
          offline: true,
          workers: 0,
          onEvaluations: (h) => (definition = h),
        });
        if (definition !== s[0].definition)
          throw new InputError(
            `merge: the shards' search does not match what they recorded (placesim version or policy modules changed?)`,
          );
        paths = writeSearchOutputs(result, out);
        if (flags.html) await writeOutput(flags.html, renderSearchHtml(result), 'the HTML report');
        json = searchJson(result);
        table = searchTable(result, { quiet: quiet() });
      }
      if (flags.html) paths.push(flags.html);
      if (flags.json) {
        io.out(json);
        if (!quiet()) io.err(`merged ${shards.length} shard(s): wrote ${paths.join(', ')}\n`);
      } else {
        io.out(table);
        if (!quiet()) io.out(`merged ${shards.length} shard(s): wrote ${paths.join(', ')}\n`);
      }
    });
}

/** `placesim check`. */
function addCheckCommand(program: Command, { io, state, quiet }: CommandContext): void {
  program
    .command('check')
    .description(
      'run scenarios and compare their results with committed baselines (exit 1 when a metric moved past its tolerance)',
    )
    .argument('<files...>', 'scenario files')
    .requiredOption('--baseline <dir>', 'folder of baseline results (<scenario name>.json)')
    .option('--update', 'rewrite the baselines from this run')
    .option(
      '--tolerance <pattern=value>',
      'tolerance for metrics matching a pattern: "*/latency_ms/*=2%" or "*/utilisation=0.01" (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--summary <file>', 'append a markdown summary (e.g. $GITHUB_STEP_SUMMARY)')
    .option('--junit <file>', 'write JUnit XML')
    .option('--policy-module <file>', POLICY_MODULE_HELP, collect)
    .option('--allow-read <dir>', ALLOW_READ_HELP, collect)
    .option('--max-events <n>', MAX_EVENTS_HELP, parseMaxEvents)
    .action(async (files: string[], flags: CheckFlags) => {
      const { renderCheckTable, runCheck, writeCheckOutputs } = await import('../check/index.js');
      const report = await runCheck({
        files,
        baselineDir: flags.baseline,
        update: flags.update,
        tolerances: flags.tolerance,
        policyModules: flags.policyModule,
        limits: limitsOf(flags),
      });
      io.out(renderCheckTable(report, { notes: !quiet() }));
      writeCheckOutputs(report, { summary: flags.summary, junit: flags.junit });
      if (report.failed) state.exitCode = EXIT_CHECK_FAILED;
    });
}

/** `placesim diff`. */
function addDiffCommand(program: Command, { io }: CommandContext): void {
  program
    .command('diff')
    .description(
      'two scenario files (run with the same seed) or two Result JSON files, side by side: key metrics per policy, then every metric that differs',
    )
    .argument('<a>', 'scenario file (YAML or JSON, or - for standard input) or Result JSON (run --json, a baseline)')
    .argument('<b>', 'the same, to compare with <a>')
    .option('--seed <n>', "seed for scenario files, instead of A's", parseSeed)
    .option('--policy <names>', "comma-separated policies for scenario files, instead of each file's", parseList)
    .option('--policy-module <file>', POLICY_MODULE_HELP, collect)
    .action(async (a: string, b: string, flags: { seed?: number; policy?: string[]; policyModule?: string[] }) => {
      const { loadUserPolicies } = await app();
      const { diff, renderDiff } = await import('../diff/index.js');
      const userPolicies = await loadUserPolicies(flags.policyModule ?? []);
      const report = diff(a, b, {
        userPolicies,
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        ...(flags.policy !== undefined ? { policies: flags.policy } : {}),
        ...(io.readStdin ? { readStdin: io.readStdin } : {}),
      });
      io.out(renderDiff(report));
    });
}

/** `placesim validate`. */
function addValidateCommand(program: Command, { io, quiet }: CommandContext): void {
  program
    .command('validate')
    .description('check a scenario file without running it')
    .argument('<file>', 'scenario file (YAML or JSON), or - to read it from standard input')
    .option('--policy-module <file>', POLICY_MODULE_HELP, collect)
    .option('--allow-read <dir>', ALLOW_READ_HELP, collect)
    .option('--max-events <n>', MAX_EVENTS_HELP, parseMaxEvents)
    .action(async (file: string, flags: { policyModule?: string[] } & LimitFlags) => {
      const loaded = await loadWithPolicyModules(file, flags, io);
      // The plan is where a model that fits nowhere is found; it is cheap and runs no events.
      const { checkPlan } = await app();
      checkPlan(loaded);
      const { scenario } = loaded;
      io.out(
        `${scenario.file ?? file}: ok — ${scenario.services.length} service(s), ${scenario.pools.length} pool(s), ` +
          `policies ${scenario.policies.join(', ')}\n`,
      );
      if (!quiet()) for (const w of scenario.warnings) io.out(`warning: ${w}\n`);
    });
}

/** `placesim schema`. */
function addSchemaCommand(program: Command, { io }: CommandContext): void {
  program
    .command('schema')
    .description('print the JSON Schema of scenario files')
    .action(async () => {
      const { scenarioJsonSchema } = await import('../scenario/schema.js');
      io.out(JSON.stringify(scenarioJsonSchema(), null, 2) + '\n');
    });
}

/** `placesim calibrate`. */
function addCalibrateCommand(program: Command, { io }: CommandContext): void {
  program
    .command('calibrate')
    .description(
      'compare the model with published measurements (data/calibration/published.csv): error per row and per half',
    )
    .option('--table <file>', 'a table in the format of data/calibration/published.csv (default: that file)')
    .option('--json', 'print as JSON')
    .action(async (flags: { table?: string; json?: boolean }) => {
      const { runCalibration, formatCalibration, readPublished } = await import('../calibrate/index.js');
      const report = runCalibration(readPublished(flags.table));
      io.out(flags.json ? JSON.stringify(report, null, 2) + '\n' : formatCalibration(report));
    });
}

/** `placesim catalog`. */
function addCatalogCommand(program: Command, { io }: CommandContext): void {
  program
    .command('catalog')
    .description('list the embedded catalog: devices, cloud instances or regions')
    .addArgument(
      new Argument('[what]', 'devices | instances | regions')
        .choices(['devices', 'instances', 'regions'])
        .default('devices'),
    )
    .option('--json', 'print as JSON')
    .option('--sources', 'list every publication the catalog cites, with the entries that cite it')
    .action(async (what: 'devices' | 'instances' | 'regions', flags: { json?: boolean; sources?: boolean }) => {
      const { defaultCatalog } = await import('../hardware/catalog.js');
      const { formatCatalog, catalogAsJson, catalogSources, formatSources } =
        await import('../hardware/catalog-list.js');
      const catalog = defaultCatalog();
      if (flags.sources) {
        io.out(
          flags.json ? JSON.stringify({ sources: catalogSources(catalog) }, null, 2) + '\n' : formatSources(catalog),
        );
        return;
      }
      io.out(flags.json ? JSON.stringify(catalogAsJson(catalog, what), null, 2) + '\n' : formatCatalog(catalog, what));
    });
}

/** `placesim explain`. */
function addExplainCommand(program: Command, { io }: CommandContext): void {
  program
    .command('explain')
    .description(
      'why each policy placed requests where it did (per target, the deciding reason) and why requests were rejected or lost',
    )
    .argument('<file>', 'scenario file (YAML or JSON), or - to read it from standard input')
    .option('--policy <names>', "comma-separated policies to explain, instead of the scenario's", parseList)
    .option('--policy-module <file>', POLICY_MODULE_HELP, collect)
    .option('--seed <n>', "random seed, instead of the scenario's", parseSeed)
    .action(async (file: string, flags: { policy?: string[]; policyModule?: string[]; seed?: number }) => {
      const { runLoaded } = await app();
      const { explain } = await import('../explain/index.js');
      const loaded = await loadWithPolicyModules(file, flags, io);
      io.out(explain(runLoaded(loaded)));
    });
}

/** `placesim init`. */
function addInitCommand(program: Command, { io, quiet }: CommandContext): void {
  program
    .command('init')
    .description("write a commented starter scenario for a workload, its users' regions and the sites to compare")
    .option('--workload <kind>', 'chatbot | vision | training (default: chatbot)')
    .option('--users <regions>', "the users' catalog regions, comma-separated (default: us-east)", parseList)
    .option('--sites <kinds>', 'kinds of site to compare: cloud,edge,device (default: cloud,edge)', parseList)
    .option('--name <name>', "the scenario's name (default: <workload>-starter)")
    .option('-o, --output <file>', 'where to write it, or - for standard output (default: <name>.yaml)')
    .option('--force', 'overwrite the file if it exists')
    .action(
      async (flags: {
        workload?: string;
        users?: string[];
        sites?: string[];
        name?: string;
        output?: string;
        force?: boolean;
      }) => {
        const { askInitOptions, initOptions, starterScenario } = await import('../init/index.js');
        const chosen = flags.workload !== undefined || flags.users !== undefined || flags.sites !== undefined;
        // Questions only for a person at a terminal: never in CI, a pipe, or when a flag already chose.
        const interactive = !chosen && io.ask !== undefined && process.env.CI !== 'true';
        const options: InitOptions = interactive ? await askInitOptions(io.ask!) : initOptions(flags);
        if (flags.name !== undefined) options.name = initOptions({ ...flags, workload: options.workload }).name;
        const file = flags.output ?? `${options.name ?? `${options.workload}-starter`}.yaml`;
        const text = starterScenario({ ...options, ...(file !== '-' ? { file } : {}) });
        if (file === '-') {
          io.out(text);
          return;
        }
        writeNew(file, text, flags.force === true);
        if (!quiet())
          io.out(`wrote ${file}: check it with npx placesim validate ${file}, run it with npx placesim run ${file}\n`);
      },
    );
}

/** `placesim completion`. */
function addCompletionCommand(program: Command, { io }: CommandContext): void {
  program
    .command('completion')
    .description('print a shell completion script (commands, options, scenario files) for bash, zsh or fish')
    .addArgument(new Argument('<shell>', SHELLS.join(' | ')).choices(SHELLS))
    .action((shell: Shell) => {
      io.out(completionScript(program, shell));
    });
}

/** Writes an output file whole (temporary file + rename); a path that cannot be written is exit 2. */
async function writeOutput(path: string, text: string, what: string): Promise<void> {
  (await output()).writeFileAtomically(path, text, what);
}

/** Writes a new file; an existing one only with `force`. */
function writeNew(path: string, text: string, force: boolean): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text, { flag: force ? 'w' : 'wx' });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err?.code === 'EEXIST')
      throw new InputError(`${path} exists: give --force to overwrite it, or -o another file`);
    if (typeof err?.code === 'string') throw new InputError(`cannot write "${path}": ${err.message}`);
    throw e;
  }
}

async function openTrace(path: string): Promise<TraceCsvWriter> {
  const { TraceCsvWriter } = await import('../report/trace-csv.js');
  try {
    return new TraceCsvWriter(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (typeof err?.code === 'string') throw new InputError(`cannot write the trace "${path}": ${err.message}`);
    throw e;
  }
}

async function mkdirOrExplain(dir: string): Promise<void> {
  (await output()).makeDir(dir);
}

/**
 * Commander's messages come as "error: …" with a "(Did you mean …?)" suggestion on a line of its own; a bad
 * flag should cost the user one line on stderr, like every other input error.
 */
function oneLineUsageError(text: string): string {
  const message = text
    .trim()
    .replace(/^error:\s*/, '')
    .replace(/\s*\n\s*/g, ' ');
  return `placesim: ${message} (see placesim --help)\n`;
}

/** A directory that cannot be written is the user's to fix (exit 2), not a bug. */
async function writeCsvOrExplain(result: Result, dir: string): Promise<string[]> {
  const { writeCsv } = await reports();
  try {
    return writeCsv(result, dir);
  } catch (e) {
    throw (await output()).writeFailure(e, 'CSV files into', dir);
  }
}

/**
 * Runs a scenario streaming its trace: the file is renamed from `.partial` to its name only when the run
 * succeeded; a failure leaves the `.partial` file and says so in its message.
 */
function runTracing(
  loaded: LoadedScenario,
  tracer: TraceCsvWriter,
  runLoaded: (l: LoadedScenario, o: { trace: TraceCsvWriter['write']; instances?: boolean }) => Result,
  opts: { instances?: boolean } = {},
): Result {
  const kept = `the unfinished trace is ${tracer.partialPath}`;
  const off = onInterrupt(() => {
    tracer.abandon();
    return kept;
  });
  try {
    const result = runLoaded(loaded, { ...opts, trace: tracer.write });
    tracer.finish();
    return result;
  } catch (e) {
    tracer.abandon();
    const failure = describeFailure(e);
    if (failure.code === EXIT_BAD_INPUT) throw new InputError(`${failure.message} (${kept})`);
    throw e;
  } finally {
    off();
  }
}

/** Runs the CLI and returns the exit code; never throws. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const state: RunState = { exitCode: EXIT_OK };
  const program = buildProgram(io, state);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return state.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT_OK;
      // 'commander.help' is the usage printed to stderr when no command was given: a usage error too.
      if (e.code === 'commander.help') return e.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
      // Commander has already printed its message.
      return EXIT_BAD_INPUT;
    }
    const failure = describeFailure(e);
    if (failure.code === EXIT_BAD_INPUT) safeWrite(io, `placesim: ${failure.message}\n`);
    else if (process.env.PLACESIM_DEBUG) safeWrite(io, `placesim: ${failure.message}\n${(e as Error)?.stack ?? ''}\n`);
    else
      safeWrite(
        io,
        `placesim: ${failure.message} (a bug in placesim: run again with PLACESIM_DEBUG=1 for a stack trace and report it)\n`,
      );
    return failure.code;
  }
}

/** The error stream may itself be what failed (a closed pipe); main() still must not throw. */
function safeWrite(io: Io, text: string): void {
  try {
    io.err(terminalText(text));
  } catch {
    // nothing left to report to
  }
}
