/**
 * Tests that need a program outside Node (a browser, later a redis-server). On a developer's machine without
 * it, the tests that need it are skipped and the run says so; under `CI=true` a missing program fails the
 * run, because CI is where they must run (.ci/run installs them).
 *
 *   const chromium = externalTool({ name: 'Chromium', envVar: 'CHROMIUM_PATH', commands: ['chromium'], … });
 *   describe.skipIf(!chromium.path)('…', () => { … chromium.path! … });
 */
import { it } from 'vitest';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

export interface ExternalToolSpec {
  /** How people call it: "Chromium", "redis-server". */
  name: string;
  /** Environment variable that names the executable. When set, it is the only place looked at. */
  envVar: string;
  /** Command names looked up on PATH, then absolute paths tried, in order. */
  commands: string[];
  /** What needs it, for the notice: "the HTML end-to-end test". */
  neededBy: string;
  /** How to get it: "apt-get install chromium". */
  install: string;
}

export interface ExternalTool {
  /** The executable found, or null. */
  path: string | null;
  /** One line saying what is missing, where it was looked for and how to get it; null when found. */
  notice: string | null;
}

/** True when the environment says this is a CI run (CI=true or CI=1, as CI services set it). */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.CI ?? '').trim().toLowerCase();
  return v !== '' && v !== 'false' && v !== '0';
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where the program is, without registering any test: for the helper's own tests and for callers that need more. */
export function locateTool(spec: ExternalToolSpec, env: NodeJS.ProcessEnv = process.env): ExternalTool {
  const override = env[spec.envVar];
  const tried: string[] = [];
  if (override !== undefined && override !== '') {
    if (executable(override)) return { path: override, notice: null };
    tried.push(`${spec.envVar}=${override}`);
  } else {
    const dirs = (env.PATH ?? '').split(delimiter).filter((d) => d !== '');
    for (const cmd of spec.commands) {
      const candidates = isAbsolute(cmd) ? [cmd] : dirs.map((d) => join(d, cmd));
      const hit = candidates.find(executable);
      if (hit) return { path: hit, notice: null };
      tried.push(isAbsolute(cmd) ? cmd : `${cmd} on PATH`);
    }
  }
  const notice =
    `${spec.name} not found (looked for ${tried.join(', ')}): ${spec.neededBy} needs it. ` +
    `Install it (${spec.install}) or set ${spec.envVar} to its path.`;
  return { path: null, notice };
}

/**
 * Looks for the program and, when it is missing, registers one test in the calling file that says so: a
 * skipped test plus a warning printed in the vitest output on a developer's machine, a failing test under
 * CI. Call it at the top level of a test file; guard the tests that need it with `describe.skipIf(!tool.path)`.
 */
export function externalTool(spec: ExternalToolSpec, env: NodeJS.ProcessEnv = process.env): ExternalTool {
  const found = locateTool(spec, env);
  if (found.path !== null) return found;
  const notice = found.notice!;
  if (isCi(env)) {
    it(`needs ${spec.name} (CI=true: a missing program fails the run)`, () => {
      throw new Error(notice);
    });
  } else {
    console.warn(`[skipped] ${notice}`);
    it.skip(`needs ${spec.name}: not found, tests skipped`, () => {});
  }
  return found;
}
