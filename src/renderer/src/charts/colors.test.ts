import { describe, expect, it } from 'vitest';
import { itemColor, itemColors, itemHue } from './colors';
import { niceTicks } from './ticks';

describe('item colours', () => {
  it('depend on the name only, not on rank or on the order items come in', () => {
    const a = itemColors(['copper-plate', 'iron-plate', 'iron-ore', 'sulfur']);
    const b = itemColors(['sulfur', 'iron-ore', 'copper-plate', 'iron-plate']);
    expect([...a].sort()).toEqual([...b].sort());
    expect(itemColor('copper-plate')).toBe(itemColor('copper-plate'));
  });

  it('are distinct for items shown together, even past twelve', () => {
    const names = Array.from({ length: 30 }, (_, i) => `item-${i}`).concat(['iron-ore', 'sulfur', 'copper-plate']);
    const colors = itemColors(names);
    expect(new Set(colors.values()).size).toBe(names.length);
  });

  it('keep an item its own hue when nothing near it is shown', () => {
    expect(itemColors(['iron-plate']).get('iron-plate')).toBe(itemColor('iron-plate'));
    expect(itemHue('iron-plate')).toBeGreaterThanOrEqual(0);
  });
});

describe('Y ticks', () => {
  it('step 1-2-5 with the top near the data', () => {
    expect(niceTicks(0, 1050)).toEqual([0, 200, 400, 600, 800, 1000, 1200]);
    expect(niceTicks(0, 250)).toEqual([0, 50, 100, 150, 200, 250]);
    expect(niceTicks(0, 0.8)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(-30, 95)).toEqual([-40, -20, 0, 20, 40, 60, 80, 100]);
  });
});

describe('CSV and totals', async () => {
  const { toCsv, windowTotal } = await import('./csv');
  it('writes every value exactly, quoting names that need it', () => {
    expect(toCsv([{ t: 2, 'iron-plate': 1234.56, 'a,b': 0.1 } as never, { t: 4, 'iron-plate': 7 } as never], ['iron-plate', 'a,b'])).toBe('game_seconds,iron-plate,"a,b"\n2,1234.56,0.1\n4,7,\n');
  });
  it('totals a window from rates per minute', () => {
    expect(windowTotal([0, 60, 120].map((t) => ({ t, v: 30, lo: 30, hi: 30 })))).toBe(60);
  });
});
