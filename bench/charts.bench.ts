/// <reference lib="dom" />
// Live charts under load, in Debian's Chromium against headless mode: 50 items x 2 h of stats
// history (3,600 lines) loaded, the window 'All' (drawn from the history store; BENCH_WINDOW=3600
// for the 1 h window drawn from memory), then 10 stats lines/s streamed for 30 s by a writer that opens,
// writes and closes per line. Figures, each beside a ceiling from the same run:
// - frame time p95 while streaming, beside the same page's frame time while idle;
// - long tasks (> 50 ms) while streaming, and the longest;
// - write -> number on screen latency, beside write -> the WebSocket message arriving in the page
//   (pipe, parse, push batching and transport; the difference is our store and rendering).
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { launchChromium, startHeadless } from './browser-app';
import { generateHistory } from './history-gen';

const ITEMS = 50;
const HISTORY = 3600;
const RATE = 10;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);

const dir = mkdtempSync(join(tmpdir(), 'cr-bench-charts-'));
// BENCH_HISTORY_HOURS: the session already has that much history on disk (generated), and the
// stats lines written here continue it.
const HISTORY_HOURS = Number(process.env.BENCH_HISTORY_HOURS ?? 0);
const TICK0 = HISTORY_HOURS * 216_000;
if (HISTORY_HOURS > 0) {
  let seed = 3;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  mkdirSync(join(dir, 'data'), { recursive: true });
  generateHistory(
    join(dir, 'data', 'history.db'),
    'bench',
    Array.from({ length: ITEMS }, (_, i) => `item-${String(i).padStart(2, '0')}`),
    HISTORY_HOURS,
    rand,
  );
}
const pipePath = join(dir, 'events.pipe');
writeFileSync(
  join(dir, 'config.json'),
  JSON.stringify({ web: { port: 0 }, pipe: { path: pipePath, capacity: 10_000 } }),
);
const { app, url } = await startHeadless({ dir, demo: false });

// item-00 is the largest, so it is among the default top 8 and has a readout.
let walk = Array.from({ length: ITEMS }, (_, i) => 100 + 10 * (ITEMS - i));
const line = (cycle: number, first?: number) => {
  walk = walk.map((v) => Math.max(1, v + (Math.random() - 0.5) * 8));
  const prod = Object.fromEntries(
    walk.map((v, i) => [`item-${String(i).padStart(2, '0')}`, Math.round(v * 100) / 100]),
  );
  if (first !== undefined) prod['item-00'] = first;
  const cons = Object.fromEntries(walk.map((v, i) => [`item-${String(i).padStart(2, '0')}`, Math.round(v * 90) / 100]));
  return JSON.stringify({
    type: 'stats',
    session_id: 'bench',
    cycle,
    tick: TICK0 + cycle * 120,
    products_production: prod,
    materials_consumption: cons,
  });
};
const now = () => performance.timeOrigin + performance.now();

/**
 * Where the long tasks' time goes, from the CPU profile: stretches of samples with no idle between
 * them longer than 50 ms, and per stretch the functions (with their callees) that took most of it,
 * leaving out React's and the scheduler's own frames that sit above everything.
 */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; lineNumber: number }; children?: number[] }[];
  samples?: number[];
  timeDeltas?: number[];
}

function printBusyStretches(profile: CpuProfile): void {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (id: number) =>
    `${nodes.get(id)!.callFrame.functionName || '(anonymous)'}:${nodes.get(id)!.callFrame.lineNumber}`;
  const frame =
    /^(\(root\)|\(program\)|performWork|renderRoot|workLoop|beginWork|performUnit|renderWithHooks|updateFunction|flush|commit|recursively)/;
  const stretches: { ms: number; samples: [number, number][] }[] = [];
  let cur: { ms: number; samples: [number, number][] } | null = null;
  const deltas = profile.timeDeltas ?? [];
  (profile.samples ?? []).forEach((id, i) => {
    const ms = (deltas[i + 1] ?? 0) / 1000;
    if (nodes.get(id)!.callFrame.functionName === '(idle)') {
      if (cur && cur.ms > 50) stretches.push(cur);
      cur = null;
      return;
    }
    cur ??= { ms: 0, samples: [] };
    cur.ms += ms;
    cur.samples.push([id, ms]);
  });
  console.log(
    `  profile: ${stretches.length} busy stretches > 50 ms; the longest, with the functions taking most of each:`,
  );
  for (const s of stretches.sort((a, b) => b.ms - a.ms).slice(0, 6)) {
    const total = new Map<string, number>();
    for (const [id, ms] of s.samples) {
      const seen = new Set<string>();
      for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
        const k = name(x);
        if (!seen.has(k) && !frame.test(k)) total.set(k, (total.get(k) ?? 0) + ms);
        seen.add(k);
      }
    }
    const top = [...total].sort((a, b) => b[1] - a[1]).slice(0, 6);
    console.log(`    ${s.ms.toFixed(0)} ms: ${top.map(([k, ms]) => `${k} ${ms.toFixed(0)}`).join(', ')}`);
  }
}

// The history, in one write (the reader is already there, so this returns once it is read).
const history = [JSON.stringify({ type: 'session_init', session_id: 'bench', tick: TICK0, level_name: 'bench' })];
for (let c = 1; c <= HISTORY; c++) history.push(line(c, 5000 + c));
appendFileSync(pipePath, history.join('\n') + '\n');

const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
// tsx names arrow functions with a helper that does not exist inside the page.
await page.addInitScript('window.__name = (f) => f');
// Arrival time in the page of each item-00 value, as the WebSocket message carrying it lands.
await page.addInitScript(`
  window.__wsSeen = {};
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        const at = performance.timeOrigin + performance.now();
        for (const m of String(e.data).matchAll(/"item-00":([0-9.]+)/g)) if (!(m[1] in window.__wsSeen)) window.__wsSeen[m[1]] = at;
      });
    }
  };
`);
await page.goto(url);
await page.getByTestId('readout-item-00').waitFor();
await page.waitForFunction(
  (v) => document.querySelector('[data-testid="readout-item-00"]')?.getAttribute('data-value') === String(v),
  5000 + HISTORY,
  { timeout: 30_000 },
);
// 'All': the chart is drawn from the history on disk (a query every 2 s while lines arrive).
await page.getByTestId(`window-${process.env.BENCH_WINDOW ?? '0'}`).click();

// In the page: frame deltas, long tasks, and when each readout value first showed.
await page.evaluate(() => {
  const w = window as unknown as {
    bench: { frames: number[]; longTasks: number[]; seen: Record<string, number>; on: boolean };
  };
  w.bench = { frames: [], longTasks: [], seen: {}, on: false };
  let last = performance.now();
  const tick = (t: number) => {
    if (w.bench.on) w.bench.frames.push(t - last);
    last = t;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (w.bench.on) w.bench.longTasks.push(e.duration);
  }).observe({ type: 'longtask' });
  const el = document.querySelector('[data-testid="readout-item-00"]')!;
  new MutationObserver(() => {
    const v = el.getAttribute('data-value');
    if (v && !(v in w.bench.seen)) w.bench.seen[v] = performance.timeOrigin + performance.now();
  }).observe(el, { attributes: true, attributeFilter: ['data-value'] });
});
const collect = () =>
  page.evaluate(
    () =>
      (window as unknown as { bench: { frames: number[]; longTasks: number[]; seen: Record<string, number> } }).bench,
  );
const setOn = (on: boolean) =>
  page.evaluate(
    (v) => ((window as unknown as { bench: { on: boolean; frames: number[]; longTasks: number[] } }).bench.on = v),
    on,
  );

// Idle ceiling: the same page, nothing streaming.
await setOn(true);
await page.waitForTimeout(5000);
await setOn(false);
const idle = await collect();
const idleFrames = [...idle.frames];
await page.evaluate(() => {
  const b = (window as unknown as { bench: { frames: number[]; longTasks: number[] } }).bench;
  b.frames = [];
  b.longTasks = [];
});

// Stream: RATE lines/s, each with a unique item-00 value; remember when each was written.
const written: Record<string, number> = {};
const cdp = process.env.BENCH_PROFILE ? await page.context().newCDPSession(page) : null;
if (cdp) {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.start');
}
await setOn(true);
for (let i = 1; i <= RATE * SECONDS; i++) {
  const value = 100_000 + i + 0.25;
  const l = line(HISTORY + i, value);
  written[String(value)] = now();
  appendFileSync(pipePath, l + '\n');
  await new Promise((r) => setTimeout(r, 1000 / RATE));
}
await page.waitForTimeout(500);
await setOn(false);
if (cdp) {
  const { profile } = await cdp.send('Profiler.stop');
  writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify(profile));
  printBusyStretches(profile as CpuProfile);
}
const live = await collect();
const wsSeen = await page.evaluate(() => (window as unknown as { __wsSeen: Record<string, number> }).__wsSeen);
await browser.close();
app.kill('SIGTERM');

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const readoutLatency: number[] = [];
const frameLatency: number[] = [];
for (const [value, at] of Object.entries(written)) {
  if (live.seen[value]) readoutLatency.push(live.seen[value] - at);
  if (wsSeen[value]) frameLatency.push(wsSeen[value] - at);
}
const f2 = (x: number) => x.toFixed(1);
console.log(
  `charts: ${ITEMS} items x ${HISTORY} stats lines (2 h of game time${HISTORY_HOURS ? `, after ${HISTORY_HOURS} h of generated history on disk` : ''}) loaded, then ${RATE} lines/s for ${SECONDS} s; window ${process.env.BENCH_WINDOW ?? '0 (all, from the history store)'}, 8 lines drawn`,
);
console.log(
  `  frame time p95 ${f2(pct(live.frames, 95))} ms (p50 ${f2(pct(live.frames, 50))}, ${live.frames.length} frames)   ceiling: idle page p95 ${f2(pct(idleFrames, 95))} ms (p50 ${f2(pct(idleFrames, 50))})   ratio ${(pct(live.frames, 95) / pct(idleFrames, 95)).toFixed(2)}`,
);
console.log(
  `  long tasks > 50 ms while streaming: ${live.longTasks.length}${live.longTasks.length ? `, longest ${f2(Math.max(...live.longTasks))} ms` : ''}   (idle: ${idle.longTasks.length})`,
);
console.log(
  `  write -> readout on screen: p50 ${f2(pct(readoutLatency, 50))} ms, p99 ${f2(pct(readoutLatency, 99))} ms (${readoutLatency.length} of ${Object.keys(written).length} values seen)`,
);
console.log(
  `  ceiling, write -> WebSocket message in the page: p50 ${f2(pct(frameLatency, 50))} ms, p99 ${f2(pct(frameLatency, 99))} ms   ratio p50 ${(pct(readoutLatency, 50) / pct(frameLatency, 50)).toFixed(2)}, p99 ${(pct(readoutLatency, 99) / pct(frameLatency, 99)).toFixed(2)}`,
);
