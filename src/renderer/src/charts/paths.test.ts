import { describe, expect, it } from 'vitest';
import type { Row } from './downsample';
import { frameOf, linePath } from './paths';
import { pixelStep, snapToPixels } from './ticks';

const row = (t: number, v: Record<string, number>): Row => ({ t, ...v }) as Row;

describe('snapToPixels', () => {
  it('widens the window to whole steps of at least one pixel, so small moves keep the domain', () => {
    // 1000 h over 1,000 px: 3,600 s per pixel, a step of 4,096 s.
    const [a, b] = snapToPixels(0, 3_600_000, 1000);
    expect(b - a).toBeGreaterThanOrEqual(3_600_000);
    expect(b % 4096).toBe(0);
    // A new stats line every 2 s moves nothing until the data crosses a step.
    expect(snapToPixels(0, 3_600_002, 1000)).toEqual([a, b]);
    expect(snapToPixels(0, 3_600_004, 1000)).toEqual([a, b]);
    // Less than one step on each side: 800.4 s over 800 px is a step of 2 s (under two pixels).
    const [c, d] = snapToPixels(100.3, 900.7, 800);
    expect([c, d]).toEqual([100, 902]);
  });
});

describe('pixelStep', () => {
  it('stays put while the span grows within a power of two, so a growing session re-asks by whole steps', () => {
    expect(pixelStep(3_600_000, 1000)).toBe(4096);
    expect(pixelStep(3_700_000, 1000)).toBe(4096);
    expect(pixelStep(4_200_000, 1000)).toBe(8192);
    expect(pixelStep(800, 800)).toBe(1);
  });
});

describe('linePath', () => {
  it('lays a series out in the box over the rows’ own range, skipping rows without it', () => {
    const rows = [row(10, { a: 0, b: 5 }), row(20, { a: 50 }), row(30, { a: 100, b: 10 })];
    const f = frameOf(rows, ['a', 'b']);
    expect(f).toEqual({ t0: 10, t1: 30, v0: 0, v1: 100 });
    expect(linePath(rows, 'a', f)).toBe('M0.00,0.00L5000.00,5000.00L10000.00,10000.00');
    expect(linePath(rows, 'b', f)).toBe('M0.00,500.00L10000.00,1000.00');
    expect(linePath(rows, 'missing', f)).toBe('');
  });

  it('keeps negative values (net mode) inside the box', () => {
    const rows = [row(0, { n: -20 }), row(1, { n: 20 })];
    const f = frameOf(rows, ['n']);
    expect(linePath(rows, 'n', f)).toBe('M0.00,0.00L10000.00,10000.00');
  });
});
