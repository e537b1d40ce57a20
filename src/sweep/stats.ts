/**
 * Mean and 95% confidence interval over replications. The replications of a point are independent runs
 * (different seeds), so the usual Student t interval applies: mean ± t(0.975, n−1) · s / √n, with s the
 * sample standard deviation (n−1 in the denominator).
 */
import type { MetricStat } from '../metrics/sweep-result.js';

/** Summary of one metric's values across replications; null entries (metric missing in that run) are skipped. */
export function summarize(values: readonly (number | null)[]): MetricStat | null {
  const xs = values.filter((v): v is number => v !== null);
  const n = xs.length;
  if (n === 0) return null;
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / n;
  if (n === 1) return { mean, ci95: 0, n };
  // Two passes: the one-pass formula loses digits when the spread is small next to the mean.
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  const sd = Math.sqrt(ss / (n - 1));
  return { mean, ci95: studentTQuantile(0.975, n - 1) * (sd / Math.sqrt(n)), n };
}

const quantileCache = new Map<string, number>();

/** The p-quantile (0.5 < p < 1) of Student's t distribution with dof degrees of freedom. */
export function studentTQuantile(p: number, dof: number): number {
  if (!(p > 0.5 && p < 1)) throw new RangeError(`studentTQuantile: p must be in (0.5, 1), got ${p}`);
  if (!(dof > 0)) throw new RangeError(`studentTQuantile: dof must be > 0, got ${dof}`);
  const key = `${p}:${dof}`;
  const cached = quantileCache.get(key);
  if (cached !== undefined) return cached;
  // The CDF is monotone, so bisection is safe; 200 halvings reach the limit of double precision.
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, dof) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, dof) < p) lo = mid;
    else hi = mid;
  }
  const q = (lo + hi) / 2;
  quantileCache.set(key, q);
  return q;
}

/** P(T ≤ t) for t ≥ 0: 1 − ½ I_x(ν/2, ½) with x = ν / (ν + t²) (Abramowitz & Stegun 26.7.1 via 26.5.27). */
export function studentTCdf(t: number, dof: number): number {
  if (t < 0) return 1 - studentTCdf(-t, dof);
  const x = dof / (dof + t * t);
  return 1 - 0.5 * regularizedBeta(x, dof / 2, 0.5);
}

/** I_x(a, b), by the continued fraction of Numerical Recipes §6.4 (modified Lentz). */
function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The fraction converges fast only for x < (a+1)/(a+b+2); otherwise use the symmetry I_x(a,b) = 1 − I_{1−x}(b,a).
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 1000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-16) break;
  }
  return h;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: about 15 significant digits). */
function lnGamma(x: number): number {
  const g = 7;
  const coef = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let s = coef[0];
  for (let i = 1; i < g + 2; i++) s += coef[i] / (z + i);
  const t = z + g + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}
