// Main-thread side of a unary lane: one worker answering Reset/Step through a shared ring
// (lane-ring.ts) instead of postMessage, so a call costs no structured clone, no message event
// and no event-loop turn in the worker. The lane answers in order, so the oldest unanswered call
// is the one running; the pool's watchdog terminates a lane whose running call is over budget and
// starts a fresh one, sending the calls queued behind it again.
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { LaneRing, REQ, RESP, SLOTS, type LaneBig, type LaneMethod, type LaneReply } from './lane-ring';
import { spawnWorker, WorkerLost, type LostReason } from './worker-spawn';

/** Node 20 has Atomics.waitAsync; the project's TypeScript lib (ES2023) does not declare it yet. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      a: Int32Array,
      i: number,
      v: number,
    ): { async: false; value: string } | { async: true; value: Promise<string> };
  }
).waitAsync;

interface Call {
  method: LaneMethod;
  req: Uint8Array;
  stream: number;
  resolve(r: LaneReply): void;
  reject(e: WorkerLost): void;
}

export class LaneHandle {
  private worker!: Worker;
  private ring!: LaneRing;
  private port!: MessagePort;
  /** Calls written to the ring, oldest first. */
  private sent: Call[] = [];
  /** Calls waiting for a free slot. */
  private backlog: Call[] = [];
  private written = 0;
  private answered = 0;
  private armed = false;
  private headSince = 0;
  private ready = false;
  private readyWaiters: (() => void)[] = [];
  generation = 0;
  /** The worker's Linux thread id, once it is up (null elsewhere). */
  tid: number | null = null;
  private closed = false;

  constructor(
    readonly index: number,
    private readonly registryModule: string | undefined,
    private readonly onLost: (index: number, reason: LostReason) => void,
  ) {
    this.spawn();
  }

  private spawn(): void {
    this.ring = new LaneRing();
    const { port1, port2 } = new MessageChannel();
    port1.unref();
    this.port = port1;
    this.written = 0;
    this.answered = 0;
    this.armed = false;
    this.ready = false;
    const w = spawnWorker({ registryModule: this.registryModule, kind: 'lane', sab: this.ring.sab, port: port2 }, [
      port2,
    ]);
    this.worker = w;
    w.on('message', (m: { tid: number | null }) => {
      // The only message a lane sends on its event channel: it is up.
      if (w !== this.worker) return;
      this.tid = m.tid;
      this.ready = true;
      this.headSince = performance.now();
      for (const f of this.readyWaiters.splice(0)) f();
    });
    w.on('error', () => {});
    w.on('exit', () => {
      if (w === this.worker && !this.closed) this.replace('crashed');
    });
  }

  whenReady(): Promise<void> {
    return this.ready ? Promise.resolve() : new Promise((r) => this.readyWaiters.push(r));
  }

  get outstanding(): number {
    return this.sent.length + this.backlog.length;
  }

  call(method: LaneMethod, req: Uint8Array, stream = 0): Promise<LaneReply> {
    if (this.closed) return Promise.reject(new WorkerLost('stopped', false, 'the engine is shutting down'));
    return new Promise((resolve, reject) => {
      const c: Call = { method, req, stream, resolve, reject };
      if (this.sent.length < SLOTS) this.write(c);
      else this.backlog.push(c);
    });
  }

  private write(c: Call): void {
    if (this.sent.length === 0) this.headSince = performance.now();
    this.sent.push(c);
    if (!this.ring.writeRequest(this.written, c.method, c.req, c.stream)) {
      // Too large for a slot: the bytes go on the port first (an exact copy, transferred).
      const copy = new Uint8Array(c.req);
      this.port.postMessage(copy, [copy.buffer]);
    }
    this.written = (this.written + 1) | 0;
    Atomics.store(this.ring.ctl, REQ, this.written);
    Atomics.notify(this.ring.ctl, REQ);
    this.arm();
  }

  /** Waits (without blocking the loop) for the worker to move RESP past what was read. */
  private arm(): void {
    if (this.armed || this.sent.length === 0) return;
    this.armed = true;
    const gen = this.generation;
    const w = waitAsync(this.ring.ctl, RESP, this.answered);
    if (w.async) void w.value.then(() => this.drain(gen));
    else queueMicrotask(() => this.drain(gen));
  }

  private drain(gen: number): void {
    if (gen !== this.generation || this.closed) return;
    this.armed = false;
    const upTo = Atomics.load(this.ring.ctl, RESP);
    const big = () => receiveMessageOnPort(this.port)?.message as LaneBig;
    while (this.answered !== upTo && this.sent.length > 0) {
      const reply = this.ring.readReply(this.answered, big);
      this.answered = (this.answered + 1) | 0;
      this.headSince = performance.now();
      this.sent.shift()!.resolve(reply);
    }
    while (this.backlog.length > 0 && this.sent.length < SLOTS) this.write(this.backlog.shift()!);
    this.arm();
  }

  /** Called by the watchdog: replaces the worker if its running call is over budget. */
  check(now: number, budgetMs: number): void {
    if (this.ready && this.sent.length > 0 && now - this.headSince > budgetMs) this.replace('budget');
  }

  private replace(reason: LostReason): void {
    const old = this.worker;
    const oldCtl = this.ring.ctl;
    const [head, ...rest] = [...this.sent, ...this.backlog];
    this.sent = [];
    this.backlog = [];
    this.generation++;
    void old.terminate();
    this.port.close();
    // Wakes the old ring's pending waitAsync; its drain sees the new generation and ignores it.
    Atomics.notify(oldCtl, RESP);
    this.spawn();
    head?.reject(
      new WorkerLost(
        reason,
        false,
        reason === 'budget'
          ? 'the request ran past its budget; its worker was replaced'
          : 'the worker running it died and was replaced',
      ),
    );
    // A Simulate stream's environments died with the lane: its calls fail (the stream sees the new generation).
    for (const c of rest) {
      if (c.stream)
        c.reject(
          new WorkerLost(
            reason,
            true,
            'the worker this stream ran on was replaced (another request ran past its budget); open a new stream',
          ),
        );
      else this.call(c.method, c.req).then(c.resolve, c.reject);
    }
    this.onLost(this.index, reason);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of [...this.sent.splice(0), ...this.backlog.splice(0)])
      c.reject(new WorkerLost('stopped', false, 'the engine is shutting down'));
    Atomics.notify(this.ring.ctl, RESP);
    this.port.close();
    await this.worker.terminate();
  }
}
