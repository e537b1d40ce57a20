/**
 * The queue's sandboxed processor in the bundle (dist/bundle/queue-processor.js): the processor itself
 * (queue-processor.ts, bundled as dist/bundle/queue-processor.cjs) loaded through the V8 code cache
 * (cached-entry.ts).
 */
import type { SandboxedJob } from 'bullmq';
import { cachedEntry } from './cached-entry.js';
import type { QueueJobData } from './queue.js';
import type { TaskReply } from './task.js';

export default await cachedEntry<SandboxedJob<QueueJobData, TaskReply>, TaskReply>(
  new URL('./queue-processor.cjs', import.meta.url),
  'queue-worker',
);
