// A/B of two builds on a noisy machine: alternates fresh processes of each build's bench/worker.js (one
// measurement each, as bench/run.js forks them) and prints each build's median and best. Both checkouts
// must be built (`npm run build`).
//
// Run: node bench/ab.js <rounds> <chatbot | mmc | file:<scenario>> <dirA> <dirB> [<dirC> …]
// e.g. node bench/ab.js 9 chatbot ../base .    node bench/ab.js 7 file:bench/mm8.yaml ../base .
import { fork } from 'node:child_process';
import { resolve } from 'node:path';

const [roundsText, kind, ...dirArgs] = process.argv.slice(2);
const rounds = Number(roundsText);
if (!(rounds >= 1) || kind === undefined || dirArgs.length < 2) {
  console.error('usage: node bench/ab.js <rounds> <chatbot | mmc | file:<scenario>> <dirA> <dirB> […]');
  process.exit(2);
}
const dirs = dirArgs.map((d) => resolve(d));
const args = kind.startsWith('file:') ? ['file', kind.slice('file:'.length)] : [kind];

function one(dir) {
  return new Promise((done, fail) => {
    const child = fork(resolve(dir, 'bench', 'worker.js'), args, { cwd: dir });
    child.on('message', done);
    child.on('error', fail);
    child.on('exit', (code) => code !== 0 && fail(new Error(`${dir}: worker exited with ${code}`)));
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const runs = dirs.map(() => []);
for (let r = 0; r < rounds; r++) for (let d = 0; d < dirs.length; d++) runs[d].push(await one(dirs[d]));
for (let d = 0; d < dirs.length; d++) {
  const m = runs[d];
  const perSecond = m.map((x) => x.perSecond);
  console.log(
    `${dirArgs[d]}: requests/s median ${Math.round(median(perSecond)).toLocaleString('en-US')}, ` +
      `best ${Math.round(Math.max(...perSecond)).toLocaleString('en-US')}; ` +
      `wall median ${(median(m.map((x) => x.seconds)) * 1000).toFixed(0)} ms, ` +
      `CPU median ${(median(m.map((x) => x.cpuSeconds)) * 1000).toFixed(0)} ms (${rounds} processes each)`,
  );
}
