/**
 * The file piscina starts each sweep worker thread from: a CommonJS module that imports the worker
 * (worker-thread.js next to it: dist/sweep/, or the bundle's, which loads it through the V8 code cache) on its
 * first task. piscina loads its worker's file with require() first and falls back to import(); given an ES
 * module, Node 20's require(esm) refuses one whose graph has top-level await (the bundle's worker-thread.js
 * has), piscina then import()s it, and a task arriving meanwhile require()s the same module half-loaded:
 * Node aborts the process ("v8::Module::IsGraphAsync must be used on an instantiated module"), seen once in
 * the test suite. A CommonJS file is require()d as it is, and its import() is the only load of the worker.
 */
import type { SweepTask, TaskReply } from './task.js';

type Handler = (task: SweepTask) => Promise<TaskReply>;

let handler: Promise<Handler> | undefined;

function runTask(task: SweepTask): Promise<TaskReply> {
  handler ??= import('./worker-thread.js').then((m) => m.default);
  return handler.then((h) => h(task));
}

export = runTask;
