/**
 * The generated tables of docs/result-format.md: each Result object's fields (from the Result schema's
 * metadata: unit, the tolerance class `check` applies, meaning) and each CSV file's columns (from the CSV reporter's layout). `npm run docs:result` rewrites
 * them in place; test/result-schema.test.ts fails when the committed page is stale.
 *
 * A table sits between two markers, which name what it shows:
 *
 *   <!-- result-fields policies.*.services.* -->   (a dotted schema path, "*" for list elements;
 *                                                   "Result" for the top level)
 *   <!-- /result-fields -->
 *   <!-- result-csv pools.csv -->
 *   <!-- /result-csv -->
 */
import { z } from 'zod';
import { elementOf, fieldsOf, schemaAt, type Field } from '../metrics/result-shape.js';
import { csvLayout } from './csv.js';

const BLOCK = /(<!-- result-(fields|csv) ([^ ]+) -->\n)[\s\S]*?(<!-- \/result-\2 -->)/g;

const cellText = (s: string) => s.replace(/\|/g, '\\|');

interface Row {
  field: string;
  unit: string;
  /** The tolerance class `check` applies, declared or inherited; empty when the field is not compared. */
  check: string;
  meaning: string;
}

/** The rows of an object's fields; a field marked `docExpand` gives a row per sub-field instead. */
function rows(schema: z.ZodType, prefix: string, inheritedUnit = '', inheritedCheck = ''): Row[] {
  const out: Row[] = [];
  for (const x of fieldsOf(schema)!) {
    const unit = x.meta.unit ?? inheritedUnit;
    const check = x.meta.compare === false ? '' : (x.meta.tolerance ?? inheritedCheck);
    if (x.meta.docExpand) {
      const el = elementOf(x.schema);
      const inner = el !== undefined && fieldsOf(el) !== undefined ? el : x.schema;
      const sub = inner === x.schema ? `${prefix}${x.key}.` : `${prefix}${x.key}[].`;
      out.push(...rows(inner, sub, unit, check));
    } else {
      out.push(row(x, prefix, unit, check));
    }
  }
  return out;
}

function row(x: Field, prefix: string, unit: string, check: string): Row {
  return { field: `${prefix}${x.key}`, unit, check, meaning: x.meta.doc };
}

export function fieldTable(path: string): string {
  const lines = ['| field | unit | check | meaning |', '|---|---|---|---|'];
  for (const r of rows(schemaAt(path === 'Result' ? '' : path), '')) {
    lines.push(`| \`${r.field}\` | ${cellText(r.unit)} | ${r.check} | ${cellText(r.meaning)} |`);
  }
  return lines.join('\n');
}

export function csvTable(file: string): string {
  const layout = csvLayout().find((l) => l.file === file);
  if (layout === undefined) throw new Error(`no CSV file ${file}`);
  const lines = ['| column | from the Result |', '|---|---|'];
  for (const c of layout.columns) {
    const from = c.from.replace(/^([^ ]+)(.*)$/, '`$1`$2');
    lines.push(`| \`${c.name}\` | ${cellText(from)} |`);
  }
  return lines.join('\n');
}

/** The page with every generated table rewritten from the schema. */
export function renderResultDocs(markdown: string): string {
  return markdown.replace(BLOCK, (_all, open: string, what: string, arg: string, close: string) => {
    const table = what === 'fields' ? fieldTable(arg) : csvTable(arg);
    return `${open}${table}\n${close}`;
  });
}
