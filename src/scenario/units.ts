/**
 * Quantities with units, as written in scenario files: "250ms", "20/s", "4MB", "50Mbps", "3350GB/s", "700W".
 * Every quantity must carry its unit (a bare number is ambiguous: is 5 seconds or milliseconds?), except 0
 * for durations and sizes, where the unit makes no difference.
 *
 * The parsers throw InputError with a message but no location; the loader adds file, line and field path.
 */
import { InputError, hint } from './errors.js';

export type UnitKind = 'duration' | 'rate' | 'bytes' | 'bandwidth' | 'byte-rate' | 'power';

interface UnitTable {
  /** Word used in messages: `bad <noun> "x": …`. */
  noun: string;
  example: string;
  /** Unit suggested when a bare number is given: 5 → "5s". */
  suggest: string;
  /** Unit symbol → multiplier to the base unit. */
  units: Record<string, number>;
  /** Rates are written "<number>/<time unit>". */
  perTime?: boolean;
  /** A plain 0 (or "0") is accepted. */
  zeroWithoutUnit: boolean;
  /** Zero and negative values are rejected (otherwise only negative ones). */
  positive: boolean;
}

/** A year is 365 days (8760 h), the convention of hourly price lists and amortisation tables. */
const TIME_UNITS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  min: 60,
  h: 3600,
  d: 86_400,
  w: 7 * 86_400,
  y: 365 * 86_400,
};

const RATE_UNITS: Record<string, number> = { ms: 1e-3, s: 1, m: 60, min: 60, h: 3600, d: 86_400 };

// Decimal prefixes are powers of 1000, binary (Ki, Mi, …) powers of 1024, as in IEC 80000-13.
const BYTE_UNITS: Record<string, number> = {
  B: 1,
  kB: 1e3,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  PB: 1e15,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
  PiB: 2 ** 50,
};

const BIT_RATE_UNITS: Record<string, number> = { bps: 1, kbps: 1e3, Kbps: 1e3, Mbps: 1e6, Gbps: 1e9, Tbps: 1e12 };

const BYTE_RATE_UNITS: Record<string, number> = Object.fromEntries(
  Object.entries(BYTE_UNITS).map(([u, m]) => [`${u}/s`, m]),
);

const POWER_UNITS: Record<string, number> = { mW: 1e-3, W: 1, kW: 1e3, MW: 1e6 };

export const UNIT_TABLES: Readonly<Record<UnitKind, UnitTable>> = {
  duration: {
    noun: 'duration',
    example: '250ms',
    suggest: 's',
    units: TIME_UNITS,
    zeroWithoutUnit: true,
    positive: false,
  },
  rate: {
    noun: 'rate',
    example: '20/s',
    suggest: '/s',
    units: RATE_UNITS,
    perTime: true,
    zeroWithoutUnit: false,
    positive: true,
  },
  bytes: { noun: 'size', example: '4MB', suggest: 'B', units: BYTE_UNITS, zeroWithoutUnit: true, positive: false },
  bandwidth: {
    noun: 'bandwidth',
    example: '50Mbps',
    suggest: 'Mbps',
    units: BIT_RATE_UNITS,
    zeroWithoutUnit: false,
    positive: true,
  },
  'byte-rate': {
    noun: 'byte rate',
    example: '3350GB/s',
    suggest: 'GB/s',
    units: BYTE_RATE_UNITS,
    zeroWithoutUnit: false,
    positive: true,
  },
  power: { noun: 'power', example: '700W', suggest: 'W', units: POWER_UNITS, zeroWithoutUnit: true, positive: false },
};

const NUMBER = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`;
const QUANTITY = new RegExp(String.raw`^(${NUMBER})\s*(\S+)$`);
const RATE = new RegExp(String.raw`^(${NUMBER})\s*/\s*(\S+)$`);

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A regular expression (as a string) for the JSON Schema: the syntax only, not the sign rules. */
export function unitPattern(kind: UnitKind, allowZero = UNIT_TABLES[kind].zeroWithoutUnit): string {
  const t = UNIT_TABLES[kind];
  const units = Object.keys(t.units).map(escapeRegex).join('|');
  const num = String.raw`(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?`;
  const body = t.perTime ? String.raw`${num}\s*/\s*(${units})` : String.raw`${num}\s*(${units})`;
  return allowZero ? `^(${body}|0)$` : `^${body}$`;
}

export function unitList(kind: UnitKind): string {
  return Object.keys(UNIT_TABLES[kind].units).join(', ');
}

export function parseUnit(kind: UnitKind, input: unknown): number {
  const t = UNIT_TABLES[kind];
  // The message parts are built only for a message: this runs for every unit field of the schema as it is
  // built and for every unit value of a file.
  const bad = (why: string): InputError =>
    new InputError(`bad ${t.noun} ${typeof input === 'string' ? JSON.stringify(input) : String(input)}: ${why}`);
  const unitHelp = () => (t.perTime ? `<number>/<${unitList(kind).replace(/, /g, '|')}>` : unitList(kind));

  if (typeof input === 'number') {
    if (input === 0 && t.zeroWithoutUnit) return 0;
    throw bad(`a bare number needs a unit, e.g. "${input}${t.suggest}" (units: ${unitHelp()})`);
  }
  if (typeof input !== 'string') throw bad(`expected a ${t.noun} with a unit, e.g. "${t.example}"`);

  const text = input.trim();
  if (text === '0' && t.zeroWithoutUnit) return 0;
  const m = (t.perTime ? RATE : QUANTITY).exec(text);
  if (m === null) {
    if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
      throw bad(`a bare number needs a unit, e.g. "${text}${t.suggest}" (units: ${unitHelp()})`);
    }
    throw bad(`expected a ${t.noun} like "${t.example}" (units: ${unitHelp()})`);
  }
  const value = Number(m[1]);
  const unit = m[2];
  // Own keys only: "1constructor" is an unknown unit, not Object's constructor.
  const mult = Object.hasOwn(t.units, unit) ? t.units[unit] : undefined;
  if (mult === undefined) {
    throw bad(`unknown unit "${unit}"${hint(unit, Object.keys(t.units))}; use one of ${unitList(kind)}`);
  }
  if (!Number.isFinite(value)) throw bad('not a finite number');
  if (t.positive ? value <= 0 : value < 0) throw bad(t.positive ? 'must be > 0' : 'must be >= 0');
  // A rate "N/unit" divides by the unit's length; everything else multiplies.
  return t.perTime ? value / mult : value * mult;
}

/** Seconds. "250ms", "1.5s", "20us", "10m", "2h", "1d", "1w", "3y" (365 d); 0 may be bare. */
export function parseDuration(s: string | number): number {
  return parseUnit('duration', s);
}

/** Events per second, > 0. "20/s", "1200/min", "3/h". */
export function parseRate(s: string | number): number {
  return parseUnit('rate', s);
}

/** Bytes. "4MB" (10^6), "1.5GiB" (2^30), "0B"; 0 may be bare. */
export function parseBytes(s: string | number): number {
  return parseUnit('bytes', s);
}

/** Bits per second, > 0. "200kbps", "50Mbps", "1Gbps". */
export function parseBandwidth(s: string | number): number {
  return parseUnit('bandwidth', s);
}

/** Bytes per second, > 0, for memory bandwidth. "3350GB/s", "3.35TB/s". */
export function parseByteRate(s: string | number): number {
  return parseUnit('byte-rate', s);
}

/** Watts. "700W", "1.2kW". */
export function parsePower(s: string | number): number {
  return parseUnit('power', s);
}
