// A simulated factory for the demo feed: about twenty real Factorio items whose production and
// consumption grow as the factory expands, wander a little, and hiccup now and then. Seeded, so a
// given seed always tells the same story. Emits exactly the scenario's event lines.
import type { SessionInit, Stats } from '../../shared/events';

/** mulberry32: a tiny seeded PRNG; good enough for plausible noise, not for anything secret. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** [item, items/min produced at full build-out, share of production consumed downstream] */
const ITEMS: readonly [string, number, number][] = [
  ['iron-ore', 2400, 0.98],
  ['copper-ore', 1800, 0.98],
  ['coal', 900, 0.9],
  ['stone', 450, 0.85],
  ['iron-plate', 2300, 0.93],
  ['copper-plate', 1750, 0.95],
  ['steel-plate', 220, 0.9],
  ['stone-brick', 200, 0.7],
  ['iron-gear-wheel', 600, 0.96],
  ['copper-cable', 2400, 0.99],
  ['electronic-circuit', 800, 0.9],
  ['advanced-circuit', 120, 0.85],
  ['plastic-bar', 260, 0.95],
  ['sulfur', 90, 0.9],
  ['transport-belt', 60, 0.4],
  ['inserter', 45, 0.5],
  ['automation-science-pack', 150, 1],
  ['logistic-science-pack', 120, 1],
  ['military-science-pack', 60, 1],
  ['chemical-science-pack', 60, 1],
  ['engine-unit', 30, 0.95],
  ['pipe', 50, 0.6],
];

const LEVELS = ['open_world', 'nauvis-rail-world', 'deathworld-marathon', 'lazy-bastard'];
const round2 = (x: number) => Math.round(x * 100) / 100;

export interface FactoryOptions {
  seed: number;
  items?: number;
  /** Start a new session after this many stats cycles (0: never). */
  sessionEvery?: number;
  /** Ticks between stats lines (the scenario uses 120). */
  ticksPerCycle?: number;
}

export class DemoFactory {
  private readonly rand: () => number;
  private readonly items: readonly [string, number, number][];
  private readonly level: number[];
  private sessionId = '';
  private levelName = '';
  private tick = 0;
  private cycle = 0;
  private cyclesInSession = 0;
  private sessionCount = 0;

  constructor(private readonly opts: FactoryOptions) {
    this.rand = prng(opts.seed);
    this.items = ITEMS.slice(0, Math.max(1, Math.min(opts.items ?? 20, ITEMS.length)));
    this.level = this.items.map(() => 0.6 + 0.8 * this.rand());
  }

  /** The next event line: a session_init first (and at each new session), stats otherwise. */
  next(): SessionInit | Stats {
    const every = this.opts.sessionEvery ?? 0;
    if (!this.sessionId || (every > 0 && this.cyclesInSession >= every)) return this.newSession();
    this.cycle++;
    this.cyclesInSession++;
    this.tick += this.opts.ticksPerCycle ?? 120;
    // Build-out: a logistic curve over about two hours of game time, then a plateau.
    const minutes = this.tick / 3600;
    const growth = 0.05 + 0.95 / (1 + Math.exp(-(minutes - 60) / 15));
    const production: Record<string, number> = {};
    const consumption: Record<string, number> = {};
    this.items.forEach(([name, full, used], i) => {
      this.level[i] = Math.min(1.6, Math.max(0.3, this.level[i] + (this.rand() - 0.5) * 0.04));
      const hiccup = this.rand() < 0.01 ? 0.2 : 1;
      const p = full * growth * this.level[i] * hiccup * (0.94 + 0.12 * this.rand());
      production[name] = round2(p);
      consumption[name] = round2(p * used * (0.9 + 0.2 * this.rand()));
    });
    return {
      type: 'stats',
      session_id: this.sessionId,
      cycle: this.cycle,
      tick: this.tick,
      products_production: production,
      materials_consumption: consumption,
    };
  }

  private newSession(): SessionInit {
    this.sessionCount++;
    const hex = (bits: number) =>
      Math.floor(this.rand() * 2 ** bits)
        .toString(16)
        .padStart(bits / 4, '0');
    this.sessionId = hex(32) + hex(16);
    this.levelName = LEVELS[(this.sessionCount - 1) % LEVELS.length];
    this.tick = 0;
    this.cycle = 0;
    this.cyclesInSession = 0;
    return { type: 'session_init', session_id: this.sessionId, tick: 0, level_name: this.levelName };
  }
}
