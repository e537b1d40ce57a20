/**
 * The sweep grid and the scenario variant at each point. A variant is the scenario file's YAML document with
 * each swept field replaced by the point's value (before anything is resolved), turned back into text and
 * loaded like any file, so every check and error message of the loader applies to swept values too.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { hint, InputError, formatPath, type PathSegment } from '../scenario/errors.js';
import { fieldsAt } from '../scenario/schema.js';
import { parsePath, type SetSpec } from './set-spec.js';

/** A value as written into the YAML document. */
export type YamlValue = string | number | boolean;

/** One field to set: the path as found in the document (keys as the file spells them) and the value. */
export interface Assignment {
  path: PathSegment[];
  value: YamlValue;
}

/** A `--set` flag checked against the scenario file. */
export interface ResolvedSet {
  spec: SetSpec;
  path: PathSegment[];
  /** Where the field's current value is in the file (absent for a field the file leaves to its default). */
  position?: { line: number; col: number };
}

/**
 * The grid points as value indices per axis, in grid order: the last axis varies fastest (like nested loops
 * with the first --set outermost). No axes → one point.
 */
export function gridIndices(sizes: readonly number[]): number[][] {
  let points: number[][] = [[]];
  for (const size of sizes) {
    const next: number[][] = [];
    for (const p of points) for (let i = 0; i < size; i++) next.push([...p, i]);
    points = next;
  }
  return points;
}

/**
 * How a --set value goes into YAML: numbers as numbers, "true"/"false" as booleans, anything else as a
 * string, which the loader then reads as it would read it in the file ("400/s", "20s", "h100").
 */
export function yamlValue(v: string | number): YamlValue {
  if (typeof v === 'number') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return v;
}

export function parseScenarioDocument(text: string, lineCounter?: LineCounter): Document {
  return parseDocument(text, { uniqueKeys: true, ...(lineCounter ? { lineCounter } : {}) });
}

/** The variant's text: the document with the assignments applied. Pure; the document is not modified. */
export function variantText(base: Document, assignments: readonly Assignment[]): string {
  if (assignments.length === 0) return base.toString();
  const doc = base.clone();
  for (const a of assignments) doc.setIn(a.path, a.value);
  return doc.toString();
}

/**
 * Checks each --set path against the scenario document: the field must exist in the file, or be a field the
 * schema knows directly under a mapping that exists (so an optional field left to its default can be swept).
 * Fails with an InputError that names the flag and suggests the nearest key.
 */
export function resolveSets(text: string, file: string, sets: readonly SetSpec[]): ResolvedSet[] {
  const lc = new LineCounter();
  const doc = parseScenarioDocument(text, lc);
  const resolved = sets.map((spec) => resolveSet(doc, lc, file, spec));
  for (let i = 0; i < resolved.length; i++) {
    for (let j = 0; j < resolved.length; j++) {
      if (i === j) continue;
      const a = resolved[i].path;
      const b = resolved[j].path;
      if (a.length <= b.length && a.every((s, k) => String(s) === String(b[k]))) {
        throw new InputError(
          a.length === b.length
            ? `--set ${sets[i].path} is given twice; list all its values in one --set`
            : `--set ${sets[i].path} and --set ${sets[j].path} overlap: one is inside the other`,
        );
      }
    }
  }
  return resolved;
}

function resolveSet(doc: Document, lc: LineCounter, file: string, spec: SetSpec): ResolvedSet {
  const segs = parsePath(spec.path);
  if (segs.length === 1 && segs[0] === 'seed') {
    throw new InputError(
      '--set seed: the seed is not a sweep parameter; replications already run seeds seed, seed+1, … at every point (use --seed to move them)',
    );
  }
  const fail = (detail: string): never => {
    throw new InputError(`--set ${spec.path}: ${detail}`);
  };
  const found: PathSegment[] = [];
  let node: unknown = doc.contents;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    if (isAlias(node)) {
      fail(`${formatPath(found)} is an alias (*${node.source}); write the value out in ${file} to sweep it`);
    }
    const here = found.length === 0 ? 'the top level' : formatPath(found);
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (pair === undefined) {
        const keys = node.items.map((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)));
        const known = fieldsAt(found);
        // A schema field the file leaves out may be set if it is the last segment: it takes the value given.
        if (i === segs.length - 1 && known.includes(String(seg))) return { spec, path: [...found, String(seg)] };
        fail(`no such field in ${file}${hint(String(seg), [...new Set([...keys, ...known])])}`);
      }
      found.push(isScalar(pair!.key) ? (pair!.key.value as PathSegment) : String(seg));
      node = pair!.value;
    } else if (isSeq(node)) {
      if (typeof seg !== 'number')
        fail(`${here} is a list; address an entry by index, e.g. ${formatPath([...found, 0])}`);
      if ((seg as number) >= node.items.length) {
        fail(
          `no such field in ${file}: ${here} has ${node.items.length} entr${node.items.length === 1 ? 'y' : 'ies'}, so index ${seg} is out of range`,
        );
      }
      found.push(seg);
      node = node.items[seg as number];
    } else {
      fail(`no such field in ${file}: ${here} is a single value, not a mapping`);
    }
  }
  const range = (node as Node | null)?.range;
  const position = range ? lc.linePos(range[0]) : undefined;
  return { spec, path: found, ...(position ? { position } : {}) };
}
