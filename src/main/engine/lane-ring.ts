// The request/response slots a unary lane shares with its worker (a SharedArrayBuffer). The main
// thread writes request n into slot n mod SLOTS and bumps REQ; the worker, blocked in
// Atomics.wait on REQ (no event-loop turn, no message event), answers into the same slot of the
// response area and bumps RESP; the main thread learns of it through Atomics.waitAsync. At most
// SLOTS calls are in the ring at once (the lane queues the rest), so a slot is only rewritten
// after its reply was read. Payloads larger than a slot travel on a MessagePort beside the ring
// (receiveMessageOnPort, in ring order); the slot then carries only the header and a flag.
// Hand-written: fixed slots indexed by call number are ~100 lines over Atomics and keep the
// wait/notify hand-off and a replaced lane's replay simple; a general single-producer byte ring
// (such as ringbuf.js) would add framing and still leave the waits to write.

export const SLOTS = 64;
export const SLOT_BYTES = 4096;
/** Int32 indices of the two counters (wrapping int32s). */
export const REQ = 0;
export const RESP = 1;
const CONTROL_BYTES = 64;
const REQ_HEADER = 16;
const RESP_HEADER = 32;
/** Request/response payloads inline in a slot; larger ones take the port. */
export const MAX_INLINE_REQ = SLOT_BYTES - REQ_HEADER;

/** Unary calls, and Simulate streams small enough to ride a lane (simulate.ts). */
export const METHODS = ['Reset', 'Step', 'SimOpen', 'SimStep', 'SimClose'] as const;
export type LaneMethod = (typeof METHODS)[number];
/** Reply codes; index 0 is OK. */
export const CODES = [
  'ok',
  'not_found',
  'invalid_argument',
  'failed_precondition',
  'resource_exhausted',
  'internal',
] as const;
export type LaneCode = (typeof CODES)[number];

export interface LaneReply {
  code: LaneCode;
  /** ok: the encoded response; otherwise the error's details (UTF-8). */
  body: Uint8Array;
  envId: string;
  steps: number;
  busyMs: number;
}

/** What crosses the port for a payload too large for its slot. */
export interface LaneBig {
  body: Uint8Array;
  envId: string;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export class LaneRing {
  readonly ctl: Int32Array;
  private readonly u32: Uint32Array;
  private readonly f64: Float64Array;
  private readonly bytes: Uint8Array;

  constructor(readonly sab: SharedArrayBuffer = new SharedArrayBuffer(CONTROL_BYTES + 2 * SLOTS * SLOT_BYTES)) {
    this.ctl = new Int32Array(sab, 0, CONTROL_BYTES / 4);
    this.u32 = new Uint32Array(sab);
    this.f64 = new Float64Array(sab);
    this.bytes = new Uint8Array(sab);
  }

  private reqAt(n: number): number {
    return CONTROL_BYTES + (n & (SLOTS - 1)) * SLOT_BYTES;
  }

  private respAt(n: number): number {
    return CONTROL_BYTES + (SLOTS + (n & (SLOTS - 1))) * SLOT_BYTES;
  }

  /** Main thread: request n (`stream`: a Simulate stream's id); false when the payload must go on the port. */
  writeRequest(n: number, method: LaneMethod, req: Uint8Array, stream = 0): boolean {
    const at = this.reqAt(n);
    const inline = req.byteLength <= MAX_INLINE_REQ;
    this.u32[at / 4] = METHODS.indexOf(method);
    this.u32[at / 4 + 1] = inline ? 0 : 1;
    this.u32[at / 4 + 2] = req.byteLength;
    this.u32[at / 4 + 3] = stream;
    if (inline) this.bytes.set(req, at + REQ_HEADER);
    return inline;
  }

  /** Worker: request n's method and bytes (a copy), or null when they came on the port. */
  readRequest(n: number): { method: LaneMethod; req: Uint8Array | null; stream: number } {
    const at = this.reqAt(n);
    const method = METHODS[this.u32[at / 4]] ?? 'Step';
    const stream = this.u32[at / 4 + 3];
    if (this.u32[at / 4 + 1]) return { method, req: null, stream };
    const start = at + REQ_HEADER;
    return { method, req: this.bytes.slice(start, start + this.u32[at / 4 + 2]), stream };
  }

  /** Worker: reply n; returns false when body and env id must go on the port instead. */
  writeReply(n: number, r: LaneReply): boolean {
    const at = this.respAt(n);
    const id = enc.encode(r.envId);
    const inline = RESP_HEADER + id.byteLength + r.body.byteLength <= SLOT_BYTES;
    this.u32[at / 4] = CODES.indexOf(r.code);
    this.u32[at / 4 + 1] = inline ? 0 : 1;
    this.u32[at / 4 + 2] = r.body.byteLength;
    this.u32[at / 4 + 3] = id.byteLength;
    this.u32[at / 4 + 4] = r.steps;
    this.f64[at / 8 + 3] = r.busyMs;
    if (inline) {
      this.bytes.set(id, at + RESP_HEADER);
      this.bytes.set(r.body, at + RESP_HEADER + id.byteLength);
    }
    return inline;
  }

  /** Main thread: reply n (body copied out of the ring); `big` supplies what came on the port. */
  readReply(n: number, big: () => LaneBig): LaneReply {
    const at = this.respAt(n);
    const code = CODES[this.u32[at / 4]] ?? 'internal';
    const steps = this.u32[at / 4 + 4];
    const busyMs = this.f64[at / 8 + 3];
    if (this.u32[at / 4 + 1]) return { code, steps, busyMs, ...big() };
    const idLen = this.u32[at / 4 + 3];
    const start = at + RESP_HEADER;
    const envId = idLen ? dec.decode(this.bytes.slice(start, start + idLen)) : '';
    const body = this.bytes.slice(start + idLen, start + idLen + this.u32[at / 4 + 2]);
    return { code, body, envId, steps, busyMs };
  }
}
