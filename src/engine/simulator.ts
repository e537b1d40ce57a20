/**
 * The discrete-event kernel: a simulated clock and a queue of pending events.
 *
 * An event is four numbers — (time, seq, kind, arg) — kept in parallel typed arrays that form a binary heap
 * ordered by (time, seq). `seq` increases with every schedule() call, so events at equal times run in the
 * order they were scheduled and a run is deterministic. `kind` selects a handler registered once up front;
 * `arg` is a number the handler interprets (usually an index into the caller's own arrays). Nothing is
 * allocated per event: no closures, promises or objects, which keeps the hot loop at a few million events a
 * second on one core.
 *
 * The kernel knows nothing of what the events mean, and does no I/O.
 */

export type EventHandler = (arg: number) => void;
/**
 * Runs an event of kind `kind` with argument `arg` (Simulator.setDispatcher), given the target object it was
 * set with: the caller's parts, which the dispatcher calls into.
 */
export type EventDispatcher<T = unknown> = (target: T, kind: number, arg: number) => void;

const INITIAL_CAPACITY = 1024;

export class Simulator {
  /** Current simulated time (seconds by convention; the kernel does not care). */
  now = 0;
  /** Events executed so far (cancelled events are not counted). */
  processed = 0;

  private times = new Float64Array(INITIAL_CAPACITY);
  private seqs = new Float64Array(INITIAL_CAPACITY);
  private kinds = new Int32Array(INITIAL_CAPACITY);
  private args = new Float64Array(INITIAL_CAPACITY);
  private size = 0;
  private nextSeq = 0;
  /**
   * The time of the event being scheduled, handed from schedule/scheduleAt (small, inlined into their callers)
   * to push through this field rather than as an argument: push is too large to inline into the event path,
   * and a double passed to a call that is not inlined is boxed (a heap number per event).
   */
  private at = 0;
  private readonly handlers: EventHandler[] = [];
  private readonly cancelled = new Set<number>();
  /** Runs an event instead of the handler table, when set (see setDispatcher), given `dispatchTarget`. */
  private dispatcher: EventDispatcher<never> | null = null;
  private dispatchTarget: unknown = null;

  constructor() {
    // Fields that will hold fractions start as one, then get their value. V8 stores a field that first holds
    // a small integer as an integer; the first fraction stored changes the object's hidden class, and every
    // object holding one of these (a component's `sim`) recorded the old class: the next run's objects then
    // generalise those fields and throw away all the compiled code of the event path, once per run (policy)
    // of a scenario. Starting as a fraction keeps one class from the start. (The same idiom, "starts as a
    // fraction", recurs in the classes the event path touches: tallies, latency stats, estimates.)
    this.now = 0.5;
    this.now = 0;
    this.at = 0.5;
    this.at = 0;
  }

  /** Registers a handler and returns the kind number to schedule it with. */
  register(handler: EventHandler): number {
    this.handlers.push(handler);
    return this.handlers.length - 1;
  }

  /**
   * Sets one function that runs every event, given `target`, the kind and the argument, in place of the call
   * through the handler table. The table's call site sees every handler, so it cannot be inlined; a dispatcher
   * that tests for its caller's few frequent kinds first calls each of their handlers from a site of its own,
   * which the compiler can inline. It must do what the registered handlers do (it is an optimisation, not a
   * second meaning): `(t, kind, arg) => kind === t.a ? t.onA(arg) : sim.handler(kind)(arg)`.
   *
   * The function and its target are apart so that one function (a module's, not a closure made per
   * simulation) can serve every simulation of a process: the call site in step() then sees one target
   * function throughout, and the event path compiled with the dispatcher inlined in it is kept from one
   * simulation to the next. A closure made per simulation is a new call target each time: V8 threw the
   * compiled event path away and compiled it again once per simulation.
   */
  setDispatcher<T>(dispatcher: EventDispatcher<T>, target: T): void {
    this.dispatcher = dispatcher;
    this.dispatchTarget = target;
  }

  /** The handler registered for `kind`. */
  handler(kind: number): EventHandler {
    return this.handlers[kind];
  }

  /** Number of events in the queue (cancelled ones included until they are reached). */
  get pending(): number {
    return this.size;
  }

  /** Time of the next event, or Infinity when the queue is empty. */
  peek(): number {
    return this.size > 0 ? this.times[0] : Infinity;
  }

  /** Schedules `kind(arg)` after `delay` (≥ 0). Returns the event id, usable with cancel(). */
  schedule(delay: number, kind: number, arg = 0): number {
    if (!(delay >= 0)) throw new RangeError(`schedule: delay must be >= 0, got ${delay}`);
    this.at = this.now + delay;
    return this.push(kind, arg);
  }

  /** Schedules `kind(arg)` at absolute time `time` (≥ now). */
  scheduleAt(time: number, kind: number, arg = 0): number {
    if (!(time >= this.now)) throw new RangeError(`scheduleAt: time ${time} is before now (${this.now})`);
    this.at = time;
    return this.push(kind, arg);
  }

  /**
   * Cancels a pending event by id. The event stays in the heap and is skipped when reached (lazy deletion),
   * which keeps cancel() O(1). Returns false if the id was never issued.
   */
  cancel(id: number): boolean {
    if (!(id >= 0 && id < this.nextSeq)) return false;
    this.cancelled.add(id);
    return true;
  }

  /** Executes the next event. Returns false when the queue is empty. */
  step(): boolean {
    while (this.size > 0) {
      const time = this.times[0];
      const seq = this.seqs[0];
      const kind = this.kinds[0];
      const arg = this.args[0];
      this.pop();
      if (this.cancelled.size > 0 && this.cancelled.delete(seq)) continue;
      this.now = time;
      this.processed++;
      const dispatcher = this.dispatcher;
      if (dispatcher !== null) dispatcher(this.dispatchTarget as never, kind, arg);
      else this.handlers[kind](arg);
      return true;
    }
    return false;
  }

  /**
   * Runs events until the queue is empty or the next event is later than `until`; events at exactly `until`
   * run. The clock is then set to `until` (if finite). Returns the number of events executed by this call.
   */
  run(until = Infinity): number {
    const start = this.processed;
    this.runUntil(until);
    if (until !== Infinity && until > this.now) this.now = until;
    return this.processed - start;
  }

  /**
   * The loop of run(), in a function of its own: the loop is what gets compiled while it runs (on-stack
   * replacement), and the clock's last step above, first reached when the loop ends, would have thrown that
   * compiled code away at the end of every simulation.
   */
  private runUntil(until: number): void {
    while (this.size > 0 && this.times[0] <= until) this.step();
  }

  /** Inserts an event at time `this.at` (set by schedule/scheduleAt). */
  private push(kind: number, arg: number): number {
    const time = this.at;
    if (kind < 0 || kind >= this.handlers.length || (kind | 0) !== kind) {
      throw new RangeError(`schedule: unknown event kind ${kind}`);
    }
    if (this.size === this.times.length) this.grow();
    const seq = this.nextSeq++;
    // Sift up: move parents down until the slot for the new event is found.
    let i = this.size++;
    const times = this.times;
    const seqs = this.seqs;
    const kinds = this.kinds;
    const args = this.args;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent];
      if (pt < time || (pt === time && seqs[parent] < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent];
      kinds[i] = kinds[parent];
      args[i] = args[parent];
      i = parent;
    }
    times[i] = time;
    seqs[i] = seq;
    kinds[i] = kind;
    args[i] = arg;
    return seq;
  }

  /** Removes the root: the last element sifts down from the top. */
  private pop(): void {
    const n = --this.size;
    if (n === 0) return;
    const times = this.times;
    const seqs = this.seqs;
    const kinds = this.kinds;
    const args = this.args;
    const time = times[n];
    const seq = seqs[n];
    const kind = kinds[n];
    const arg = args[n];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && (times[right] < times[child] || (times[right] === times[child] && seqs[right] < seqs[child]))) {
        child = right;
      }
      const ct = times[child];
      if (time < ct || (time === ct && seq < seqs[child])) break;
      times[i] = ct;
      seqs[i] = seqs[child];
      kinds[i] = kinds[child];
      args[i] = args[child];
      i = child;
    }
    times[i] = time;
    seqs[i] = seq;
    kinds[i] = kind;
    args[i] = arg;
  }

  private grow(): void {
    const cap = this.times.length * 2;
    const t = new Float64Array(cap);
    t.set(this.times);
    this.times = t;
    const s = new Float64Array(cap);
    s.set(this.seqs);
    this.seqs = s;
    const k = new Int32Array(cap);
    k.set(this.kinds);
    this.kinds = k;
    const a = new Float64Array(cap);
    a.set(this.args);
    this.args = a;
  }
}
