/**
 * Tolerance values as scenario files and the --tolerance flag write them ("2%" relative, 0.01 absolute).
 * They live here, below the regression check, because the scenario schema parses them too.
 */
import { InputError } from './errors.js';

export interface Tolerance {
  /** Fraction of |baseline|, e.g. 0.01 for "1%". */
  relative?: number;
  /** In the metric's own unit. */
  absolute?: number;
}

const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * "2%" → { relative: 0.02 }; "0.01" or 0.01 → { absolute: 0.01 }. Throws InputError (without a location)
 * on anything else, negative values included.
 */
export function parseTolerance(value: string | number): Tolerance {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0)
      throw new InputError(`bad tolerance ${value}: must be a number >= 0 or a percentage like "2%"`);
    return { absolute: value };
  }
  const text = value.trim();
  const percent = text.endsWith('%');
  const digits = percent ? text.slice(0, -1).trim() : text;
  if (!NUMBER.test(digits)) {
    throw new InputError(
      `bad tolerance ${JSON.stringify(value)}: expected a percentage like "2%" (relative) or a number >= 0 like 0.01 (absolute)`,
    );
  }
  const n = Number(digits);
  return percent ? { relative: n / 100 } : { absolute: n };
}
