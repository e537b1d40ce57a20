/**
 * Allocation-free storage for the event loop: requests in growable parallel typed arrays indexed by a
 * recycled slot number, and FIFO ring buffers of slot numbers.
 */

export class RequestTable {
  capacity = 256;
  arrival = new Float64Array(this.capacity);
  enqueued = new Float64Array(this.capacity);
  serviceTime = new Float64Array(this.capacity);
  target = new Int32Array(this.capacity);
  user = new Int32Array(this.capacity);
  measured = new Uint8Array(this.capacity);
  /** Two uniforms in (0, 1] drawn at arrival for a managed API's latency, should the request go to one. */
  apiU1 = new Float64Array(this.capacity);
  apiU2 = new Float64Array(this.capacity);
  /** Service index (set for every request; the target gives it too once placed). */
  service = new Int32Array(this.capacity);
  /**
   * The request's own lengths, set at arrival: prompt and output tokens (LLM services, 0 otherwise) and
   * items (other models, 1 for LLMs) — the service's fixed values or this request's draws.
   */
  inputTokens = new Int32Array(this.capacity);
  outputTokens = new Int32Array(this.capacity);
  items = new Int32Array(this.capacity);
  /** Closed-loop client that sent it (its next request follows this one's end), or -1. */
  client = new Int32Array(this.capacity);
  /** Arrival number of the request in the run (for traces). */
  id = new Float64Array(this.capacity);
  /** Placements so far (1 after the first; a retry after a failure adds one). */
  attempts = new Int32Array(this.capacity);
  /** When its batch started and ended, and when its first token was out (for responses held in a buffer). */
  started = new Float64Array(this.capacity);
  ended = new Float64Array(this.capacity);
  firstToken = new Float64Array(this.capacity);
  /** When its response reaches the user (set just before Outcomes.complete). */
  delivered = new Float64Array(this.capacity);
  alive = new Uint8Array(this.capacity);
  /**
   * Continuous batching (llm-server.ts): tokens to prefill (the prompt, or prompt + answer so far after a
   * preemption), of those done, answer tokens out, tokens held in the KV cache, KV blocks held, tokens
   * scheduled in the running step (prefill chunk; 0 for a decode), and when its last token came out.
   */
  llmPrompt = new Int32Array(this.capacity);
  llmDone = new Int32Array(this.capacity);
  llmGen = new Int32Array(this.capacity);
  llmKv = new Int32Array(this.capacity);
  llmBlocks = new Int32Array(this.capacity);
  llmChunk = new Int32Array(this.capacity);
  tokenAt = new Float64Array(this.capacity);
  /** The network of the placement: one-way time back to the user and the round trip (from the policy view). */
  netDown = new Float64Array(this.capacity);
  netRtt = new Float64Array(this.capacity);
  private free = new Int32Array(this.capacity);
  private freeCount = 0;
  private used = 0;
  live = 0;

  alloc(): number {
    this.live++;
    let slot: number;
    if (this.freeCount > 0) slot = this.free[--this.freeCount];
    else {
      if (this.used === this.capacity) this.grow();
      slot = this.used++;
    }
    this.alive[slot] = 1;
    return slot;
  }

  release(slot: number): void {
    this.live--;
    this.alive[slot] = 0;
    this.free[this.freeCount++] = slot;
  }

  /** Slots handed out so far (live or free). */
  get highWater(): number {
    return this.used;
  }

  private grow(): void {
    const cap = this.capacity * 2;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.arrival = f64(this.arrival);
    this.enqueued = f64(this.enqueued);
    this.serviceTime = f64(this.serviceTime);
    this.id = f64(this.id);
    this.apiU1 = f64(this.apiU1);
    this.apiU2 = f64(this.apiU2);
    this.service = i32(this.service);
    this.attempts = i32(this.attempts);
    this.inputTokens = i32(this.inputTokens);
    this.outputTokens = i32(this.outputTokens);
    this.items = i32(this.items);
    this.client = i32(this.client);
    this.started = f64(this.started);
    this.ended = f64(this.ended);
    this.firstToken = f64(this.firstToken);
    this.delivered = f64(this.delivered);
    this.llmPrompt = i32(this.llmPrompt);
    this.llmDone = i32(this.llmDone);
    this.llmGen = i32(this.llmGen);
    this.llmKv = i32(this.llmKv);
    this.llmBlocks = i32(this.llmBlocks);
    this.llmChunk = i32(this.llmChunk);
    this.tokenAt = f64(this.tokenAt);
    this.netDown = f64(this.netDown);
    this.netRtt = f64(this.netRtt);
    const a = new Uint8Array(cap);
    a.set(this.alive);
    this.alive = a;
    this.target = i32(this.target);
    this.user = i32(this.user);
    const m = new Uint8Array(cap);
    m.set(this.measured);
    this.measured = m;
    this.free = i32(this.free);
    this.capacity = cap;
  }
}

/** FIFO of request slots, one per target (service at pool). Its capacity is a power of two (index by mask). */
export class RingQueue {
  private buf = new Int32Array(64);
  private head = 0;
  length = 0;

  push(v: number): void {
    if (this.length === this.buf.length) {
      const b = new Int32Array(this.buf.length * 2);
      for (let i = 0; i < this.length; i++) b[i] = this.buf[(this.head + i) & (this.buf.length - 1)];
      this.buf = b;
      this.head = 0;
    }
    this.buf[(this.head + this.length) & (this.buf.length - 1)] = v;
    this.length++;
  }

  peek(): number {
    return this.buf[this.head];
  }

  shift(): number {
    const v = this.buf[this.head];
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.length--;
    return v;
  }
}
