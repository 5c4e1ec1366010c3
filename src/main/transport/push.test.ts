import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StatusSnapshot } from '../../shared/api';
import { PushHub } from './push';

const snap = (n: number): StatusSnapshot => ({ status: 'ok', services: { pipe: { state: 'running', summary: String(n), since: n } } as StatusSnapshot['services'] });

describe('PushHub', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('coalesces a burst into one push per window and keeps the final value', () => {
    const hub = new PushHub({ intervalMs: 50 });
    const sent: [string, unknown][] = [];
    hub.attach({ send: (n, p) => sent.push([n, p]) }).markReady();
    for (let i = 1; i <= 100; i++) hub.publish('status', snap(i));
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(50);
    expect(sent).toEqual([['status', snap(100)]]);
    hub.publish('status', snap(101));
    vi.advanceTimersByTime(50);
    expect(sent.map(([, p]) => (p as StatusSnapshot).services.pipe.summary)).toEqual(['100', '101']);
  });

  it('queues pushes until the client is ready, then delivers the latest at once', () => {
    const hub = new PushHub({ intervalMs: 50 });
    const sent: unknown[] = [];
    const client = hub.attach({ send: (_n, p) => sent.push(p) });
    hub.publish('status', snap(1));
    vi.advanceTimersByTime(50);
    hub.publish('status', snap(2));
    vi.advanceTimersByTime(50);
    expect(sent).toEqual([]);
    client.markReady();
    expect(sent).toEqual([snap(2)]);
  });

  it('holds pushes again after a reset (page reload) and stops sending after detach', () => {
    const hub = new PushHub({ intervalMs: 50 });
    const sent: unknown[] = [];
    const client = hub.attach({ send: (_n, p) => sent.push(p) });
    client.markReady();
    client.reset();
    hub.publish('status', snap(1));
    vi.advanceTimersByTime(50);
    expect(sent).toEqual([]);
    client.markReady();
    expect(sent).toEqual([snap(1)]);
    client.detach();
    hub.publish('status', snap(2));
    vi.advanceTimersByTime(50);
    expect(sent).toEqual([snap(1)]);
  });

  it('close() flushes what is pending so the last value is not lost', () => {
    const hub = new PushHub({ intervalMs: 50 });
    const sent: unknown[] = [];
    hub.attach({ send: (_n, p) => sent.push(p) }).markReady();
    hub.publish('status', snap(7));
    hub.close();
    expect(sent).toEqual([snap(7)]);
  });
});
