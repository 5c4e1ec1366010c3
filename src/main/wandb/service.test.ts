// The session manager against a local server speaking W&B's protocol, failures included.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WandbStatus } from '../../shared/api';
import { ConfigSchema } from '../../shared/config';
import type { PipeEvent } from '../../shared/events';
import { silentLogger } from '../log';
import { EventCache } from '../lib/cache';
import { WandbService } from './service';
import { WandbTestServer } from './server.fixture';

let server: WandbTestServer;
let seq = 0;
const services: WandbService[] = [];

beforeEach(async () => {
  server = new WandbTestServer();
  await server.start();
});
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.stop()));
  await server.stop();
});

const ev = (event: PipeEvent['event']): PipeEvent => ({
  seq: ++seq,
  receivedAt: Date.now(),
  line: JSON.stringify(event),
  event,
});
const init = (session: string, tick = 0) =>
  ev({ type: 'session_init', session_id: session, tick, level_name: 'open_world' });
const stats = (session: string, cycle: number) =>
  ev({
    type: 'stats',
    session_id: session,
    cycle,
    tick: cycle * 120,
    products_production: { 'iron-plate': cycle * 10 },
    materials_consumption: { 'iron-ore': cycle },
  });

function make(
  opts: {
    dataDir?: string;
    apiKey?: string | undefined;
    mode?: 'online' | 'offline';
    finishTimeoutMs?: number;
    baseUrl?: string;
  } = {},
) {
  const events = new EventCache<PipeEvent>(1000, (e) => e.line);
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'cr-wandb-'));
  const pushes: WandbStatus[] = [];
  const svc = new WandbService({
    config: {
      ...ConfigSchema.parse({}).wandb,
      enabled: true,
      baseUrl: opts.baseUrl ?? server.url,
      mode: opts.mode ?? 'online',
      flushSeconds: 0.05,
    },
    dataDir,
    apiKey: 'apiKey' in opts ? opts.apiKey : 'test-key',
    events,
    logger: silentLogger(),
    statusChanged() {},
    push: (name, p) => name === 'wandb' && pushes.push(p as WandbStatus),
    retryBaseMs: 20,
    retryMaxMs: 100,
    finishTimeoutMs: opts.finishTimeoutMs ?? 5000,
  });
  services.push(svc);
  return { svc, events, dataDir, pushes };
}

const steps = (runId: string) => server.run(runId)!.history.map((l) => JSON.parse(l)._step);
const waitFor = (fn: () => void) => vi.waitFor(fn, { timeout: 10_000, interval: 20 });

describe('WandbService', () => {
  it('one run per session: metrics at step = cycle, config and summary metadata, finished on stop', async () => {
    const { svc, events } = make();
    await svc.start();
    events.push(init('sess-a', 0));
    for (let c = 1; c <= 10; c++) events.push(stats('sess-a', c));
    const runId = svc.snapshot().active!.runId;
    await waitFor(() => expect(server.run(runId)?.history).toHaveLength(10));
    const run = server.run(runId)!;
    expect(run.displayName).toMatch(/^sess-a_[0-9a-z]{4}$/);
    expect(run.entity).toBe('factorio-team');
    expect(run.project).toBe('factorio-experiments');
    expect(run.config).toEqual({
      session_id: { value: 'sess-a' },
      level_name: { value: 'open_world' },
      start_tick: { value: 0 },
    });
    expect(JSON.parse(run.history[2])).toMatchObject({
      _step: 3,
      tick: 360,
      'production/iron-plate': 30,
      'consumption/iron-ore': 3,
    });
    expect(run.summary).toMatchObject({ session_id: 'sess-a', level_name: 'open_world', start_tick: 0, _step: 10 });
    expect(run.complete).toBe(false);
    // The server stores before it answers: wait for the service to have read the answer.
    await waitFor(() =>
      expect(svc.snapshot().active).toMatchObject({
        state: 'active',
        lastStep: 10,
        linesAcked: 10,
        url: `${server.url}/factorio-team/factorio-experiments/runs/${runId}`,
      }),
    );
    // Far fewer requests than lines: lines are gathered per flush.
    expect(server.fileStreamRequests).toBeLessThan(10);
    await svc.stop();
    expect(run.complete).toBe(true);
    expect(run.exitCode).toBe(0);
  });

  it('stats before any session_init start a run (auto-recovery); a new session finishes it and switches', async () => {
    const { svc, events } = make();
    await svc.start();
    events.push(stats('first', 5));
    const first = svc.snapshot().active!.runId;
    events.push(stats('first', 6));
    events.push(stats('second', 1));
    const second = svc.snapshot().active!.runId;
    expect(second).not.toBe(first);
    events.push(init('third'));
    await waitFor(() => expect(server.run(first)?.complete).toBe(true));
    await waitFor(() => expect(server.run(second)?.complete).toBe(true));
    expect(steps(first)).toEqual([5, 6]);
    expect(server.run(first)!.config.start_tick).toEqual({ value: 600 });
    expect(steps(second)).toEqual([1]);
  });

  it('a cycle that does not increase is not sent, but counted; a repeated session_init keeps the run', async () => {
    const { svc, events } = make();
    await svc.start();
    events.push(init('s'));
    events.push(stats('s', 1));
    events.push(stats('s', 2));
    events.push(stats('s', 2));
    events.push(init('s', 240));
    events.push(stats('s', 1));
    events.push(stats('s', 3));
    const runId = svc.snapshot().active!.runId;
    await svc.stop();
    expect(steps(runId)).toEqual([1, 2, 3]);
    expect(svc.snapshot().skippedCycles).toBe(2);
    expect(server.runs.size).toBe(1);
  });

  it('503 bursts, 429 with Retry-After and dropped connections: history complete, in order, no duplicate steps', async () => {
    const { svc, events } = make();
    await svc.start();
    events.push(init('flaky'));
    const runId = svc.snapshot().active!.runId;
    for (let round = 0; round < 6; round++) {
      server.faults.push({ status: 503 }, { drop: true }, { status: 502 }, { status: 429, retryAfterSeconds: 0 });
      for (let c = round * 20 + 1; c <= round * 20 + 20; c++) events.push(stats('flaky', c));
      await new Promise((r) => setTimeout(r, 60));
    }
    await svc.stop();
    const got = steps(runId);
    expect(got).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(server.run(runId)!.complete).toBe(true);
    expect(server.faults).toEqual([]);
  });

  it('a refused key is not retried: the run is failed with a clear reason and its journal kept', async () => {
    const { svc, events, dataDir } = make({ apiKey: 'wrong-key' });
    await svc.start();
    events.push(init('nokey'));
    for (let c = 1; c <= 5; c++) events.push(stats('nokey', c));
    const runId = svc.snapshot().active!.runId;
    await waitFor(() => expect(svc.snapshot().active!.state).toBe('failed'));
    const requests = server.requests;
    await new Promise((r) => setTimeout(r, 300));
    expect(server.requests).toBe(requests);
    expect(svc.snapshot().active!.failure).toBe('W&B rejected the API key (401)');
    expect(svc.status()).toMatchObject({ state: 'degraded' });
    expect(svc.status().summary).toContain('W&B rejected the API key');
    const journal = readFileSync(join(dataDir, 'wandb', 'runs', runId, 'history.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(journal.map((l) => JSON.parse(l)._step)).toEqual([1, 2, 3, 4, 5]);
  });

  it('lines left unsent at stop (server down) are sent, exactly once, by the next start', async () => {
    const a = make({ finishTimeoutMs: 200 });
    await a.svc.start();
    a.events.push(init('resume'));
    for (let c = 1; c <= 4; c++) a.events.push(stats('resume', c));
    const runId = a.svc.snapshot().active!.runId;
    await waitFor(() => expect(server.run(runId)?.history).toHaveLength(4));
    server.faults = Array.from({ length: 1000 }, () => ({ status: 503 }));
    for (let c = 5; c <= 9; c++) a.events.push(stats('resume', c));
    await a.svc.stop();
    expect(steps(runId)).toEqual([1, 2, 3, 4]);
    expect(server.run(runId)!.complete).toBe(false);

    server.faults = [];
    const b = make({ dataDir: a.dataDir });
    await b.svc.start();
    await waitFor(() => expect(server.run(runId)?.complete).toBe(true));
    expect(steps(runId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await waitFor(() => expect(b.svc.snapshot().runs[0]).toMatchObject({ runId, state: 'finished', linesAcked: 9 }));
  });

  it('offline runs stay in the journal until Sync uploads them', async () => {
    const { svc, events, dataDir } = make({ mode: 'offline' });
    await svc.start();
    events.push(init('off'));
    for (let c = 1; c <= 3; c++) events.push(stats('off', c));
    events.push(init('off-2'));
    events.push(stats('off-2', 1));
    await new Promise((r) => setTimeout(r, 200));
    expect(server.requests).toBe(0);
    expect(svc.snapshot().mode).toBe('offline');
    const first = svc.snapshot().runs.find((r) => r.sessionId === 'off')!;
    const second = svc.snapshot().runs.find((r) => r.sessionId === 'off-2')!;
    expect(first).toMatchObject({ state: 'offline', linesJournaled: 3, linesAcked: 0 });
    expect(await svc.sync()).toEqual({ runs: 1 });
    expect(steps(first.runId)).toEqual([1, 2, 3]);
    expect(server.run(first.runId)!.complete).toBe(true);
    expect(server.run(second.runId)).toBeUndefined();
    expect(existsSync(join(dataDir, 'wandb', 'runs', second.runId, 'history.jsonl'))).toBe(true);
  });

  it('without an API key: offline, and Sync says why it cannot upload', async () => {
    const { svc } = make({ apiKey: undefined });
    await svc.start();
    expect(svc.snapshot().mode).toBe('offline');
    expect(svc.status().summary).toContain('no API key');
    await expect(svc.sync()).rejects.toThrow('no W&B API key');
  });
});
