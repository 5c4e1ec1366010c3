/// <reference lib="dom" />
// View switching, in Chromium against headless mode with the demo feed running (so Production,
// Events and the status bar have live data): 20 switches round the navigation, each a click on the
// sidebar link, waited for until the view is shown and a frame has been painted. Figures:
// - long tasks (Performance API `longtask`) during the 20 switches: count over 50 ms, over 100 ms,
//   the longest;
// - click -> painted view time per switch, p50 and max;
// each beside the same-run ceiling: 20 switches between two views that show only their "off" card
// (Sessions and Discord, both services off), i.e. what the shell itself costs.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { launchChromium, startHeadless } from './browser-app';

const SWITCHES = 20;
const ORDER = ['production', 'events', 'sessions', 'discord', 'engine', 'slots', 'settings'];

const dir = mkdtempSync(join(tmpdir(), 'cr-bench-views-'));
writeFileSync(join(dir, 'config.json'), JSON.stringify({ web: { port: 0 } }));
// BENCH_OUT: another build's out/ folder (to measure a change before and after in the same minutes).
const { app, url } = await startHeadless({ dir, demo: true, outDir: process.env.BENCH_OUT });

const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
// tsx names arrow functions with a helper that does not exist inside the page.
await page.addInitScript('window.__name = (f) => f');
await page.goto(url);
await page.getByTestId('connection').and(page.locator('[data-state="open"]')).waitFor();
// Demo data on screen first, so Production draws real charts when it is switched to.
await page.locator('[data-testid^="readout-"]').first().waitFor({ timeout: 60_000 });

await page.evaluate(() => {
  const w = window as unknown as { bench: { longTasks: number[]; on: boolean } };
  w.bench = { longTasks: [], on: false };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (w.bench.on) w.bench.longTasks.push(e.duration);
  }).observe({ type: 'longtask' });
});

/** Clicks a view's link and resolves once it is shown and the frame after it has been painted. */
async function switchTo(p: Page, id: string): Promise<number> {
  return p.evaluate(async (view) => {
    const t0 = performance.now();
    (document.querySelector(`[data-testid="nav-${view}"]`) as HTMLElement).click();
    const shown = () => {
      const el = document.querySelector(`[data-testid="view-${view}"]`) as HTMLElement | null;
      return !!el && el.offsetParent !== null && !el.hidden;
    };
    for (let i = 0; i < 600 && !shown(); i++) await new Promise((r) => requestAnimationFrame(r));
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    return performance.now() - t0;
  }, id);
}

async function round(views: string[]): Promise<{ times: number[]; longTasks: number[] }> {
  // Let the previous round's work and any long task it left settle out of this one.
  await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
  await page.evaluate(() => {
    const b = (window as unknown as { bench: { longTasks: number[]; on: boolean } }).bench;
    b.longTasks = [];
    b.on = true;
  });
  const times: number[] = [];
  for (let i = 0; i < SWITCHES; i++) times.push(await switchTo(page, views[i % views.length]));
  await page.evaluate(() => new Promise((r) => setTimeout(r, 200)));
  const longTasks = await page.evaluate(() => {
    const b = (window as unknown as { bench: { longTasks: number[]; on: boolean } }).bench;
    b.on = false;
    return b.longTasks;
  });
  return { times, longTasks };
}

// BENCH_CPU=N slows the page's CPU N times (Chromium's throttling), like a loaded or slow machine.
if (process.env.BENCH_CPU)
  await (
    await page.context().newCDPSession(page)
  ).send('Emulation.setCPUThrottlingRate', { rate: Number(process.env.BENCH_CPU) });
// The first round is cold (every view's first mount in this page); the second is the same round again.
const cold = await round(ORDER.slice(1).concat(ORDER[0]));
const ceiling = await round(['sessions', 'discord']);
const all = await round(ORDER.slice(1).concat(ORDER[0]));
if (process.env.BENCH_VERBOSE)
  console.log(all.times.map((t, i) => `${ORDER[(i + 1) % ORDER.length]} ${t.toFixed(0)}`).join(', '));
// What staying on the Production view costs while the demo streams (live chart updates), no switching.
await switchTo(page, 'production');
await page.evaluate(() => new Promise((r) => setTimeout(r, 500)));
await page.evaluate(() => {
  const b = (window as unknown as { bench: { longTasks: number[]; on: boolean } }).bench;
  b.longTasks = [];
  b.on = true;
});
await page.evaluate(() => new Promise((r) => setTimeout(r, 5000)));
const staying = await page.evaluate(() => (window as unknown as { bench: { longTasks: number[] } }).bench.longTasks);
await browser.close();
app.kill('SIGTERM');

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const f1 = (x: number) => x.toFixed(1);
const summary = (r: { times: number[]; longTasks: number[] }) =>
  `long tasks > 50 ms: ${r.longTasks.length}, > 100 ms: ${r.longTasks.filter((d) => d > 100).length}, longest ${r.longTasks.length ? f1(Math.max(...r.longTasks)) : '0'} ms; switch p50 ${f1(pct(r.times, 50))} ms, max ${f1(Math.max(...r.times))} ms`;
console.log(
  `views: ${SWITCHES} switches round all ${ORDER.length} views (demo feed running), 1440x900${process.env.BENCH_CPU ? `, CPU slowed ${process.env.BENCH_CPU}x` : ''}`,
);
console.log(`  every view, first round (cold): ${summary(cold)}`);
console.log(`  every view, second round:       ${summary(all)}`);
console.log(`  ceiling, Sessions <-> Discord (both off): ${summary(ceiling)}`);
console.log(
  `  staying on Production for 5 s (live updates, no switch): long tasks > 50 ms: ${staying.length}, > 100 ms: ${staying.filter((d) => d > 100).length}, longest ${staying.length ? f1(Math.max(...staying)) : '0'} ms`,
);
console.log(
  `  ratio switch p50 ${(pct(all.times, 50) / pct(ceiling.times, 50)).toFixed(2)}, max ${(Math.max(...all.times) / Math.max(...ceiling.times)).toFixed(2)}`,
);
