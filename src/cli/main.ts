/**
 * The command line: a thin layer that parses arguments, calls the application layer (src/app: one
 * load-and-run path) and prints. Failures become exit codes in src/app/exit.ts (0 success · 1 a regression
 * check failed · 2 bad input · 3 a bug). `main()` takes its arguments and output streams as parameters so
 * the tests can call it directly.
 */
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { InputError } from '../errors.js';
import { scenarioJsonSchema } from '../scenario/schema.js';
import {
  checkPlan,
  describeFailure,
  scenarioSource,
  loadUserPolicies,
  prepareScenario,
  runLoaded,
  EXIT_BAD_INPUT,
  EXIT_CHECK_FAILED,
  EXIT_OK,
  type LoadedScenario,
} from '../app/index.js';
import { renderTable, renderJson, writeCsv } from '../report/index.js';
import { defaultCatalog } from '../hardware/catalog.js';
import { formatCatalog, catalogAsJson, catalogSources, formatSources } from '../hardware/catalog-list.js';
import { PLACESIM_VERSION } from '../version.js';
import { TraceCsvWriter } from '../report/trace-csv.js';
import { renderHtml, renderSweepHtml } from '../report/html.js';
import {
  parseSet,
  runSweep,
  writeSweepOutputs,
  createProgress,
  silentProgress,
  sweepJournalPath,
  sweepJson,
  sweepTable,
  type SetSpec,
} from '../sweep/index.js';
import { runCheck, renderCheckTable, writeCheckOutputs } from '../check/index.js';
import { diff, renderDiff } from '../diff/index.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Result } from '../metrics/result.js';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Standard input's text, for a scenario given as `-`; default: the process's stdin. */
  readStdin?: () => string;
}

const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

export { EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT, EXIT_BUG } from '../app/exit.js';

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

interface RunFlags {
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

interface SweepFlags {
  policyModule?: string[];
  set: SetSpec[];
  replications: number;
  seed?: number;
  policy?: string[];
  workers?: number;
  out: string;
  html?: string;
  json?: boolean;
}

interface CheckFlags {
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
  flags: { seed?: number; policy?: string[]; policyModule?: string[] },
  io: Io,
): Promise<LoadedScenario> {
  const userPolicies = await loadUserPolicies(flags.policyModule ?? []);
  // `-`: the scenario is read from standard input and named <stdin> (src/app/stdin.ts).
  return prepareScenario(scenarioSource(file, io.readStdin), userPolicies, {
    seed: flags.seed,
    policies: flags.policy,
  });
}

const POLICY_MODULE_HELP = 'load your own placement policies from a JavaScript module (.js, .mjs, .cjs; repeatable)';
// No default list: commander would print "(default: [])" in the help.
const collect = (value: string, acc: string[] = []): string[] => [...acc, value];

/** Writes a file, turning an unwritable path into bad input (exit 2) rather than a bug. */
function writeOutput(path: string, text: string, what: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (typeof err?.code === 'string') throw new InputError(`cannot write ${what} "${path}": ${err.message}`);
    throw e;
  }
}

/** What a command decided about the exit code beyond success (the check's 1). */
export interface RunState {
  exitCode: number;
}

export function buildProgram(io: Io, state: RunState = { exitCode: EXIT_OK }): Command {
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
      'also write summary.csv, services.csv, placements.csv, pools.csv, timeseries.csv, and uplinks.csv, backhaul.csv, shared_uplinks.csv, apis.csv and jobs.csv when the scenario has them, into <dir>',
    )
    .option('--trace', 'with --csv: also write trace.csv, one row per request (streamed, any length)')
    .option('--html <file>', 'also write a self-contained HTML report with charts')
    .option(
      '--instances',
      "list every instance of a fleet (its pools, placements, time series), not just the fleet's rows",
    )
    .addOption(new Option('--color', 'colour the table').hideHelp())
    .action(async (file: string, flags: RunFlags) => {
      if (flags.trace && !flags.csv)
        throw new InputError('--trace writes trace.csv next to the other CSV files: give --csv <dir> too');
      const loaded = await loadWithPolicyModules(file, flags, io);
      let result;
      let tracer: TraceCsvWriter | null = null;
      try {
        if (flags.trace) tracer = openTrace(join(flags.csv!, 'trace.csv'));
        result = runLoaded(loaded, {
          ...(tracer ? { trace: tracer.write } : {}),
          ...(flags.instances === true ? { instances: true } : {}),
        });
      } finally {
        tracer?.close();
      }
      const notes: string[] = [];
      if (flags.csv) notes.push(...writeCsvOrExplain(result, flags.csv));
      if (tracer) notes.push(`${tracer.path} (${tracer.rows} rows)`);
      if (flags.html) {
        writeOutput(flags.html, renderHtml(result), 'the HTML report');
        notes.push(flags.html);
      }
      if (notes.length > 0 && !quiet()) {
        if (flags.json) io.err(`wrote ${notes.join(', ')}\n`);
        else io.out(`wrote ${notes.join(', ')}\n\n`);
      }
      const text = flags.json ? renderJson(result) : renderTable(result, { color: flags.color === true });
      io.out(text.endsWith('\n') ? text : text + '\n');
    });

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
    .option('--out <dir>', 'where sweep.csv, sweep.json and the resume journal go (created if missing)', 'sweep-out')
    .option('--html <file>', 'also write an HTML report of the sweep')
    .option('--json', 'print the sweep result as JSON')
    .action(async (file: string, flags: SweepFlags) => {
      if (flags.set.length === 0) throw new InputError('sweep needs at least one --set path=values');
      // Runs (point × seed), counted as they finish: points finish out of order across the workers.
      const progress = quiet()
        ? silentProgress
        : createProgress(Boolean(process.stderr.isTTY) && io === processIo, (s) => io.err(s), 'run');
      let result;
      try {
        mkdirOrExplain(flags.out);
        result = await runSweep({
          file,
          sets: flags.set,
          replications: flags.replications,
          seed: flags.seed,
          policies: flags.policy,
          policyModules: flags.policyModule,
          workers: flags.workers,
          journal: sweepJournalPath(flags.out),
          onRunProgress: (done, total) => progress.update(done, total),
        });
      } finally {
        progress.stop();
      }
      const paths = writeSweepOutputs(result, flags.out);
      if (flags.html) {
        writeOutput(flags.html, renderSweepHtml(result), 'the HTML report');
        paths.push(flags.html);
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
    });

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
    .action(async (files: string[], flags: CheckFlags) => {
      const report = await runCheck({
        files,
        baselineDir: flags.baseline,
        update: flags.update,
        tolerances: flags.tolerance,
        policyModules: flags.policyModule,
      });
      io.out(renderCheckTable(report, { notes: !quiet() }));
      writeCheckOutputs(report, { summary: flags.summary, junit: flags.junit });
      if (report.failed) state.exitCode = EXIT_CHECK_FAILED;
    });

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
      const userPolicies = await loadUserPolicies(flags.policyModule ?? []);
      const report = diff(a, b, {
        userPolicies,
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        ...(flags.policy !== undefined ? { policies: flags.policy } : {}),
        ...(io.readStdin ? { readStdin: io.readStdin } : {}),
      });
      io.out(renderDiff(report));
    });

  program
    .command('validate')
    .description('check a scenario file without running it')
    .argument('<file>', 'scenario file (YAML or JSON), or - to read it from standard input')
    .option('--policy-module <file>', POLICY_MODULE_HELP, collect)
    .action(async (file: string, flags: { policyModule?: string[] }) => {
      const loaded = await loadWithPolicyModules(file, flags, io);
      // The plan is where a model that fits nowhere is found; it is cheap and runs no events.
      checkPlan(loaded);
      const { scenario } = loaded;
      io.out(
        `${scenario.file ?? file}: ok — ${scenario.services.length} service(s), ${scenario.pools.length} pool(s), ` +
          `policies ${scenario.policies.join(', ')}\n`,
      );
      if (!quiet()) for (const w of scenario.warnings) io.out(`warning: ${w}\n`);
    });

  program
    .command('schema')
    .description('print the JSON Schema of scenario files')
    .action(() => {
      io.out(JSON.stringify(scenarioJsonSchema(), null, 2) + '\n');
    });

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
    .action((what: 'devices' | 'instances' | 'regions', flags: { json?: boolean; sources?: boolean }) => {
      const catalog = defaultCatalog();
      if (flags.sources) {
        io.out(
          flags.json ? JSON.stringify({ sources: catalogSources(catalog) }, null, 2) + '\n' : formatSources(catalog),
        );
        return;
      }
      io.out(flags.json ? JSON.stringify(catalogAsJson(catalog, what), null, 2) + '\n' : formatCatalog(catalog, what));
    });

  return program;
}

function openTrace(path: string): TraceCsvWriter {
  try {
    return new TraceCsvWriter(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (typeof err?.code === 'string') throw new InputError(`cannot write the trace "${path}": ${err.message}`);
    throw e;
  }
}

function mkdirOrExplain(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (typeof err?.code === 'string') throw new InputError(`cannot create the output folder "${dir}": ${err.message}`);
    throw e;
  }
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
function writeCsvOrExplain(result: Result, dir: string): string[] {
  try {
    return writeCsv(result, dir);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (typeof err?.code === 'string') throw new InputError(`cannot write CSV files into "${dir}": ${err.message}`);
    throw e;
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
    io.err(text);
  } catch {
    // nothing left to report to
  }
}
