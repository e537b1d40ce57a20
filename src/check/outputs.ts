/**
 * Writing a check's CI outputs: the `--summary` Markdown and the `--junit` XML. Both are written atomically
 * (report/write.ts): an interrupted check leaves each file as it was or complete, never torn.
 */
import { appendFileAtomically, writeFileAtomically } from '../report/write.js';
import { renderCheckJunit, renderCheckMarkdown } from './render.js';
import type { CheckReport } from './run-check.js';

export interface CheckOutputs {
  /** Markdown, appended: GitHub's $GITHUB_STEP_SUMMARY is one file per step that other commands may also write. */
  summary?: string;
  /** JUnit XML, overwritten. */
  junit?: string;
}

export function writeCheckOutputs(report: CheckReport, outputs: CheckOutputs): void {
  if (outputs.summary !== undefined)
    appendFileAtomically(outputs.summary, renderCheckMarkdown(report), 'the check summary');
  if (outputs.junit !== undefined) writeFileAtomically(outputs.junit, renderCheckJunit(report), 'the JUnit report');
}
