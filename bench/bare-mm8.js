// The reference for `placesim run bench/mm8.yaml`: the same M/M/8 queue (Poisson arrivals at 640/s,
// exponential service with a 10 ms mean, 8 servers, FIFO, 1,562.5 s ≈ 1,000,000 requests) as a bare
// event loop — a binary heap in typed arrays, two event kinds, a ring buffer of waiting arrival times —
// drawing from the same generator the simulator uses (seedrandom's Alea, 53-bit doubles). It keeps what a
// bare loop needs to report the queue (count, mean wait, mean and maximum latency) and nothing else: no
// scenario, no policy, no per-pool series, no percentiles. bench/run.js times it against the CLI.
//
// Run: node bench/bare-mm8.js [requests]   (prints one JSON line)
import seedrandom from 'seedrandom';

const RATE = 640;
const MEAN_SERVICE = 0.01;
const SERVERS = 8;
const requests = Number(process.argv[2] ?? 1_000_000);
const duration = requests / RATE;

const t0 = performance.now();
const arrivalRng = seedrandom.alea('1\u0000bare:arrivals');
const serviceRng = seedrandom.alea('1\u0000bare:service');
const exp = (rng, mean) => -mean * Math.log(1 - rng.double());

// Event heap ordered by (time, seq): kind 0 = arrival, 1 = departure (arg: the request's arrival time).
let cap = 1024;
let times = new Float64Array(cap);
let seqs = new Float64Array(cap);
let kinds = new Uint8Array(cap);
let args = new Float64Array(cap);
let size = 0;
let nextSeq = 0;

function push(time, kind, arg) {
  if (size === cap) {
    cap *= 2;
    const grow = (a, T) => {
      const b = new T(cap);
      b.set(a);
      return b;
    };
    times = grow(times, Float64Array);
    seqs = grow(seqs, Float64Array);
    kinds = grow(kinds, Uint8Array);
    args = grow(args, Float64Array);
  }
  const seq = nextSeq++;
  let i = size++;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (times[p] < time || (times[p] === time && seqs[p] < seq)) break;
    times[i] = times[p];
    seqs[i] = seqs[p];
    kinds[i] = kinds[p];
    args[i] = args[p];
    i = p;
  }
  times[i] = time;
  seqs[i] = seq;
  kinds[i] = kind;
  args[i] = arg;
}

function pop() {
  const n = --size;
  const time = times[n];
  const seq = seqs[n];
  const kind = kinds[n];
  const arg = args[n];
  let i = 0;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && (times[c + 1] < times[c] || (times[c + 1] === times[c] && seqs[c + 1] < seqs[c]))) c++;
    if (time < times[c] || (time === times[c] && seq < seqs[c])) break;
    times[i] = times[c];
    seqs[i] = seqs[c];
    kinds[i] = kinds[c];
    args[i] = args[c];
    i = c;
  }
  times[i] = time;
  seqs[i] = seq;
  kinds[i] = kind;
  args[i] = arg;
}

// FIFO of waiting requests' arrival times.
let qbuf = new Float64Array(1024);
let qhead = 0;
let qlen = 0;
function enqueue(t) {
  if (qlen === qbuf.length) {
    const b = new Float64Array(qbuf.length * 2);
    for (let i = 0; i < qlen; i++) b[i] = qbuf[(qhead + i) % qbuf.length];
    qbuf = b;
    qhead = 0;
  }
  qbuf[(qhead + qlen) % qbuf.length] = t;
  qlen++;
}
function dequeue() {
  const t = qbuf[qhead];
  qhead = (qhead + 1) % qbuf.length;
  qlen--;
  return t;
}

let now = 0;
let idle = SERVERS;
let arrivals = 0;
let completed = 0;
let waitSum = 0;
let latencySum = 0;
let latencyMax = 0;
let events = 0;

function start(arrival) {
  waitSum += now - arrival;
  push(now + exp(serviceRng, MEAN_SERVICE), 1, arrival);
}

push(exp(arrivalRng, 1 / RATE), 0, 0);
while (size > 0) {
  const time = times[0];
  if (time > duration) break;
  const kind = kinds[0];
  const arg = args[0];
  pop();
  now = time;
  events++;
  if (kind === 0) {
    arrivals++;
    const next = now + exp(arrivalRng, 1 / RATE);
    if (next < duration) push(next, 0, 0);
    if (idle > 0) {
      idle--;
      start(now);
    } else enqueue(now);
  } else {
    const latency = now - arg;
    completed++;
    latencySum += latency;
    if (latency > latencyMax) latencyMax = latency;
    if (qlen > 0) start(dequeue());
    else idle++;
  }
}
const seconds = (performance.now() - t0) / 1000;

console.log(
  JSON.stringify({
    requests: arrivals,
    completed,
    events,
    seconds,
    wait_ms: (waitSum / arrivals) * 1000,
    latency_ms: (latencySum / completed) * 1000,
    max_ms: latencyMax * 1000,
  }),
);
