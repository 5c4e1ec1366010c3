// How journaled lines become file_stream requests: under a byte cap, lines + summary, like the
// official client (`core/internal/filestream/filestreamstate.go` keeps a request under ~10 MiB;
// `updatehistory.go` skips a line over 10 MiB − 100 KiB). Sizes are the real JSON body's bytes,
// escaping included, so no request goes over the cap; the official client counts raw line lengths.
import { backoffDelay } from '../lib/backoff';
import { baseRequestBytes, lineRequestBytes } from './client';
import type { RunJournal } from './journal';

export interface Limits {
  /** No request body above this many bytes. */
  maxRequestBytes: number;
  /** No history line above this many bytes (W&B's per-line limit). */
  maxLineBytes: number;
}

export interface Batch {
  offset: number;
  lines: string[];
  /** The summary fits beside the lines. */
  withSummary: boolean;
}

/**
 * The next request's lines: the pending lines from the journal's W&B offset on, at most `maxLines`
 * (lowered after a 413) and `due`, within the byte cap. A line that could never fit a request on
 * its own is refused on the journal (counted, with its reason) and skipped first.
 */
export function nextBatch(j: RunJournal, limits: Limits, maxLines: number, due: number): Batch {
  const offset = j.serverLines;
  const bare = baseRequestBytes(offset, undefined);
  while (j.pending.length > 0) {
    const first = j.pending[0];
    const raw = Buffer.byteLength(first);
    if (raw > limits.maxLineBytes)
      j.refuseNext(`a line of ${raw} bytes is over W&B's limit of ${limits.maxLineBytes} bytes per line`);
    else if (bare + lineRequestBytes(first) > limits.maxRequestBytes)
      j.refuseNext(`a line of ${raw} bytes does not fit a request of at most ${limits.maxRequestBytes} bytes`);
    else break;
  }
  const lines: string[] = [];
  let size = bare;
  for (const line of j.pending) {
    if (lines.length >= Math.min(maxLines, due)) break;
    const b = lineRequestBytes(line);
    if (size + b > limits.maxRequestBytes) break;
    lines.push(line);
    size += b;
  }
  const withSummary = baseRequestBytes(offset, j.summary) - bare + size <= limits.maxRequestBytes;
  return { offset: j.serverLines, lines, withSummary };
}

/** The summary alone fits a request (else it is skipped, as the official client does). */
export function summaryFits(j: RunJournal, limits: Limits): boolean {
  return baseRequestBytes(0, j.summary) <= limits.maxRequestBytes;
}

/**
 * Wait before retry number `attempt` (1-based): 2 s doubling to 60 s with up to +25% jitter, or
 * what Retry-After said (`core/internal/clients/backoff.go`).
 */
export function backoffMs(attempt: number, retryAfterMs: number | null, baseMs: number, maxMs: number): number {
  // Honoured as said, up to an hour: a broken header must not park the run for days.
  if (retryAfterMs !== null) return Math.min(retryAfterMs, 3_600_000);
  return backoffDelay(attempt, { baseMs, maxMs, jitter: [1, 1.25], capJitter: true });
}
