// Lines built to break the reader (nesting thousands of levels deep) through the whole app: real
// FIFO and file, the real web transport and a WebSocket client that reads pushes and queries.
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { PipeCounters, Stats } from '../../shared/events';
import { ControlRoomApp } from '../app';
import { ConfigStore } from '../config';
import { silentLogger } from '../log';
import { SecretStore } from '../secrets';
import { WebServer } from '../transport/web';
import { runWriter, statsLine } from './writers.fixture';
import { notLinux, skipTitle } from '../../../scripts/system-deps.mjs';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const deepUnknown = `{"type":"blob","x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
const deepStats = `{"type":"stats","session_id":"s1","cycle":99,"tick":1,"products_production":{"a":1},"materials_consumption":{"b":${'{"c":'.repeat(25_000)}1${'}'.repeat(25_000)}}}`;

async function startApp(mode: 'fifo' | 'file') {
  const dir = mkdtempSync(join(tmpdir(), 'cr-hostile-'));
  const pipePath = join(dir, 'events.pipe');
  if (mode === 'fifo') execFileSync('mkfifo', [pipePath]);
  else writeFileSync(pipePath, '');
  const configPath = join(dir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({ dataDir: join(dir, 'data'), pipe: { path: pipePath, mode, startAt: 'start' } }),
  );
  const secrets = new SecretStore({}, dir);
  const store = new ConfigStore({ path: configPath, env: {}, secrets, appHome: dir, keepLastGood: false });
  store.load();
  const app = new ControlRoomApp({
    mode: 'headless',
    version: 't',
    configStore: store,
    secrets,
    logger: silentLogger(),
  });
  await app.start();
  cleanups.push(() => app.stop().then(() => undefined));
  const rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir);
  const server = new WebServer({
    host: '127.0.0.1',
    port: 0,
    allowedHosts: [],
    rendererDir,
    handlers: app.handlers,
    hub: app.hub,
    health: () => app.snapshot(),
    logger: silentLogger(),
  });
  const { port } = await server.listen();
  cleanups.push(() => server.close());
  const ws = await new Promise<WebSocket>((resolve, reject) => {
    const s = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { Authorization: `Bearer ${server.token}` } });
    s.on('open', () => resolve(s));
    s.on('error', reject);
  });
  cleanups.push(async () => void ws.close());
  const pushedCycles: number[] = [];
  const waiting = new Map<number, (r: unknown) => void>();
  let id = 0;
  ws.on('message', (d) => {
    const f = JSON.parse(d.toString()) as { id?: number; push?: string; payload?: unknown; result?: unknown };
    if (f.push === 'events') for (const e of f.payload as { event: Stats }[]) pushedCycles.push(e.event.cycle);
    else if (f.id !== undefined) waiting.get(f.id)?.(f.result);
  });
  const call = <T>(method: string, payload?: unknown) =>
    new Promise<T>((resolve) => {
      const myId = ++id;
      waiting.set(myId, (r) => resolve(r as T));
      ws.send(JSON.stringify({ id: myId, method, payload }));
    });
  await call('ui.ready');
  return { app, pipePath, call, pushedCycles };
}

describe.skipIf(notLinux)(skipTitle('hostile lines through the app', notLinux), () => {
  it.each(['file', 'fifo'] as const)(
    '%s mode: 5,000- and 25,000-level lines are rejected too_deep; the lines after them arrive, pushes and queries keep working',
    async (mode) => {
      const { pipePath, call, pushedCycles } = await startApp(mode);
      const lines = [statsLine(1), deepUnknown, statsLine(2), deepStats, statsLine(3)];
      // A writer process per line, as the game writes: open, append, close.
      if (mode === 'fifo') await runWriter('perLine', [pipePath, lines, 0]);
      else for (const l of lines) appendFileSync(pipePath, l + '\n');
      const counters = () => call<{ ok: true; value: PipeCounters }>('pipe.counters').then((r) => r.value);
      await vi.waitFor(async () => expect((await counters()).accepted).toBe(3), { timeout: 15_000, interval: 50 });
      const c = await counters();
      expect(c.rejected).toEqual({ too_deep: 2 });
      expect(c.linesRead).toBe(5);
      await vi.waitFor(() => expect(pushedCycles).toEqual([1, 2, 3]), { timeout: 15_000, interval: 50 });
      const q = await call<{ ok: true; value: { events: { event: Stats }[] } }>('pipe.query', {});
      expect(q.value.events.map((e) => e.event.cycle)).toEqual([1, 2, 3]);
      // Still reading: the next line after the attack arrives too, and the service is not in error.
      if (mode === 'fifo') await runWriter('perLine', [pipePath, [statsLine(4)], 0]);
      else appendFileSync(pipePath, statsLine(4) + '\n');
      await vi.waitFor(() => expect(pushedCycles).toEqual([1, 2, 3, 4]), { timeout: 15_000, interval: 50 });
      const status = await call<{ ok: true; value: { services: { pipe: { state: string } } } }>('status.get');
      expect(status.value.services.pipe.state).toBe('running');
    },
    60_000,
  );

  it('items named like Object members, __proto__ included, reach the page and queries intact', async () => {
    const { pipePath, call, pushedCycles } = await startApp('file');
    const names = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];
    const line = `{"type":"stats","session_id":"s1","cycle":1,"tick":120,"products_production":{${names.map((n, i) => `"${n}":${i + 1}`).join(',')}},"materials_consumption":{"__proto__":9}}`;
    appendFileSync(pipePath, line + '\n');
    await vi.waitFor(() => expect(pushedCycles).toEqual([1]), { timeout: 15_000, interval: 50 });
    const q = await call<{ ok: true; value: { events: { event: Stats }[] } }>('pipe.query', {});
    const e = q.value.events[0].event;
    expect(Object.keys(e.products_production)).toEqual(names);
    expect(Object.entries(e.materials_consumption)).toEqual([['__proto__', 9]]);
  }, 60_000);
});
