// The relay's durable outbox: every event is appended here before any attempt to send it, and an
// ack record is appended once Discord accepted it (or refused it for good). On start the file is
// replayed: what has no ack is pending, in id order, and goes out once. Append-only JSON lines, so a
// crash mid-write loses at most the unfinished last line (dropped on open); the file is rewritten
// with only the pending events once enough acknowledged ones pile up.
//
// The read position in each followed log is journaled here too, in the same write as the events
// read up to it: after any crash the journal holds a chunk's events and its position, or neither,
// so a restart neither repeats nor skips a line.
//
// A write that fails (disk full) never throws to the caller and never leaves a torn record behind:
// the file is cut back to its last whole record, the events stay pending in memory, the owner is
// told why, and every second the whole state (pending events, positions) is written afresh (temp
// file, then rename) until that works. Events held only in memory are counted and bounded: past
// MAX_UNJOURNALED `full` tells the owner to stop reading (what it has not read stays in the log).
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import type { FilePosition } from '../lib/tail';

export interface OutboxEvent {
  id: number;
  type: string;
  text: string;
  /** Epoch ms when the line was read. */
  at: number;
}

/** Where reading a log has got to; `log` is the log's path. */
interface PositionRecord {
  log: string;
  pos: FilePosition;
}

type Record_ = OutboxEvent | { ack: number; failed?: number[]; error?: string } | PositionRecord;

/** Acknowledged events kept in the file before it is rewritten without them. */
const COMPACT_AFTER = 5000;
/** Events held only in memory (the disk refused them) before the owner should stop reading. */
export const MAX_UNJOURNALED = 10_000;
const RETRY_MS = 1000;

/** Told when journal writes start failing (with the reason) and when they work again (null). */
export type JournalProblem = (reason: string | null) => void;

export class Outbox {
  private fd: number;
  private lastId = 0;
  private readonly queue: OutboxEvent[] = [];
  private readonly positions = new Map<string, FilePosition>();
  private ackedSinceCompaction = 0;
  /** File length up to the end of the last whole record. */
  private goodBytes = 0;
  private failing: string | null = null;
  private unjournaledEvents = 0;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly file: string,
    private readonly onProblem: JournalProblem = () => {},
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.replay();
    this.fd = openSync(file, 'a');
    this.goodBytes = fstatSync(this.fd).size;
    if (this.ackedSinceCompaction > 0 && this.queue.length < COMPACT_AFTER) this.tryCompact();
  }

  /** Events not yet acknowledged, oldest first. Do not mutate. */
  get pending(): readonly OutboxEvent[] {
    return this.queue;
  }

  /** Why journal writes fail, while they do. */
  get problem(): string | null {
    return this.failing;
  }

  /** Events accepted while the disk refused them: in memory only, until a rewrite succeeds. */
  get unjournaled(): number {
    return this.unjournaledEvents;
  }

  /** Too many events held only in memory: stop reading until the disk has room. */
  get full(): boolean {
    return this.unjournaledEvents >= MAX_UNJOURNALED;
  }

  /** The journaled (or, while writes fail, the latest) read position in `log`. */
  position(log: string): FilePosition | undefined {
    return this.positions.get(log);
  }

  append(type: string, text: string, at = Date.now()): OutboxEvent {
    return this.appendRead([{ type, text, at }])[0];
  }

  /** Events read from `at.log` up to `at.pos`, journaled in one write with that position. */
  appendRead(items: readonly Omit<OutboxEvent, 'id'>[], at?: PositionRecord): OutboxEvent[] {
    const events = items.map((i) => ({ id: ++this.lastId, type: i.type, text: i.text, at: i.at }));
    this.queue.push(...events);
    if (at) this.positions.set(at.log, at.pos);
    const records: Record_[] = at ? [...events, { log: at.log, pos: at.pos }] : events;
    if (records.length > 0 && !this.write(records)) this.unjournaledEvents += events.length;
    return events;
  }

  /** The first `count` pending events are done: accepted, or (ids in `failed`) refused for good. */
  ack(count: number, failed: number[] = [], error?: string): OutboxEvent[] {
    const done = this.queue.splice(0, count);
    if (done.length === 0) return done;
    // A lost ack (disk full) only means a re-send after a crash, never a lost event.
    this.write([failed.length ? { ack: done[done.length - 1].id, failed, error } : { ack: done[done.length - 1].id }]);
    this.ackedSinceCompaction += done.length;
    if (this.ackedSinceCompaction >= COMPACT_AFTER && this.failing === null) this.tryCompact();
    return done;
  }

  close(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    // One last try, so a disk that has room again by now keeps what memory holds.
    if (this.failing !== null) this.tryCompact();
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    try {
      fsyncSync(this.fd);
    } catch {
      // best effort: the data is with the OS already
    }
    closeSync(this.fd);
  }

  /** Appends records in one write; false when the disk refused (then the file is as it was). */
  private write(records: Record_[]): boolean {
    // After a failure nothing is appended: the next rewrite holds it all, in order.
    if (this.failing !== null) return false;
    const buf = Buffer.from(records.map((r) => JSON.stringify(r) + '\n').join(''));
    try {
      // A short write (disk filling mid-record) is continued; an error leaves the rest unwritten.
      for (let done = 0; done < buf.length;) done += writeSync(this.fd, buf, done, buf.length - done);
      this.goodBytes += buf.length;
      return true;
    } catch (e) {
      try {
        ftruncateSync(this.fd, this.goodBytes);
      } catch {
        // The torn tail is dropped on the next open (replay) or replaced by the rewrite.
      }
      this.fail(e as Error);
      return false;
    }
  }

  private fail(e: Error): void {
    const reason = `cannot write the outbox journal ${this.file}: ${(e as NodeJS.ErrnoException).code ?? e.message}`;
    if (this.failing !== reason) {
      this.failing = reason;
      this.onProblem(reason);
    }
    this.retry ??= setTimeout(() => {
      this.retry = null;
      this.tryCompact();
    }, RETRY_MS);
  }

  /** Rewrites the journal from memory; on failure keeps the old file and tries again later. */
  private tryCompact(): void {
    try {
      this.compact();
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    this.unjournaledEvents = 0;
    if (this.failing !== null) {
      this.failing = null;
      this.onProblem(null);
    }
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
      else if ('pos' in r) this.positions.set(r.log, r.pos);
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

  /** Rewrites the file with only the pending events and the positions (temp file, then rename). */
  private compact(): void {
    const tmp = `${this.file}.tmp`;
    // The id counter must survive even when nothing is pending: keep an ack of the last id.
    const lines = [
      JSON.stringify({ ack: this.queue.length ? this.queue[0].id - 1 : this.lastId }),
      ...this.queue.map((e) => JSON.stringify(e)),
      ...[...this.positions].map(([log, pos]) => JSON.stringify({ log, pos })),
    ];
    const text = lines.join('\n') + '\n';
    try {
      writeFileSync(tmp, text);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    renameSync(tmp, this.file);
    closeSync(this.fd);
    this.fd = openSync(this.file, 'a');
    this.goodBytes = Buffer.byteLength(text);
    this.ackedSinceCompaction = 0;
  }
}
