// A Simulate answer encoded straight from the stepping loop: one buffer per answer, the fixed-size
// fields (obs, rewards, terminated, truncated, action_mask, current_player) written by the games in
// place, the rest appended after the loop. Hand-written rather than the generated encoder because,
// profiled on 1,024 TicTacToe envs, building a SimulateResponse of fresh arrays and then encoding
// it (the writer growing and joining its chunks) cost ~40% of a step's worker time (README,
// Simulate). Fields come in field-number order and empty ones are left out, as the generated
// encoder does, so the bytes are the same (simulate-pack.test.ts checks it).
import type { ErasedEnv } from './game';

const TAG = {
  envIndices: 10,
  obs: 18,
  rewards: 26,
  terminated: 34,
  truncated: 42,
  mask: 50,
  player: 58,
  finalObs: 66,
  resetSeeds: 74,
  states: 82,
  episodes: 90,
};

function varintSize(n: number): number {
  let s = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    s++;
  }
  return s;
}

/** A u64's varint size from its two u32 halves (BigInt arithmetic per byte showed in profiles). */
function u64VarintSize(lo: number, hi: number): number {
  const bits = hi ? 64 - Math.clz32(hi) : 32 - Math.clz32(lo);
  return Math.max(1, Math.ceil(bits / 7));
}

/** Bytes a length-delimited field takes in all (0 when empty: proto3 leaves it out). */
const fieldSize = (len: number) => (len === 0 ? 0 : 1 + varintSize(len) + len);

/** Shapes of one stream's answers. */
export interface PackShape {
  obsBytes: number;
  players: number;
  actions: number;
  maxStateBytes: number;
  includeState: boolean;
}

/**
 * Writes one answer for k environments. Reused between answers (scratch for what only the end of
 * the loop can size); each answer's bytes are a fresh buffer, transferred to the main thread.
 */
export class AnswerPacker {
  private buf = new Uint8Array(0);
  private pos = 0;
  private k = 0;
  private obsAt = 0;
  private rewardsAt = 0;
  private termAt = 0;
  private truncAt = 0;
  private maskAt = 0;
  private playerAt = 0;
  private finals = 0;
  private states = 0;
  private rewards = new Float32Array(0);
  private finalObs = new Uint8Array(0);
  /** Reset seeds of the rows that ended, as u32 halves: low, high, low, high, … */
  private seeds: number[] = [];
  private stateBytes = new Uint8Array(0);
  private stateEnds = new Uint32Array(0);

  constructor(private readonly s: PackShape) {}

  /** Starts an answer for `k` environments (`subset`: the indices it names, in order). */
  begin(k: number, subset: Uint32Array | null): void {
    const { obsBytes: ob, players: P, actions: nA } = this.s;
    this.k = k;
    let idxLen = 0;
    if (subset) for (let j = 0; j < k; j++) idxLen += varintSize(subset[j]);
    const fixed =
      fieldSize(idxLen) +
      fieldSize(k * ob) +
      fieldSize(4 * k * P) +
      2 * fieldSize(k) +
      fieldSize(k * nA) +
      fieldSize(k);
    // Upper bounds of the tail: every environment ends its episode (final_obs, reset_seeds), states, episodes.
    const tail =
      fieldSize(k * ob) +
      fieldSize(10 * k) +
      (this.s.includeState ? k * (1 + varintSize(this.s.maxStateBytes) + this.s.maxStateBytes) : 0) +
      fieldSize(4 * k);
    this.buf = new Uint8Array(fixed + tail);
    this.pos = 0;
    if (idxLen) {
      this.head(TAG.envIndices, idxLen);
      for (let j = 0; j < k; j++) this.varint(subset![j]);
    }
    this.obsAt = this.field(TAG.obs, k * ob);
    this.rewardsAt = this.field(TAG.rewards, 4 * k * P);
    this.termAt = this.field(TAG.terminated, k);
    this.truncAt = this.field(TAG.truncated, k);
    this.maskAt = this.field(TAG.mask, k * nA);
    this.playerAt = this.field(TAG.player, k);
    if (this.rewards.length < k * P) this.rewards = new Float32Array(k * P);
    else this.rewards.fill(0, 0, k * P);
    if (this.finalObs.length < k * ob) this.finalObs = new Uint8Array(k * ob);
    this.finals = 0;
    this.seeds.length = 0;
    this.states = 0;
    if (this.s.includeState && this.stateEnds.length < k) {
      this.stateEnds = new Uint32Array(k);
      this.stateBytes = new Uint8Array(k * this.s.maxStateBytes);
    }
  }

  /** Row j's reward slots (the caller writes numPlayers floats at the offset). */
  get rewardRows(): Float32Array {
    return this.rewards;
  }

  /** Row j's episode end: its last observation and the seed of the next episode. */
  ended(env: ErasedEnv, j: number, terminated: boolean, seed: bigint): void {
    this.buf[(terminated ? this.termAt : this.truncAt) + j] = 1;
    env.writeObs(this.finalObs, this.finals++ * this.s.obsBytes);
    this.seeds.push(Number(seed & 0xffffffffn), Number(seed >> 32n));
  }

  /** Row j as the environment shows it now. */
  row(env: ErasedEnv, j: number): void {
    env.writeObs(this.buf, this.obsAt + j * this.s.obsBytes);
    env.writeMask(this.buf, this.maskAt + j * this.s.actions);
    this.buf[this.playerAt + j] = env.player();
    if (this.s.includeState) {
      const st = env.state();
      const from = this.states ? this.stateEnds[this.states - 1] : 0;
      this.stateBytes.set(st, from);
      this.stateEnds[this.states++] = from + st.length;
    }
  }

  /** The answer's bytes; `episodes` gives row j's episode number. */
  finish(episodes: (j: number) => number): Uint8Array {
    const { k } = this;
    const P = this.s.players;
    this.buf.set(new Uint8Array(this.rewards.buffer, 0, 4 * k * P), this.rewardsAt);
    const fo = this.finals * this.s.obsBytes;
    if (fo) this.buf.set(this.finalObs.subarray(0, fo), this.field(TAG.finalObs, fo));
    if (this.seeds.length) {
      let len = 0;
      for (let i = 0; i < this.seeds.length; i += 2) len += u64VarintSize(this.seeds[i], this.seeds[i + 1]);
      this.head(TAG.resetSeeds, len);
      for (let i = 0; i < this.seeds.length; i += 2) this.u64Varint(this.seeds[i], this.seeds[i + 1]);
    }
    for (let i = 0, from = 0; i < this.states; i++) {
      const to = this.stateEnds[i];
      this.buf.set(this.stateBytes.subarray(from, to), this.field(TAG.states, to - from, true));
      from = to;
    }
    const at = this.field(TAG.episodes, 4 * k);
    const dv = new DataView(this.buf.buffer);
    for (let j = 0; j < k; j++) dv.setUint32(at + 4 * j, episodes(j), true);
    const out = this.buf.subarray(0, this.pos);
    this.buf = new Uint8Array(0);
    return out;
  }

  private head(tag: number, len: number): void {
    this.buf[this.pos++] = tag;
    this.varint(len);
  }

  /** Writes a length-delimited field's tag and length; returns where its payload goes. */
  private field(tag: number, len: number, evenEmpty = false): number {
    if (len === 0 && !evenEmpty) return this.pos;
    this.head(tag, len);
    const at = this.pos;
    this.pos += len;
    return at;
  }

  private varint(n: number): void {
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }

  /** Seven bits at a time from the low half, the high half shifting down into it. */
  private u64Varint(lo: number, hi: number): void {
    while (hi !== 0 || lo >= 0x80) {
      this.buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.buf[this.pos++] = lo;
  }
}
