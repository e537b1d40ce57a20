/**
 * The worker thread's side of the sweep's thread pool (runner.ts): takes one task at a time from the
 * coordinator and answers with its reply. A typed error is already data in the reply (task.ts); anything
 * else thrown (a bug) goes back as the error itself (a structured clone keeps its message and stack).
 */
import { parentPort } from 'node:worker_threads';
import type { SweepTask, TaskReply } from './task.js';

export interface ThreadRequest {
  id: number;
  task: SweepTask;
}

export type ThreadResponse = { id: number; reply: TaskReply } | { id: number; bug: unknown };

/** Serves the coordinator's requests with `run`, one after another, for as long as the thread lives. */
export function serveTasks(run: (task: SweepTask) => Promise<TaskReply>): void {
  const port = parentPort;
  if (!port) throw new Error('serveTasks runs in a worker thread');
  port.on('message', (m: ThreadRequest) => {
    run(m.task).then(
      (reply) => port.postMessage({ id: m.id, reply } satisfies ThreadResponse),
      (e: unknown) => {
        try {
          port.postMessage({ id: m.id, bug: e } satisfies ThreadResponse);
        } catch {
          // Not cloneable (a function, a symbol…): its text will do.
          port.postMessage({ id: m.id, bug: new Error(String(e)) } satisfies ThreadResponse);
        }
      },
    );
  });
}
