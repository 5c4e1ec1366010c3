// A ChaCha20 RNG whose whole state (key + position in the keystream) serializes into 40 bytes, so
// games carry it inside their state bytes and every Step is a pure function of its input.
//
// The block function is written here rather than taken from node:crypto's 'chacha20' cipher: a
// step draws a word or two from a key that arrives with each request, and creating a cipher per
// draw costs a native object and buffers every time, while this reuses two Uint32Arrays. The tests
// check it against RFC 8439's vectors and against node:crypto on random keys and counters.
//
// Layout matches rand_chacha's ChaCha20Rng (64-bit block counter in words 12-13, stream id 0 in
// words 14-15, keystream read as little-endian u32 words), and seedFromU64 follows rand_core 0.6's
// `seed_from_u64` (PCG32 fills the 32-byte key), so a Rust engine can draw the same numbers.

const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]; // "expand 32-byte k"

/**
 * One ChaCha20 block: `input` is the 16-word initial state, `out` receives the 16 keystream words
 * (the 64 keystream bytes are `out` in little-endian order). RFC 8439 section 2.3.
 */
export function chachaBlock(input: Uint32Array, out: Uint32Array): void {
  let x0 = input[0],
    x1 = input[1],
    x2 = input[2],
    x3 = input[3];
  let x4 = input[4],
    x5 = input[5],
    x6 = input[6],
    x7 = input[7];
  let x8 = input[8],
    x9 = input[9],
    x10 = input[10],
    x11 = input[11];
  let x12 = input[12],
    x13 = input[13],
    x14 = input[14],
    x15 = input[15];
  for (let i = 0; i < 10; i++) {
    // Column rounds, then diagonal rounds; `| 0` keeps every value a 32-bit integer.
    x0 = (x0 + x4) | 0;
    x12 ^= x0;
    x12 = (x12 << 16) | (x12 >>> 16);
    x8 = (x8 + x12) | 0;
    x4 ^= x8;
    x4 = (x4 << 12) | (x4 >>> 20);
    x0 = (x0 + x4) | 0;
    x12 ^= x0;
    x12 = (x12 << 8) | (x12 >>> 24);
    x8 = (x8 + x12) | 0;
    x4 ^= x8;
    x4 = (x4 << 7) | (x4 >>> 25);
    x1 = (x1 + x5) | 0;
    x13 ^= x1;
    x13 = (x13 << 16) | (x13 >>> 16);
    x9 = (x9 + x13) | 0;
    x5 ^= x9;
    x5 = (x5 << 12) | (x5 >>> 20);
    x1 = (x1 + x5) | 0;
    x13 ^= x1;
    x13 = (x13 << 8) | (x13 >>> 24);
    x9 = (x9 + x13) | 0;
    x5 ^= x9;
    x5 = (x5 << 7) | (x5 >>> 25);
    x2 = (x2 + x6) | 0;
    x14 ^= x2;
    x14 = (x14 << 16) | (x14 >>> 16);
    x10 = (x10 + x14) | 0;
    x6 ^= x10;
    x6 = (x6 << 12) | (x6 >>> 20);
    x2 = (x2 + x6) | 0;
    x14 ^= x2;
    x14 = (x14 << 8) | (x14 >>> 24);
    x10 = (x10 + x14) | 0;
    x6 ^= x10;
    x6 = (x6 << 7) | (x6 >>> 25);
    x3 = (x3 + x7) | 0;
    x15 ^= x3;
    x15 = (x15 << 16) | (x15 >>> 16);
    x11 = (x11 + x15) | 0;
    x7 ^= x11;
    x7 = (x7 << 12) | (x7 >>> 20);
    x3 = (x3 + x7) | 0;
    x15 ^= x3;
    x15 = (x15 << 8) | (x15 >>> 24);
    x11 = (x11 + x15) | 0;
    x7 ^= x11;
    x7 = (x7 << 7) | (x7 >>> 25);
    x0 = (x0 + x5) | 0;
    x15 ^= x0;
    x15 = (x15 << 16) | (x15 >>> 16);
    x10 = (x10 + x15) | 0;
    x5 ^= x10;
    x5 = (x5 << 12) | (x5 >>> 20);
    x0 = (x0 + x5) | 0;
    x15 ^= x0;
    x15 = (x15 << 8) | (x15 >>> 24);
    x10 = (x10 + x15) | 0;
    x5 ^= x10;
    x5 = (x5 << 7) | (x5 >>> 25);
    x1 = (x1 + x6) | 0;
    x12 ^= x1;
    x12 = (x12 << 16) | (x12 >>> 16);
    x11 = (x11 + x12) | 0;
    x6 ^= x11;
    x6 = (x6 << 12) | (x6 >>> 20);
    x1 = (x1 + x6) | 0;
    x12 ^= x1;
    x12 = (x12 << 8) | (x12 >>> 24);
    x11 = (x11 + x12) | 0;
    x6 ^= x11;
    x6 = (x6 << 7) | (x6 >>> 25);
    x2 = (x2 + x7) | 0;
    x13 ^= x2;
    x13 = (x13 << 16) | (x13 >>> 16);
    x8 = (x8 + x13) | 0;
    x7 ^= x8;
    x7 = (x7 << 12) | (x7 >>> 20);
    x2 = (x2 + x7) | 0;
    x13 ^= x2;
    x13 = (x13 << 8) | (x13 >>> 24);
    x8 = (x8 + x13) | 0;
    x7 ^= x8;
    x7 = (x7 << 7) | (x7 >>> 25);
    x3 = (x3 + x4) | 0;
    x14 ^= x3;
    x14 = (x14 << 16) | (x14 >>> 16);
    x9 = (x9 + x14) | 0;
    x4 ^= x9;
    x4 = (x4 << 12) | (x4 >>> 20);
    x3 = (x3 + x4) | 0;
    x14 ^= x3;
    x14 = (x14 << 8) | (x14 >>> 24);
    x9 = (x9 + x14) | 0;
    x4 ^= x9;
    x4 = (x4 << 7) | (x4 >>> 25);
  }
  out[0] = x0 + input[0];
  out[1] = x1 + input[1];
  out[2] = x2 + input[2];
  out[3] = x3 + input[3];
  out[4] = x4 + input[4];
  out[5] = x5 + input[5];
  out[6] = x6 + input[6];
  out[7] = x7 + input[7];
  out[8] = x8 + input[8];
  out[9] = x9 + input[9];
  out[10] = x10 + input[10];
  out[11] = x11 + input[11];
  out[12] = x12 + input[12];
  out[13] = x13 + input[13];
  out[14] = x14 + input[14];
  out[15] = x15 + input[15];
}

export function putU32(b: Uint8Array, off: number, v: number): void {
  b[off] = v;
  b[off + 1] = v >>> 8;
  b[off + 2] = v >>> 16;
  b[off + 3] = v >>> 24;
}

export function getU32(b: Uint8Array, off: number): number {
  return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
}

/** Bytes an RNG takes inside a game state: 32-byte key, then the u64 word position (LE). */
export const RNG_STATE_BYTES = 40;

const U64_MASK = (1n << 64n) - 1n;
const PCG_MUL = 6364136223846793005n;
const PCG_INC = 11634580027462260723n;

/** rand_core 0.6 `seed_from_u64`: eight PCG32 outputs, each little-endian, make the 32-byte key. */
export function keyFromU64(seed: bigint, out = new Uint32Array(8)): Uint32Array {
  let state = BigInt.asUintN(64, seed);
  for (let i = 0; i < 8; i++) {
    state = (state * PCG_MUL + PCG_INC) & U64_MASK;
    const xorshifted = Number((((state >> 18n) ^ state) >> 27n) & 0xffffffffn) >>> 0;
    const rot = Number(state >> 59n);
    out[i] = ((xorshifted >>> rot) | (xorshifted << ((32 - rot) & 31))) >>> 0;
  }
  return out;
}

/** A state whose RNG stands at the last word position a u64 can hold cannot draw again. */
export class RngExhausted extends RangeError {
  constructor() {
    super('the RNG is at word position 2^64 - 1, the last a state can hold; it cannot draw again');
    this.name = 'RngExhausted';
  }
}

export class ChaCha20Rng {
  private readonly input = new Uint32Array(16);
  private readonly block = new Uint32Array(16);
  // Keystream words consumed so far: a u64 held exactly as two u32 halves (a double stops
  // counting at 2^53, which once froze the rejection loop in below() on the same word).
  private posLo = 0;
  private posHi = 0;
  /** Which 60-bit block `block` holds (as two halves); `cachedOk` false when stale. */
  private cachedLo = 0;
  private cachedHi = 0;
  private cachedOk = false;
  /** A u64 seed whose key is not derived yet: games that never draw never pay for the PCG step. */
  private pending: bigint | null = null;

  constructor() {
    this.input.set(SIGMA, 0);
  }

  static fromU64(seed: bigint): ChaCha20Rng {
    return new ChaCha20Rng().seedU64(seed);
  }

  /** Re-seeds in place; the key is derived on first use. */
  seedU64(seed: bigint): this {
    this.pending = seed;
    this.posLo = this.posHi = 0;
    this.cachedOk = false;
    return this;
  }

  private materialize(): void {
    keyFromU64(this.pending!, this.input.subarray(4, 12));
    this.pending = null;
  }

  /** Seeds from a 32-byte key (rand_chacha `from_seed`). */
  seedKey(key: Uint8Array): this {
    for (let i = 0; i < 8; i++) this.input[4 + i] = getU32(key, i * 4);
    this.pending = null;
    this.posLo = this.posHi = 0;
    this.cachedOk = false;
    return this;
  }

  /** The position in the keystream, in 32-bit words (rand_chacha `get_word_pos`), exactly. */
  get wordPos(): bigint {
    return (BigInt(this.posHi) << 32n) | BigInt(this.posLo);
  }

  /** Moves to a word position (rand_chacha `set_word_pos`), 0 to 2^64 - 1. */
  setWordPos(pos: bigint): this {
    if (pos < 0n || pos > U64_MASK) throw new RangeError(`RNG word position must be 0 to 2^64 - 1, got ${pos}`);
    if (this.pending !== null) this.materialize();
    this.posLo = Number(pos & 0xffffffffn);
    this.posHi = Number(pos >> 32n);
    return this;
  }

  /**
   * The next keystream word. rand_chacha's 64-bit block counter gives words 0 to 2^68 - 1; a
   * state stores the position as a u64, so the last word a state can reach is 2^64 - 2 and a draw
   * at 2^64 - 1 throws RngExhausted rather than wrap to a position that repeats the keystream.
   */
  nextU32(): number {
    if (this.pending !== null) this.materialize();
    const lo = this.posLo;
    const hi = this.posHi;
    if (lo === 0xffffffff && hi === 0xffffffff) throw new RngExhausted();
    const bLo = ((lo >>> 4) | (hi << 28)) >>> 0;
    const bHi = hi >>> 4;
    if (!this.cachedOk || bLo !== this.cachedLo || bHi !== this.cachedHi) {
      this.input[12] = bLo;
      this.input[13] = bHi;
      chachaBlock(this.input, this.block);
      this.cachedLo = bLo;
      this.cachedHi = bHi;
      this.cachedOk = true;
    }
    if (lo === 0xffffffff) {
      this.posLo = 0;
      this.posHi = hi + 1;
    } else this.posLo = lo + 1;
    return this.block[lo & 15];
  }

  /** Uniform integer in [0, n), n in [1, 2^32): Lemire's multiply-and-reject, no modulo bias. */
  below(n: number): number {
    const zone = ((n * 2 ** Math.clz32(n)) >>> 0) - 1; // (n << leading_zeros(n)) - 1, as u32
    for (;;) {
      const v = this.nextU32();
      const lo = Math.imul(v, n) >>> 0;
      if (lo <= zone) {
        // High 32 bits of the 64-bit product, exactly, in doubles: split v into 16-bit halves.
        const u = (v >>> 16) * n + Math.floor(((v & 0xffff) * n) / 0x10000);
        return Math.floor(u / 0x10000);
      }
    }
  }

  /** Writes key and word position (40 bytes) at `off`. */
  save(out: Uint8Array, off: number): void {
    if (this.pending !== null) this.materialize();
    for (let i = 0; i < 8; i++) putU32(out, off + i * 4, this.input[4 + i]);
    putU32(out, off + 32, this.posLo);
    putU32(out, off + 36, this.posHi);
  }

  /** Reads what save() wrote (any u64 position); the block cache survives when the key is unchanged. */
  load(buf: Uint8Array, off: number): void {
    this.pending = null;
    let same = true;
    for (let i = 0; i < 8; i++) {
      const w = getU32(buf, off + i * 4);
      if (w !== this.input[4 + i]) same = false;
      this.input[4 + i] = w;
    }
    if (!same) this.cachedOk = false;
    this.posLo = getU32(buf, off + 32);
    this.posHi = getU32(buf, off + 36);
  }

  copyFrom(other: ChaCha20Rng): void {
    if (other.pending !== null) other.materialize();
    this.pending = null;
    this.input.set(other.input);
    this.block.set(other.block);
    this.posLo = other.posLo;
    this.posHi = other.posHi;
    this.cachedLo = other.cachedLo;
    this.cachedHi = other.cachedHi;
    this.cachedOk = other.cachedOk;
  }
}
