// Admission control for streams (BatchSimulate and Simulate alike): a stream takes a slot under
// `maxStreams` and an estimate of the bytes it will hold under `maxBytes`, or is refused with
// RESOURCE_EXHAUSTED and a message saying which limit and which config key; a cancel gives both back.
import { EngineError } from './game';

const mib = (bytes: number, round: (x: number) => number) => round(bytes / 2 ** 20);

export class StreamAdmission<K> {
  private readonly held = new Map<K, number>();
  private bytesHeld = 0;

  constructor(
    private readonly maxStreams: number,
    private readonly maxBytes: number,
  ) {}

  /** Streams holding a slot. */
  get size(): number {
    return this.held.size;
  }

  /** Estimated bytes the admitted streams hold. */
  get bytes(): number {
    return this.bytesHeld;
  }

  /** Takes a slot and `bytes` for `key`, or throws the refusal. */
  admit(key: K, bytes: number): void {
    const max = this.maxBytes;
    if (bytes > max)
      throw new EngineError(
        'resource_exhausted',
        `this stream would hold ~${mib(bytes, Math.ceil)} MiB, more than the ${mib(max, Math.floor)} MiB streams may hold (engine.streamMemoryMB): use fewer environments`,
      );
    if (this.held.size >= this.maxStreams)
      throw new EngineError(
        'resource_exhausted',
        `${this.held.size} streams are running (BatchSimulate and Simulate), the most this engine takes (engine.maxStreams); retry later`,
      );
    if (this.bytesHeld + bytes > max)
      throw new EngineError(
        'resource_exhausted',
        `running streams hold ~${mib(this.bytesHeld, Math.ceil)} MiB; this one needs ~${mib(bytes, Math.ceil)} MiB more than the ${mib(max, Math.floor)} MiB allowed (engine.streamMemoryMB); retry later`,
      );
    this.held.set(key, bytes);
    this.bytesHeld += bytes;
  }

  /** Gives back what `key` holds (nothing if it holds nothing, so a second release is harmless). */
  release(key: K): void {
    const bytes = this.held.get(key);
    if (bytes === undefined) return;
    this.held.delete(key);
    this.bytesHeld -= bytes;
  }
}
