import { readFileSync } from 'node:fs';
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
    expect(
      toCsv(
        [{ t: 2, 'iron-plate': 1234.56, 'a,b': 0.1 } as never, { t: 4, 'iron-plate': 7 } as never],
        ['iron-plate', 'a,b'],
      ),
    ).toBe('game_seconds,iron-plate,"a,b"\n2,1234.56,0.1\n4,7,\n');
  });
  it('totals a window from rates per minute', () => {
    expect(windowTotal([0, 60, 120].map((t) => ({ t, v: 30, lo: 30, hi: 30 })))).toBe(60);
  });
});

// The lightness levels come from styles/theme.css per theme; every hue at every level must stand out
// from the chart's backgrounds (WCAG's 3:1 for graphics) in both themes.
describe('item colours on both themes', () => {
  const css = readFileSync(new URL('../styles/theme.css', import.meta.url), 'utf8');
  const block = (selector: string) =>
    css.slice(css.indexOf(`${selector} {`), css.indexOf('}', css.indexOf(`${selector} {`)));
  const vars = (text: string) =>
    Object.fromEntries([...text.matchAll(/(--[\w-]+):\s*([^;]+);/g)].map((m) => [m[1], m[2].trim()]));
  const themes = {
    light: vars(block(':root')),
    dark: { ...vars(block(':root')), ...vars(block(":root[data-theme='dark']")) },
  };
  const hex = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16) / 255);
  const hslRgb = (h: number, s: number, l: number) => {
    const a = s * Math.min(l, 1 - l);
    const f = (n: number) => l - a * Math.max(-1, Math.min(((n + h / 30) % 12) - 3, 9 - ((n + h / 30) % 12), 1));
    return [f(0), f(8), f(4)];
  };
  const lum = (rgb: number[]) => {
    const [r, g, b] = rgb.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a: number[], b: number[]) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  for (const [theme, v] of Object.entries(themes))
    it(`reach 3:1 against the ${theme} theme's backgrounds at every hue and level`, () => {
      let worst = Infinity;
      for (const level of [0, 1, 2]) {
        const l = parseFloat(v[`--item-l${level}`]) / 100;
        expect(l).toBeGreaterThan(0);
        for (let hue = 0; hue < 360; hue += 5)
          for (const bg of ['--bg', '--panel']) worst = Math.min(worst, contrast(hslRgb(hue, 0.7, l), hex(v[bg])));
      }
      expect(worst).toBeGreaterThanOrEqual(3);
    });
  it('name the levels as variables, so a theme switch repaints without recomputing', () => {
    expect(itemColor('iron-plate')).toMatch(/^hsl\(\d+ 70% var\(--item-l0\)\)$/);
  });
});
