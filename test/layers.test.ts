/**
 * The folders of src/ form layers: no import cycle between top-level folders, nothing imports the CLI, and
 * the typed errors (src/errors.ts) sit below everything. Imports are read from the source text, so the test
 * needs no build and sees type-only imports too (they couple folders just the same).
 */
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';

const SRC = resolve('src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Relative specifiers of every `import … from`, `export … from`, `import '…'` and `import('…')`. */
function importsOf(text: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const m of text.matchAll(re)) out.push(m[1]);
  return out;
}

/** The layer of a file: its top-level folder under src/, or the file's own name for src/x.ts. */
function layerOf(file: string): string {
  // src/x.ts is a layer of its own, named "x.ts".
  return relative(SRC, file).split(/[\\/]/)[0];
}

/** Edges between layers, each with one file that makes it (for the failure message). */
function layerGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(SRC)) {
    const from = layerOf(file);
    if (!graph.has(from)) graph.set(from, new Map());
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      const to = layerOf(target);
      if (to !== from && !graph.get(from)!.has(to))
        graph.get(from)!.set(to, `${posix.normalize(relative('.', file))} → ${spec}`);
    }
  }
  return graph;
}

/** Strongly connected components with more than one layer (Tarjan). */
function cycles(graph: Map<string, Map<string, string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

describe('layers of src/', () => {
  const graph = layerGraph();

  it('finds the imports it is meant to check', () => {
    expect(graph.get('placement')?.has('errors.ts')).toBe(true);
    expect(graph.get('sim')?.has('engine')).toBe(true);
  });

  it('has no import cycle between top-level folders', () => {
    const found = cycles(graph).map((scc) => {
      const edges = scc.flatMap((a) =>
        scc.filter((b) => graph.get(a)?.has(b)).map((b) => `  ${a} → ${b} (${graph.get(a)!.get(b)})`),
      );
      return `${scc.join(', ')}:\n${edges.join('\n')}`;
    });
    expect(found, `cycles:\n${found.join('\n')}`).toEqual([]);
  });

  it('nothing imports the CLI', () => {
    const importers = [...graph].filter(([from, to]) => from !== 'cli' && to.has('cli')).map(([, to]) => to.get('cli'));
    expect(importers).toEqual([]);
  });

  it('the typed errors import nothing, so every layer may use them', () => {
    expect([...(graph.get('errors.ts')?.keys() ?? [])]).toEqual([]);
  });

  it('the detector itself finds a cycle', () => {
    const g = new Map([
      ['a', new Map([['b', 'x']])],
      ['b', new Map([['c', 'y']])],
      ['c', new Map([['a', 'z']])],
      ['d', new Map([['a', 'w']])],
    ]);
    expect(cycles(g)).toEqual([['a', 'b', 'c']]);
  });
});
