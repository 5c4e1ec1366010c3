// Batches pushes (at most one flush per ~50 ms) and queues them per client until that page said it
// is ready. After a quiet spell the first push goes out on the next tick (with whatever else the
// same tick published), so a lone event is not held for a whole window; while busy, pushes gather
// for the rest of the window. `latest` pushes coalesce to the newest payload (never dropping the
// final value); `stream` pushes arrive as one array per flush, bounded per waiting client with a
// drop count.
import { pushes, type PushName, type PushPayload } from '../../shared/api';

export interface PushSink {
  send(name: PushName, payload: unknown): void;
}

export interface PushClient {
  markReady(): void;
  /** The page reloaded: queue again until it is ready. */
  reset(): void;
  detach(): void;
  /** Stream items dropped while this client was not ready and its queue was full. */
  readonly dropped: number;
}

interface Pending {
  latest: Map<PushName, unknown>;
  stream: Map<PushName, unknown[]>;
}

const emptyPending = (): Pending => ({ latest: new Map(), stream: new Map() });

class Client implements PushClient {
  ready = false;
  dropped = 0;
  queue: Pending = emptyPending();
  queuedItems = 0;

  constructor(
    private readonly hub: PushHub,
    readonly sink: PushSink,
    private readonly maxQueued: number,
  ) {}

  deliver(p: Pending): void {
    if (this.ready) {
      for (const [name, payload] of p.latest) this.sink.send(name, payload);
      for (const [name, items] of p.stream) this.sink.send(name, items);
      return;
    }
    for (const [name, payload] of p.latest) this.queue.latest.set(name, payload);
    for (const [name, items] of p.stream) {
      const q = this.queue.stream.get(name) ?? [];
      q.push(...items);
      this.queuedItems += items.length;
      while (this.queuedItems > this.maxQueued && q.length > 0) {
        q.shift();
        this.queuedItems--;
        this.dropped++;
      }
      this.queue.stream.set(name, q);
    }
  }

  markReady(): void {
    if (this.ready) return;
    this.ready = true;
    const q = this.queue;
    this.queue = emptyPending();
    this.queuedItems = 0;
    this.deliver(q);
  }

  reset(): void {
    this.ready = false;
  }

  detach(): void {
    this.hub.remove(this);
  }
}

export class PushHub {
  private readonly clients = new Set<Client>();
  private pending: Pending = emptyPending();
  private timer: NodeJS.Timeout | null = null;
  private lastFlush = -Infinity;

  constructor(private readonly opts: { intervalMs?: number; maxQueued?: number } = {}) {}

  publish<P extends PushName>(name: P, payload: PushPayload<P>): void {
    const kind: string = pushes[name].kind;
    if (kind === 'stream') {
      const arr = this.pending.stream.get(name) ?? [];
      arr.push(...(payload as unknown as unknown[]));
      this.pending.stream.set(name, arr);
    } else {
      this.pending.latest.set(name, payload);
    }
    if (!this.timer) {
      const wait = Math.max(0, this.lastFlush + (this.opts.intervalMs ?? 50) - Date.now());
      this.timer = setTimeout(() => this.flush(), wait);
    }
  }

  /** Sends everything pending now (also called on shutdown so the last values are not lost). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const p = this.pending;
    this.pending = emptyPending();
    if (p.latest.size === 0 && p.stream.size === 0) return;
    this.lastFlush = Date.now();
    for (const c of this.clients) c.deliver(p);
  }

  attach(sink: PushSink): PushClient {
    const c = new Client(this, sink, this.opts.maxQueued ?? 10_000);
    this.clients.add(c);
    return c;
  }

  remove(c: Client): void {
    this.clients.delete(c);
  }

  close(): void {
    this.flush();
    this.clients.clear();
  }
}
