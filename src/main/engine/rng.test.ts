import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chachaBlock, ChaCha20Rng, keyFromU64, RNG_STATE_BYTES, RngExhausted } from './rng';

const hex = (s: string) => Buffer.from(s.replace(/[\s:]/g, ''), 'hex');

/** The 16-word initial state for (key, counter, 96-bit nonce), RFC 8439 section 2.3. */
function rfcState(key: Uint8Array, counter: number, nonce: Uint8Array): Uint32Array {
  const s = new Uint32Array(16);
  s.set([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);
  for (let i = 0; i < 8; i++) s[4 + i] = Buffer.from(key).readUInt32LE(i * 4);
  s[12] = counter;
  for (let i = 0; i < 3; i++) s[13 + i] = Buffer.from(nonce).readUInt32LE(i * 4);
  return s;
}

function block(key: Uint8Array, counter: number, nonce: Uint8Array): Buffer {
  const out = new Uint32Array(16);
  chachaBlock(rfcState(key, counter, nonce), out);
  return Buffer.from(out.buffer);
}

describe('ChaCha20 block function', () => {
  it('matches RFC 8439 section 2.3.2 (block function test vector)', () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i);
    expect(block(key, 1, hex('000000090000004a00000000')).toString('hex')).toBe(
      hex(`10 f1 e7 e4 d1 3b 59 15 50 0f dd 1f a3 20 71 c4 c7 d1 f4 c7 33 c0 68 03 04 22 aa 9a c3 d4 6c 4e
           d2 82 64 46 07 9f aa 09 14 c2 d7 05 d9 8b 02 a2 b5 12 9c d1 de 16 4e b9 cb d0 83 e8 a2 50 3c 4e`).toString(
        'hex',
      ),
    );
  });

  it('matches RFC 8439 appendix A.1 test vectors #1 and #2 (zero key, counters 0 and 1)', () => {
    const zero = new Uint8Array(32);
    expect(block(zero, 0, new Uint8Array(12)).toString('hex')).toBe(
      '76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586',
    );
    expect(block(zero, 1, new Uint8Array(12)).toString('hex')).toBe(
      '9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f',
    );
  });

  it('equals node:crypto chacha20 (OpenSSL) for random keys, counters and nonces', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        (key, counter, nonce) => {
          const iv = Buffer.concat([Buffer.alloc(4), Buffer.from(nonce)]);
          iv.writeUInt32LE(counter, 0);
          const ref = createCipheriv('chacha20', key, iv).update(Buffer.alloc(64));
          expect(block(key, counter, nonce).equals(ref)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('ChaCha20Rng', () => {
  it("reads the keystream as rand_chacha's ChaCha20Rng does (its published true_values_a, zero seed)", () => {
    const rng = new ChaCha20Rng().seedKey(new Uint8Array(32));
    const first = Array.from({ length: 16 }, () => rng.nextU32());
    expect(first).toEqual([
      0xade0b876, 0x903df1a0, 0xe56a5d40, 0x28bd8653, 0xb819d2bd, 0x1aed8da0, 0xccef36a8, 0xc70d778b, 0x7c5941da,
      0x8d485751, 0x3fe02477, 0x374ad8b8, 0xf4b8436a, 0x1ca11815, 0x69b687c3, 0x8665eeb2,
    ]);
    const second = Array.from({ length: 16 }, () => rng.nextU32());
    expect(second).toEqual([
      0xbee7079f, 0x7a385155, 0x7c97ba98, 0x0d082d73, 0xa0290fcb, 0x6965e348, 0x3e53c612, 0xed7aee32, 0x7621b729,
      0x434ee69c, 0xb03371d5, 0xd539d874, 0x281fed31, 0x45fb0a51, 0x1f0ae1ac, 0x6f4d794b,
    ]);
  });

  it("gives rand_chacha's test_chacha_construction value for its from_seed key", () => {
    const key = new Uint8Array(32);
    key[8] = 1;
    key[16] = 2;
    key[24] = 3;
    expect(new ChaCha20Rng().seedKey(key).nextU32()).toBe(137206642);
  });

  it('seeds from a u64 with PCG32 as rand_core 0.6 seed_from_u64 (checked against a BigInt transcription of it)', () => {
    const reference = (seed: bigint) => {
      const mask = (1n << 64n) - 1n;
      let state = seed;
      const words: number[] = [];
      for (let i = 0; i < 8; i++) {
        state = (state * 6364136223846793005n + 11634580027462260723n) & mask;
        const x = Number((((state >> 18n) ^ state) >> 27n) & 0xffffffffn);
        const rot = Number(state >> 59n);
        words.push(Number((BigInt(x) >> BigInt(rot)) | ((BigInt(x) << BigInt((32 - rot) & 31)) & 0xffffffffn)));
      }
      return words;
    };
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (seed) => {
        expect([...keyFromU64(seed)]).toEqual(reference(seed));
      }),
    );
  });

  it('continues exactly where it left off after save/load (the state bytes carry the RNG)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.integer({ min: 0, max: 200 }), (seed, skip) => {
        const a = ChaCha20Rng.fromU64(seed);
        for (let i = 0; i < skip; i++) a.nextU32();
        const bytes = new Uint8Array(RNG_STATE_BYTES);
        a.save(bytes, 0);
        const b = new ChaCha20Rng();
        b.load(bytes, 0);
        expect(b.wordPos).toBe(BigInt(skip));
        for (let i = 0; i < 40; i++) expect(b.nextU32()).toBe(a.nextU32());
      }),
      { numRuns: 100 },
    );
  });

  /** Keystream words from `pos` on, from OpenSSL: a 64-bit block counter and stream 0 make the IV. */
  function opensslWords(key: Uint8Array, pos: bigint, n: number): number[] {
    const iv = Buffer.alloc(16);
    iv.writeBigUInt64LE(pos >> 4n, 0);
    const skip = Number(pos & 15n);
    const ks = createCipheriv('chacha20', key, iv).update(Buffer.alloc((skip + n) * 4));
    return Array.from({ length: n }, (_, i) => ks.readUInt32LE((skip + i) * 4));
  }

  /** A saved RNG (40 bytes) with the given key and word position. */
  function savedAt(key: Uint8Array, pos: bigint): Uint8Array {
    const b = new Uint8Array(RNG_STATE_BYTES);
    b.set(key, 0);
    Buffer.from(b.buffer).writeBigUInt64LE(pos, 32);
    return b;
  }

  it('counts word positions exactly past 2^53 and up to 2^64 - 1: every draw is a new keystream word', () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);
    for (const start of [2n ** 53n - 1n, 2n ** 53n - 3n, 2n ** 60n + 13n, 2n ** 64n - 20n, 2n ** 32n - 2n]) {
      const r = new ChaCha20Rng();
      r.load(savedAt(key, start), 0);
      expect(r.wordPos).toBe(start);
      const words = Array.from({ length: 18 }, () => r.nextU32());
      expect(words).toEqual(opensslWords(key, start, 18));
      expect(r.wordPos).toBe(start + 18n);
      const out = new Uint8Array(RNG_STATE_BYTES);
      r.save(out, 0);
      expect(Buffer.from(out).readBigUInt64LE(32)).toBe(start + 18n);
    }
  });

  it('below(n) terminates at position 2^53 - 1 (it once drew the same rejected word forever)', () => {
    const key = new Uint8Array(32).fill(3);
    for (const n of [16, 15, 3, 10, 0x80000001]) {
      const r = new ChaCha20Rng();
      r.load(savedAt(key, 2n ** 53n - 1n), 0);
      for (let i = 0; i < 200; i++) expect(r.below(n)).toBeLessThan(n);
      expect(r.wordPos).toBeGreaterThanOrEqual(2n ** 53n - 1n + 200n);
    }
  });

  it('refuses to draw at word position 2^64 - 1 (the last a u64 can hold) instead of wrapping', () => {
    const key = new Uint8Array(32).fill(9);
    const r = new ChaCha20Rng();
    r.load(savedAt(key, 2n ** 64n - 2n), 0);
    expect(r.nextU32()).toBe(opensslWords(key, 2n ** 64n - 2n, 1)[0]);
    expect(r.wordPos).toBe(2n ** 64n - 1n);
    expect(() => r.nextU32()).toThrow(RngExhausted);
    expect(r.wordPos).toBe(2n ** 64n - 1n);
    expect(() => r.setWordPos(2n ** 64n)).toThrow(RangeError);
  });

  it('below(n) is the high word of v*n with rejection, exactly as in 64-bit integers', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 1, max: 0xffffffff }),
        (key, n) => {
          const a = new ChaCha20Rng().seedKey(key);
          const ref = new ChaCha20Rng().seedKey(key);
          const zone = ((BigInt(n) << BigInt(Math.clz32(n))) & 0xffffffffn) - 1n;
          let expected: number;
          for (;;) {
            const p = BigInt(ref.nextU32()) * BigInt(n);
            if ((p & 0xffffffffn) <= zone) {
              expected = Number(p >> 32n);
              break;
            }
          }
          const got = a.below(n);
          expect(got).toBe(expected);
          expect(got).toBeLessThan(n);
          expect(a.wordPos).toBe(ref.wordPos);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('different seeds give different streams; the same seed the same stream', () => {
    const draw = (seed: bigint) =>
      Array.from(
        { length: 8 },
        (
          (r) => () =>
            r.nextU32()
        )(ChaCha20Rng.fromU64(seed)),
      );
    expect(draw(1n)).toEqual(draw(1n));
    expect(draw(1n)).not.toEqual(draw(2n));
  });
});
