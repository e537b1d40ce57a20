/**
 * The command line: a thin layer that parses arguments, calls the library and maps failures to exit codes
 * (0 success · 1 a regression check failed · 2 bad input · other: a bug). `main()` takes its arguments and
 * output streams as parameters so the tests can call it directly.
 */
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { InputError } from '../scenario/errors.js';
import { loadScenarioFile } from '../scenario/index.js';
import { scenarioJsonSchema } from '../scenario/schema.js';
import { runScenario, PlanError, buildPlan } from '../sim/index.js';
import { renderTable, renderJson, writeCsv } from '../report/index.js';
import { defaultCatalog } from '../hardware/catalog.js';
import { formatCatalog, catalogAsJson } from '../hardware/catalog-list.js';
import { PLACESIM_VERSION } from '../version.js';
import type { Scenario } from '../model/types.js';
import type { Result } from '../metrics/result.js';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

export const EXIT_OK = 0;
export const EXIT_BAD_INPUT = 2;
export const EXIT_BUG = 3;

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

function planErrorToInput(e: PlanError, scenario: Scenario): InputError {
  const pos = scenario.locate?.(e.path);
  return new InputError(e.message, { file: scenario.file, path: e.path, line: pos?.line, col: pos?.col });
}

interface RunFlags {
  policy?: string[];
  seed?: number;
  json?: boolean;
  csv?: string;
  color?: boolean;
}

export function buildProgram(io: Io): Command {
  const program = new Command();
  program
    .name('placesim')
    .description('Where should AI work run — cloud, edge or device — and what does each choice cost?')
    .version(PLACESIM_VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: (text, write) => write(oneLineUsageError(text)) });

  program
    .command('run')
    .description('run a scenario under each of its policies and print a side-by-side comparison')
    .argument('<file>', 'scenario file (YAML or JSON)')
    .option('--policy <names>', 'comma-separated policies to compare, instead of the scenario\'s', parseList)
    .option('--seed <n>', 'random seed, instead of the scenario\'s', parseSeed)
    .option('--json', 'print the Result as JSON instead of the table')
    .option('--csv <dir>', 'also write summary.csv, services.csv and pools.csv into <dir>')
    .addOption(new Option('--color', 'colour the table').hideHelp())
    .action((file: string, flags: RunFlags) => {
      const scenario = loadScenarioFile(file, { seed: flags.seed, policies: flags.policy });
      let result;
      try {
        result = runScenario(scenario);
      } catch (e) {
        if (e instanceof PlanError) throw planErrorToInput(e, scenario);
        throw e;
      }
      if (flags.csv) {
        const paths = writeCsvOrExplain(result, flags.csv);
        if (flags.json) io.err(`wrote ${paths.join(', ')}\n`);
        else io.out(`wrote ${paths.join(', ')}\n\n`);
      }
      const text = flags.json ? renderJson(result) : renderTable(result, { color: flags.color === true });
      io.out(text.endsWith('\n') ? text : text + '\n');
    });

  program
    .command('validate')
    .description('check a scenario file without running it')
    .argument('<file>', 'scenario file (YAML or JSON)')
    .action((file: string) => {
      const scenario = loadScenarioFile(file, {});
      try {
        // The plan is where a model that fits nowhere is found; it is cheap and runs no events.
        runPlanOnly(scenario);
      } catch (e) {
        if (e instanceof PlanError) throw planErrorToInput(e, scenario);
        throw e;
      }
      io.out(
        `${file}: ok — ${scenario.services.length} service(s), ${scenario.pools.length} pool(s), ` +
          `policies ${scenario.policies.join(', ')}\n`,
      );
      for (const w of scenario.warnings) io.out(`warning: ${w}\n`);
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
      new Argument('[what]', 'devices | instances | regions').choices(['devices', 'instances', 'regions']).default('devices'),
    )
    .option('--json', 'print as JSON')
    .action((what: 'devices' | 'instances' | 'regions', flags: { json?: boolean }) => {
      const catalog = defaultCatalog();
      io.out(flags.json ? JSON.stringify(catalogAsJson(catalog, what), null, 2) + '\n' : formatCatalog(catalog, what));
    });

  return program;
}

function runPlanOnly(scenario: Scenario): void {
  buildPlan(scenario);
}

/**
 * Commander's messages come as "error: …" with a "(Did you mean …?)" suggestion on a line of its own; a bad
 * flag should cost the user one line on stderr, like every other input error.
 */
function oneLineUsageError(text: string): string {
  const message = text.trim().replace(/^error:\s*/, '').replace(/\s*\n\s*/g, ' ');
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
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT_OK;
      // 'commander.help' is the usage printed to stderr when no command was given: a usage error too.
      if (e.code === 'commander.help') return e.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
      // Commander has already printed its message.
      return EXIT_BAD_INPUT;
    }
    if (e instanceof InputError) {
      safeWrite(io, `placesim: ${e.message}\n`);
      return EXIT_BAD_INPUT;
    }
    const err = e as Error;
    const what = (err?.message ?? String(e)).split('\n')[0];
    if (process.env.PLACESIM_DEBUG) safeWrite(io, `placesim: internal error: ${what}\n${err?.stack ?? ''}\n`);
    else safeWrite(io, `placesim: internal error: ${what} (a bug in placesim: run again with PLACESIM_DEBUG=1 for a stack trace and report it)\n`);
    return EXIT_BUG;
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
