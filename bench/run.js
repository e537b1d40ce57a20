// placesim benchmark: `npm run bench`. Not part of `npm test`: it prints figures rather than asserting
// timings, which would flake on a busy machine. Each measurement runs in a fresh child process so that its
// peak RSS is its own.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import os from 'node:os';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

async function measure(kind, arg) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(here, 'worker.js'), [kind, String(arg)], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('message', resolve);
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`${kind} worker exited with ${code}`));
    });
  });
}

const fmt = (x) => Math.round(x).toLocaleString('en-US');
const mb = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;

console.log(`placesim bench — node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}`);
console.log('');

const engine = await measure('engine', 5_000_000);
console.log(`engine (bare event loop, 5M events, 1k pending):  ${fmt(engine.perSecond)} events/s`);

const rows = [];
for (const n of [1_000_000, 10_000_000]) {
  const r = await measure('mmc', n);
  rows.push(r);
  console.log(
    `M/M/c scenario, ${fmt(r.requests)} requests:  ${fmt(r.perSecond)} requests/s end to end ` +
      `(${r.seconds.toFixed(2)} s, ${fmt(r.events)} events), peak RSS ${mb(r.maxRss)}`,
  );
}
const chat = await measure('chatbot', 0);
console.log(
  `chatbot-seoul (${chat.policies} policies, ${fmt(chat.requests)} requests):  ${fmt(chat.perSecond)} requests/s ` +
    `(${chat.seconds.toFixed(2)} s), peak RSS ${mb(chat.maxRss)}`,
);
console.log('');
console.log('targets on a 2-core machine: M/M/c ≥ 1,500,000 requests/s; chatbot ≥ 300,000 requests/s;');
console.log(
  `  RSS flat as requests grow: 10M requests < 150 MB (measured ${mb(rows[1].maxRss)}; 1M: ${mb(rows[0].maxRss)})`,
);
