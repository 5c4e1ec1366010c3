import { describe, expect, it } from 'vitest';
import {
  MAX_EVENT_DEPTH,
  nestedDeeperThan,
  parseEventLine,
  SessionInitSchema,
  StatsSchema,
  type Stats,
} from './events';

const stats = (over: Record<string, unknown> = {}) => ({
  type: 'stats',
  session_id: 's1',
  cycle: 3,
  tick: 360,
  products_production: { 'iron-plate': 120.5, 'copper-cable': 0 },
  materials_consumption: { 'iron-ore': 118 },
  ...over,
});

describe('parseEventLine', () => {
  it('accepts session_init and stats, dropping unknown fields like the schema does', () => {
    expect(
      parseEventLine('{"type":"session_init","session_id":"a","tick":0,"level_name":"open_world","extra":1}'),
    ).toEqual({
      ok: true,
      known: true,
      event: { type: 'session_init', session_id: 'a', tick: 0, level_name: 'open_world' },
    });
    const r = parseEventLine(JSON.stringify(stats({ extra: true })));
    expect(r).toEqual({ ok: true, known: true, event: stats() });
  });

  it('keeps an unknown type as a raw event', () => {
    expect(parseEventLine('{"type":"rocket_launched","count":1}')).toEqual({
      ok: true,
      known: false,
      event: { type: 'rocket_launched', count: 1 },
    });
  });

  it.each([
    ['not json at all', 'invalid_json'],
    ['{"type":"stats",', 'invalid_json'],
    ['{"type":"stats","x":NaN}', 'invalid_json'],
    ['[1,2]', 'not_object'],
    ['"text"', 'not_object'],
    ['{"session_id":"a"}', 'missing_type'],
    [JSON.stringify(stats({ cycle: undefined })), 'schema'],
    [JSON.stringify(stats({ tick: 1.5 })), 'schema'],
    [JSON.stringify(stats({ session_id: '' })), 'schema'],
    [JSON.stringify(stats({ products_production: [1] })), 'schema'],
    [JSON.stringify(stats({ products_production: { 'iron-plate': 'fast' } })), 'schema'],
    [JSON.stringify(stats()).replace('120.5', '1e999'), 'non_finite'],
    [JSON.stringify(stats({ materials_consumption: { coal: -4 } })), 'negative'],
    ['{"type":"session_init","session_id":"a","tick":-1,"level_name":"x"}', 'schema'],
  ])('rejects %s as %s', (line, reason) => {
    const r = parseEventLine(line);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toBe(reason);
  });

  it('keeps the optional production-window and session fields, and rejects bad ones', () => {
    const full = stats({
      fluids_production: { water: 6000 },
      fluids_consumption: { steam: 1 },
      surfaces: { nauvis: { products_production: { 'iron-plate': 900 }, fluids_production: {} } },
    });
    expect(parseEventLine(JSON.stringify(full))).toEqual({ ok: true, known: true, event: full });
    const init = { type: 'session_init', session_id: 'a', tick: 251, level_name: 'freeplay', resumed: true, cycle: 2 };
    expect(parseEventLine(JSON.stringify(init))).toEqual({ ok: true, known: true, event: init });
    const neg = parseEventLine(JSON.stringify(stats({ surfaces: { nauvis: { fluids_consumption: { water: -1 } } } })));
    expect(!neg.ok && neg.reason).toBe('negative');
    expect(parseEventLine(JSON.stringify(stats({ fluids_production: [] }))).ok).toBe(false);
  });

  it('says which field failed', () => {
    const r = parseEventLine(JSON.stringify(stats({ cycle: 'x' })));
    expect(!r.ok && r.message).toMatch(/^stats: cycle: /);
    const neg = parseEventLine(JSON.stringify(stats({ materials_consumption: { coal: -4 } })));
    expect(!neg.ok && neg.message).toBe('materials_consumption.coal: a rate cannot be negative');
  });

  it('the fast path and the zod schemas agree on a corpus of mutations', () => {
    const values: unknown[] = [
      0,
      1,
      -1,
      1.5,
      1e308,
      '',
      'x',
      'y'.repeat(201),
      null,
      true,
      [],
      {},
      { a: 1 },
      { a: -1 },
      { '': 1 },
      { a: 'x' },
      { ['k'.repeat(201)]: 1 },
    ];
    const bases = [
      stats(),
      stats({
        fluids_production: { water: 6000 },
        fluids_consumption: {},
        surfaces: { nauvis: { products_production: { 'iron-plate': 1 } }, 'platform-1': {} },
      }),
      { type: 'session_init', session_id: 's', tick: 5, level_name: 'lvl' },
      {
        type: 'session_init',
        session_id: 's',
        tick: 5,
        level_name: 'lvl',
        resumed: true,
        cycle: 4,
        parent_session_id: 'p',
      },
    ];
    let checked = 0;
    for (const base of bases) {
      for (const key of Object.keys(base)) {
        if (key === 'type') continue;
        for (const v of [...values, undefined]) {
          const candidate = { ...base, [key]: v };
          const schema = base.type === 'stats' ? StatsSchema : SessionInitSchema;
          const line = JSON.stringify(candidate);
          const fast = parseEventLine(line);
          const zod = schema.safeParse(JSON.parse(line));
          expect(fast.ok, `${key}=${JSON.stringify(v)}`).toBe(zod.success);
          if (fast.ok && zod.success) expect(fast.event, `${key}=${JSON.stringify(v)}`).toEqual(zod.data);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('rejects nesting past the limit as too_deep, for unknown types and for stats, without overflowing', () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const unknown = parseEventLine(`{"type":"blob","x":${deep(5000)}}`);
    expect(unknown).toMatchObject({ ok: false, reason: 'too_deep' });
    const stats20k = parseEventLine(
      `{"type":"stats","session_id":"s","cycle":1,"tick":1,"products_production":{"a":1},"materials_consumption":{"b":${deep(20_000)}}}`,
    );
    expect(stats20k).toMatchObject({ ok: false, reason: 'too_deep' });
    const init = parseEventLine(
      `{"type":"session_init","session_id":"s","tick":0,"level_name":${'{"a":'.repeat(30_000)}1${'}'.repeat(30_000)}}`,
    );
    expect(init).toMatchObject({ ok: false, reason: 'too_deep' });
    // At the limit (the event object itself is level 1) a raw event is still kept.
    expect(parseEventLine(`{"type":"blob","x":${deep(MAX_EVENT_DEPTH - 1)}}`)).toMatchObject({
      ok: true,
      known: false,
    });
  });

  it('counts depth outside strings only', () => {
    expect(nestedDeeperThan(`{"a":"${'['.repeat(100)}\\","b":[1]}`, 2)).toBe(false);
    expect(nestedDeeperThan('{"a":"\\"[[[","b":[[1]]}', 2)).toBe(true);
    expect(nestedDeeperThan('{"a":"\\"[[[","b":[1]}', 2)).toBe(false);
  });

  it('keeps items named like Object members, __proto__ included, on the fast path and through zod', () => {
    const names = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];
    const line = `{"type":"stats","session_id":"s","cycle":1,"tick":1,"products_production":{${names.map((n, i) => `"${n}":${i + 1}`).join(',')}},"materials_consumption":{"valueOf":7}}`;
    const fast = parseEventLine(line);
    expect(fast.ok).toBe(true);
    const e = (fast as { event: Stats }).event;
    expect(Object.keys(e.products_production)).toEqual(names);
    expect(names.map((n) => e.products_production[n])).toEqual([1, 2, 3, 4, 5]);
    expect(e.materials_consumption.constructor).toBeUndefined();
    expect(e.materials_consumption.valueOf).toBe(7);
    const viaZod = StatsSchema.parse(JSON.parse(line));
    expect(Object.keys(viaZod.products_production)).toEqual(names);
    expect(viaZod.products_production.__proto__).toBe(3);
    expect(viaZod.materials_consumption.toString).toBeUndefined();
    // A zod-only path (the fast check fails on cycle) still keeps the keys when the rest is fixed.
    expect(StatsSchema.safeParse({ ...JSON.parse(line), cycle: -1 }).success).toBe(false);
  });
});
