// Fits the class-level constants on the `fit` half of data/calibration/published.csv and prints them
// (docs/calibration.md, "Fitting"). The values in src/hardware/perf.ts (CLASS_EFFICIENCY) and
// src/hardware/training.ts (GENERATION_MFU) must equal what this prints; test/calibration.test.ts checks.
// Run after `npm run build`: node scripts/fit-calibration.mjs [part ...]
// With no argument every part is fitted (minutes: the Llama-2-70B rows run the simulator). The objective is a sum
// of independent parts, one per efficiency group (gpu, gpu-amd, tpu, cpu, edge) and one for the training MFUs:
// naming parts refits only those, from their priors, and prints the others as the code holds them, which is what
// a full refit prints when only the named parts' rows or devices changed (seconds for edge, tpu, mfu).
import { fitConstants, readPublished, FIT_PARTS } from '../dist/calibrate/index.js';

const parts = process.argv.slice(2);
for (const p of parts) {
  if (!FIT_PARTS.includes(p)) {
    console.error(`fit-calibration: unknown part "${p}" (parts: ${FIT_PARTS.join(', ')})`);
    process.exit(2);
  }
}
const fit = fitConstants(readPublished(), undefined, undefined, parts.length > 0 ? parts : undefined);
console.log(`refitted parts: ${parts.length > 0 ? parts.join(', ') : 'all'}`);
console.log(`fitted on the fit half: ${fit.fitted.join(', ')}`);
console.log(`objective (Σ ln² error + ridge, refitted parts): ${fit.objective.toFixed(4)}\n`);
console.log('CLASS_EFFICIENCY (src/hardware/perf.ts):');
for (const [cls, e] of Object.entries(fit.efficiency)) {
  const key = /^[a-z]+$/.test(cls) ? cls : `'${cls}'`;
  const gens =
    cls === 'gpu'
      ? `, int_by_generation: ${JSON.stringify(fit.int_by_generation)
          .replace(/"/g, '')
          .replace(/([:,])/g, '$1 ')}`
      : '';
  console.log(
    `  ${key}: { int: ${e.int}, float: ${e.float}, memory: ${e.memory}, overhead_s: ${e.overhead_s}${gens} },`,
  );
}
console.log('\nGENERATION_MFU (src/hardware/training.ts):');
for (const [gen, m] of Object.entries(fit.mfu)) console.log(`  ${gen}: small (7B) ${m.small}, large (70B) ${m.large}`);
