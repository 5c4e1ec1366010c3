// The relay's durable outbox: every event is appended here before any attempt to send it, and an
// ack record is appended once Discord accepted it (or refused it for good). On start the file is
// replayed: what has no ack is pending, in id order, and goes out once. Append-only JSON lines, so a
// crash mid-write loses at most the unfinished last line (dropped on open); the file is rewritten
// with only the pending events once enough acknowledged ones pile up.
import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface OutboxEvent {
  id: number;
  type: string;
  text: string;
  /** Epoch ms when the line was read. */
  at: number;
}

type Record_ = OutboxEvent | { ack: number; failed?: number[]; error?: string };

/** Acknowledged events kept in the file before it is rewritten without them. */
const COMPACT_AFTER = 5000;

export class Outbox {
  private fd: number;
  private lastId = 0;
  private readonly queue: OutboxEvent[] = [];
  private ackedSinceCompaction = 0;

  constructor(private readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.replay();
    this.fd = openSync(file, 'a');
    if (this.ackedSinceCompaction > 0 && this.queue.length < COMPACT_AFTER) this.compact();
  }

  /** Events not yet acknowledged, oldest first. Do not mutate. */
  get pending(): readonly OutboxEvent[] {
    return this.queue;
  }

  append(type: string, text: string, at = Date.now()): OutboxEvent {
    const e: OutboxEvent = { id: ++this.lastId, type, text, at };
    this.write(e);
    this.queue.push(e);
    return e;
  }

  /** The first `count` pending events are done: accepted, or (ids in `failed`) refused for good. */
  ack(count: number, failed: number[] = [], error?: string): OutboxEvent[] {
    const done = this.queue.splice(0, count);
    if (done.length === 0) return done;
    this.write(failed.length ? { ack: done[done.length - 1].id, failed, error } : { ack: done[done.length - 1].id });
    this.ackedSinceCompaction += done.length;
    if (this.ackedSinceCompaction >= COMPACT_AFTER) this.compact();
    return done;
  }

  close(): void {
    try {
      fsyncSync(this.fd);
    } catch {
      // best effort: the data is with the OS already
    }
    closeSync(this.fd);
  }

  private write(r: Record_): void {
    writeSync(this.fd, JSON.stringify(r) + '\n');
  }

  private replay(): void {
    if (!existsSync(this.file)) return;
    const buf = readFileSync(this.file);
    let text = buf.toString('utf8');
    const end = text.lastIndexOf('\n') + 1;
    if (end < text.length) {
      // A write cut short by a crash: drop it so the next record starts on its own line.
      const fd = openSync(this.file, 'r+');
      ftruncateSync(fd, Buffer.byteLength(text.slice(0, end)));
      closeSync(fd);
      text = text.slice(0, end);
    }
    const events = new Map<number, OutboxEvent>();
    let acked = 0;
    for (const line of text.split('\n')) {
      if (!line) continue;
      let r: Record_;
      try {
        r = JSON.parse(line) as Record_;
      } catch {
        continue;
      }
      if ('ack' in r) acked = Math.max(acked, r.ack);
      else if (typeof r.id === 'number') {
        events.set(r.id, r);
        this.lastId = Math.max(this.lastId, r.id);
      }
    }
    this.lastId = Math.max(this.lastId, acked);
    for (const e of [...events.values()].sort((a, b) => a.id - b.id)) {
      if (e.id > acked) this.queue.push(e);
      else this.ackedSinceCompaction++;
    }
  }

  /** Rewrites the file with only the pending events (atomically: temp file, then rename). */
  private compact(): void {
    const tmp = `${this.file}.tmp`;
    // The id counter must survive even when nothing is pending: keep an ack of the last id.
    const lines = [JSON.stringify({ ack: this.queue.length ? this.queue[0].id - 1 : this.lastId }), ...this.queue.map((e) => JSON.stringify(e))];
    writeFileSync(tmp, lines.join('\n') + '\n');
    closeSync(this.fd);
    renameSync(tmp, this.file);
    this.fd = openSync(this.file, 'a');
    this.ackedSinceCompaction = 0;
  }
}
