/**
 * Scenario-side helpers for error messages ("did you mean"). The error classes themselves live in
 * src/errors.ts, below every layer; they are re-exported here for the scenario code that imports them.
 */
export { InputError, formatMessage, formatPath, type PathSegment, type Where } from '../errors.js';

/** Levenshtein distance; inputs are short identifiers, so the O(n·m) table is fine. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The candidate the user most likely meant, or undefined when nothing is close. Case is ignored. A small
 * edit distance (scaled to the word's length, so short words need near-exact matches) wins; failing that, a
 * candidate that contains the word ("h100" → "h100-sxm") is offered.
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  const limit = w.length <= 2 ? 0 : w.length <= 4 ? 1 : w.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    if (c === word) continue;
    const d = distance(w, c.toLowerCase());
    if (d <= limit && d < bestD) {
      best = c;
      bestD = d;
    }
  }
  if (best !== undefined || w.length < 3) return best;
  for (const c of candidates) {
    if (c !== word && c.toLowerCase().includes(w) && (best === undefined || c.length < best.length)) best = c;
  }
  return best;
}

/** ` (did you mean "x"?)` or ''. */
export function hint(word: string, candidates: readonly string[]): string {
  const m = didYouMean(word, candidates);
  return m === undefined ? '' : ` (did you mean "${m}"?)`;
}
