// The production history on disk, beside the in-memory EventCache: every accepted stats line is
// kept as raw samples for recent hours and folded into minute and hour roll-ups for long ranges.
// Lines are gathered in memory and committed together every `flushMs` (≤ 1 s), so a killed
// process loses at most that much; the roll-ups of a flush are merged into the stored rows.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { HistoryAnswer, HistoryQuery, HistorySession, HistoryStatus } from '../../shared/history';
import type { PipeEvent, SessionInit, Stats } from '../../shared/events';
import { LEVELS, openDb, ROLL_STRIDE, scalar, usedBytes, type Db } from './schema';
import { queryHistory } from './query';
import { QueryWorker } from './worker-client';

export interface HistoryOptions {
  path: string;
  /** Gathered lines are committed this often (ms). */
  flushMs: number;
  /** Game hours of raw samples kept per session (behind its newest sample). */
  rawHours: number;
  /** Game hours of minute roll-ups kept per session; hour roll-ups are kept until the size bound. */
  minuteHours: number;
  /** The store's data stays under this; the oldest raw samples, then minutes, then hours go first. */
  maxBytes: number;
  /** Told after each commit (count of lines now on disk), and of a failed commit. */
  onFlush?: (written: number) => void;
  onError?: (e: unknown) => void;
}

interface SessionState {
  id: number | null;
  lastTick: number;
}

/** One bucket's sums for one item, gathered since the last flush. */
interface Agg {
  k: number;
  pSum: number;
  pMin: number;
  pMax: number;
  cSum: number;
  cMin: number;
  cMax: number;
}

interface PendingBucket {
  level: number;
  bucket: number;
  n: number;
  items: Map<string, Agg>;
}

const TICKS_PER_HOUR = 60 * 60 * 60;
/** Retention and the size bound are checked after a flush at most this often (ms). */
const PRUNE_EVERY_MS = 30_000;

export class HistoryStore {
  private readonly db: Db;
  private readonly sessions = new Map<string, SessionState>();
  private readonly items = new Map<string, number>();
  private readonly sessionItems = new Set<string>();
  private pendingLines: Stats[] = [];
  private readonly pendingLevels = new Map<string, string>();
  /** Per session, per roll-up bucket (keyed level * 1e12 + bucket): lines and per-item sums since the last flush. */
  private readonly pending = new Map<string, Map<number, PendingBucket>>();
  private timer: NodeJS.Timeout | null = null;
  private prunedAt = Date.now();
  /** Undoes in-memory interning of this flush if its transaction rolls back. */
  private fresh: (() => void)[] = [];
  written = 0;
  skipped = 0;
  lastError: string | null = null;
  private closed = false;
  private readonly worker = new QueryWorker(10_000);

  constructor(private readonly opts: HistoryOptions) {
    if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
    this.db = openDb(opts.path);
    for (const r of this.db.prepare('SELECT id, name FROM items').raw().all() as [number, string][]) this.items.set(r[1], r[0]);
    for (const r of this.db.prepare('SELECT id, name, last_tick FROM sessions').raw().all() as [number, string, number | null][]) this.sessions.set(r[1], { id: r[0], lastTick: r[2] ?? -1 });
    for (const r of this.db.prepare('SELECT session, item FROM session_items').raw().all() as [number, number][]) this.sessionItems.add(`${r[0]}|${r[1]}`);
    this.written = scalar(this.db, 'SELECT count(*) FROM raw');
  }

  /** The EventCache listener: takes stats and session_init, ignores the rest. Never throws. */
  readonly add = (e: PipeEvent): void => {
    const ev = e.event;
    if (ev.type === 'stats') this.addStats(ev as Stats);
    else if (ev.type === 'session_init') {
      const s = ev as SessionInit;
      this.pendingLevels.set(s.session_id, s.level_name);
      this.schedule();
    }
  };

  addStats(s: Stats): void {
    if (this.closed) return;
    let st = this.sessions.get(s.session_id);
    if (!st) this.sessions.set(s.session_id, (st = { id: null, lastTick: -1 }));
    // A reloaded save repeats ticks already kept: the first record stands, as in the chart.
    if (s.tick <= st.lastTick) {
      this.skipped++;
      return;
    }
    st.lastTick = s.tick;
    this.pendingLines.push(s);
    let buckets = this.pending.get(s.session_id);
    if (!buckets) this.pending.set(s.session_id, (buckets = new Map()));
    for (const level of [LEVELS.minute, LEVELS.hour]) {
      const bucket = Math.floor(s.tick / level.ticks);
      const key = level.id * 1e12 + bucket;
      let b = buckets.get(key);
      if (!b) buckets.set(key, (b = { level: level.id, bucket, n: 0, items: new Map() }));
      b.n++;
      const fold = (item: string) => {
        const p = s.products_production[item] ?? 0;
        const c = s.materials_consumption[item] ?? 0;
        const a = b.items.get(item);
        if (!a) b.items.set(item, { k: 1, pSum: p, pMin: p, pMax: p, cSum: c, cMin: c, cMax: c });
        else {
          a.k++;
          a.pSum += p;
          a.cSum += c;
          if (p < a.pMin) a.pMin = p;
          if (p > a.pMax) a.pMax = p;
          if (c < a.cMin) a.cMin = c;
          if (c > a.cMax) a.cMax = c;
        }
      };
      for (const item in s.products_production) fold(item);
      for (const item in s.materials_consumption) if (!(item in s.products_production)) fold(item);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, this.opts.flushMs);
  }

  private itemId(name: string): number {
    let id = this.items.get(name);
    if (id === undefined) {
      id = Number((this.db.prepare('INSERT INTO items(name) VALUES (?) ON CONFLICT(name) DO UPDATE SET name = name RETURNING id').raw().get(name) as unknown[])[0]);
      this.items.set(name, id);
      this.fresh.push(() => this.items.delete(name));
    }
    return id;
  }

  private sessionId(name: string): number {
    let st = this.sessions.get(name);
    if (!st) this.sessions.set(name, (st = { id: null, lastTick: -1 }));
    if (st.id === null) {
      const s = st;
      this.fresh.push(() => (s.id = null));
      st.id = Number((this.db.prepare('INSERT INTO sessions(name) VALUES (?) ON CONFLICT(name) DO UPDATE SET name = name RETURNING id').raw().get(name) as unknown[])[0]);
    }
    return st.id;
  }

  /** Commits everything gathered so far in one transaction. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.pendingLines.length && !this.pendingLevels.size) return;
    const lines = this.pendingLines;
    try {
      this.db.exec('BEGIN');
      const insRaw = this.db.prepare('INSERT OR REPLACE INTO raw(session, tick, data) VALUES (?, ?, ?)');
      const insSi = this.db.prepare('INSERT OR IGNORE INTO session_items(session, item) VALUES (?, ?)');
      for (const s of lines) {
        const sid = this.sessionId(s.session_id);
        const data: number[] = [];
        const put = (item: string) => {
          const iid = this.itemId(item);
          const key = `${sid}|${iid}`;
          if (!this.sessionItems.has(key)) {
            insSi.run(sid, iid);
            this.fresh.push(() => this.sessionItems.delete(key));
            this.sessionItems.add(key);
          }
          data.push(iid, s.products_production[item] ?? 0, s.materials_consumption[item] ?? 0);
        };
        for (const item in s.products_production) put(item);
        for (const item in s.materials_consumption) if (!(item in s.products_production)) put(item);
        insRaw.run(sid, s.tick, JSON.stringify(data));
      }
      const getRoll = this.db.prepare('SELECT n, data FROM roll WHERE level = ? AND session = ? AND bucket = ?').raw();
      const putRoll = this.db.prepare('INSERT OR REPLACE INTO roll(level, session, bucket, n, data) VALUES (?, ?, ?, ?, ?)');
      for (const [session, buckets] of this.pending) {
        const sid = this.sessionId(session);
        for (const b of buckets.values()) {
          // Merge this flush's sums into what the bucket already holds.
          const old = getRoll.get(b.level, sid, b.bucket) as [number, string] | undefined;
          const merged = new Map<number, number[]>();
          if (old) {
            const d = JSON.parse(old[1]) as number[];
            for (let i = 0; i < d.length; i += ROLL_STRIDE) merged.set(d[i], d.slice(i, i + ROLL_STRIDE));
          }
          for (const [item, a] of b.items) {
            const iid = this.itemId(item);
            const m = merged.get(iid);
            if (!m) merged.set(iid, [iid, a.k, a.pSum, a.pMin, a.pMax, a.cSum, a.cMin, a.cMax]);
            else merged.set(iid, [iid, m[1] + a.k, m[2] + a.pSum, Math.min(m[3], a.pMin), Math.max(m[4], a.pMax), m[5] + a.cSum, Math.min(m[6], a.cMin), Math.max(m[7], a.cMax)]);
          }
          putRoll.run(b.level, sid, b.bucket, (old?.[0] ?? 0) + b.n, JSON.stringify([...merged.values()].flat()));
        }
      }
      const setTick = this.db.prepare('UPDATE sessions SET first_tick = coalesce(first_tick, ?1), last_tick = max(coalesce(last_tick, -1), ?1) WHERE id = ?2');
      for (const s of lines) setTick.run(s.tick, this.sessionId(s.session_id));
      const setLevel = this.db.prepare('UPDATE sessions SET level = ? WHERE id = ?');
      for (const [session, level] of this.pendingLevels) setLevel.run(level, this.sessionId(session));
      this.db.exec('COMMIT');
      this.fresh = [];
      this.pendingLines = [];
      this.pending.clear();
      this.pendingLevels.clear();
      this.written += lines.length;
      this.lastError = null;
    } catch (e) {
      // Nothing gathered is dropped: the same lines are tried again at the next flush.
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      // Names interned inside the rolled-back transaction have no row any more.
      for (const undo of this.fresh.splice(0)) undo();
      this.lastError = (e as Error).message;
      this.opts.onError?.(e);
      this.schedule();
      return;
    }
    if (Date.now() - this.prunedAt >= PRUNE_EVERY_MS) this.prune();
    this.opts.onFlush?.(this.written);
  }

  /** Drops what is past its retention, then the oldest data while over the size bound. */
  prune(): void {
    this.prunedAt = Date.now();
    for (const [, st] of this.sessions) {
      if (st.id === null) continue;
      const rawFrom = st.lastTick - this.opts.rawHours * TICKS_PER_HOUR;
      const minFrom = Math.floor((st.lastTick - this.opts.minuteHours * TICKS_PER_HOUR) / LEVELS.minute.ticks);
      this.db.prepare('DELETE FROM raw WHERE session = ? AND tick < ?').run(st.id, rawFrom);
      this.db.prepare('DELETE FROM roll WHERE level = 1 AND session = ? AND bucket < ?').run(st.id, minFrom);
    }
    // Over the bound: a quarter of the oldest of the finest level left, a bounded number of times.
    for (let round = 0; round < 12 && usedBytes(this.db) > this.opts.maxBytes; round++) {
      if (scalar(this.db, 'SELECT count(*) FROM (SELECT 1 FROM raw LIMIT 1)') > 0) {
        const lo = scalar(this.db, 'SELECT min(tick) FROM raw');
        const hi = scalar(this.db, 'SELECT max(tick) FROM raw');
        this.db.prepare('DELETE FROM raw WHERE tick < ?').run(lo + Math.max(1, (hi - lo) / 4));
        continue;
      }
      const level = scalar(this.db, 'SELECT count(*) FROM (SELECT 1 FROM roll WHERE level = 1 LIMIT 1)') > 0 ? 1 : 2;
      const lo = scalar(this.db, 'SELECT min(bucket) FROM roll WHERE level = ?', level);
      const hi = scalar(this.db, 'SELECT max(bucket) FROM roll WHERE level = ?', level);
      this.db.prepare('DELETE FROM roll WHERE level = ? AND bucket < ?').run(level, lo + Math.max(1, (hi - lo) / 4));
    }
  }

  /** Answers on this thread: for tests and benchmarks; the app uses queryOffThread. */
  query(q: HistoryQuery): HistoryAnswer {
    this.flush();
    return queryHistory(this.db, q, this.sessions.get(q.session)?.id ?? null, this.items);
  }

  /** Answers from the query worker, so a long window never stalls the main event loop. */
  async queryOffThread(q: HistoryQuery): Promise<HistoryAnswer> {
    if (this.opts.path === ':memory:') return this.query(q);
    this.flush();
    const ids: [string, number][] = [];
    for (const name of q.items ?? this.items.keys()) {
      const id = this.items.get(name);
      if (id !== undefined) ids.push([name, id]);
    }
    return this.worker.run({ path: this.opts.path, query: q, sid: this.sessions.get(q.session)?.id ?? null, itemIds: ids });
  }

  sessionList(): HistorySession[] {
    this.flush();
    const rows = this.db.prepare('SELECT id, name, level, first_tick, last_tick FROM sessions ORDER BY id').raw().all() as [number, string, string | null, number | null, number | null][];
    const names = new Map([...this.items].map(([name, id]) => [id, name]));
    const itemsOf = this.db.prepare('SELECT item FROM session_items WHERE session = ?').raw();
    return rows.map(([sid, name, level, first, last]) => ({
      id: name,
      level,
      first: first === null ? null : first / 60,
      last: last === null ? null : last / 60,
      items: (itemsOf.all(sid) as [number][]).map((r) => names.get(r[0])!).sort(),
    }));
  }

  status(): HistoryStatus {
    return { path: this.opts.path, bytes: usedBytes(this.db), maxBytes: this.opts.maxBytes, written: this.written, skipped: this.skipped, pending: this.pendingLines.length, lastError: this.lastError };
  }

  /** Commits what is gathered and closes the database; later lines are ignored. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    void this.worker.close();
    this.db.close();
  }
}
