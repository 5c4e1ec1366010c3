// The on-disk layout of the production history (SQLite via libSQL's N-API build).
// One row per stats line (raw) and one per roll-up bucket (roll), each holding every item of
// that line or bucket as a JSON array of numbers: reading a window costs one row per point, whatever the
// number of items, where a row per item cost ~50x as many rows (libSQL's per-row cost dominated
// the 1000 h query). Item and session names are interned to small integers.
// JSON rather than a Float64 BLOB: libsql 0.5.29 aborts the process when a Buffer is bound, and
// JSON text round-trips every double exactly and is shorter for rates written with 2 decimals.
// raw data: [item, p, c] per item present. roll data: [item, k, pSum, pMin, pMax, cSum, cMin, cMax]
// per item, k = lines of the bucket that had the item; `n` = lines in the bucket, so means and
// minimums count the lines without the item as 0. Levels: 1 = minute, 2 = hour buckets of game time.
import { createRequire } from 'node:module';
import type Database from 'libsql';

export type Db = InstanceType<typeof Database>;

/**
 * libSQL is loaded when the store opens, not when this module is imported: a platform without its
 * prebuilt binary then loses the history (an error in the log and in history.*), not the app.
 */
function loadLibsql(): typeof Database {
  return createRequire(import.meta.url)('libsql') as typeof Database;
}

export const TICKS_PER_SECOND = 60;
/** Roll-up levels and their bucket width in ticks. */
/** Numbers per item in a raw and in a roll blob. */
export const RAW_STRIDE = 3;
export const ROLL_STRIDE = 8;

export const LEVELS = { minute: { id: 1, ticks: 60 * 60 }, hour: { id: 2, ticks: 60 * 60 * 60 } } as const;

const DDL = `
CREATE TABLE IF NOT EXISTS sessions(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, level TEXT, first_tick INTEGER, last_tick INTEGER);
CREATE TABLE IF NOT EXISTS items(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS session_items(session INTEGER NOT NULL, item INTEGER NOT NULL, PRIMARY KEY(session, item)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS raw(session INTEGER NOT NULL, tick INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY(session, tick)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS roll(level INTEGER NOT NULL, session INTEGER NOT NULL, bucket INTEGER NOT NULL, n INTEGER NOT NULL, data TEXT NOT NULL,
  PRIMARY KEY(level, session, bucket)) WITHOUT ROWID;
`;

/**
 * Session columns for loads of earlier saves. On a live session: rewinds (earlier lines of play
 * archived so far), init_mark (`tick/cycle` of the session_init that caused the last
 * rewind, so the same line read again is not taken for another load). On an archived line of play:
 * parent (the session it was played in) and rewind_tick (the tick the game went back to).
 */
const BRANCH_COLUMNS = [
  ['rewinds', 'INTEGER NOT NULL DEFAULT 0'],
  ['init_mark', 'TEXT'],
  ['parent', 'INTEGER'],
  ['rewind_tick', 'INTEGER'],
] as const;

export function openDb(path: string): Db {
  const Libsql = loadLibsql();
  const db = new Libsql(path);
  // WAL with synchronous=NORMAL: a commit is in the OS's hands when it returns, so a killed
  // process loses nothing committed (only a power cut can lose the last commits).
  db.exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=2000;');
  db.exec(DDL);
  // Earlier lines of play (see branch.ts): added to a store written before they existed.
  const have = new Set((db.prepare('PRAGMA table_info(sessions)').raw().all() as unknown[][]).map((r) => String(r[1])));
  for (const [col, type] of BRANCH_COLUMNS)
    if (!have.has(col)) db.exec(`ALTER TABLE sessions ADD COLUMN ${col} ${type}`);
  return db;
}

/** Bytes in pages that hold data (free pages are reused before the file grows). */
export function usedBytes(db: Db): number {
  return (scalar(db, 'PRAGMA page_count') - scalar(db, 'PRAGMA freelist_count')) * scalar(db, 'PRAGMA page_size');
}

/** The first column of the first row as a number (libSQL's pluck() still answers an object). */
export function scalar(db: Db, sql: string, ...params: unknown[]): number {
  const row = db
    .prepare(sql)
    .raw()
    .get(...params) as unknown[] | undefined;
  return row ? Number(row[0] ?? 0) : 0;
}
