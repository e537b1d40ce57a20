// Rewrites the generated tables of docs/result-format.md from the Result schema (run: npm run docs:result,
// which builds dist/ first). test/result-schema.test.ts fails when the committed page is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderResultDocs } from '../dist/report/result-doc.js';

const page = fileURLToPath(new URL('../docs/result-format.md', import.meta.url));
const before = readFileSync(page, 'utf8');
const after = renderResultDocs(before);
if (after === before) {
  console.log('docs/result-format.md is up to date');
} else {
  writeFileSync(page, after);
  console.log('docs/result-format.md: tables regenerated');
}
