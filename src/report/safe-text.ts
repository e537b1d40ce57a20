/**
 * Neutralising user-given text before it reaches a spreadsheet or a terminal. Names in a scenario (services,
 * pools, sites, users) travel into every output; a scenario from a pull request may carry hostile ones.
 *
 * - Spreadsheets: a CSV text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a
 *   formula by Excel, LibreOffice and Google Sheets (`=HYPERLINK(…)`). OWASP's CSV-injection guidance:
 *   prefix such a cell with a single quote, which makes it text. Only text cells: a number (-3.5) stays a
 *   number, so pandas and spreadsheets still read it as one.
 * - Terminals: control characters (ANSI escapes, the OSC sequence that sets a terminal's title, a carriage
 *   return that overwrites the line, bidirectional overrides) are shown escaped (`\x1b`, `\u202e`) instead of
 *   being obeyed. Newlines and tabs pass.
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/** A CSV text cell that a spreadsheet will not run as a formula. */
export function csvText(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s;
}

// C0 controls but \t and \n, DEL, C1 controls, and the Unicode bidirectional controls.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text a terminal shows as it is: every control character spelled out. */
export function terminalText(s: string): string {
  return s.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** A copy of a JSON-like value with terminalText applied to every string (keys included). */
export function terminalSafe<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return terminalText(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[terminalText(k)] = walk(x);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}
