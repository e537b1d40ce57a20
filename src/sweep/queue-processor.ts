/**
 * The BullMQ sandboxed processor of `placesim worker`: runs one queued task in a worker thread. It refuses
 * (an unrecoverable failure the coordinator reports as exit 2) a task from another placesim version or one
 * whose files differ from this machine's — a worker never computes an answer from data the coordinator did
 * not mean.
 */
import type { SandboxedJob } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { existsSync } from 'node:fs';
import { PLACESIM_VERSION } from '../version.js';
import { REFUSED, sha256File, type QueueJobData } from './queue.js';
import { runTaskReply, type TaskReply } from './task.js';

export default async function process(job: SandboxedJob<QueueJobData, TaskReply>): Promise<TaskReply> {
  const d = job.data;
  if (d.version !== PLACESIM_VERSION) {
    throw new UnrecoverableError(`${REFUSED}it comes from placesim ${d.version}, this worker is ${PLACESIM_VERSION}`);
  }
  for (const f of d.files) {
    if (!existsSync(f.path)) throw new UnrecoverableError(`${REFUSED}${f.path} does not exist on this worker`);
    if (sha256File(f.path) !== f.sha256) {
      throw new UnrecoverableError(`${REFUSED}${f.path} differs from the coordinator's copy (SHA-256 mismatch)`);
    }
  }
  return runTaskReply(d.task);
}
