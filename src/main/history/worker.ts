// Runs history queries off the main event loop: a 1000 h window reads and decodes ~1,000 rows of
// every item, tens of milliseconds or more on a loaded machine (bench/history.bench.ts). It opens
// its own connection (WAL lets it read while main writes) and answers one request at a time.
import { parentPort } from 'node:worker_threads';
import type { HistoryQuery } from '../../shared/history';
import { queryHistory } from './query';
import { openDb, type Db } from './schema';

export interface WorkerRequest {
  id: number;
  path: string;
  query: HistoryQuery;
  sid: number | null;
  itemIds: [string, number][];
}

const dbs = new Map<string, Db>();
parentPort!.on('message', (m: WorkerRequest) => {
  try {
    let db = dbs.get(m.path);
    if (!db) dbs.set(m.path, (db = openDb(m.path)));
    parentPort!.postMessage({ id: m.id, answer: queryHistory(db, m.query, m.sid, new Map(m.itemIds)) });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: (e as Error).message });
  }
});
