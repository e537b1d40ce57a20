/**
 * The lock on a sweep's output folder: `<out>/sweep.lock`, holding who runs the sweep (pid, host, start).
 * Two sweeps on one folder would interleave their journals and overwrite each other's outputs, so the second
 * is refused (exit 2) with the holder's pid, host and start time.
 *
 * The lock file is created whole or not at all: its content is written to a temporary file that is then
 * hard-linked to the lock's name, which fails if the lock exists (link(2) is atomic, also over NFS). A lock
 * left by a process that died (kill -9, a crash) on this host — its pid no longer runs — is taken over with
 * a notice; one from another host cannot be checked and is left for the user to remove.
 *
 * Hand-written rather than proper-lockfile: that library tells a stale lock by the age of its mtime, kept
 * fresh by a timer, which a sweep worker's long synchronous run would starve; a pid check needs no timer.
 */
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { makeDir, writeFailure } from '../report/write.js';

export const LOCK_FILE = 'sweep.lock';

export interface LockInfo {
  pid: number;
  host: string;
  /** ISO time the sweep started. */
  started: string;
}

export interface SweepLock {
  path: string;
  info: LockInfo;
  /** Removes the lock if it is still this process's. Never throws. */
  release(): void;
}

/**
 * Takes the lock on `dir` (created if missing). `notice` receives the line saying a stale lock was taken over.
 * Throws InputError when another live sweep holds it. `name` is the lock file's name: a shard (--shard I/N)
 * locks only its own share, so the shares of one sweep may run side by side in one folder.
 */
export function lockSweepDir(
  dir: string,
  notice: (line: string) => void = () => {},
  name: string = LOCK_FILE,
): SweepLock {
  makeDir(dir);
  const path = join(dir, name);
  const info: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  const text = JSON.stringify(info) + '\n';
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(path, text)) return held(path, info);
    const holder = readLock(path);
    if (holder === 'gone') continue;
    if (holder !== undefined && holder.host === info.host && !isRunning(holder.pid)) {
      notice(
        `taking over ${path}: the sweep that held it (pid ${holder.pid}, started ${holder.started}) is no longer running`,
      );
      removeQuietly(path);
      continue;
    }
    const who =
      holder === undefined
        ? 'a lock file placesim cannot read'
        : `pid ${holder.pid} on host ${holder.host}, started ${holder.started}`;
    throw new InputError(
      `${dir} is in use by another sweep (${who}; lock file ${path}): wait for it to finish, or use another --out` +
        (holder === undefined || holder.host !== info.host ? ' (remove the lock file if that sweep is gone)' : ''),
    );
  }
  throw new InputError(`cannot take the lock ${path}: it keeps changing (another sweep starting at the same time?)`);
}

function tryCreate(path: string, text: string): boolean {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw writeFailure(e, 'the sweep lock', path);
  } finally {
    removeQuietly(tmp);
  }
}

/** The holder, undefined when the file is not a lock placesim wrote, 'gone' when it vanished meanwhile. */
function readLock(path: string): LockInfo | undefined | 'gone' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw writeFailure(e, 'the sweep lock', path);
  }
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (Number.isSafeInteger(v.pid) && typeof v.host === 'string' && typeof v.started === 'string')
      return v as LockInfo;
  } catch {
    // not ours
  }
  return undefined;
}

/** Whether a process with this pid runs on this host (EPERM: it runs, as another user). */
function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function held(path: string, info: LockInfo): SweepLock {
  return {
    path,
    info,
    release() {
      const now = readLockQuietly(path);
      if (now !== undefined && now.pid === info.pid && now.started === info.started) removeQuietly(path);
    },
  };
}

function readLockQuietly(path: string): LockInfo | undefined {
  try {
    const r = readLock(path);
    return r === 'gone' ? undefined : r;
  } catch {
    return undefined;
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
