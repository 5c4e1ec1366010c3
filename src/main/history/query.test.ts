import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forEachPicked } from './query';
import { ROLL_STRIDE } from './schema';

/** What JSON.parse gives for the picked items: [slot, numbers…] per item, in row order. */
function parsed(data: string, slot: ReadonlyMap<number, number>): number[][] {
  const d = JSON.parse(data) as (number | null)[];
  const out: number[][] = [];
  for (let i = 0; i < d.length; i += ROLL_STRIDE) {
    const s = slot.get(d[i]!);
    if (s !== undefined) out.push([s, ...d.slice(i, i + ROLL_STRIDE).map((x) => Number(x ?? 0))]);
  }
  return out;
}

function picked(data: string, slot: ReadonlyMap<number, number>): number[][] {
  const out: number[][] = [];
  const buf = new Float64Array(ROLL_STRIDE);
  forEachPicked(data, slot, buf, (s) => out.push([s, ...buf]));
  return out;
}

describe('forEachPicked', () => {
  it('reads the asked-for items of a roll row exactly as JSON.parse does', () => {
    const num = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer(),
      fc.constantFrom(0, -0, 1e21, 5e-324, 1234.56, Infinity),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat({ max: 100_000 }), { maxLength: 60 }),
        fc.array(num, { minLength: 7 * 60, maxLength: 7 * 60 }),
        fc.array(fc.nat({ max: 100_000 })),
        (ids, nums, ask) => {
          const row: number[] = [];
          ids.forEach((id, i) => row.push(id, ...nums.slice(i * 7, i * 7 + 7)));
          const data = JSON.stringify(row);
          const slot = new Map([...ask, ...ids.filter((_, i) => i % 3 === 0)].map((id, i) => [id, i]));
          expect(picked(data, slot)).toEqual(parsed(data, slot));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses a row that is not an array of numbers led by item ids', () => {
    expect(() => picked('[{"a":1}]', new Map([[1, 0]]))).toThrow(/number array/);
  });
});
