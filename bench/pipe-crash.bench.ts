// What a crash of the app costs in each pipe mode, measured, not assumed: a game-like writer
// (open, append, close per line, one line every 2 ms) writes 300 numbered lines while the reader
// (the app's PipeService in its own process) is killed with SIGKILL after ~100 and restarted
// 200 ms later. Figures per mode over RUNS runs: lines lost, lines read twice, and the writer's
// slowest single write beside the same writer appending to a plain file nobody reads (its ceiling).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const LINES = 300;
const here = join(import.meta.dirname);

const WRITER = `const fs = require('fs'); const [path, n] = process.argv.slice(1);
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
let max = 0;
for (let c = 1; c <= Number(n); c++) {
  const t = process.hrtime.bigint();
  fs.appendFileSync(path, JSON.stringify({ type: 'stats', session_id: 'crash', cycle: c, tick: c * 120, products_production: { 'iron-plate': c }, materials_consumption: {} }) + '\\n');
  max = Math.max(max, Number(process.hrtime.bigint() - t) / 1e6);
  sleep(2);
}
console.log(JSON.stringify({ maxWriteMs: max }));`;

interface Reader {
  proc: ChildProcess;
  cycles: number[];
  ready: Promise<void>;
}

function reader(path: string, dataDir: string, mode: 'fifo' | 'file'): Reader {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', join(here, '..', 'src', 'main', 'pipe', 'reader-process.ts'), path, dataDir, mode],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const cycles: number[] = [];
  let buf = '';
  const ready = new Promise<void>((resolve) => {
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line === 'ready') resolve();
        else if (line.startsWith('c ')) cycles.push(Number(line.slice(2)));
      }
    });
  });
  return { proc, cycles, ready };
}

function writer(path: string): { done: Promise<number> } {
  const w = spawn(process.execPath, ['-e', WRITER, path, String(LINES)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  w.stdout!.on('data', (d) => (out += d));
  return { done: new Promise((resolve) => w.on('exit', () => resolve(JSON.parse(out).maxWriteMs))) };
}

const until = async (cond: () => boolean, limitMs = 30_000) => {
  for (const end = Date.now() + limitMs; !cond() && Date.now() < end;) await new Promise((r) => setTimeout(r, 5));
};

async function run(mode: 'fifo' | 'file' | 'none') {
  const dir = mkdtempSync(join(tmpdir(), 'cr-bench-crash-'));
  const path = join(dir, 'events.pipe');
  if (mode === 'none') return { lost: 0, twice: 0, maxWriteMs: await writer(path).done };
  const data = join(dir, 'data');
  const first = reader(path, data, mode);
  await first.ready;
  const w = writer(path);
  await until(() => first.cycles.length >= 100);
  first.proc.kill('SIGKILL');
  await new Promise((r) => first.proc.once('exit', r));
  await new Promise((r) => setTimeout(r, 200));
  const second = reader(path, data, mode);
  await second.ready;
  const maxWriteMs = await w.done;
  // Quiet for a second after the writer finished: whatever is missing now is lost.
  let seen = -1;
  while (seen !== second.cycles.length) {
    seen = second.cycles.length;
    await new Promise((r) => setTimeout(r, 1000));
  }
  second.proc.kill('SIGTERM');
  await new Promise((r) => second.proc.once('exit', r));
  const all = [...first.cycles, ...second.cycles];
  const distinct = new Set(all).size;
  return { lost: LINES - distinct, twice: all.length - distinct, maxWriteMs };
}

let ceiling = 0;
console.log(`${RUNS} runs per mode, ${LINES} lines each, reader SIGKILLed after ~100 and restarted 200 ms later`);
for (const mode of ['none', 'file', 'fifo'] as const) {
  const results: Awaited<ReturnType<typeof run>>[] = [];
  for (let i = 0; i < RUNS; i++) results.push(await run(mode));
  const sum = (k: 'lost' | 'twice') => results.reduce((a, r) => a + r[k], 0);
  const worst = Math.max(...results.map((r) => r.maxWriteMs));
  const label = mode === 'none' ? 'no reader (ceiling)' : `${mode} mode`;
  console.log(
    `${label.padEnd(20)} lost ${String(sum('lost')).padStart(4)} / ${RUNS * LINES}   read twice ${String(sum('twice')).padStart(4)}   slowest write ${worst.toFixed(1)} ms`,
  );
  if (mode === 'none') ceiling = worst;
  else console.log(`${''.padEnd(20)} slowest write / ceiling: ${(worst / ceiling).toFixed(1)}x`);
}
