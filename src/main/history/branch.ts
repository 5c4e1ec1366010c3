// A load of an earlier save, on disk: what the session held from the rewind on (raw samples and
// roll-up contributions at ticks >= cut) becomes an archived line of play of its own, a session
// row with `parent` and `rewind_tick`, and the session continues from the load with what is
// really played. Runs inside the store's flush transaction.
import { LEVELS, type Db } from './schema';
import { parseRoll, putRoll, rollFromRaw, subtractRoll } from './rollup';

export interface Rewind {
  /** The live session and the archive's session row (both interned already). */
  sid: number;
  aid: number;
  /** Rows at ticks >= cut move to the archive. */
  cut: number;
  /** The tick the game went back to (shown as the archive's rewind point). */
  at: number;
  /** The session's count of rewinds after this one. */
  n: number;
}

const nullable = (db: Db, sql: string, ...params: unknown[]): number | null => {
  const v = (
    db
      .prepare(sql)
      .raw()
      .get(...params) as unknown[] | undefined
  )?.[0];
  return v === null || v === undefined ? null : Number(v);
};

export function archiveBranch(db: Db, { sid, aid, cut, at, n }: Rewind): void {
  const [level, firstTick, lastTick] = db
    .prepare('SELECT level, first_tick, last_tick FROM sessions WHERE id = ?')
    .raw()
    .get(sid) as [string | null, number | null, number | null];
  // Raw samples are pruned oldest first, so every line at or after rawMin is still there.
  const rawMin = nullable(db, 'SELECT min(tick) FROM raw WHERE session = ?', sid);
  db.prepare('UPDATE raw SET session = ? WHERE session = ? AND tick >= ?').run(aid, sid, cut);
  for (const lv of [LEVELS.minute, LEVELS.hour]) {
    const b = Math.floor(cut / lv.ticks);
    const start = b * lv.ticks;
    // Whole buckets at or after the cut move as they are.
    db.prepare('UPDATE roll SET session = ? WHERE level = ? AND session = ? AND bucket >= ?').run(
      aid,
      lv.id,
      sid,
      start === cut ? b : b + 1,
    );
    if (start === cut) continue;
    const row = db
      .prepare('SELECT n, data FROM roll WHERE level = ? AND session = ? AND bucket = ?')
      .raw()
      .get(lv.id, sid, b) as [number, string] | undefined;
    if (!row) continue;
    // The bucket straddles the cut: rebuilt from raw samples where they cover it. Where they
    // cover only the part after the cut, that part is rebuilt and subtracted from the stored
    // bucket; where they cover neither, the whole bucket stays with the session.
    const headCovered = rawMin !== null && rawMin <= Math.max(start, firstTick ?? start);
    const tailCovered = rawMin !== null && rawMin <= cut;
    if (!headCovered && !tailCovered) continue;
    const tail = rollFromRaw(db, aid, cut, start + lv.ticks - 1);
    const head = headCovered ? rollFromRaw(db, sid, start, cut - 1) : subtractRoll(parseRoll(row[0], row[1]), tail);
    putRoll(db, lv.id, sid, b, head);
    putRoll(db, lv.id, aid, b, tail);
  }
  const after = (sql: string, id: number) => nullable(db, sql, id);
  const aFirst = after('SELECT min(tick) FROM raw WHERE session = ?', aid) ?? Math.max(cut, firstTick ?? cut);
  db.prepare(
    'UPDATE sessions SET level = ?, first_tick = ?, last_tick = ?, parent = ?, rewind_tick = ? WHERE id = ?',
  ).run(level, aFirst, lastTick, sid, at, aid);
  db.prepare(
    'INSERT OR IGNORE INTO session_items(session, item) SELECT ?, item FROM session_items WHERE session = ?',
  ).run(aid, sid);
  // What the session holds now ends before the cut (nothing, if the save went back before its first line).
  const left = firstTick !== null && firstTick < cut;
  const sLast = left ? (after('SELECT max(tick) FROM raw WHERE session = ?', sid) ?? cut - 1) : null;
  db.prepare('UPDATE sessions SET first_tick = ?, last_tick = ?, rewinds = ? WHERE id = ?').run(
    left ? firstTick : null,
    sLast,
    n,
    sid,
  );
}
