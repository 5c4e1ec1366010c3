// A game that goes back in time (an earlier autosave loaded): a new W&B run that names the run it
// branched from, no line dropped, and a repeat delivered again (the pipe's at-least-once replay
// after a crash) neither sent twice nor taken for a rewind. Against the local W&B server.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PipeEvent, Stats } from '../../shared/events';
import {
  ev,
  init,
  makeService,
  range,
  resumed,
  startServer,
  stats,
  stopAllServices,
  stopServers,
} from './harness.fixture';
import type { StoredRun, WandbTestServer } from './server.fixture';

let server: WandbTestServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  await stopAllServices();
  await stopServers();
});

const waitFor = (fn: () => void) => vi.waitFor(fn, { timeout: 15_000, interval: 20 });

/** A stats line as the game writes it the first time (`a`) and after the reload, when play differs (`b`). */
const first = (c: number) => stats('s', c, { 'iron-plate': c * 10 }, { 'iron-ore': c });
const replayed = (c: number) => stats('s', c, { 'iron-plate': c * 10 + 1, gear: c }, { 'iron-ore': c });

/** What W&B should hold for a stats line, minus the two fields that depend on the wall clock. */
function expected(e: PipeEvent): Record<string, unknown> {
  const s = e.event as Stats;
  const out: Record<string, unknown> = { _step: s.cycle, tick: s.tick };
  for (const [k, v] of Object.entries(s.products_production)) out[`production/${k}`] = v;
  for (const [k, v] of Object.entries(s.materials_consumption)) out[`consumption/${k}`] = v;
  return out;
}
function stored(line: string): Record<string, unknown> {
  const { _runtime, _timestamp, ...rest } = JSON.parse(line) as Record<string, unknown>;
  expect(typeof _runtime).toBe('number');
  expect(typeof _timestamp).toBe('number');
  return rest;
}

/** The server's runs in the order the game played them (by the tick of their first line). */
function runsInPlayOrder(): StoredRun[] {
  const firstTick = (r: StoredRun) =>
    r.history.length ? (JSON.parse(r.history[0]) as { tick: number }).tick : Infinity;
  return [...server.runs.values()].sort((a, b) => firstTick(a) - firstTick(b));
}

/** Every run's lines, run after run, each stored exactly once. */
function allLines(runs: StoredRun[]): Record<string, unknown>[] {
  for (const r of runs)
    expect(
      r.writes.every((n) => n === 1),
      `${r.runId}: a line was stored twice`,
    ).toBe(true);
  return runs.flatMap((r) => r.history.map(stored));
}

const onlyStats = (events: PipeEvent[]) => events.filter((e) => e.event.type === 'stats');
/** The same line delivered again by a reader that started over (a new PipeEvent, same event). */
const again = (e: PipeEvent) => ev(e.event);

/** init, cycles 1..30, an autosave from cycle 12 loaded, cycles 13..25 played differently. */
const game = (reloadLine = true) => [
  init('s'),
  ...range(1, 30).map(first),
  ...(reloadLine ? [resumed('s', 12)] : []),
  ...range(13, 25).map(replayed),
];

describe('a game that goes back in time', () => {
  it('a reload to an earlier cycle yields two runs whose lines together equal everything written', async () => {
    const { svc, events } = makeService(server);
    await svc.start();
    const written = game();
    for (const e of written) events.push(e);
    await svc.stop();
    const runs = runsInPlayOrder();
    expect(runs).toHaveLength(2);
    expect(allLines(runs)).toEqual(onlyStats(written).map(expected));
    const [before, after] = runs;
    expect(after.config).toMatchObject({
      branched_from_run: { value: before.runId },
      rewound_from_cycle: { value: 30 },
      rewound_from_tick: { value: 3600 },
      loaded_cycle: { value: 12 },
      loaded_tick: { value: 1440 },
      parent_session_id: { value: 's' },
      session_id: { value: 's' },
    });
    expect(before.config.branched_from_run).toBeUndefined();
    expect([before.complete, after.complete]).toEqual([true, true]);
    // The Sessions view's data (the `wandb` push and `wandb.status`) lists both, the new one marked.
    const listed = svc.snapshot().runs;
    expect(listed.map((r) => r.runId)).toEqual([after.runId, before.runId]);
    expect(listed[0].branchedFrom).toEqual({
      runId: before.runId,
      displayName: before.displayName,
      fromCycle: 30,
      toCycle: 12,
    });
    expect(listed[1].branchedFrom).toBeNull();
    expect(svc.snapshot().skippedCycles).toBe(0);
  });

  it('stats that go back without a session_init (a reader that missed it) branch the same way', async () => {
    const { svc, events } = makeService(server);
    await svc.start();
    const written = game(false);
    for (const e of written) events.push(e);
    await svc.stop();
    const runs = runsInPlayOrder();
    expect(runs).toHaveLength(2);
    expect(allLines(runs)).toEqual(onlyStats(written).map(expected));
    expect(runs[1].config).toMatchObject({
      branched_from_run: { value: runs[0].runId },
      rewound_from_cycle: { value: 30 },
      loaded_cycle: { value: 12 },
    });
  });

  it('a reload that plays out exactly as before still starts the new run: no line is taken for a repeat', async () => {
    const { svc, events } = makeService(server);
    await svc.start();
    // A server with nobody on it replays an autosave tick for tick: the same lines come out.
    const written = [init('s'), ...range(1, 20).map(first), resumed('s', 8), ...range(9, 20).map(first)];
    for (const e of written) events.push(e);
    await svc.stop();
    const runs = runsInPlayOrder();
    expect(runs).toHaveLength(2);
    expect(allLines(runs)).toEqual(onlyStats(written).map(expected));
  });

  it('the same save loaded twice: each load branches from the run the game was in', async () => {
    const { svc, events } = makeService(server);
    await svc.start();
    const written = [
      init('s'),
      ...range(1, 10).map(first),
      resumed('s', 4),
      ...range(5, 9).map(replayed),
      resumed('s', 4),
      ...range(5, 7).map(first),
    ];
    for (const e of written) events.push(e);
    await svc.stop();
    const runs = runsInPlayOrder();
    expect(runs).toHaveLength(3);
    const [a, b, c] = [...server.runs.values()];
    expect(b.config).toMatchObject({
      branched_from_run: { value: a.runId },
      rewound_from_cycle: { value: 10 },
      loaded_cycle: { value: 4 },
    });
    expect(c.config).toMatchObject({
      branched_from_run: { value: b.runId },
      rewound_from_cycle: { value: 9 },
      loaded_cycle: { value: 4 },
    });
    expect(allLines([a, b, c])).toEqual(onlyStats(written).map(expected));
  });

  it('an earlier save loaded while the app was closed: the next start branches from the finished run', async () => {
    const a = makeService(server);
    await a.svc.start();
    const played = [init('s'), ...range(1, 10).map(first)];
    for (const e of played) a.events.push(e);
    await a.svc.stop();
    const b = makeService(server, { dataDir: a.dataDir });
    await b.svc.start();
    const reloaded = [resumed('s', 6), ...range(7, 9).map(replayed)];
    for (const e of reloaded) b.events.push(e);
    await b.svc.stop();
    const runs = runsInPlayOrder();
    expect(runs).toHaveLength(2);
    expect(allLines(runs)).toEqual(onlyStats([...played, ...reloaded]).map(expected));
    expect(runs[1].config).toMatchObject({
      branched_from_run: { value: runs[0].runId },
      rewound_from_cycle: { value: 10 },
      loaded_cycle: { value: 6 },
    });
  });

  it('an exact repeat of a line already sent is not sent again and opens no run; a changed one is a rewind', async () => {
    const { svc, events } = makeService(server);
    await svc.start();
    const written = [init('s'), ...range(1, 6).map(first)];
    for (const e of written) events.push(e);
    // Delivered again as they were (a reader that re-read them), and a session_init with no cycle.
    for (const e of [first(4), first(5), init('s', 240), first(6)]) events.push(e);
    await waitFor(() => expect(svc.snapshot().skippedCycles).toBe(3));
    expect(svc.snapshot().runs).toHaveLength(1);
    events.push(replayed(6));
    await svc.stop();
    const runs = runsInPlayOrder();
    expect(runs).toHaveLength(2);
    expect(allLines(runs)).toEqual([...onlyStats(written), replayed(6)].map(expected));
    expect(runs[1].config).toMatchObject({ rewound_from_cycle: { value: 6 }, loaded_cycle: { value: 5 } });
  });
});

describe('a crash in the middle of a rewind', () => {
  // `crashAfter`: how many of the game's lines the service had taken when it died; `replayFrom`:
  // where the pipe's at-least-once reading starts again after the restart (its last saved position).
  const cases = [
    { name: 'died in the new run, replay from the old run', crashAfter: 40, replayFrom: 27 },
    { name: 'died in the new run, replay from inside it', crashAfter: 40, replayFrom: 35 },
    { name: 'died just after the reload line, replay from the old run', crashAfter: 32, replayFrom: 28 },
    { name: 'died just after the reload line, replay from that line', crashAfter: 32, replayFrom: 31 },
    { name: 'died before the reload, replay from the old run', crashAfter: 31, replayFrom: 26 },
    {
      name: 'a reload seen only by its stats, died in the new run, replay from the old run',
      crashAfter: 38,
      replayFrom: 27,
      reloadLine: false,
    },
    {
      name: 'a reload seen only by its stats, died in the new run, replay from inside it',
      crashAfter: 38,
      replayFrom: 33,
      reloadLine: false,
    },
  ];
  it.each(cases)(
    '$name: nothing duplicated, nothing lost, one branch',
    async ({ crashAfter, replayFrom, reloadLine }) => {
      const written = game(reloadLine);
      expect(written[31].event).toMatchObject(
        reloadLine === false ? { type: 'stats', cycle: 13 } : { type: 'session_init', resumed: true },
      );
      const a = makeService(server, { finishTimeoutMs: 100 });
      await a.svc.start();
      for (const e of written.slice(0, crashAfter)) a.events.push(e);
      // Let part of it reach W&B first, so the restart meets runs W&B already holds.
      await waitFor(() =>
        expect([...server.runs.values()].reduce((n, r) => n + r.history.length, 0)).toBeGreaterThan(0),
      );
      // What a SIGKILL leaves: every journal write is synchronous, so a copy taken between two events
      // is the data folder as a killed process leaves it. W&B goes unreachable so the dying instance
      // cannot finish anything there; a request already in flight may still land (an answer lost).
      server.faults = Array.from({ length: 1000 }, () => ({ status: 503 }));
      const crashed = mkdtempSync(join(tmpdir(), 'cr-wandb-crash-'));
      cpSync(a.dataDir, crashed, { recursive: true });
      await a.svc.stop();
      server.faults = [];

      const b = makeService(server, { dataDir: crashed });
      await b.svc.start();
      for (const e of written.slice(replayFrom)) b.events.push(again(e));
      await b.svc.stop();
      const runs = runsInPlayOrder();
      expect(runs).toHaveLength(2);
      expect(allLines(runs)).toEqual(onlyStats(written).map(expected));
      expect(runs[1].config).toMatchObject({
        branched_from_run: { value: runs[0].runId },
        loaded_cycle: { value: 12 },
      });
      expect(runs.every((r) => r.complete)).toBe(true);
      expect(b.svc.snapshot().runs.map((r) => r.branchedFrom?.runId ?? null)).toEqual([runs[0].runId, null]);
    },
  );
});
