// The small pieces every service shares: coalesced pushes, the pump's wakeable pause, retry waits.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay } from './backoff';
import { Coalescer } from './coalesce';
import { Wakeup } from './wakeup';

afterEach(() => {
  vi.useRealTimers();
});

describe('Coalescer', () => {
  it('turns a burst of triggers into one run after the window, and runs again for later ones', () => {
    vi.useFakeTimers();
    let runs = 0;
    const c = new Coalescer(100, () => runs++);
    for (let i = 0; i < 10; i++) c.trigger();
    vi.advanceTimersByTime(99);
    expect(runs).toBe(0);
    vi.advanceTimersByTime(1);
    expect(runs).toBe(1);
    c.trigger();
    vi.advanceTimersByTime(100);
    expect(runs).toBe(2);
  });

  it('cancel drops the run that was due', () => {
    vi.useFakeTimers();
    let runs = 0;
    const c = new Coalescer(100, () => runs++);
    c.trigger();
    c.cancel();
    vi.advanceTimersByTime(1000);
    expect(runs).toBe(0);
  });
});

describe('Wakeup', () => {
  it('a sleep ends at its time, or earlier at wake(); an endless one only at wake()', async () => {
    vi.useFakeTimers();
    const w = new Wakeup();
    let ended = false;
    const timed = w.sleep(500).then(() => (ended = true));
    await vi.advanceTimersByTimeAsync(499);
    expect(ended).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await timed;
    expect(ended).toBe(true);

    ended = false;
    const endless = w.sleep(Infinity).then(() => (ended = true));
    await vi.advanceTimersByTimeAsync(1e9);
    expect(ended).toBe(false);
    w.wake();
    await endless;
    expect(ended).toBe(true);
  });

  it('keeps a wake that came while nobody slept, for the next sleep only', async () => {
    vi.useFakeTimers();
    const w = new Wakeup();
    w.wake();
    w.wake();
    await w.sleep(Infinity);
    let ended = false;
    const next = w.sleep(500).then(() => (ended = true));
    await vi.advanceTimersByTimeAsync(499);
    expect(ended).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await next;
    expect(ended).toBe(true);
  });
});

describe('backoffDelay', () => {
  const discord = { baseMs: 1000, maxMs: 60_000, jitter: [0.5, 1.5], capJitter: false } as const;
  const wandb = { baseMs: 2000, maxMs: 60_000, jitter: [1, 1.25], capJitter: true } as const;

  it('doubles per attempt and stays within its jitter range', () => {
    expect([1, 2, 3].map((a) => backoffDelay(a, discord, () => 0.5))).toEqual([1000, 2000, 4000]);
    expect(backoffDelay(2, discord, () => 0)).toBe(1000);
    expect(backoffDelay(2, discord, () => 1)).toBe(3000);
    expect(backoffDelay(1, wandb, () => 1)).toBe(2500);
  });

  it('caps the doubling (and, when asked, the jittered wait) at maxMs, even after many attempts', () => {
    expect(backoffDelay(1000, discord, () => 1)).toBe(90_000);
    expect(backoffDelay(1000, wandb, () => 1)).toBe(60_000);
    expect(backoffDelay(6, wandb, () => 0)).toBe(60_000);
  });
});
