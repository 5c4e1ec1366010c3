// A generated long history in the store's own layout, for benchmarks: hour roll-ups for `hours`,
// minute roll-ups for the newest 250 h and raw samples for the newest 10 h, as retention leaves
// them after that much play. Written with SQL directly (feeding 1.8M lines through the store
// would take most of an hour here).
import { LEVELS, openDb } from '../src/main/history/schema';

export interface Generated {
  /** Per item, per hour: the mean production written. */
  hourMeans: Float64Array[];
  lastTick: number;
}

export function generateHistory(
  path: string,
  session: string,
  items: string[],
  hours: number,
  rand: () => number,
): Generated {
  const db = openDb(path);
  const lastTick = hours * LEVELS.hour.ticks - 120;
  db.exec('BEGIN');
  db.prepare('INSERT INTO sessions(id, name, level, first_tick, last_tick) VALUES (1, ?, ?, 0, ?)').run(
    session,
    'nauvis',
    lastTick,
  );
  const insItem = db.prepare('INSERT INTO items(id, name) VALUES (?, ?)');
  const insSi = db.prepare('INSERT INTO session_items(session, item) VALUES (1, ?)');
  items.forEach((n, i) => (insItem.run(i + 1, n), insSi.run(i + 1)));
  const putRoll = db.prepare('INSERT INTO roll(level, session, bucket, n, data) VALUES (?, 1, ?, ?, ?)');
  const hourMeans = items.map(() => new Float64Array(hours));
  for (let b = 0; b < hours; b++) {
    const data: number[] = [];
    items.forEach((_, i) => {
      const p = Math.round(rand() * 100000) / 100;
      hourMeans[i][b] = p;
      data.push(i + 1, 1800, p * 1800, p / 2, p * 2, p * 900, 0, p);
    });
    putRoll.run(LEVELS.hour.id, b, 1800, JSON.stringify(data));
  }
  for (let b = Math.max(0, hours - 250) * 60; b < hours * 60; b++)
    putRoll.run(LEVELS.minute.id, b, 30, JSON.stringify(items.flatMap((_, i) => [i + 1, 30, 300, 5, 15, 150, 0, 10])));
  const insRaw = db.prepare('INSERT INTO raw(session, tick, data) VALUES (1, ?, ?)');
  for (let tick = Math.max(0, hours - 10) * LEVELS.hour.ticks; tick <= lastTick; tick += 120)
    insRaw.run(tick, JSON.stringify(items.flatMap((_, i) => [i + 1, 10.25, 5.5])));
  db.exec('COMMIT');
  db.close();
  return { hourMeans, lastTick };
}
