// One benchmark measurement, run in its own process by bench/run.js; reports back over IPC.
//
// A scenario run measures what `placesim run` does: it sets the V8 flags the CLI sets for the commands that
// simulate (src/app/v8-flags.ts, the one list) before the simulator is imported, as bin/placesim sets them
// before the bundle is compiled. The engine's bare event loop runs without them (no CLI command runs it).
import { applySimulationFlags } from '../dist/app/v8-flags.js';

const [kind, argText] = process.argv.slice(2);
if (kind !== 'engine') applySimulationFlags();
// Imported after the flags, so that their code is compiled under them (a static import would come first).
const { Simulator } = await import('../dist/engine/index.js');
const { loadScenarioFile } = await import('../dist/scenario/index.js');
const { runScenario } = await import('../dist/sim/index.js');
const arg = Number(argText); // (kind 'file': argText is a scenario path)

function engine(n) {
  const sim = new Simulator();
  let left = n;
  const k = sim.register((x) => {
    if (left-- > 0) sim.schedule(1 + (x % 7) * 0.001, k, x + 1);
  });
  for (let i = 0; i < 1000; i++) sim.schedule(i * 0.001, k, i);
  const t0 = performance.now();
  sim.run();
  const seconds = (performance.now() - t0) / 1000;
  return { perSecond: sim.processed / seconds, seconds };
}

function scenarioRun(file, requests) {
  const scenario = loadScenarioFile(file);
  if (requests > 0) {
    // Stretch the run so that it carries `requests` arrivals (the validation scenario is a single Poisson source).
    const rate = scenario.services[0].arrivals.rate_per_s;
    scenario.duration_s = scenario.warmup_s + requests / rate;
  }
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const result = runScenario(scenario);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const arrivals = result.policies.reduce((a, p) => a + p.conservation.arrivals, 0);
  const events = result.policies.reduce((a, p) => a + p.events, 0);
  return {
    requests: arrivals,
    perSecond: arrivals / seconds,
    perCpuSecond: arrivals / cpuSeconds,
    seconds,
    cpuSeconds,
    events,
    policies: result.policies.length,
  };
}

let out;
if (kind === 'engine') out = engine(arg);
else if (kind === 'mmc') out = scenarioRun('scenarios/mmc-validation.yaml', arg);
else if (kind === 'chatbot') out = scenarioRun('scenarios/chatbot-seoul.yaml', 0);
else if (kind === 'file') out = scenarioRun(argText, 0);
else throw new Error(`unknown benchmark ${kind}`);
out.maxRss = process.resourceUsage().maxRSS * 1024;
process.send(out, () => process.exit(0));
