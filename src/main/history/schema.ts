// The on-disk layout of the production history (SQLite via libSQL's N-API build).
// Names and sessions are interned to small integers so a sample row is a few bytes.
// raw: one row per item present in a stats line; `lines` holds every line's tick, so an item
// absent from a line reads as 0 there. roll: per level (1 = minute, 2 = hour), per bucket of game
// time, per item: how many lines had it (k), and the sum, min and max of what they said;
// roll_n: how many lines fell in the bucket, so the mean and min count the absent ones as 0.
import Database from 'libsql';

export type Db = InstanceType<typeof Database>;

export const TICKS_PER_SECOND = 60;
/** Roll-up levels and their bucket width in ticks. */
export const LEVELS = { minute: { id: 1, ticks: 60 * 60 }, hour: { id: 2, ticks: 60 * 60 * 60 } } as const;

const DDL = `
CREATE TABLE IF NOT EXISTS sessions(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, level TEXT, first_tick INTEGER, last_tick INTEGER);
CREATE TABLE IF NOT EXISTS items(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS session_items(session INTEGER NOT NULL, item INTEGER NOT NULL, PRIMARY KEY(session, item)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lines(session INTEGER NOT NULL, tick INTEGER NOT NULL, PRIMARY KEY(session, tick)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS raw(session INTEGER NOT NULL, item INTEGER NOT NULL, tick INTEGER NOT NULL, p REAL NOT NULL, c REAL NOT NULL,
  PRIMARY KEY(session, item, tick)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS roll_n(level INTEGER NOT NULL, session INTEGER NOT NULL, bucket INTEGER NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY(level, session, bucket)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS roll(level INTEGER NOT NULL, session INTEGER NOT NULL, item INTEGER NOT NULL, bucket INTEGER NOT NULL,
  k INTEGER NOT NULL, p_sum REAL NOT NULL, p_min REAL NOT NULL, p_max REAL NOT NULL, c_sum REAL NOT NULL, c_min REAL NOT NULL, c_max REAL NOT NULL,
  PRIMARY KEY(level, session, item, bucket)) WITHOUT ROWID;
`;

export function openDb(path: string): Db {
  const db = new Database(path);
  // WAL with synchronous=NORMAL: a commit is in the OS's hands when it returns, so a killed
  // process loses nothing committed (only a power cut can lose the last commits).
  db.exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=2000;');
  db.exec(DDL);
  return db;
}

/** Bytes in pages that hold data (free pages are reused before the file grows). */
export function usedBytes(db: Db): number {
  return (scalar(db, 'PRAGMA page_count') - scalar(db, 'PRAGMA freelist_count')) * scalar(db, 'PRAGMA page_size');
}

/** The first column of the first row as a number (libSQL's pluck() still answers an object). */
export function scalar(db: Db, sql: string, ...params: unknown[]): number {
  const row = db.prepare(sql).raw().get(...params) as unknown[] | undefined;
  return row ? Number(row[0] ?? 0) : 0;
}
