/**
 * Reading the Result schema (result-schema.ts) as a shape: the fields of an object in declared order with
 * their metadata, the element of a list or record, and a lenient type check of a JSON value against it.
 * Reporters, `check` and the docs generator walk the schema through these few functions.
 */
import { z } from 'zod';
import { resultFields, ResultSchema, type FieldMeta } from './result-schema.js';

export interface Field {
  key: string;
  /** The field's schema as declared (nullable wrapper included): the key of its metadata. */
  schema: z.ZodType;
  meta: FieldMeta;
}

/** What a schema holds, once null is set aside. */
export type NodeKind = 'object' | 'array' | 'record' | 'number' | 'string' | 'boolean';

/** The schema without its nullable wrapper, and whether it had one. */
export function unwrap(schema: z.ZodType): { inner: z.ZodType; nullable: boolean } {
  let s = schema;
  let nullable = false;
  while (s instanceof z.ZodNullable || s instanceof z.ZodOptional) {
    nullable ||= s instanceof z.ZodNullable;
    s = s.unwrap() as z.ZodType;
  }
  return { inner: s, nullable };
}

export function nodeKind(schema: z.ZodType): NodeKind {
  const s = unwrap(schema).inner;
  if (s instanceof z.ZodObject) return 'object';
  if (s instanceof z.ZodArray) return 'array';
  if (s instanceof z.ZodRecord) return 'record';
  if (s instanceof z.ZodNumber) return 'number';
  if (s instanceof z.ZodBoolean) return 'boolean';
  if (s instanceof z.ZodString || s instanceof z.ZodEnum) return 'string';
  throw new Error(`result schema: unsupported ${s.def.type} node`);
}

export function metaOf(schema: z.ZodType): FieldMeta | undefined {
  return resultFields.get(schema);
}

const fieldCache = new WeakMap<z.ZodType, Field[]>();

/** The fields of an object schema in declared (JSON) order; undefined when the schema is not an object. */
export function fieldsOf(schema: z.ZodType): Field[] | undefined {
  const s = unwrap(schema).inner;
  if (!(s instanceof z.ZodObject)) return undefined;
  let fields = fieldCache.get(s);
  if (fields === undefined) {
    fields = Object.entries(s.shape as Record<string, z.ZodType>).map(([key, field]) => {
      const meta = metaOf(field);
      if (meta === undefined) throw new Error(`result schema: field "${key}" has no metadata`);
      return { key, schema: field, meta };
    });
    fieldCache.set(s, fields);
  }
  return fields;
}

/** One field of an object schema by name. */
export function fieldOf(schema: z.ZodType, key: string): Field | undefined {
  return fieldsOf(schema)?.find((x) => x.key === key);
}

/** The element schema of a list, or the value schema of a record; undefined otherwise. */
export function elementOf(schema: z.ZodType): z.ZodType | undefined {
  const s = unwrap(schema).inner;
  if (s instanceof z.ZodArray) return s.element as z.ZodType;
  if (s instanceof z.ZodRecord) return s.valueType as z.ZodType;
  return undefined;
}

/**
 * The schema at a dotted path from `root`: field names, with "*" for the element of a list or record
 * ("policies.*.services.*.latency_ms"). Throws on a path the schema does not have: callers name fields in
 * code, so a wrong name is a bug to catch at load time.
 */
export function schemaAt(path: string, root: z.ZodType = ResultSchema): z.ZodType {
  let s = root;
  for (const seg of path === '' ? [] : path.split('.')) {
    const next = seg === '*' ? elementOf(s) : fieldOf(s, seg)?.schema;
    if (next === undefined) throw new Error(`result schema has no field "${path}" (at "${seg}")`);
    s = next;
  }
  return s;
}

/** Metadata of the field at a dotted path (see schemaAt). */
export function metaAt(path: string, root: z.ZodType = ResultSchema): FieldMeta {
  const meta = metaOf(schemaAt(path, root));
  if (meta === undefined) throw new Error(`result schema: "${path}" is not a field`);
  return meta;
}

/**
 * Declared key order of every object in the Result, by path (list elements and record keys as "*"). The
 * JSON reporter writes keys in this order.
 */
export function keyOrders(root: z.ZodType = ResultSchema): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  const visit = (s: z.ZodType, path: string) => {
    const fields = fieldsOf(s);
    if (fields !== undefined) {
      out.set(
        path,
        fields.map((x) => x.key),
      );
      for (const x of fields) visit(x.schema, path === '' ? x.key : `${path}.${x.key}`);
      return;
    }
    const el = elementOf(s);
    if (el !== undefined) visit(el, path === '' ? '*' : `${path}.*`);
  };
  visit(root, '');
  return out;
}

export interface ShapeMismatch {
  /** Where, as JSON keys and list indices. */
  path: (string | number)[];
  expected: NodeKind;
  got: string;
}

function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}

/**
 * The first value whose JSON type is not the one the schema declares, if any. Lenient where a baseline
 * from another placesim version may differ without being wrong: fields missing or unknown to this schema
 * are fine, and so is null (a metric that became null is a change `check` reports, not a broken file).
 */
export function findMismatch(
  value: unknown,
  schema: z.ZodType = ResultSchema,
  path: (string | number)[] = [],
): ShapeMismatch | undefined {
  if (value === null) return undefined;
  const expected = nodeKind(schema);
  const got = jsonKind(value);
  const ok = expected === 'record' ? got === 'object' : expected === got;
  if (!ok) return { path, expected, got };
  if (expected === 'object') {
    for (const x of fieldsOf(schema)!) {
      const v = (value as Record<string, unknown>)[x.key];
      if (v === undefined) continue;
      const m = findMismatch(v, x.schema, [...path, x.key]);
      if (m) return m;
    }
  } else if (expected === 'array' || expected === 'record') {
    const el = elementOf(schema)!;
    const entries: [string | number, unknown][] =
      expected === 'array' ? (value as unknown[]).map((v, i) => [i, v]) : Object.entries(value as object);
    for (const [k, v] of entries) {
      const m = findMismatch(v, el, [...path, k]);
      if (m) return m;
    }
  }
  return undefined;
}

/**
 * The CSV column name of the field at a dotted path inside `root`: a sub-field of an object that names its
 * columns (`totals.cost_usd.total` → `cost_usd`, `latency_ms.p99` → `latency_p99_ms`), else the field's own
 * name. Sweep metrics are named the same way.
 */
export function columnName(path: string, root: z.ZodType = ResultSchema): string {
  const segs = path.split('.');
  const leaf = segs[segs.length - 1];
  if (segs.length < 2) return leaf;
  const parent = metaAt(segs.slice(0, -1).join('.'), root);
  schemaAt(path, root);
  return parent.csv?.column?.(leaf) ?? leaf;
}

/**
 * A one-line description of the field at a dotted path, from the `brief` metadata: a sub-field of an object
 * that has a brief of its own reads "<object brief>, <sub-field brief>, <unit>" ("end-to-end latency of
 * completed requests, 99th percentile, ms"); any other field its own brief.
 */
export function briefOf(path: string, root: z.ZodType = ResultSchema): string {
  const segs = path.split('.');
  const meta = metaAt(path, root);
  const parent = segs.length >= 2 ? metaAt(segs.slice(0, -1).join('.'), root) : undefined;
  if (parent?.brief !== undefined && meta.brief !== undefined) return `${parent.brief}, ${meta.brief}, ${parent.unit}`;
  if (meta.brief === undefined) throw new Error(`result schema: "${path}" has no brief`);
  return meta.brief;
}
