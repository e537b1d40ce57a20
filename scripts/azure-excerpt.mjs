// Builds the excerpt of the Azure LLM inference trace 2023 shipped in scenarios/data/ (CC BY 4.0; see
// scenarios/data/azure-llm-2023-NOTICE.md): ten minutes, 18:20:00–18:30:00 UTC on 2023-11-16, of the
// conversation and code services. Changes to the original: rows outside the window dropped, and the
// TIMESTAMP column replaced by time_s, seconds since 18:20:00 (rounded to 0.1 ms). Token counts unchanged.
//
//   node scripts/azure-excerpt.mjs <dir with AzureLLMInferenceTrace_{conv,code}.csv>
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const src = process.argv[2];
if (!src) {
  console.error('usage: node scripts/azure-excerpt.mjs <dir>');
  process.exit(2);
}
const START = Date.UTC(2023, 10, 16, 18, 20, 0);
const END = START + 10 * 60 * 1000;

for (const kind of ['conv', 'code']) {
  const lines = readFileSync(join(src, `AzureLLMInferenceTrace_${kind}.csv`), 'utf8').split(/\r?\n/);
  if (lines[0].trim() !== 'TIMESTAMP,ContextTokens,GeneratedTokens') throw new Error(`unexpected header in ${kind}`);
  const out = ['time_s,ContextTokens,GeneratedTokens'];
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    const [stamp, ctx, gen] = line.split(',');
    // "2023-11-16 18:20:01.1234567": whole milliseconds from Date, the rest of the fraction added by hand.
    const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d+)?$/.exec(stamp.trim());
    if (!m) throw new Error(`bad timestamp ${stamp}`);
    const whole = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
    const t = whole + Number(m[7] ?? 0) * 1000;
    if (t < START || t >= END) continue;
    out.push(`${((t - START) / 1000).toFixed(4)},${ctx.trim()},${gen.trim()}`);
  }
  const file = `scenarios/data/azure-llm-2023-${kind}.csv`;
  writeFileSync(file, out.join('\n') + '\n');
  console.log(`${file}: ${out.length - 1} requests`);
}
