// The demo feed as a program of its own: a writer process like Factorio, so the reader sees exactly
// what it would see from the game. Per line it opens, appends and closes the path (as the game's
// write_file does); --keep-open holds it open and writes in batches (for benchmarks).
// Usage: node out/main/feed.js --path P [--rate N] [--lines N] [--seed S] [--items N]
//                              [--session-every N] [--keep-open]
import { appendFileSync, closeSync, openSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DemoFactory } from './factory';

const USAGE =
  'usage: feed --path P [--rate LINES_PER_S (0: as fast as possible)] [--lines N] [--seed S] [--items N] [--session-every CYCLES] [--keep-open]';

function numberArg(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) {
    console.error(`--${name} must be a number >= ${min} (got ${JSON.stringify(value)})\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

function main(): void {
  let values;
  try {
    values = parseArgs({
      options: {
        path: { type: 'string' },
        rate: { type: 'string' },
        lines: { type: 'string' },
        seed: { type: 'string' },
        items: { type: 'string' },
        'session-every': { type: 'string' },
        'keep-open': { type: 'boolean', default: false },
      },
    }).values;
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (!values.path) {
    console.error(`--path is required\n${USAGE}`);
    process.exit(2);
  }
  const path = values.path;
  const rate = numberArg('rate', values.rate, 0.5, 0);
  const total = numberArg('lines', values.lines, Infinity, 1);
  const factory = new DemoFactory({
    seed: numberArg('seed', values.seed, Date.now() % 2 ** 31, 0),
    items: numberArg('items', values.items, 20, 1),
    sessionEvery: numberArg('session-every', values['session-every'], 900, 0),
  });
  let written = 0;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  // Clearing the pacing timer lets the process exit at once instead of waiting out an interval.
  const stop = () => {
    stopping = true;
    clearInterval(timer);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  if (values['keep-open']) {
    const fd = openSync(path, 'a');
    const batch = rate === 0 ? 512 : 1;
    const writeBatch = () => {
      let text = '';
      for (let i = 0; i < batch && written < total; i++, written++) text += JSON.stringify(factory.next()) + '\n';
      writeSync(fd, text);
    };
    if (rate === 0) {
      while (written < total && !stopping) writeBatch();
      closeSync(fd);
      return;
    }
    timer = setInterval(() => {
      if (stopping || written >= total) {
        clearInterval(timer);
        closeSync(fd);
        return;
      }
      writeBatch();
    }, 1000 / rate);
    return;
  }

  const writeOne = () => {
    appendFileSync(path, JSON.stringify(factory.next()) + '\n');
    written++;
  };
  if (rate === 0) {
    while (written < total && !stopping) writeOne();
    return;
  }
  writeOne();
  timer = setInterval(() => {
    if (stopping || written >= total) return clearInterval(timer);
    writeOne();
  }, 1000 / rate);
}

main();
