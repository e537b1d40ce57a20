// Fits the class-level constants on the `fit` half of data/calibration/published.csv and prints them
// (docs/calibration.md, "Fitting"). The values in src/hardware/perf.ts (CLASS_EFFICIENCY) and
// src/hardware/training.ts (GENERATION_MFU) must equal what this prints; test/calibration.test.ts checks.
// Run after `npm run build`: node scripts/fit-calibration.mjs (minutes: the Llama-2-70B rows run the simulator).
import { fitConstants, readPublished } from '../dist/calibrate/index.js';

const fit = fitConstants(readPublished());
console.log(`fitted on the fit half: ${fit.fitted.join(', ')}`);
console.log(`objective (Σ ln² error + ridge): ${fit.objective.toFixed(4)}\n`);
console.log('CLASS_EFFICIENCY (src/hardware/perf.ts):');
for (const [cls, e] of Object.entries(fit.efficiency)) {
  const key = /^[a-z]+$/.test(cls) ? cls : `'${cls}'`;
  console.log(`  ${key}: { int: ${e.int}, float: ${e.float}, memory: ${e.memory}, overhead_s: ${e.overhead_s} },`);
}
console.log('\nGENERATION_MFU (src/hardware/training.ts):');
for (const [gen, m] of Object.entries(fit.mfu)) console.log(`  ${gen}: small (7B) ${m.small}, large (70B) ${m.large}`);
