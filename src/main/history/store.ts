// The production history on disk, beside the in-memory EventCache: every accepted stats line is
// kept as raw samples for recent hours and folded into minute and hour roll-ups for long ranges.
// Lines are gathered in memory and committed together every `flushMs` (≤ 1 s), so a killed
// process loses at most that much; the roll-ups of a flush are merged into the stored rows.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { HistoryAnswer, HistoryQuery, HistorySession, HistoryStatus } from '../../shared/history';
import type { PipeEvent, SessionInit, Stats } from '../../shared/events';
import { LEVELS, openDb, RAW_STRIDE, scalar, usedBytes, type Db } from './schema';
import { archiveBranch } from './branch';
import { fold, writeRolls, type Buckets } from './rollup';
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
  /** Earlier lines of play archived for this session so far. */
  rewinds: number;
  /** `tick/cycle` of the session_init that caused the last rewind. */
  initMark: string | null;
  /** Known from disk and no new line since: lines read again after a crash may come first. */
  reread: boolean;
}

/** What a flush writes, in the order it happened. */
type Op =
  | { kind: 'line'; s: Stats }
  | { kind: 'rewind'; session: string; archive: string; cut: number; at: number; n: number; initMark: string | null };

const TICKS_PER_HOUR = 60 * 60 * 60;
/** Retention and the size bound are checked after a flush at most this often (ms). */
const PRUNE_EVERY_MS = 30_000;

/** A line's content, comparable with a stored one: items sorted, absent rates as 0. */
function contentOf(s: Stats): string {
  const items = new Set([...Object.keys(s.products_production), ...Object.keys(s.materials_consumption)]);
  return JSON.stringify(
    [...items].sort().map((i) => [i, s.products_production[i] ?? 0, s.materials_consumption[i] ?? 0]),
  );
}

export class HistoryStore {
  private readonly db: Db;
  private readonly sessions = new Map<string, SessionState>();
  private readonly items = new Map<string, number>();
  private readonly sessionItems = new Set<string>();
  private ops: Op[] = [];
  private pendingCount = 0;
  private readonly pendingLevels = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private prunedAt = Date.now();
  /** Undoes in-memory interning of this flush if its transaction rolls back. */
  private fresh: (() => void)[] = [];
  written = 0;
  /** Lines delivered again (same session, tick and content) and not stored twice. */
  skipped = 0;
  /** Loads of an earlier save that archived a line of play. */
  rewinds = 0;
  lastError: string | null = null;
  private closed = false;
  private readonly worker = new QueryWorker(10_000);

  constructor(private readonly opts: HistoryOptions) {
    if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
    this.db = openDb(opts.path);
    for (const r of this.db.prepare('SELECT id, name FROM items').raw().all() as [number, string][])
      this.items.set(r[1], r[0]);
    const rows = this.db.prepare('SELECT id, name, last_tick, rewinds, init_mark FROM sessions').raw().all() as [
      number,
      string,
      number | null,
      number,
      string | null,
    ][];
    for (const [id, name, last, rewinds, initMark] of rows)
      this.sessions.set(name, { id, lastTick: last ?? -1, rewinds, initMark, reread: true });
    for (const r of this.db.prepare('SELECT session, item FROM session_items').raw().all() as [number, number][])
      this.sessionItems.add(`${r[0]}|${r[1]}`);
    this.written = scalar(this.db, 'SELECT count(*) FROM raw');
  }

  /** The EventCache listener: takes stats and session_init, ignores the rest. Never throws. */
  readonly add = (e: PipeEvent): void => {
    const ev = e.event;
    if (ev.type === 'stats') this.addStats(ev as Stats);
    else if (ev.type === 'session_init') this.addInit(ev as SessionInit);
  };

  private state(name: string): SessionState {
    let st = this.sessions.get(name);
    if (!st) this.sessions.set(name, (st = { id: null, lastTick: -1, rewinds: 0, initMark: null, reread: false }));
    return st;
  }

  addInit(s: SessionInit): void {
    if (this.closed) return;
    this.pendingLevels.set(s.session_id, s.level_name);
    const st = this.sessions.get(s.session_id);
    // A save that holds less than was seen: an earlier save was loaded (as the chart and W&B read it;
    // a game that gives no cycle is read the same way, from the first stats line that differs).
    if (st && s.resumed && s.cycle !== undefined && st.lastTick >= 0) {
      const mark = `${s.tick}/${s.cycle}`;
      // The same session_init read again (the pipe re-reads after a crash) is no second load.
      if (mark !== st.initMark && s.tick < st.lastTick) {
        this.rewind(s.session_id, st, s.tick + 1, s.tick, mark);
        st.lastTick = s.tick;
      }
    }
    this.schedule();
  }

  addStats(s: Stats): void {
    if (this.closed) return;
    const st = this.state(s.session_id);
    let content: string | undefined;
    const holds = (session: string) => this.storedAt(session, s.tick) === (content ??= contentOf(s));
    // An exact repeat is skipped. Read again after a crash, a line may be from before the last
    // load: then it is already in that earlier line of play, whatever tick the game is at now.
    if (
      (s.tick <= st.lastTick && holds(s.session_id)) ||
      (st.reread && st.rewinds > 0 && holds(`${s.session_id} (before load ${st.rewinds})`))
    ) {
      this.skipped++;
      return;
    }
    // The same tick with other content: the game went back.
    if (s.tick <= st.lastTick) this.rewind(s.session_id, st, s.tick, s.tick, st.initMark);
    st.reread = false;
    st.lastTick = s.tick;
    this.ops.push({ kind: 'line', s });
    this.pendingCount++;
    this.schedule();
  }

  /** Archives the session's lines at ticks >= cut as its next earlier line of play. */
  private rewind(session: string, st: SessionState, cut: number, at: number, initMark: string | null): void {
    st.rewinds++;
    this.rewinds++;
    // A session of the game's own that happens to bear the name is never merged into (bounded: names are finite).
    while (this.sessions.has(`${session} (before load ${st.rewinds})`)) st.rewinds++;
    const archive = `${session} (before load ${st.rewinds})`;
    const a = this.state(archive);
    a.lastTick = Math.max(a.lastTick, st.lastTick);
    st.initMark = initMark;
    this.ops.push({ kind: 'rewind', session, archive, cut, at, n: st.rewinds, initMark });
  }

  /** The content stored (or waiting to be) for a session at a tick, or null. */
  private storedAt(session: string, tick: number): string | null {
    for (let i = this.ops.length - 1; i >= 0; i--) {
      const op = this.ops[i];
      if (op.kind === 'line' && op.s.session_id === session && op.s.tick === tick) return contentOf(op.s);
      if (op.kind === 'rewind' && op.session === session && op.cut <= tick) return null;
    }
    const sid = this.sessions.get(session)?.id;
    if (sid === null || sid === undefined) return null;
    const row = this.db.prepare('SELECT data FROM raw WHERE session = ? AND tick = ?').raw().get(sid, tick) as
      [string] | undefined;
    if (!row) return null;
    const names = new Map([...this.items].map(([name, id]) => [id, name]));
    const d = JSON.parse(row[0]) as number[];
    const out: [string, number, number][] = [];
    for (let i = 0; i < d.length; i += RAW_STRIDE) out.push([names.get(d[i]) ?? `#${d[i]}`, d[i + 1], d[i + 2]]);
    return JSON.stringify(out.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)));
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
      id = Number(
        (
          this.db
            .prepare('INSERT INTO items(name) VALUES (?) ON CONFLICT(name) DO UPDATE SET name = name RETURNING id')
            .raw()
            .get(name) as unknown[]
        )[0],
      );
      this.items.set(name, id);
      this.fresh.push(() => this.items.delete(name));
    }
    return id;
  }

  private sessionId(name: string): number {
    const st = this.state(name);
    if (st.id === null) {
      this.fresh.push(() => (st.id = null));
      st.id = Number(
        (
          this.db
            .prepare('INSERT INTO sessions(name) VALUES (?) ON CONFLICT(name) DO UPDATE SET name = name RETURNING id')
            .raw()
            .get(name) as unknown[]
        )[0],
      );
    }
    return st.id;
  }

  /** Commits everything gathered so far in one transaction, in the order it came. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.ops.length && !this.pendingLevels.size) return;
    const ops = this.ops;
    const lines = this.pendingCount;
    try {
      this.db.exec('BEGIN');
      const insRaw = this.db.prepare('INSERT OR REPLACE INTO raw(session, tick, data) VALUES (?, ?, ?)');
      const insSi = this.db.prepare('INSERT OR IGNORE INTO session_items(session, item) VALUES (?, ?)');
      // Lines come in tick order per session (a rewind first moves what is at or after its tick).
      const setTick = this.db.prepare(
        'UPDATE sessions SET first_tick = min(coalesce(first_tick, ?1), ?1), last_tick = ?1 WHERE id = ?2',
      );
      const setLevel = this.db.prepare('UPDATE sessions SET level = ? WHERE id = ?');
      // A session's level is known before its first rewind copies it to the archive.
      for (const [session, level] of this.pendingLevels) setLevel.run(level, this.sessionId(session));
      const buckets = new Map<string, Buckets>();
      const writeBuckets = () => {
        for (const [session, b] of buckets) writeRolls(this.db, this.sessionId(session), b, (n) => this.itemId(n));
        buckets.clear();
      };
      for (const op of ops) {
        if (op.kind === 'rewind') {
          writeBuckets();
          const sid = this.sessionId(op.session);
          archiveBranch(this.db, { sid, aid: this.sessionId(op.archive), cut: op.cut, at: op.at, n: op.n });
          this.db.prepare('UPDATE sessions SET init_mark = ? WHERE id = ?').run(op.initMark, sid);
          continue;
        }
        const s = op.s;
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
        setTick.run(s.tick, sid);
        let b = buckets.get(s.session_id);
        if (!b) buckets.set(s.session_id, (b = new Map()));
        fold(b, s);
      }
      writeBuckets();
      this.db.exec('COMMIT');
      this.fresh = [];
      this.ops = [];
      this.pendingCount = 0;
      this.pendingLevels.clear();
      this.written += lines;
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
    return this.worker.run({
      path: this.opts.path,
      query: q,
      sid: this.sessions.get(q.session)?.id ?? null,
      itemIds: ids,
    });
  }

  /** Oldest first; a session's earlier lines of play just before it, so the newest listed is one being played. */
  sessionList(): HistorySession[] {
    this.flush();
    const rows = this.db
      .prepare(
        'SELECT s.id, s.name, s.level, s.first_tick, s.last_tick, p.name, s.rewind_tick FROM sessions s LEFT JOIN sessions p ON p.id = s.parent ORDER BY coalesce(s.parent, s.id), s.parent IS NULL, s.id',
      )
      .raw()
      .all() as [number, string, string | null, number | null, number | null, string | null, number | null][];
    const names = new Map([...this.items].map(([name, id]) => [id, name]));
    const itemsOf = this.db.prepare('SELECT item FROM session_items WHERE session = ?').raw();
    return rows.map(([sid, name, level, first, last, parent, rewindTick]) => ({
      id: name,
      level,
      first: first === null ? null : first / 60,
      last: last === null ? null : last / 60,
      items: (itemsOf.all(sid) as [number][]).map((r) => names.get(r[0])!).sort(),
      // An earlier line of play: the session it was played in, and the game time the load went back to.
      ...(parent !== null && rewindTick !== null ? { parent, rewoundAt: rewindTick / 60 } : {}),
    }));
  }

  status(): HistoryStatus {
    return {
      path: this.opts.path,
      bytes: usedBytes(this.db),
      maxBytes: this.opts.maxBytes,
      written: this.written,
      skipped: this.skipped,
      pending: this.pendingCount,
      lastError: this.lastError,
    };
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
