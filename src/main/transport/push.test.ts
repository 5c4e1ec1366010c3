import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StatusSnapshot } from '../../shared/api';
import { PushHub } from './push';

const snap = (n: number): StatusSnapshot => ({
  status: 'ok',
  services: { pipe: { state: 'running', summary: String(n), since: n } } as StatusSnapshot['services'],
});

describe('PushHub', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('coalesces a burst into one push per window and keeps the final value', () => {
    const hub = new PushHub({ intervalMs: 50 });
    const sent: [string, unknown][] = [];
    hub.attach({ send: (n, p) => sent.push([n, p]) }).markReady();
    // After a quiet spell: whatever this tick publishes goes out together on the next tick.
    for (let i = 1; i <= 100; i++) hub.publish('status', snap(i));
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(0);
    expect(sent).toEqual([['status', snap(100)]]);
    // Within the window: held until the window ends, then the newest only.
    hub.publish('status', snap(101));
    vi.advanceTimersByTime(20);
    hub.publish('status', snap(102));
    vi.advanceTimersByTime(20);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(10);
    expect(sent.map(([, p]) => (p as StatusSnapshot).services.pipe.summary)).toEqual(['100', '102']);
  });

  it('stream pushes arrive as one array per flush, in order', () => {
    const hub = new PushHub({ intervalMs: 50 });
    const sent: [string, unknown][] = [];
    hub.attach({ send: (n, p) => sent.push([n, p]) }).markReady();
    const ev = (seq: number) => ({ seq, receivedAt: 0, line: '', event: { type: 'x' } });
    hub.publish('events', [ev(1)]);
    hub.publish('events', [ev(2), ev(3)]);
    vi.advanceTimersByTime(0);
    hub.publish('events', [ev(4)]);
    vi.advanceTimersByTime(50);
    expect(sent.map(([n, p]) => [n, (p as { seq: number }[]).map((e) => e.seq)])).toEqual([
      ['events', [1, 2, 3]],
      ['events', [4]],
    ]);
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
