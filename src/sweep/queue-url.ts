/** The `--queue` flag (kept apart from queue.ts so that the CLI can parse it without loading BullMQ). */
import { InputError } from '../errors.js';

/** Checks a `--queue` value: a redis:// or rediss:// URL. */
export function parseQueueUrl(text: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new InputError(`--queue ${JSON.stringify(text)}: expected a Redis URL such as redis://localhost:6379`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new InputError(`--queue ${JSON.stringify(text)}: expected a redis:// or rediss:// URL`);
  }
  if (u.hostname === '') throw new InputError(`--queue ${JSON.stringify(text)}: the URL names no host`);
  return text;
}
