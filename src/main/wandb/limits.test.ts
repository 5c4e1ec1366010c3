// Request size: every request under the byte cap (lines + summary), split further when W&B answers
// 413, and a line too large for any request refused with a counted, visible reason.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lineRequestBytes, MAX_REQUEST_BYTES } from './client';
import { init, makeService, range, startServer, stats, stepsOf, stopAllServices, stopServers } from './harness.fixture';

afterEach(async () => {
  await stopAllServices();
  await stopServers();
});
const waitFor = (fn: () => void, timeout = 15_000) => vi.waitFor(fn, { timeout, interval: 20 });

/** `n` items with names like a modded factory's, each with a rate. */
const items = (n: number, cycle: number, prefix = 'modded-intermediate-product') =>
  Object.fromEntries(range(1, n).map((i) => [`${prefix}-${i}`, Math.round((cycle * 7 + i) * 100) / 100]));

describe('byte cap per request', () => {
  it('a batch larger than the cap goes out in several requests, none over it, lines + summary counted', async () => {
    const server = await startServer({ maxRequestBytes: 8192 });
    const { svc, events } = makeService(server, { service: { limits: { maxRequestBytes: 8192 } } });
    await svc.start();
    events.push(init('big'));
    for (let c = 1; c <= 60; c++) events.push(stats('big', c, items(10, c)));
    const runId = svc.snapshot().active!.runId;
    await svc.stop();
    expect(stepsOf(server, runId)).toEqual(range(1, 60));
    expect(server.tooLarge).toBe(0);
    expect(Math.max(...server.fileStreamBytes)).toBeLessThanOrEqual(8192);
    expect(server.fileStreamRequests).toBeGreaterThan(2);
    expect(server.run(runId)!.summary).toMatchObject({ _step: 60 });
    expect(server.run(runId)!.complete).toBe(true);
  });

  it('413 from a server with a lower limit than ours: requests are split until they fit, every line once', async () => {
    const server = await startServer({ maxRequestBytes: 6000 });
    const { svc, events } = makeService(server);
    await svc.start();
    events.push(init('split'));
    for (let c = 1; c <= 40; c++) events.push(stats('split', c, items(10, c)));
    const runId = svc.snapshot().active!.runId;
    await svc.stop();
    expect(server.tooLarge).toBeGreaterThan(0);
    expect(stepsOf(server, runId)).toEqual(range(1, 40));
    expect(server.run(runId)!.writes.every((n) => n === 1)).toBe(true);
    expect(server.run(runId)!.complete).toBe(true);
    expect(svc.snapshot().runs[0]).toMatchObject({ state: 'finished', failure: null, linesRefused: 0 });
  });

  it('a line too large for any request is refused, counted with its reason; the lines around it are delivered', async () => {
    const server = await startServer({ maxRequestBytes: 4096 });
    const { svc, events } = makeService(server, { service: { limits: { maxRequestBytes: 4096, maxLineBytes: 3000 } } });
    await svc.start();
    events.push(init('huge'));
    events.push(stats('huge', 1));
    events.push(stats('huge', 2, items(200, 2)));
    events.push(stats('huge', 3));
    const runId = svc.snapshot().active!.runId;
    await svc.stop();
    expect(stepsOf(server, runId)).toEqual([1, 3]);
    expect(server.tooLarge).toBe(0);
    expect(server.run(runId)!.complete).toBe(true);
    expect(svc.snapshot().runs[0]).toMatchObject({ linesRefused: 1, linesAcked: 3, linesJournaled: 3 });
    expect(svc.snapshot().runs[0].refusal).toMatch(/^a line of \d+ bytes is over W&B's limit of 3000 bytes per line$/);
    expect(svc.status().details).toMatchObject({ refusedLines: 1 });
  });

  it('a single line W&B answers 413 for is refused with that reason, and the run goes on', async () => {
    const server = await startServer({ maxRequestBytes: 2048 });
    const { svc, events } = makeService(server);
    await svc.start();
    events.push(init('one-413'));
    events.push(stats('one-413', 1));
    events.push(stats('one-413', 2, items(100, 2)));
    events.push(stats('one-413', 3));
    const runId = svc.snapshot().active!.runId;
    await svc.stop();
    expect(stepsOf(server, runId)).toEqual([1, 3]);
    expect(server.run(runId)!.complete).toBe(true);
    expect(svc.snapshot().runs[0].refusal).toMatch(/^W&B refused a line of \d+ bytes as too large \(413\)$/);
  });

  it('metric names from items called __proto__, constructor or toString are plain keys', async () => {
    const server = await startServer();
    const { svc, events } = makeService(server);
    await svc.start();
    events.push(init('proto'));
    const odd = JSON.parse('{"__proto__": 5, "constructor": 6, "toString": 7}') as Record<string, number>;
    events.push(stats('proto', 1, odd, odd));
    const runId = svc.snapshot().active!.runId;
    await svc.stop();
    const line = JSON.parse(server.run(runId)!.history[0]) as Record<string, unknown>;
    expect(Object.entries(line).filter(([k]) => k.includes('/'))).toEqual([
      ['production/__proto__', 5],
      ['production/constructor', 6],
      ['production/toString', 7],
      ['consumption/__proto__', 5],
      ['consumption/constructor', 6],
      ['consumption/toString', 7],
    ]);
    expect(server.run(runId)!.summary).toMatchObject({ 'production/constructor': 6 });
  });
});

describe('an offline backlog', () => {
  it(
    '20,000 lines of 200 items, journaled offline, then Sync: all delivered once, no request over the cap',
    { timeout: 300_000 },
    async () => {
      const server = await startServer({ maxRequestBytes: MAX_REQUEST_BYTES });
      const { svc, events } = makeService(server, { mode: 'offline' });
      await svc.start();
      events.push(init('backlog'));
      const prod = items(100, 1, 'production-line-of-a-large-modded-factory');
      const cons = items(100, 1, 'consumption-line-of-a-large-modded-factory');
      for (let c = 1; c <= 20_000; c++) events.push(stats('backlog', c, prod, cons));
      events.push(init('after'));
      const runId = svc.snapshot().runs.find((r) => r.sessionId === 'backlog')!.runId;
      expect(svc.snapshot().runs.find((r) => r.runId === runId)).toMatchObject({
        linesJournaled: 20_000,
        state: 'offline',
      });
      expect(await svc.sync()).toEqual({ runs: 1 });
      await waitFor(() => expect(server.run(runId)?.complete).toBe(true), 240_000);
      const run = server.run(runId)!;
      expect(run.history).toHaveLength(20_000);
      expect(run.history.every((l, i) => (JSON.parse(l) as { _step: number })._step === i + 1)).toBe(true);
      expect(run.writes.every((n) => n === 1)).toBe(true);
      expect(server.tooLarge).toBe(0);
      expect(Math.max(...server.fileStreamBytes)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
      // Large lines: a thousand of them would not fit one request.
      expect(Buffer.byteLength(JSON.stringify(run.history[0])) * 1000).toBeGreaterThan(MAX_REQUEST_BYTES);
    },
  );
});

describe('request sizes', () => {
  it('lineRequestBytes is the exact share of a line in the JSON body, escapes and non-ASCII included', () => {
    const lines = [
      '{"a":1}',
      '{"k\\\\ey":"q\\"uote"}',
      '{"é":"日本"}',
      '{"emoji":"🏭"}',
      'tab\there',
      'line\nbreak',
      'lone \ud800 surrogate',
      '',
      '{"production/__proto__":5}',
    ];
    for (const line of lines) {
      const withIt = Buffer.byteLength(JSON.stringify(['x', line]));
      const without = Buffer.byteLength(JSON.stringify(['x']));
      expect(lineRequestBytes(line), line).toBe(withIt - without);
    }
  });
});
