import { describe, expect, it } from 'vitest';
import { EventCache } from './cache';

describe('EventCache', () => {
  it('keeps the newest `capacity` items and counts evictions', () => {
    const c = new EventCache<number>(3, String);
    expect(c.isEmpty()).toBe(true);
    for (let i = 1; i <= 5; i++) c.push(i);
    expect(c.getAll()).toEqual([3, 4, 5]);
    expect(c.size()).toBe(3);
    expect(c.evicted).toBe(2);
    expect(c.pushed).toBe(5);
    expect(c.getLatest()).toBe(5);
    expect(c.getLastN(2)).toEqual([4, 5]);
    expect(c.getLastN(10)).toEqual([3, 4, 5]);
    expect(c.getLastN(0)).toEqual([]);
  });

  it('filters and finds by text', () => {
    const c = new EventCache<{ line: string }>(10, (x) => x.line);
    ['{"type":"stats"}', '{"type":"session_init"}', 'iron-plate'].forEach((line) => c.push({ line }));
    expect(c.findContaining('stats').map((x) => x.line)).toEqual(['{"type":"stats"}']);
    expect(c.findContaining('type')).toHaveLength(2);
    expect(c.filter((x) => x.line.startsWith('iron'))).toHaveLength(1);
  });

  it('popFront and drainAll consume in order and wrap around correctly', () => {
    const c = new EventCache<number>(4, String);
    for (let i = 1; i <= 6; i++) c.push(i);
    expect(c.popFront()).toBe(3);
    c.push(7);
    expect(c.getAll()).toEqual([4, 5, 6, 7]);
    expect(c.drainAll()).toEqual([4, 5, 6, 7]);
    expect(c.isEmpty()).toBe(true);
    expect(c.popFront()).toBeUndefined();
    c.push(8);
    expect(c.getAll()).toEqual([8]);
  });

  it('subscribers see every push in order, undisturbed by reads and pops; unsubscribe stops them', () => {
    const c = new EventCache<number>(2, String);
    const seen: number[] = [];
    const off = c.subscribe((x) => seen.push(x));
    c.push(1);
    c.getAll();
    c.popFront();
    c.push(2);
    c.push(3);
    c.push(4);
    c.drainAll();
    off();
    c.push(5);
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('a throwing subscriber neither breaks the push nor other subscribers', () => {
    const errors: unknown[] = [];
    const c = new EventCache<number>(2, String, (e) => errors.push(e));
    const seen: number[] = [];
    c.subscribe(() => {
      throw new Error('boom');
    });
    c.subscribe((x) => seen.push(x));
    c.push(1);
    expect(seen).toEqual([1]);
    expect(c.getAll()).toEqual([1]);
    expect(errors).toHaveLength(1);
  });

  it('resize keeps the newest items', () => {
    const c = new EventCache<number>(5, String);
    for (let i = 1; i <= 7; i++) c.push(i);
    c.resize(3);
    expect(c.getAll()).toEqual([5, 6, 7]);
    expect(c.evicted).toBe(4);
    c.push(8);
    expect(c.getAll()).toEqual([6, 7, 8]);
    c.resize(10);
    c.push(9);
    expect(c.getAll()).toEqual([6, 7, 8, 9]);
  });
});
