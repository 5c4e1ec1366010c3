// A bounded ring buffer of events with the read/consume API of the original PipeCache:
// O(1) push (the oldest is evicted and counted when full), snapshot reads that never disturb
// subscribers, destructive popFront/drainAll for consumers that take ownership, and subscribe.

export type Listener<T> = (item: T) => void;

export class EventCache<T> {
  private buf: (T | undefined)[];
  private head = 0;
  private count = 0;
  private readonly listeners = new Set<Listener<T>>();
  /** Items pushed out by newer ones while full. */
  evicted = 0;
  /** Items ever pushed. */
  pushed = 0;

  constructor(
    private cap: number,
    private readonly textOf: (item: T) => string = (item) => JSON.stringify(item),
    private readonly onListenerError: (e: unknown) => void = () => {},
  ) {
    if (!Number.isInteger(cap) || cap < 1) throw new RangeError('capacity must be a positive integer');
    this.buf = new Array(cap);
  }

  get capacity(): number {
    return this.cap;
  }

  /** Changes the capacity, keeping the newest items (the ones that no longer fit count as evicted). */
  resize(capacity: number): void {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    const all = this.getAll();
    const keep = all.slice(Math.max(0, all.length - capacity));
    this.evicted += all.length - keep.length;
    this.buf = new Array(capacity);
    keep.forEach((x, i) => (this.buf[i] = x));
    this.cap = capacity;
    this.head = 0;
    this.count = keep.length;
  }

  push(item: T): void {
    const tail = (this.head + this.count) % this.cap;
    this.buf[tail] = item;
    if (this.count === this.cap) {
      this.head = (this.head + 1) % this.cap;
      this.evicted++;
    } else {
      this.count++;
    }
    this.pushed++;
    for (const l of this.listeners) {
      try {
        l(item);
      } catch (e) {
        this.onListenerError(e);
      }
    }
  }

  private at(i: number): T {
    return this.buf[(this.head + i) % this.cap] as T;
  }

  size(): number {
    return this.count;
  }

  isEmpty(): boolean {
    return this.count === 0;
  }

  /** Oldest first. */
  getAll(): T[] {
    return this.getLastN(this.count);
  }

  /** The newest `n`, oldest first. */
  getLastN(n: number): T[] {
    const k = Math.max(0, Math.min(n, this.count));
    const out = new Array<T>(k);
    for (let i = 0; i < k; i++) out[i] = this.at(this.count - k + i);
    return out;
  }

  getLatest(): T | undefined {
    return this.count ? this.at(this.count - 1) : undefined;
  }

  filter(pred: (item: T) => boolean): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count; i++) {
      const x = this.at(i);
      if (pred(x)) out.push(x);
    }
    return out;
  }

  /** Items whose text contains `needle` (case-sensitive, like the original). */
  findContaining(needle: string): T[] {
    return this.filter((x) => this.textOf(x).includes(needle));
  }

  /** Removes and returns the oldest item. */
  popFront(): T | undefined {
    if (!this.count) return undefined;
    const x = this.at(0);
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) % this.cap;
    this.count--;
    return x;
  }

  /** Removes and returns everything, oldest first. */
  drainAll(): T[] {
    const all = this.getAll();
    this.buf.fill(undefined);
    this.head = 0;
    this.count = 0;
    return all;
  }

  /** Every later push reaches `listener` in order; returns the unsubscribe function. */
  subscribe(listener: Listener<T>): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
