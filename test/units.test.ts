import { describe, it, expect } from 'vitest';
import {
  InputError,
  didYouMean,
  parseBandwidth,
  parseByteRate,
  parseBytes,
  parseDuration,
  parsePower,
  parseRate,
} from '../src/scenario/index.js';

/** Message of the InputError thrown by fn (fails the test if it does not throw one). */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as InputError).message;
  }
  throw new Error('expected an InputError');
}

describe('parseDuration', () => {
  it.each([
    ['250ms', 0.25],
    ['1.5s', 1.5],
    ['20us', 20e-6],
    ['20µs', 20e-6],
    ['500ns', 500e-9],
    ['10m', 600],
    ['10min', 600],
    ['2h', 7200],
    ['1d', 86_400],
    ['1w', 604_800],
    ['3y', 3 * 365 * 86_400],
    ['20000s', 20_000],
    ['1e3ms', 1],
    ['.5s', 0.5],
    [' 2 h ', 7200],
    ['0ms', 0],
    ['0', 0],
    [0, 0],
  ] as const)('%j → %d s', (input, seconds) => {
    expect(parseDuration(input)).toBeCloseTo(seconds, 12);
  });

  it('rejects a bare number and says which unit is expected', () => {
    expect(errorOf(() => parseDuration(5))).toBe(
      'bad duration 5: a bare number needs a unit, e.g. "5s" (units: ns, us, µs, ms, s, m, min, h, d, w, y)',
    );
    expect(errorOf(() => parseDuration('5'))).toMatch(/^bad duration "5": a bare number needs a unit, e.g. "5s"/);
  });

  it('rejects unknown units with a suggestion, negatives and junk', () => {
    expect(errorOf(() => parseDuration('5 hours'))).toMatch(/^bad duration "5 hours": unknown unit "hours"/);
    expect(errorOf(() => parseDuration('5MS'))).toMatch(/unknown unit "MS" \(did you mean "ms"\?\)/);
    expect(errorOf(() => parseDuration('-1s'))).toBe('bad duration "-1s": must be >= 0');
    expect(errorOf(() => parseDuration('soon'))).toMatch(/^bad duration "soon": expected a duration like "250ms"/);
    expect(errorOf(() => parseDuration(true as unknown as string))).toMatch(/^bad duration true/);
  });
});

describe('parseRate', () => {
  it.each([
    ['20/s', 20],
    ['6/s', 6],
    ['1200/min', 20],
    ['1200/m', 20],
    ['3/h', 3 / 3600],
    ['86400/d', 1],
    ['2/ms', 2000],
    ['0.5 / s', 0.5],
  ] as const)('%s → %d per second', (input, perSecond) => {
    expect(parseRate(input)).toBeCloseTo(perSecond, 12);
  });

  it('rejects zero, negative and bare rates', () => {
    expect(errorOf(() => parseRate('0/s'))).toBe('bad rate "0/s": must be > 0');
    expect(errorOf(() => parseRate('-3/s'))).toBe('bad rate "-3/s": must be > 0');
    expect(errorOf(() => parseRate(6))).toMatch(/^bad rate 6: a bare number needs a unit, e.g. "6\/s"/);
    expect(errorOf(() => parseRate(0))).toMatch(/^bad rate 0: a bare number needs a unit/);
    expect(errorOf(() => parseRate('6/sec'))).toMatch(/unknown unit "sec"/);
  });
});

describe('parseBytes', () => {
  it.each([
    ['4MB', 4e6],
    ['2KB', 2000],
    ['2kB', 2000],
    ['102MB', 102e6],
    ['1.5GiB', 1.5 * 1024 ** 3],
    ['1KiB', 1024],
    ['80GB', 80e9],
    ['2TB', 2e12],
    ['0B', 0],
    [0, 0],
  ] as const)('%j → %d bytes', (input, n) => {
    expect(parseBytes(input)).toBe(n);
  });

  it('tells megabits from megabytes', () => {
    expect(errorOf(() => parseBytes('4Mb'))).toMatch(/^bad size "4Mb": unknown unit "Mb" \(did you mean "MB"\?\)/);
    expect(errorOf(() => parseBytes(4096))).toMatch(/^bad size 4096: a bare number needs a unit, e.g. "4096B"/);
  });
});

describe('parseBandwidth', () => {
  it.each([
    ['50Mbps', 50e6],
    ['1Gbps', 1e9],
    ['200kbps', 200e3],
    ['1.5Tbps', 1.5e12],
    ['9600bps', 9600],
  ] as const)('%s → %d bits/s', (input, bps) => {
    expect(parseBandwidth(input)).toBe(bps);
  });

  it('rejects bytes per second, zero and bare numbers', () => {
    expect(errorOf(() => parseBandwidth('50MB/s'))).toMatch(/^bad bandwidth "50MB\/s"/);
    expect(errorOf(() => parseBandwidth('0Mbps'))).toBe('bad bandwidth "0Mbps": must be > 0');
    expect(errorOf(() => parseBandwidth(50))).toMatch(/e\.g\. "50Mbps"/);
  });
});

describe('byte rates and power', () => {
  it('parses memory bandwidth in bytes per second', () => {
    expect(parseByteRate('3350GB/s')).toBe(3.35e12);
    expect(parseByteRate('3.35TB/s')).toBe(3.35e12);
    expect(parseByteRate('204.8GB/s')).toBeCloseTo(204.8e9, 0);
  });
  it('parses watts', () => {
    expect(parsePower('700W')).toBe(700);
    expect(parsePower('1.2kW')).toBe(1200);
    expect(parsePower('0W')).toBe(0);
    expect(errorOf(() => parsePower(700))).toMatch(/"700W"/);
  });
});

describe('didYouMean', () => {
  it('suggests close names, ignoring case', () => {
    expect(didYouMean('arival', ['arrivals', 'request', 'model'])).toBe('arrivals');
    expect(didYouMean('poison', ['poisson', 'constant', 'profile', 'trace'])).toBe('poisson');
    expect(didYouMean('us-est', ['us-east', 'us-west', 'eu-west'])).toBe('us-east');
    expect(didYouMean('H100-SXM', ['h100-sxm', 'h200-sxm'])).toBe('h100-sxm');
  });
  it('falls back to a candidate containing the word', () => {
    expect(didYouMean('h100', ['h100-sxm', 'h100-pcie-long-name', 'a100-80gb-sxm'])).toBe('h100-sxm');
  });
  it('says nothing when nothing is close', () => {
    expect(didYouMean('banana', ['arrivals', 'request', 'model'])).toBeUndefined();
    expect(didYouMean('ab', ['cd', 'xy'])).toBeUndefined();
    expect(didYouMean('x', [])).toBeUndefined();
  });
});
