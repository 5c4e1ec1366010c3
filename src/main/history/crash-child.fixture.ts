// A process that keeps history as the app does, for the crash test: stats and session_init lines arrive on stdin,
// and every commit is announced on stdout as `flushed N`. It never flushes on its own accord
// beyond the store's timer, so what survives a SIGKILL is what the timer committed.
import { createInterface } from 'node:readline';
import { HistoryStore } from './store';

const [path, flushMs] = process.argv.slice(2);
const store = new HistoryStore({
  path: path!,
  flushMs: Number(flushMs),
  rawHours: 10,
  minuteHours: 250,
  maxBytes: 64 * 1024 * 1024,
  onFlush: (n) => process.stdout.write(`flushed ${n}\n`),
});
// Through the cache listener, as the app feeds it: stats and session_init lines alike.
createInterface({ input: process.stdin }).on('line', (line) =>
  store.add({ seq: 0, receivedAt: 0, line, event: JSON.parse(line) }),
);
process.stdout.write('ready\n');
