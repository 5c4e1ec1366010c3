// Sends one run's journal to W&B: UpsertBucket when due (new run, resume, after an error), the
// pending lines in requests under the byte cap (split further on 413), the summary, `complete`
// once the run is finished, and an empty heartbeat request when asked. Errors become a retry time
// (the official client's retry list and backoff) or, for refusals, the run's failure.
import type { WandbRunInfo } from '../../shared/api';
import type { Logger } from '../log';
import { backoffMs, nextBatch, summaryFits, type Limits } from './batch';
import {
  describeRefusal,
  WandbHttpError,
  type FileStreamAnswer,
  type FileStreamBody,
  type RunRef,
  type WandbClient,
} from './client';
import { runConfig, type RunJournal } from './journal';

export interface Live {
  journal: RunJournal;
  state: WandbRunInfo['state'];
  retryAt: number | null;
  attempt: number;
  /** UpsertBucket is due before the next file_stream request (new run, resume, after an error). */
  upsert: boolean;
  /** Most lines per request; halved each time W&B answers 413. */
  maxLines: number;
  /** When the last file_stream request went out (the heartbeat counts from it). */
  lastSentAt: number;
}

export interface UploadContext {
  limits: Limits;
  logger: Logger;
  retryBaseMs: number;
  retryMaxMs: number;
  /** stop()'s deadline passed: answers are no longer recorded (a newer instance may own the journal). */
  aborted(): boolean;
  changed(): void;
  /** W&B answered `stopped` for this run. */
  stopped(l: Live): void;
}

/**
 * W&B's `historyLineCount` against the lines we saw acknowledged. Higher: W&B stored a request whose
 * answer we never got, so those lines are not sent again. Lower: W&B's count lags its storage by a
 * few seconds, and every line we counted was answered 200, so we go on from ours. Taking the larger
 * of the two never re-sends a line either side has confirmed, and never skips one neither has.
 */
export function reconcile(l: Live, ref: RunRef, logger: Logger): void {
  const j = l.journal;
  const ours = j.serverLines;
  if (ref.historyLineCount > ours) {
    const skip = Math.min(ref.historyLineCount - ours, j.pending.length);
    j.skipHeld(skip);
    logger.info(
      { run: j.meta.runId, held: ref.historyLineCount, acked: ours },
      'W&B already holds lines whose answer was lost; not sending them again',
    );
  } else if (ref.historyLineCount < ours) {
    logger.debug(
      { run: j.meta.runId, held: ref.historyLineCount, acked: ours },
      "W&B's line count lags the lines it acknowledged; going on from ours",
    );
  }
}

async function send(
  client: WandbClient,
  l: Live,
  ref: Pick<RunRef, 'entity' | 'project' | 'runId'>,
  body: FileStreamBody,
  ctx: UploadContext,
): Promise<boolean> {
  l.lastSentAt = Date.now();
  const answer: FileStreamAnswer = await client.fileStream(ref, body);
  if (ctx.aborted()) return false;
  if (answer.stopped) ctx.stopped(l);
  return true;
}

const is413 = (e: unknown) => e instanceof WandbHttpError && e.status === 413;

/** Sends what this run has pending (and a heartbeat if asked and nothing else went out). */
export async function uploadRun(client: WandbClient, l: Live, ctx: UploadContext, heartbeat = false): Promise<void> {
  const j = l.journal;
  try {
    if (j.upload.entity === null || l.upsert || l.attempt > 0) {
      l.state = 'connecting';
      const found = await client.upsertRun({
        runId: j.meta.runId,
        project: j.meta.project,
        entity: j.meta.entity,
        displayName: j.meta.displayName,
        config: runConfig(j.meta),
      });
      if (ctx.aborted()) return;
      if (j.upload.entity !== found.entity) j.setUpload({ entity: found.entity });
      reconcile(l, found, ctx.logger);
      l.upsert = false;
    }
    const ref = { entity: j.upload.entity!, project: j.meta.project, runId: j.meta.runId };
    let sent = false;
    let summarySent = true;
    let skipSummary = false;
    // Only what was pending when this flush began: lines that arrive during a request wait for
    // the next flush instead of each trailing request carrying a line or two.
    let due = j.pending.length;
    while (due > 0 && j.pending.length > 0) {
      const before = j.upload.acked;
      const batch = nextBatch(j, ctx.limits, l.maxLines, due);
      due -= j.upload.acked - before;
      if (!batch.lines.length) continue;
      const withSummary = batch.withSummary && !skipSummary;
      try {
        if (
          !(await send(
            client,
            l,
            ref,
            { history: { offset: batch.offset, lines: batch.lines }, summary: withSummary ? j.summary : undefined },
            ctx,
          ))
        )
          return;
      } catch (e) {
        if (!is413(e)) throw e;
        // Smaller requests until one fits; a line W&B refuses on its own is skipped, counted.
        if (batch.lines.length > 1) l.maxLines = Math.max(1, Math.floor(batch.lines.length / 2));
        else if (withSummary) skipSummary = true;
        else {
          j.refuseNext(`W&B refused a line of ${Buffer.byteLength(batch.lines[0])} bytes as too large (413)`);
          due--;
        }
        ctx.logger.info(
          { run: j.meta.runId, lines: batch.lines.length, maxLines: l.maxLines },
          'W&B answered 413: sending smaller requests',
        );
        continue;
      }
      j.acknowledge(batch.lines.length);
      due -= batch.lines.length;
      sent = true;
      summarySent = withSummary;
      l.state = 'active';
      ctx.changed();
    }
    const finishing = j.meta.finishedAt !== null && !j.upload.complete && j.pending.length === 0;
    const summary = !skipSummary && summaryFits(j, ctx.limits) ? j.summary : undefined;
    if (finishing) {
      try {
        if (!(await send(client, l, ref, { summary, complete: { exitCode: j.meta.exitCode ?? 0 } }, ctx))) return;
      } catch (e) {
        if (!is413(e) || !summary) throw e;
        if (!(await send(client, l, ref, { complete: { exitCode: j.meta.exitCode ?? 0 } }, ctx))) return;
      }
      j.setUpload({ complete: true });
      ctx.logger.info({ run: j.meta.runId, lines: j.serverLines, refused: j.upload.refused }, 'W&B run finished');
    } else if (sent && !summarySent && summary) {
      // The lines filled the requests: the summary goes on its own.
      try {
        if (!(await send(client, l, ref, { summary }, ctx))) return;
      } catch (e) {
        if (!is413(e)) throw e;
        ctx.logger.warn({ run: j.meta.runId }, 'W&B refused the summary as too large (413); skipped until it changes');
      }
    } else if (heartbeat && !sent) {
      if (!(await send(client, l, ref, {}, ctx))) return;
    }
    l.state = j.upload.complete ? 'finished' : 'active';
    l.attempt = 0;
    l.retryAt = null;
  } catch (e) {
    if (e instanceof WandbHttpError && !e.retryable) {
      const failure = describeRefusal(e.status);
      j.setUpload({ failure });
      l.state = 'failed';
      ctx.logger.warn({ run: j.meta.runId, status: e.status }, failure);
    } else {
      l.attempt++;
      const wait = backoffMs(
        l.attempt,
        e instanceof WandbHttpError ? e.retryAfterMs : null,
        ctx.retryBaseMs,
        ctx.retryMaxMs,
      );
      l.retryAt = Date.now() + wait;
      l.state = 'retrying';
      ctx.logger.debug(
        { run: j.meta.runId, err: (e as Error).message, waitMs: Math.round(wait) },
        'W&B request failed; will retry',
      );
    }
  }
  ctx.changed();
}
