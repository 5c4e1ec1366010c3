// The production history on disk, beside the in-memory EventCache: every accepted stats line is
// kept as raw samples for recent hours and folded into minute and hour roll-ups for long ranges.
// Lines are gathered in memory and committed together every `flushMs` (≤ 1 s), so a killed
// process loses at most that much; the roll-ups of a flush are merged into the stored rows.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { HistoryAnswer, HistoryQuery, HistorySession, HistoryStatus } from '../../shared/history';
import type { PipeEvent, SessionInit, Stats } from '../../shared/events';
import { LEVELS, openDb, scalar, usedBytes, type Db } from './schema';
import { queryHistory } from './query';

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
/** Retention and the size bound are checked every this many flushes (cheap, but not free). */
const PRUNE_EVERY = 20;

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
  private flushes = 0;
  written = 0;
  skipped = 0;
  lastError: string | null = null;
  private closed = false;

  constructor(private readonly opts: HistoryOptions) {
    if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
    this.db = openDb(opts.path);
    for (const r of this.db.prepare('SELECT id, name FROM items').raw().all() as [number, string][]) this.items.set(r[1], r[0]);
    for (const r of this.db.prepare('SELECT id, name, last_tick FROM sessions').raw().all() as [number, string, number | null][]) this.sessions.set(r[1], { id: r[0], lastTick: r[2] ?? -1 });
    for (const r of this.db.prepare('SELECT session, item FROM session_items').raw().all() as [number, number][]) this.sessionItems.add(`${r[0]}|${r[1]}`);
    this.written = scalar(this.db, 'SELECT count(*) FROM lines');
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
    }
    return id;
  }

  private sessionId(name: string): number {
    let st = this.sessions.get(name);
    if (!st) this.sessions.set(name, (st = { id: null, lastTick: -1 }));
    if (st.id === null) st.id = Number((this.db.prepare('INSERT INTO sessions(name) VALUES (?) ON CONFLICT(name) DO UPDATE SET name = name RETURNING id').raw().get(name) as unknown[])[0]);
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
      const insLine = this.db.prepare('INSERT OR IGNORE INTO lines(session, tick) VALUES (?, ?)');
      const insRaw = this.db.prepare('INSERT OR REPLACE INTO raw(session, item, tick, p, c) VALUES (?, ?, ?, ?, ?)');
      const insSi = this.db.prepare('INSERT OR IGNORE INTO session_items(session, item) VALUES (?, ?)');
      const newSi: string[] = [];
      for (const s of lines) {
        const sid = this.sessionId(s.session_id);
        insLine.run(sid, s.tick);
        const put = (item: string) => {
          const iid = this.itemId(item);
          const key = `${sid}|${iid}`;
          if (!this.sessionItems.has(key)) {
            insSi.run(sid, iid);
            newSi.push(key);
            this.sessionItems.add(key);
          }
          insRaw.run(sid, iid, s.tick, s.products_production[item] ?? 0, s.materials_consumption[item] ?? 0);
        };
        for (const item in s.products_production) put(item);
        for (const item in s.materials_consumption) if (!(item in s.products_production)) put(item);
      }
      const upN = this.db.prepare('INSERT INTO roll_n(level, session, bucket, n) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n');
      const upAgg = this.db.prepare(
        `INSERT INTO roll(level, session, item, bucket, k, p_sum, p_min, p_max, c_sum, c_min, c_max) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET k = k + excluded.k, p_sum = p_sum + excluded.p_sum, p_min = min(p_min, excluded.p_min), p_max = max(p_max, excluded.p_max),
           c_sum = c_sum + excluded.c_sum, c_min = min(c_min, excluded.c_min), c_max = max(c_max, excluded.c_max)`,
      );
      for (const [session, buckets] of this.pending) {
        const sid = this.sessionId(session);
        for (const b of buckets.values()) {
          upN.run(b.level, sid, b.bucket, b.n);
          for (const [item, a] of b.items) upAgg.run(b.level, sid, this.itemId(item), b.bucket, a.k, a.pSum, a.pMin, a.pMax, a.cSum, a.cMin, a.cMax);
        }
      }
      const setTick = this.db.prepare('UPDATE sessions SET first_tick = coalesce(first_tick, ?1), last_tick = max(coalesce(last_tick, -1), ?1) WHERE id = ?2');
      for (const s of lines) setTick.run(s.tick, this.sessionId(s.session_id));
      const setLevel = this.db.prepare('UPDATE sessions SET level = ? WHERE id = ?');
      for (const [session, level] of this.pendingLevels) setLevel.run(level, this.sessionId(session));
      this.db.exec('COMMIT');
      this.pendingLines = [];
      this.pending.clear();
      this.pendingLevels.clear();
      this.written += lines.length;
      this.lastError = null;
    } catch (e) {
      // Nothing gathered is dropped: the same lines are tried again at the next flush.
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.lastError = (e as Error).message;
      this.opts.onError?.(e);
      this.schedule();
      return;
    }
    if (++this.flushes % PRUNE_EVERY === 0) this.prune();
    this.opts.onFlush?.(this.written);
  }

  /** Drops what is past its retention, then the oldest data while over the size bound. */
  prune(): void {
    for (const [, st] of this.sessions) {
      if (st.id === null) continue;
      const rawFrom = st.lastTick - this.opts.rawHours * TICKS_PER_HOUR;
      const minFrom = Math.floor((st.lastTick - this.opts.minuteHours * TICKS_PER_HOUR) / LEVELS.minute.ticks);
      this.db.prepare('DELETE FROM raw WHERE session = ? AND tick < ?').run(st.id, rawFrom);
      this.db.prepare('DELETE FROM lines WHERE session = ? AND tick < ?').run(st.id, rawFrom);
      this.db.prepare('DELETE FROM roll WHERE level = 1 AND session = ? AND bucket < ?').run(st.id, minFrom);
      this.db.prepare('DELETE FROM roll_n WHERE level = 1 AND session = ? AND bucket < ?').run(st.id, minFrom);
    }
    // Over the bound: a quarter of the oldest of the finest level left, a bounded number of times.
    for (let round = 0; round < 12 && usedBytes(this.db) > this.opts.maxBytes; round++) {
      if (scalar(this.db, 'SELECT count(*) FROM lines') > 0) {
        const lo = scalar(this.db, 'SELECT min(tick) FROM lines');
        const hi = scalar(this.db, 'SELECT max(tick) FROM lines');
        const cut = lo + Math.max(1, (hi - lo) / 4);
        this.db.prepare('DELETE FROM raw WHERE tick < ?').run(cut);
        this.db.prepare('DELETE FROM lines WHERE tick < ?').run(cut);
        continue;
      }
      const level = scalar(this.db, 'SELECT count(*) FROM roll_n WHERE level = 1') > 0 ? 1 : 2;
      const lo = scalar(this.db, 'SELECT min(bucket) FROM roll_n WHERE level = ?', level);
      const hi = scalar(this.db, 'SELECT max(bucket) FROM roll_n WHERE level = ?', level);
      const cut = lo + Math.max(1, (hi - lo) / 4);
      this.db.prepare('DELETE FROM roll WHERE level = ? AND bucket < ?').run(level, cut);
      this.db.prepare('DELETE FROM roll_n WHERE level = ? AND bucket < ?').run(level, cut);
    }
  }

  query(q: HistoryQuery): HistoryAnswer {
    this.flush();
    const st = this.sessions.get(q.session);
    return queryHistory(this.db, q, st?.id ?? null, this.items);
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
    this.db.close();
  }
}
