// Main-thread half of BatchSimulate: interleaves the shards' slices round by round (environment
// order within a round, as one thread would step them) and cuts SimResultChunks where one thread
// would have cut them: after chunk_size results or ~max_chunk_bytes, each ending with the steps
// taken so far. Only copies bytes; no game code runs here.
import type { Slice } from './shard';

export interface ChunkRules {
  chunkSize: number;
  maxChunkBytes: number;
  /** Estimated encoded bytes per result (the byte rule counts this, not the real size). */
  perResult: number;
}

/** Set when a shard failed (after the chunks before the failure were yielded). */
export type SliceError = NonNullable<Slice['error']> | null;

/** Varint of a non-negative integer below 2^53 (steps can pass 2^32). */
function varint(v: number, out: number[]): void {
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

export class ChunkAssembler {
  private parts: Uint8Array[] = [];
  private inChunk = 0;
  private bytes = 0;
  /** Steps of every finished round plus the shards already merged in the current one. */
  private stepsBefore = 0;
  private steps = 0;
  private reported = 0;

  constructor(
    private readonly rules: ChunkRules,
    private readonly onSteps: (n: number) => void,
  ) {}

  get totalSteps(): number {
    return this.steps;
  }

  /**
   * Merges one slice per shard (null: the shard had finished), all covering the same rounds,
   * yielding each chunk as soon as it is cut, so the caller can write it and let other I/O in.
   */
  *add(slices: (Slice | null)[]): Generator<Buffer, SliceError> {
    const rounds = Math.max(0, ...slices.map((s) => s?.roundRecords.length ?? 0));
    for (let r = 0; r < rounds; r++) {
      for (const s of slices) {
        if (!s || r >= s.roundRecords.length) continue;
        const first = r === 0 ? 0 : s.roundRecords[r - 1];
        const end = s.roundRecords[r];
        let runStart = first === 0 ? 0 : s.recordEnds[first - 1];
        for (let k = first; k < end; k++) {
          this.steps = this.stepsBefore + s.recordSteps[k];
          this.inChunk++;
          this.bytes += this.rules.perResult;
          if (this.inChunk >= this.rules.chunkSize || this.bytes >= this.rules.maxChunkBytes) {
            this.parts.push(s.bytes.subarray(runStart, s.recordEnds[k]));
            runStart = s.recordEnds[k];
            yield this.flush(false);
          }
        }
        const runEnd = end === 0 ? 0 : s.recordEnds[end - 1];
        if (runEnd > runStart) this.parts.push(s.bytes.subarray(runStart, runEnd));
        this.stepsBefore += s.roundSteps[r];
        this.steps = this.stepsBefore;
        if (s.error && r === s.roundRecords.length - 1) return s.error;
      }
    }
    return null;
  }

  /** The closing chunk: what is left, the total steps, and `last`. */
  finish(): Buffer {
    this.steps = this.stepsBefore;
    return this.flush(true);
  }

  private flush(last: boolean): Buffer {
    if (this.steps > this.reported) this.onSteps(this.steps - this.reported);
    this.reported = this.steps;
    const trailer = [24];
    varint(this.steps, trailer);
    if (last) trailer.push(32, 1);
    this.parts.push(Uint8Array.from(trailer));
    const chunk = Buffer.concat(this.parts);
    this.parts = [];
    this.inChunk = 0;
    this.bytes = 0;
    return chunk;
  }
}
