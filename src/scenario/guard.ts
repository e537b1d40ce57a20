/**
 * Checks on a scenario's text and YAML document that come before its schema: the things a hostile or broken
 * file can do to the parser itself.
 *
 * - nesting: the YAML parser recurses once per level, so 10,000 nested `[` exhaust the stack (or worse). A
 *   linear pre-scan estimates the depth and refuses more than MAX_NESTING levels, located, before parsing;
 * - reserved keys: `__proto__` can never be a name or a field (a plain object would turn it into its
 *   prototype and the entry would silently vanish), so it is refused wherever it appears as a key;
 * - aliases: the parser refuses aliases that expand too far; this finds the first alias to point at.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import { InputError } from '../errors.js';
import { excerpt } from './files.js';

/** Deepest nesting a scenario may have; real ones use fewer than 10 levels. */
export const MAX_NESTING = 64;

/**
 * Most entries (mapping keys, list items) a scenario's text may hold: room for a two-year hourly grid
 * written inline. Counted by the same pre-scan, so that a megabyte of tiny entries is refused before the
 * parser spends seconds on it.
 */
export const MAX_ENTRIES = 50_000;

/** Keys that can never be a name or a field: they would change an object's prototype. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__']);

/**
 * Refuses text nested deeper than MAX_NESTING, with the line:col where it gets too deep. An estimate on the
 * safe side: block indentation levels, sequence dashes and flow brackets ([ {) outside quotes and comments.
 */
export function checkNesting(text: string, file: string): void {
  const indents: number[] = [];
  let flow = 0;
  let quote: '"' | "'" | null = null;
  let literalIndent = -1;
  let lineNo = 0;
  let pos = 0;
  let entries = 0;
  while (pos <= text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const line = text.slice(pos, end);
    pos = end + 1;
    lineNo++;
    let i = 0;
    while (i < line.length && line[i] === ' ') i++;
    const blank = i === line.length || line[i] === '#' || line[i] === '\r';
    // Lines of a block scalar (| or >) are text, whatever they contain.
    if (literalIndent >= 0) {
      if (blank || i > literalIndent) continue;
      literalIndent = -1;
    }
    if (quote === null && flow === 0 && !blank) {
      while (indents.length > 0 && indents[indents.length - 1] >= i) indents.pop();
      indents.push(i);
    }
    let dashes = 0;
    const depth = (): number => indents.length + flow + dashes;
    const tooDeep = (col: number): never => {
      throw new InputError(
        `the document nests deeper than ${MAX_NESTING} levels; a scenario needs far fewer (is it generated wrongly?)`,
        { file, line: lineNo, col: col + 1 },
      );
    };
    let tokenStart = true;
    for (let c = i; c < line.length; c++) {
      const ch = line[c];
      if (quote !== null) {
        if (quote === '"' && ch === '\\') c++;
        else if (ch === quote) {
          if (quote === "'" && line[c + 1] === "'") c++;
          else quote = null;
        }
        tokenStart = false;
        continue;
      }
      if (ch === '#' && (c === 0 || line[c - 1] === ' ' || line[c - 1] === '\t')) break;
      if ((ch === '"' || ch === "'") && tokenStart) quote = ch;
      else if (ch === '[' || ch === '{') flow++;
      else if (ch === ']' || ch === '}') flow = Math.max(0, flow - 1);
      else if ((ch === '-' || ch === '?') && tokenStart && (line[c + 1] === ' ' || c + 1 === line.length)) {
        dashes++;
        entries++;
      } else if ((ch === ':' && (line[c + 1] === ' ' || c + 1 === line.length)) || (ch === ',' && flow > 0)) entries++;
      if (depth() > MAX_NESTING) tooDeep(c);
      if (entries > MAX_ENTRIES) {
        throw new InputError(
          `the document has more than ${MAX_ENTRIES.toLocaleString('en-US')} entries; a scenario needs far fewer (long series belong in a CSV file)`,
          { file, line: lineNo, col: c + 1 },
        );
      }
      tokenStart = ch === ' ' || ch === '\t' || ch === '[' || ch === '{' || ch === ',' || ch === ':' || ch === '-';
    }
    if (quote === null && flow === 0 && /(?:^|[\s:-])[|>][+-]?\d?[+-]?\s*(?:#.*)?\r?$/.test(line)) literalIndent = i;
  }
}

/**
 * Refuses a reserved key or a key given twice in one mapping, anywhere in the document, at the key's
 * line:col. Linear (the parser's own duplicate check compares every pair of keys: 100,000 keys took a
 * minute) and iterative (depth is already bounded, but the stack need not grow with it).
 */
export function checkKeys(doc: Document, lc: LineCounter, file: string): void {
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = pair.key;
        const name = isScalar(key) ? String(key.value) : undefined;
        if (name !== undefined && seen.has(name)) {
          const at = (key as Node).range?.[0];
          throw new InputError(`duplicate key ${excerpt(name)}`, { file, ...(at !== undefined ? lc.linePos(at) : {}) });
        }
        if (name !== undefined) seen.add(name);
        if (name !== undefined && RESERVED_KEYS.has(name)) {
          const at = (key as Node).range?.[0];
          throw new InputError(
            `"${name}" cannot be used as a name or a field (it is reserved in JavaScript); rename it`,
            { file, ...(at !== undefined ? lc.linePos(at) : {}) },
          );
        }
        stack.push(pair.value);
      }
    } else if (isSeq(node)) stack.push(...node.items);
  }
}

/** Line:col of the first alias (*name) in the document, for "aliases expand too far". */
export function firstAlias(doc: Document, lc: LineCounter): { line: number; col: number } | undefined {
  const stack: unknown[] = [doc.contents];
  let best: number | undefined;
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node)) {
      const at = node.range?.[0];
      if (at !== undefined && (best === undefined || at < best)) best = at;
    } else if (isMap(node)) for (const pair of node.items) stack.push(pair.key, pair.value);
    else if (isSeq(node)) stack.push(...node.items);
  }
  return best === undefined ? undefined : lc.linePos(best);
}
