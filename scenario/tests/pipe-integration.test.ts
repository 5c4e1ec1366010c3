// The scenario's real output through the dashboard's real pipe reader: lua5.2 plays the scenario
// under the Factorio double, writing script-output/events.pipe the way the game does (open,
// append, close per line), into a FIFO or a file that PipeService reads. Every line must be
// accepted, and the stats must carry the factory's rates.
import { spawn } from 'node:child_process';
import { lstatSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { noFifo, skipTitle, TOOLS, toolSkipReason } from '../../scripts/system-deps.mjs';
import { EventCache } from '../../src/main/lib/cache';
import { PipeService } from '../../src/main/pipe/service';
import { silentLogger } from '../../src/main/log';
import { ConfigSchema } from '../../src/shared/config';
import type { PipeEvent, SessionInit, Stats } from '../../src/shared/events';

const runner = join(dirname(fileURLToPath(import.meta.url)), 'run_scenario.lua');
const noLua = toolSkipReason('lua5.2');
const lua = TOOLS.find((t) => t.id === 'lua5.2')!.find();
const started: PipeService[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

function startPipe(mode: 'auto' | 'file') {
  const dir = mkdtempSync(join(tmpdir(), 'cr-scenario-'));
  const path = join(dir, 'events.pipe');
  const cache = new EventCache<PipeEvent>(10_000, (e) => e.line);
  const svc = new PipeService({
    path,
    config: { ...ConfigSchema.parse({}).pipe, mode, startAt: 'start' },
    dataDir: join(dir, 'data'),
    cache,
    logger: silentLogger(),
    statusChanged() {},
    push() {},
  });
  started.push(svc);
  return { dir, path, cache, svc };
}

/** Runs the scenario; resolves with everything it wrote to events.pipe (its own record). */
function playScenario(args: string[]): Promise<string> {
  if (!lua) throw new Error('lua5.2 is not on PATH: install the Debian packages lua5.2 and lua-busted');
  return new Promise((resolve, reject) => {
    const child = spawn(lua, [runner, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve((JSON.parse(out) as { text: string }).text) : reject(new Error(`run_scenario.lua exited ${code}: ${err}`))));
  });
}

// The factory of scenario/tests/helpers.lua, restated: every 6 ticks 1 iron-ore -> 1 iron-plate;
// every 30 ticks 2 iron-plate -> 1 gear; every 20 ticks 2 copper-cable; every 7 ticks 1 circuit.
function expectedRates(from: number, to: number) {
  const n = (k: number) => Math.floor(to / k) - Math.floor(from / k);
  const perMin = 3600 / (to - from);
  return {
    products_production: { 'iron-plate': n(6) * perMin, 'iron-gear-wheel': n(30) * perMin, 'copper-cable': 2 * n(20) * perMin, 'electronic-circuit': n(7) * perMin },
    materials_consumption: { 'iron-ore': n(6) * perMin, 'iron-plate': 2 * n(30) * perMin },
  };
}

async function check(cache: EventCache<PipeEvent>, svc: PipeService, written: string, opts: { ticks: number; restartAt: number }) {
  const lines = written.split('\n').slice(0, -1);
  await vi.waitFor(() => expect(cache.size()).toBe(lines.length), { timeout: 15_000, interval: 20 });
  expect(svc.counters()).toMatchObject({ linesRead: lines.length, accepted: lines.length, rejectedTotal: 0 });
  const events = cache.getAll();
  expect(events.map((e) => e.line)).toEqual(lines);

  const inits = events.filter((e) => e.event.type === 'session_init').map((e) => e.event as SessionInit);
  expect(inits.map((i) => i.tick)).toEqual([0, opts.restartAt + 1]);
  expect(new Set(inits.map((i) => i.session_id)).size).toBe(1);
  expect(inits[0].level_name).toBe('open_world');

  const stats = events.filter((e) => e.event.type === 'stats').map((e) => e.event as Stats);
  const cycles = opts.ticks / 120;
  expect(stats.map((s) => s.cycle)).toEqual(Array.from({ length: cycles }, (_, i) => i + 1));
  for (const s of stats) {
    expect(s.session_id).toBe(inits[0].session_id);
    expect(s.tick).toBe(s.cycle * 120);
    const want = expectedRates(s.tick - 120, s.tick);
    expect(s.products_production).toEqual(want.products_production);
    expect(s.materials_consumption).toEqual(want.materials_consumption);
  }
  // The scenario's other lines (queue results, logs) are kept as raw events, not rejected.
  expect(events.filter((e) => e.event.type === 'command_result')).toHaveLength(1);
}

describe.skipIf(noLua)(skipTitle('the scenario feeding the pipe reader', noLua), () => {
  it.skipIf(noFifo)(skipTitle('Factorio 2.0 output through a FIFO, across a server restart', noFifo), async () => {
    const { dir, path, cache, svc } = startPipe('auto');
    await svc.start();
    expect(lstatSync(path).isFIFO()).toBe(true);
    const written = await playScenario(['--api', '2.0', '--out', dir, '--ticks', '1200', '--restart-at', '610']);
    await check(cache, svc, written, { ticks: 1200, restartAt: 610 });
    expect(svc.counters().mode).toBe('fifo');
  });

  it('Factorio 1.1 output into a file the reader follows, across a server restart', async () => {
    const { dir, path, cache, svc } = startPipe('file');
    await svc.start();
    const written = await playScenario(['--api', '1.1', '--out', dir, '--ticks', '600', '--restart-at', '250']);
    expect(lstatSync(path).isFile()).toBe(true);
    await check(cache, svc, written, { ticks: 600, restartAt: 250 });
    expect(svc.counters().mode).toBe('file');
  });
});
