// Splits a byte stream into lines: across chunk boundaries, CRLF, multi-byte UTF-8 split between
// reads (bytes are decoded only up to a newline). A line longer than `maxLineBytes` is never
// buffered whole: its bytes are dropped as they come and it is reported once, at its newline.
// Hot path: the whole lines of a chunk are decoded with one call and split as text, which costs
// far less than a decoder call per line; a chunk that is not valid UTF-8 is redone line by line
// so that only the bad line is rejected.

export type LineSink = {
  line(text: string): void;
  /** A line that could not become text: over the limit, or not valid UTF-8. */
  bad(reason: 'too_long' | 'invalid_utf8', message: string, preview: string): void;
};

const NL = 0x0a;
const CR = 0x0d;

export class LineSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** Bytes of the current over-long line dropped so far; -1 when not skipping. */
  private skipped = -1;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(
    private readonly sink: LineSink,
    private readonly maxLineBytes: number,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    if (this.partBytes > 0 || this.skipped >= 0) {
      // Finish the line begun in an earlier chunk.
      const nl = chunk.indexOf(NL);
      if (nl === -1) return this.hold(chunk, 0);
      this.hold(chunk.subarray(0, nl), 0);
      this.endHeldLine();
      start = nl + 1;
    }
    const last = chunk.lastIndexOf(NL);
    if (last >= start) {
      this.wholeLines(chunk, start, last);
      start = last + 1;
    }
    if (start < chunk.length) this.hold(chunk, start);
  }

  /** Keeps the bytes of an unfinished line, or drops them once the line is over the limit. */
  private hold(chunk: Buffer, start: number): void {
    const n = chunk.length - start;
    if (this.skipped >= 0) {
      this.skipped += n;
    } else if (this.partBytes + n > this.maxLineBytes) {
      this.skipped = this.partBytes + n;
      this.parts = [];
      this.partBytes = 0;
    } else if (n > 0) {
      this.parts.push(start === 0 ? chunk : chunk.subarray(start));
      this.partBytes += n;
    }
  }

  private endHeldLine(): void {
    if (this.skipped >= 0) {
      this.tooLong(this.skipped);
      this.skipped = -1;
    } else {
      this.emitBytes(this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts));
    }
    this.parts = [];
    this.partBytes = 0;
  }

  /** Bytes [start, end) hold complete lines separated by newlines. */
  private wholeLines(chunk: Buffer, start: number, end: number): void {
    let text: string;
    try {
      text = this.decoder.decode(chunk.subarray(start, end));
    } catch {
      for (let s = start; s <= end;) {
        const nl = chunk.indexOf(NL, s);
        const e = nl === -1 || nl > end ? end : nl;
        if (e - s > this.maxLineBytes) this.tooLong(e - s);
        else this.emitBytes(chunk.subarray(s, e));
        s = e + 1;
      }
      return;
    }
    let i = 0;
    while (i <= text.length) {
      let j = text.indexOf('\n', i);
      if (j === -1) j = text.length;
      // A string's length never exceeds its UTF-8 size, so bytes are counted only when it could matter.
      if (j - i > this.maxLineBytes / 3 && Buffer.byteLength(text.slice(i, j)) > this.maxLineBytes)
        this.tooLong(Buffer.byteLength(text.slice(i, j)));
      else this.emitText(text.slice(i, text.charCodeAt(j - 1) === CR ? j - 1 : j));
      i = j + 1;
    }
  }

  private tooLong(bytes: number): void {
    this.sink.bad('too_long', `line of ${bytes} bytes exceeds the ${this.maxLineBytes}-byte limit`, `(${bytes} bytes)`);
  }

  /** The source ended or was replaced: an unfinished last line is taken as it is. */
  flush(): void {
    if (this.skipped >= 0 || this.partBytes > 0) this.endHeldLine();
  }

  /** Bytes of an unfinished line held now (for tests and status). */
  get pending(): number {
    return this.partBytes;
  }

  private emitBytes(bytes: Buffer): void {
    let n = bytes.length;
    if (n > 0 && bytes[n - 1] === CR) n--;
    if (n === 0) return;
    let text: string;
    try {
      text = this.decoder.decode(bytes.subarray(0, n));
    } catch {
      this.sink.bad('invalid_utf8', 'line is not valid UTF-8', bytes.subarray(0, Math.min(n, 60)).toString('hex'));
      return;
    }
    this.emitText(text);
  }

  private emitText(text: string): void {
    if (text.length === 0) return;
    const c = text.charCodeAt(0);
    // Blank (whitespace-only) lines carry nothing; skip them without counting.
    if ((c === 0x20 || c === 0x09) && text.trim() === '') return;
    this.sink.line(text);
  }
}
