// The official client's rules, against the local W&B server that enforces them: heartbeats keep an
// open run from being marked crashed, `stopped` ends a run, the retry list of retry_policy.go, and
// resuming from both W&B's historyLineCount and our acknowledged offset.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isRetryable, WandbClient } from './client';
import { init, makeService, range, startServer, stats, stepsOf, stopAllServices, stopServers } from './harness.fixture';

afterEach(async () => {
  await stopAllServices();
  await stopServers();
});
const waitFor = (fn: () => void) => vi.waitFor(fn, { timeout: 15_000, interval: 20 });

describe('heartbeat', () => {
  it('the local server marks an open run crashed once it goes quiet (the rule the heartbeat answers)', async () => {
    const server = await startServer({ crashAfterMs: 300 });
    const client = new WandbClient(server.url, 'test-key');
    const ref = await client.upsertRun({ runId: 'quiet', project: 'p', entity: '', displayName: 'quiet', config: {} });
    await client.fileStream(ref, { history: { offset: 0, lines: ['{"_step":1}'] } });
    await waitFor(() => expect(server.run('quiet')!.crashed).toBe(true));
  });

  it('an open run with no stats for longer than the crash window gets empty requests and is never marked crashed', async () => {
    const server = await startServer({ crashAfterMs: 600 });
    const { svc, events } = makeService(server, { wandb: { heartbeatSeconds: 0.15 } });
    await svc.start();
    events.push(init('paused'));
    for (let c = 1; c <= 3; c++) events.push(stats('paused', c));
    const runId = svc.snapshot().active!.runId;
    await waitFor(() => expect(server.run(runId)?.history).toHaveLength(3));
    // Eight heartbeats 150 ms apart span more than the 600 ms crash window.
    await waitFor(() => expect(server.run(runId)!.heartbeats).toBeGreaterThanOrEqual(8));
    expect(server.run(runId)!.crashed).toBe(false);
    events.push(stats('paused', 4));
    await svc.stop();
    expect(stepsOf(server, runId)).toEqual([1, 2, 3, 4]);
    expect(server.run(runId)!.complete).toBe(true);
    expect(server.run(runId)!.crashed).toBe(false);
  });

  it('no heartbeat for a finished run or in offline mode', async () => {
    const server = await startServer();
    const { svc, events } = makeService(server, { wandb: { heartbeatSeconds: 0.1 } });
    await svc.start();
    events.push(init('a'));
    events.push(stats('a', 1));
    const first = svc.snapshot().active!.runId;
    events.push(init('b'));
    await waitFor(() => expect(server.run(first)?.complete).toBe(true));
    const second = svc.snapshot().active!.runId;
    await waitFor(() => expect(server.run(second)?.heartbeats).toBeGreaterThanOrEqual(2));
    expect(server.run(first)!.heartbeats).toBe(0);

    // Offline: while the online run's heartbeats go on, the offline run never reaches the server.
    const off = makeService(server, { mode: 'offline', wandb: { heartbeatSeconds: 0.1 } });
    await off.svc.start();
    off.events.push(init('c'));
    const beats = server.run(second)!.heartbeats;
    await waitFor(() => expect(server.run(second)!.heartbeats).toBeGreaterThanOrEqual(beats + 3));
    expect([...server.runs.values()].map((r) => r.displayName.split('_')[0])).toEqual(['a', 'b']);
    expect(server.run(first)!.heartbeats).toBe(0);
  });

  it('`stopped` in an answer finishes the run; the session’s later stats are counted, not logged', async () => {
    const server = await startServer();
    const { svc, events } = makeService(server, { wandb: { heartbeatSeconds: 0.1 } });
    await svc.start();
    events.push(init('stop-me'));
    for (let c = 1; c <= 3; c++) events.push(stats('stop-me', c));
    const runId = svc.snapshot().active!.runId;
    await waitFor(() => expect(server.run(runId)?.history).toHaveLength(3));
    server.run(runId)!.stopRequested = true;
    await waitFor(() => expect(server.run(runId)!.complete).toBe(true));
    expect(server.run(runId)!.exitCode).toBe(255);
    events.push(stats('stop-me', 4));
    events.push(init('stop-me', 500));
    expect(svc.snapshot().stoppedCycles).toBe(1);
    await waitFor(() =>
      expect(svc.snapshot().runs[0]).toMatchObject({ runId, state: 'finished', stoppedInWandb: true }),
    );
    expect(stepsOf(server, runId)).toEqual([1, 2, 3]);
    expect(server.runs.size).toBe(1);
    // A new session starts a new run as usual.
    events.push(stats('next', 1));
    await waitFor(() => expect(server.runs.size).toBe(2));
  });
});

describe('retry policy (retry_policy.go)', () => {
  it('matches the official lists: 409 retried only on UpsertBucket; 408, 429, 5xx retried; refusals not', () => {
    for (const s of [400, 401, 403, 404, 409, 410, 413, 422, 501]) expect(isRetryable('filestream', s)).toBe(false);
    for (const s of [408, 425, 429, 500, 502, 503, 504]) expect(isRetryable('filestream', s)).toBe(true);
    expect(isRetryable('upsert', 409)).toBe(true);
    for (const s of [400, 410, 422]) expect(isRetryable('upsert', s)).toBe(false);
  });

  it('a 409 on UpsertBucket is retried: the run is delivered, not failed', async () => {
    const server = await startServer();
    server.faults.push({ status: 409, only: 'graphql' });
    const { svc, events } = makeService(server);
    await svc.start();
    events.push(init('conflict'));
    for (let c = 1; c <= 3; c++) events.push(stats('conflict', c));
    const runId = svc.snapshot().active!.runId;
    await svc.stop();
    expect(server.faults).toEqual([]);
    expect(stepsOf(server, runId)).toEqual([1, 2, 3]);
    expect(server.run(runId)!.complete).toBe(true);
    expect(svc.snapshot().runs[0].failure).toBeNull();
  });

  it('a 408 on file_stream is retried; a 409 there is a refusal', async () => {
    const server = await startServer();
    server.faults.push({ status: 408, only: 'file_stream' }, { status: 408, only: 'file_stream' });
    const a = makeService(server);
    await a.svc.start();
    a.events.push(init('timeout'));
    for (let c = 1; c <= 3; c++) a.events.push(stats('timeout', c));
    const runId = a.svc.snapshot().active!.runId;
    await a.svc.stop();
    expect(stepsOf(server, runId)).toEqual([1, 2, 3]);
    expect(server.run(runId)!.complete).toBe(true);

    server.faults.push({ status: 409, only: 'file_stream' });
    const b = makeService(server);
    await b.svc.start();
    b.events.push(init('conflict'));
    b.events.push(stats('conflict', 1));
    await waitFor(() => expect(b.svc.snapshot().active!.state).toBe('failed'));
    expect(b.svc.snapshot().active!.failure).toBe('W&B reported a conflict for this run (409)');
  });
});

describe('resume from historyLineCount and the acknowledged offset', () => {
  it('lines W&B stored whose answer was lost are not sent again (W&B count above ours)', async () => {
    const server = await startServer();
    const { svc, events } = makeService(server);
    await svc.start();
    events.push(init('lost-answer'));
    const runId = svc.snapshot().active!.runId;
    await waitFor(() => expect(server.run(runId)).toBeDefined());
    server.faults.push({ dropAfterStore: true, only: 'file_stream' });
    for (let c = 1; c <= 5; c++) events.push(stats('lost-answer', c));
    await waitFor(() => expect(server.faults).toEqual([]));
    for (let c = 6; c <= 8; c++) events.push(stats('lost-answer', c));
    await svc.stop();
    expect(stepsOf(server, runId)).toEqual(range(1, 8));
    expect(server.run(runId)!.writes).toEqual(range(1, 8).map(() => 1));
    expect(server.run(runId)!.complete).toBe(true);
  });

  it('a count that lags behind what W&B acknowledged neither re-sends nor leaves a gap (restart mid-run)', async () => {
    const server = await startServer({ historyCountLag: 3 });
    const a = makeService(server, { finishTimeoutMs: 200 });
    await a.svc.start();
    a.events.push(init('lagging'));
    for (let c = 1; c <= 5; c++) a.events.push(stats('lagging', c));
    const runId = a.svc.snapshot().active!.runId;
    await waitFor(() => expect(server.run(runId)?.history).toHaveLength(5));
    server.faults = Array.from({ length: 1000 }, () => ({ status: 503 }));
    for (let c = 6; c <= 7; c++) a.events.push(stats('lagging', c));
    await a.svc.stop();
    server.faults = [];

    const b = makeService(server, { dataDir: a.dataDir });
    await b.svc.start();
    await waitFor(() => expect(server.run(runId)?.complete).toBe(true));
    expect(stepsOf(server, runId)).toEqual(range(1, 7));
    expect(server.run(runId)!.writes).toEqual(range(1, 7).map(() => 1));
    expect(server.run(runId)!.upserts).toBeGreaterThanOrEqual(2);
  });

  it('a restart whose last answer was lost resumes at W&B’s count: no line twice', async () => {
    const server = await startServer();
    const a = makeService(server, { finishTimeoutMs: 300 });
    await a.svc.start();
    a.events.push(init('restart'));
    a.events.push(stats('restart', 1));
    const runId = a.svc.snapshot().active!.runId;
    await waitFor(() => expect(server.run(runId)?.history).toHaveLength(1));
    // Stored, answer lost; then everything fails until the app is gone.
    server.faults = [
      { dropAfterStore: true, only: 'file_stream' },
      ...Array.from({ length: 1000 }, () => ({ status: 503 })),
    ];
    for (let c = 2; c <= 4; c++) a.events.push(stats('restart', c));
    await waitFor(() => expect(server.run(runId)?.history).toHaveLength(4));
    await a.svc.stop();
    expect(server.run(runId)!.complete).toBe(false);
    server.faults = [];

    const b = makeService(server, { dataDir: a.dataDir });
    await b.svc.start();
    await waitFor(() => expect(server.run(runId)?.complete).toBe(true));
    expect(stepsOf(server, runId)).toEqual(range(1, 4));
    expect(server.run(runId)!.writes).toEqual([1, 1, 1, 1]);
  });
});
