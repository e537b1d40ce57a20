/**
 * `placesim check`: run scenarios and compare each Result with its committed baseline
 * (`<baselineDir>/<scenario name>.json`, the JSON `placesim run --json` prints). Every input is read and
 * checked before the first simulation runs, so a missing baseline or a bad flag costs no simulation time.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RESULT_FORMAT_VERSION } from '../metrics/result.js';
import type { Scenario } from '../model/types.js';
import { renderJson } from '../report/json.js';
import { writeFileAtomically } from '../report/write.js';
import { InputError } from '../errors.js';
import {
  checkPlan,
  loadUserPolicies,
  prepareScenario,
  runLoaded,
  type InputLimits,
  type LoadedScenario,
} from '../app/load-run.js';
import { compareMetrics, isFailure, type MetricDiff } from './compare.js';
import { BaselineShapeError, flattenResult, type Metric } from './metrics.js';
import { parseToleranceFlag, ToleranceResolver, type TolerancePattern } from './tolerance.js';

export interface CheckOptions {
  files: string[];
  baselineDir: string;
  /** Write each current Result as its new baseline instead of failing on moves (diffs are still reported). */
  update?: boolean;
  /** Raw `--tolerance` values: "pattern=2%" or "pattern=0.01". */
  tolerances?: string[];
  /** Users' policy modules (--policy-module): their policies are appended to each scenario's list. */
  policyModules?: string[];
  /** What each scenario may read and how big its run may be (--allow-read, --max-events). */
  limits?: InputLimits;
}

export interface ScenarioCheck {
  file: string;
  name: string;
  /** Path of the baseline file. */
  baseline: string;
  status: 'pass' | 'fail' | 'updated';
  /** Metrics that moved, were added or removed, in metric order (removed ones last). */
  diffs: MetricDiff[];
  /** Metrics compared (the union of both sides). */
  metrics: number;
  /** Metric groups (JUnit testcases), in order, with their metric counts. */
  groups: { name: string; metrics: number }[];
  /** Things worth knowing that are not metric moves (unused patterns, a new baseline, format versions). */
  notes: string[];
  /** Wall-clock seconds the simulation and comparison took. */
  time_s: number;
}

export interface CheckReport {
  scenarios: ScenarioCheck[];
  /** True when any metric moved past its tolerance or was removed (never under update). */
  failed: boolean;
  /** Notes about the run as a whole (e.g. a --tolerance pattern that matched no metric). */
  notes: string[];
}

interface Prepared {
  file: string;
  loaded: LoadedScenario;
  scenario: Scenario;
  baselinePath: string;
  /** Undefined only under update, when there is no usable baseline yet. */
  baseline?: Map<string, Metric>;
  baselineVersion?: unknown;
}

export async function runCheck(opts: CheckOptions): Promise<CheckReport> {
  if (opts.files.length === 0) throw new InputError('no scenario files given');
  const flags: TolerancePattern[] = (opts.tolerances ?? []).map(parseToleranceFlag);

  const user = await loadUserPolicies(opts.policyModules ?? []);
  const prepared: Prepared[] = [];
  const byName = new Map<string, string>();
  for (const file of opts.files) {
    const loaded = prepareScenario({ file }, user, opts.limits ?? {});
    // A scenario that cannot be planned fails here, before the first simulation.
    checkPlan(loaded);
    const scenario = loaded.scenario;
    checkFileName(scenario, file);
    const other = byName.get(scenario.name);
    if (other !== undefined) {
      throw new InputError(
        `scenario name "${scenario.name}" is also the name of ${other}; each scenario needs its own name (its baseline is <name>.json)`,
        {
          file,
          path: ['name'],
          ...scenario.locate?.(['name']),
        },
      );
    }
    byName.set(scenario.name, file);
    const baselinePath = join(opts.baselineDir, `${scenario.name}.json`);
    prepared.push({
      file,
      loaded,
      scenario,
      baselinePath,
      ...(await readBaseline(opts.baselineDir, baselinePath, scenario.name, file, opts.update === true)),
    });
  }

  const usedFlags = new Set<string>();
  const scenarios: ScenarioCheck[] = [];
  for (const p of prepared) {
    const started = performance.now();
    const json = renderJson(runLoaded(p.loaded));
    // Compare what a baseline holds: the JSON text parsed back, so both sides went through the same path.
    const current = flattenResult(JSON.parse(json));
    const scenarioPatterns = Object.entries(p.scenario.check?.tolerances ?? {}).map(([pattern, tolerance]) => ({
      pattern,
      tolerance,
    }));
    const resolver = new ToleranceResolver(flags, scenarioPatterns);
    const compared = compareMetrics(p.baseline ?? new Map(), current, resolver);
    const groups = compared.groups;
    // A first baseline would list every metric as added: noise, not news.
    const diffs = p.baseline === undefined ? [] : compared.diffs;
    const notes: string[] = [];
    for (const pattern of resolver.unused('scenario'))
      notes.push(`check.tolerances pattern "${pattern}" matches no metric`);
    const unusedFlags = resolver.unused('flag');
    for (const f of flags) if (!unusedFlags.includes(f.pattern)) usedFlags.add(f.pattern);
    if (!opts.update && p.baselineVersion !== undefined && p.baselineVersion !== RESULT_FORMAT_VERSION) {
      notes.push(
        `the baseline has Result format_version ${JSON.stringify(p.baselineVersion)}, this placesim writes ${RESULT_FORMAT_VERSION}: regenerate it with --update`,
      );
    }

    let status: ScenarioCheck['status'];
    if (opts.update) {
      // Temporary file + rename: a kill leaves the old baseline or the new one, and two concurrent updates
      // leave one of the two whole files, never a torn or interleaved one.
      writeFileAtomically(p.baselinePath, json, 'the baseline');
      if (p.baseline === undefined) notes.push(`new baseline ${p.baselinePath}`);
      status = 'updated';
    } else {
      status = diffs.some(isFailure) ? 'fail' : 'pass';
    }
    const metrics = groups.reduce((n, g) => n + g.metrics, 0);
    const time_s = (performance.now() - started) / 1000;
    scenarios.push({
      file: p.file,
      name: p.scenario.name,
      baseline: p.baselinePath,
      status,
      diffs,
      metrics,
      groups,
      notes,
      time_s,
    });
  }

  const notes = [...new Set(flags.map((f) => f.pattern))]
    .filter((pattern) => !usedFlags.has(pattern))
    .map((pattern) => `--tolerance pattern "${pattern}" matches no metric`);
  return { scenarios, failed: scenarios.some((s) => s.status === 'fail'), notes };
}

/** The baseline is named after the scenario, so the name must be a plain file name. */
function checkFileName(scenario: Scenario, file: string): void {
  const n = scenario.name;
  if (n === '.' || n === '..' || /[/\\\0]/.test(n)) {
    throw new InputError(
      `scenario name ${JSON.stringify(n)} cannot name a baseline file (<name>.json): use no "/" or "\\"`,
      {
        file,
        path: ['name'],
        ...scenario.locate?.(['name']),
      },
    );
  }
}

async function readBaseline(
  dir: string,
  path: string,
  name: string,
  scenarioFile: string,
  update: boolean,
): Promise<{ baseline?: Map<string, Metric>; baselineVersion?: unknown }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (update) return {};
    if (code === 'ENOENT') {
      throw new InputError(
        `no baseline for scenario "${name}" (${scenarioFile}): ${path} does not exist. ` +
          `Create it with: placesim check ${scenarioFile} --baseline ${dir} --update`,
      );
    }
    throw new InputError(
      `cannot read baseline ${path}: ${code === 'EISDIR' ? 'is a directory' : (err as Error).message}`,
    );
  }
  try {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new BaselineShapeError(`invalid JSON (${(err as Error).message})`);
    }
    const baseline = flattenResult(json);
    const baselineName = (json as { scenario: { name: string } }).scenario.name;
    if (baselineName !== name) {
      throw new BaselineShapeError(`it holds the result of scenario "${baselineName}", not "${name}"`);
    }
    return { baseline, baselineVersion: (json as { format_version?: unknown }).format_version };
  } catch (err) {
    if (!(err instanceof BaselineShapeError)) throw err;
    // Under update a broken baseline is what is being replaced.
    if (update) return {};
    throw new InputError(
      `baseline ${path} is not a placesim Result: ${err.message}. ` +
        `Regenerate it with: placesim check ${scenarioFile} --baseline ${dir} --update`,
    );
  }
}
