import { describe, expect, it } from 'vitest';
import { parseEventLine, SessionInitSchema, StatsSchema } from './events';

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
    expect(parseEventLine('{"type":"session_init","session_id":"a","tick":0,"level_name":"open_world","extra":1}')).toEqual({
      ok: true,
      known: true,
      event: { type: 'session_init', session_id: 'a', tick: 0, level_name: 'open_world' },
    });
    const r = parseEventLine(JSON.stringify(stats({ extra: true })));
    expect(r).toEqual({ ok: true, known: true, event: stats() });
  });

  it('keeps an unknown type as a raw event', () => {
    expect(parseEventLine('{"type":"rocket_launched","count":1}')).toEqual({ ok: true, known: false, event: { type: 'rocket_launched', count: 1 } });
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

  it('says which field failed', () => {
    const r = parseEventLine(JSON.stringify(stats({ cycle: 'x' })));
    expect(!r.ok && r.message).toMatch(/^stats: cycle: /);
    const neg = parseEventLine(JSON.stringify(stats({ materials_consumption: { coal: -4 } })));
    expect(!neg.ok && neg.message).toBe('materials_consumption.coal: a rate cannot be negative');
  });

  it('the fast path and the zod schemas agree on a corpus of mutations', () => {
    const values: unknown[] = [0, 1, -1, 1.5, 1e308, '', 'x', 'y'.repeat(201), null, true, [], {}, { a: 1 }, { a: -1 }, { '': 1 }, { a: 'x' }, { ['k'.repeat(201)]: 1 }];
    const bases = [stats(), { type: 'session_init', session_id: 's', tick: 5, level_name: 'lvl' }];
    let checked = 0;
    for (const base of bases) {
      for (const key of Object.keys(base)) {
        if (key === 'type') continue;
        for (const v of [...values, undefined]) {
          const candidate = { ...base, [key]: v };
          const schema = base.type === 'stats' ? StatsSchema : SessionInitSchema;
          const line = JSON.stringify(candidate);
          expect(parseEventLine(line).ok, `${key}=${JSON.stringify(v)}`).toBe(schema.safeParse(JSON.parse(line)).success);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
