/**
 * V8 flags placesim sets for the commands that simulate, and the one place that lists them: bin/placesim
 * applies them before the CLI bundle is compiled, and the benchmark (bench/worker.js) before it imports the
 * simulator, so that `npm run bench` measures what the CLI does (docs/performance.md, "V8 flags for the
 * commands that simulate").
 *
 * Why a flag at all: a simulation in a fresh process spends a large part of its time before its hot code is
 * optimised (chatbot-seoul: the first policy's first ~3,300 requests, ~1/3 of the run, run in the
 * interpreter). `--always-sparkplug` compiles every function to baseline code (Sparkplug: a direct
 * translation of the bytecode, no optimisation, ~µs per function) when its bytecode is compiled, instead of
 * after it has run a while, so that the stretch before TurboFan's code arrives runs faster than in the
 * interpreter (chatbot-seoul: ~5% less CPU in a fresh process). What it costs is baseline-compiling functions
 * that run once (a tiny `run`: ~2% more instructions), which is why the commands that only start, check a
 * file or print (`--help`, `validate`, `catalog`, …) run without it: they have nothing to gain. Flags never
 * change what a run computes, only how its code is compiled.
 *
 * V8 flags are process-wide: the sweep's and the queue worker's threads run with the flags of the process
 * that started them. They are set with `v8.setFlagsFromString` after Node has started (Node's own bootstrap
 * runs without them), which V8 allows for flags that only steer its compilers. The code cache is keyed by the
 * flags V8 runs with, however they were set (src/app/code-cache.ts, `runtimeKey`): V8 rejects a cache
 * written under other flags.
 *
 * It imports Node's built-ins only: bin/placesim imports it before anything of placesim is loaded.
 */
import { setFlagsFromString } from 'node:v8';

/** The flags, as on a `node` command line. Measured in docs/performance.md; add one only with a measurement. */
export const SIMULATION_V8_FLAGS: readonly string[] = ['--always-sparkplug'];

/** The CLI's commands that run simulations (in the process or its worker threads). */
export const SIMULATING_COMMANDS: readonly string[] = ['run', 'check', 'sweep', 'search', 'worker'];

/** Whether `command` (the CLI's first word that is not an option; undefined for none) runs simulations. */
export function simulates(command: string | undefined): boolean {
  return command !== undefined && SIMULATING_COMMANDS.includes(command);
}

/**
 * Sets SIMULATION_V8_FLAGS in this process. Call it before the code to be run is compiled: a function
 * compiled earlier keeps the code it got.
 */
export function applySimulationFlags(): void {
  for (const flag of SIMULATION_V8_FLAGS) setFlagsFromString(flag);
}
