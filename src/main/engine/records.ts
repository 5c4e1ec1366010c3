// Encodes the stream's results (a Transition or an EpisodeSummary, each as one field of
// SimResultChunk: tag, length, message) into one growing buffer, so a shard can tell the main
// thread where every result ends. Hand-written because @bufbuild/protobuf's BinaryWriter does not
// expose its write position; the output is byte-identical to the generated encoders (the field
// order and the "skip default values" rule are theirs), which records.test.ts checks.
import type { EpisodeSummary, Transition } from './gen/engine/v1/engine';

const f32 = new Float32Array(1);
const f32Bytes = new Uint8Array(f32.buffer);

function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

export class RecordWriter {
  private buf: Uint8Array<ArrayBuffer> = new Uint8Array(1 << 16);
  private pos = 0;

  get length(): number {
    return this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  private varint(v: number): void {
    const b = this.buf;
    while (v >= 0x80) {
      b[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[this.pos++] = v;
  }

  private float(v: number): void {
    f32[0] = v;
    this.buf.set(f32Bytes, this.pos);
    this.pos += 4;
  }

  private bytesField(tag: number, v: Uint8Array): void {
    if (v.length === 0) return;
    this.buf[this.pos++] = tag;
    this.varint(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  private uintField(tag: number, v: number): void {
    if (v === 0) return;
    this.buf[this.pos++] = tag;
    this.varint(v);
  }

  /** SimResultChunk field 1. */
  transition(t: Transition): void {
    const body =
      (t.envIndex !== 0 ? 1 + varintSize(t.envIndex) : 0) +
      (t.episode !== 0 ? 1 + varintSize(t.episode) : 0) +
      (t.step !== 0 ? 1 + varintSize(t.step) : 0) +
      (t.action.length !== 0 ? 1 + varintSize(t.action.length) + t.action.length : 0) +
      (t.obs.length !== 0 ? 1 + varintSize(t.obs.length) + t.obs.length : 0) +
      (t.reward !== 0 ? 5 : 0) +
      (t.done ? 2 : 0) +
      (t.state.length !== 0 ? 1 + varintSize(t.state.length) + t.state.length : 0);
    this.ensure(body + 6);
    this.buf[this.pos++] = 10;
    this.varint(body);
    this.uintField(8, t.envIndex);
    this.uintField(16, t.episode);
    this.uintField(24, t.step);
    this.bytesField(34, t.action);
    this.bytesField(42, t.obs);
    if (t.reward !== 0) {
      this.buf[this.pos++] = 53;
      this.float(t.reward);
    }
    if (t.done) {
      this.buf[this.pos++] = 56;
      this.buf[this.pos++] = 1;
    }
    this.bytesField(66, t.state);
  }

  /** SimResultChunk field 2. */
  episode(e: EpisodeSummary): void {
    const body =
      (e.envIndex !== 0 ? 1 + varintSize(e.envIndex) : 0) +
      (e.episode !== 0 ? 1 + varintSize(e.episode) : 0) +
      (e.steps !== 0 ? 1 + varintSize(e.steps) : 0) +
      (e.totalReward !== 0 ? 5 : 0) +
      (e.finished ? 2 : 0) +
      (e.finalObs.length !== 0 ? 1 + varintSize(e.finalObs.length) + e.finalObs.length : 0);
    this.ensure(body + 6);
    this.buf[this.pos++] = 18;
    this.varint(body);
    this.uintField(8, e.envIndex);
    this.uintField(16, e.episode);
    this.uintField(24, e.steps);
    if (e.totalReward !== 0) {
      this.buf[this.pos++] = 37;
      this.float(e.totalReward);
    }
    if (e.finished) {
      this.buf[this.pos++] = 40;
      this.buf[this.pos++] = 1;
    }
    this.bytesField(50, e.finalObs);
  }

  /** The bytes written so far, copied into their own ArrayBuffer (to transfer); rewinds. */
  take(): Uint8Array<ArrayBuffer> {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
  }
}
