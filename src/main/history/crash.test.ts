// A SIGKILL loses at most what arrived within the last flush interval (≤ 1 s): lines the store
// announced as committed by its own timer are all there when the database is opened again.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, expect, it } from 'vitest';
import { HistoryStore } from './store';

const CHILD = join(import.meta.dirname, 'crash-child.fixture.ts');
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A writer process on a fresh store file, and a wait for a line it says. */
function writer() {
  const dir = mkdtempSync(join(tmpdir(), 'cr-history-kill-'));
  dirs.push(dir);
  const path = join(dir, 'history.db');
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path, '200'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  const said: string[] = [];
  let wake = () => {};
  createInterface({ input: child.stdout! }).on('line', (l) => {
    said.push(l);
    wake();
  });
  const heard = (pred: (l: string) => boolean) =>
    new Promise<void>((resolve, reject) => {
      const check = () =>
        said.some(pred) ? resolve() : child.exitCode !== null ? reject(new Error('the writer exited')) : undefined;
      wake = check;
      child.once('exit', check);
      check();
    });
  const kill = async () => {
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    expect(child.signalCode).toBe('SIGKILL');
  };
  return { path, child, heard, kill };
}

it('a SIGKILLed writer loses no line its flush timer committed', async () => {
  const { path, child, heard, kill } = writer();
  await heard((l) => l === 'ready');
  const lines = Array.from({ length: 500 }, (_, i) => ({
    type: 'stats',
    session_id: 'crash',
    cycle: i + 1,
    tick: (i + 1) * 120,
    products_production: { 'iron-plate': i + 0.25, gear: 2 * i },
    materials_consumption: { 'iron-ore': i / 4 },
  }));
  child.stdin!.write(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  await heard((l) => l === 'flushed 500');
  await kill();

  const store = new HistoryStore({ path, flushMs: 200, rawHours: 10, minuteHours: 250, maxBytes: 64 * 1024 * 1024 });
  try {
    const ans = store.query({ session: 'crash', items: ['iron-plate', 'gear', 'iron-ore'] });
    expect(ans.t).toHaveLength(500);
    expect(ans.series[0].p).toEqual(lines.map((l) => l.products_production['iron-plate']));
    expect(ans.series[1].p).toEqual(lines.map((l) => l.products_production.gear));
    expect(ans.series[2].c).toEqual(lines.map((l) => l.materials_consumption['iron-ore']));
    expect(store.query({ session: 'crash', items: ['gear'], maxPoints: 10 }).series[0].p[0]).toBe(
      lines.reduce((a, l) => a + l.products_production.gear, 0) / 500,
    );
  } finally {
    store.close();
  }
});

it('a load of an earlier save survives a SIGKILL, and the lines read again after it are not stored twice', async () => {
  const { path, child, heard, kill } = writer();
  await heard((l) => l === 'ready');
  const stat = (k: number, run: number) => ({
    type: 'stats',
    session_id: 'kill',
    cycle: k,
    tick: k * 120,
    products_production: { gear: run * 1000 + k },
    materials_consumption: { plate: run + k / 2 },
  });
  const load = {
    type: 'session_init',
    session_id: 'kill',
    tick: 200 * 120,
    level_name: 'nauvis',
    resumed: true,
    cycle: 200,
  };
  const sent = [
    ...Array.from({ length: 300 }, (_, i) => stat(i + 1, 1)),
    load,
    ...Array.from({ length: 60 }, (_, i) => stat(i + 201, 2)),
  ];
  child.stdin!.write(sent.map((l) => JSON.stringify(l)).join('\n') + '\n');
  await heard((l) => l === 'flushed 360');
  await kill();

  const store = new HistoryStore({ path, flushMs: 200, rawHours: 10, minuteHours: 250, maxBytes: 64 * 1024 * 1024 });
  try {
    // The pipe reads the last second again: the tail of what was sent, from before the load on.
    for (const l of sent.slice(290)) store.add({ seq: 0, receivedAt: 0, line: '', event: l as never });
    expect(store.skipped).toBe(70);
    const gear = (session: string) => store.query({ session, items: ['gear'] }).series[0].p;
    expect(gear('kill')).toEqual([
      ...Array.from({ length: 200 }, (_, i) => 1000 + i + 1),
      ...Array.from({ length: 60 }, (_, i) => 2000 + i + 201),
    ]);
    expect(gear('kill (before load 1)')).toEqual(Array.from({ length: 100 }, (_, i) => 1000 + i + 201));
  } finally {
    store.close();
  }
});
