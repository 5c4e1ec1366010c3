import { describe, expect, it } from 'vitest';
import { StreamAdmission } from './admission';
import { EngineError } from './game';

const MiB = 2 ** 20;

describe('StreamAdmission', () => {
  it('admits under both limits, refuses past either with the config key, and gives back on release', () => {
    const a = new StreamAdmission<string>(2, 10 * MiB);
    a.admit('one', 4 * MiB);
    a.admit('two', 4 * MiB);
    expect([a.size, a.bytes]).toEqual([2, 8 * MiB]);
    expect(() => a.admit('three', MiB)).toThrow(
      /2 streams are running \(BatchSimulate and Simulate\).*engine\.maxStreams/,
    );
    a.release('two');
    a.release('two');
    expect([a.size, a.bytes]).toEqual([1, 4 * MiB]);
    expect(() => a.admit('big', 7 * MiB)).toThrow(
      /needs ~7 MiB more than the 10 MiB allowed \(engine\.streamMemoryMB\)/,
    );
    expect(() => a.admit('huge', 11 * MiB)).toThrow(/more than the 10 MiB streams may hold/);
    const refusal = (() => {
      try {
        a.admit('huge', 11 * MiB);
      } catch (e) {
        return e;
      }
    })();
    expect(refusal).toBeInstanceOf(EngineError);
    expect((refusal as EngineError).code).toBe('resource_exhausted');
    expect([a.size, a.bytes]).toEqual([1, 4 * MiB]);
  });
});
