import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockSweepDir } from '../src/sweep/lock.js';
import { shardFileName } from '../src/sweep/shard.js';

describe('sweep --out lock', () => {
  it('a second sweep on a locked folder is refused, naming the holder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'placesim-lock-'));
    const lock = lockSweepDir(dir);
    try {
      expect(() => lockSweepDir(dir)).toThrow(new RegExp(`pid ${process.pid}`));
    } finally {
      lock.release();
    }
    lockSweepDir(dir).release(); // released: free again
  });

  it('the shares of one sweep lock only their own share, so they can run side by side in one folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'placesim-lock-'));
    const name = (index: number) => shardFileName('sweep', { index, count: 2 }).replace(/\.json$/, '.lock');
    const one = lockSweepDir(dir, () => {}, name(1));
    const two = lockSweepDir(dir, () => {}, name(2));
    try {
      expect(() => lockSweepDir(dir, () => {}, name(1))).toThrow(/pid/);
    } finally {
      one.release();
      two.release();
    }
  });
});
