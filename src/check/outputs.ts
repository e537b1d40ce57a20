/** Writing a check's CI outputs: the `--summary` Markdown and the `--junit` XML. */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { renderCheckJunit, renderCheckMarkdown } from './render.js';
import type { CheckReport } from './run-check.js';

export interface CheckOutputs {
  /** Markdown, appended: GitHub's $GITHUB_STEP_SUMMARY is one file per step that other commands may also write. */
  summary?: string;
  /** JUnit XML, overwritten. */
  junit?: string;
}

export function writeCheckOutputs(report: CheckReport, outputs: CheckOutputs): void {
  if (outputs.summary !== undefined) {
    mkdirSync(dirname(outputs.summary), { recursive: true });
    appendFileSync(outputs.summary, renderCheckMarkdown(report));
  }
  if (outputs.junit !== undefined) {
    mkdirSync(dirname(outputs.junit), { recursive: true });
    writeFileSync(outputs.junit, renderCheckJunit(report));
  }
}
