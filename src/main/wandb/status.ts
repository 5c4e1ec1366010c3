// What the W&B service reports: each run's delivery state for the Sessions view, and the service's
// status (degraded, with the reasons, while runs are refused or the journal cannot be written).
import type { ServiceStatus, WandbRunInfo } from '../../shared/api';
import { runUrl } from './client';
import type { Live } from './uploader';

export function runInfo(l: Live, baseUrl: string): WandbRunInfo {
  const j = l.journal;
  return {
    runId: j.meta.runId,
    displayName: j.meta.displayName,
    sessionId: j.meta.sessionId,
    project: j.meta.project,
    entity: j.upload.entity,
    url: j.upload.entity
      ? runUrl(baseUrl, { entity: j.upload.entity, project: j.meta.project, runId: j.meta.runId })
      : null,
    state: l.state,
    retryAt: l.state === 'retrying' ? l.retryAt : null,
    failure: j.upload.failure,
    lastStep: j.lastStep,
    linesJournaled: j.journaled,
    linesAcked: j.upload.acked,
    linesRefused: j.upload.refused,
    refusal: j.upload.refusal,
    linesUnwritten: j.unwrittenLines,
    stoppedInWandb: j.meta.stoppedInWandb === true,
    createdAt: j.meta.createdAt,
    finishedAt: j.meta.finishedAt,
    branchedFrom: j.meta.branch
      ? {
          runId: j.meta.branch.fromRunId,
          displayName: j.meta.branch.fromDisplayName,
          fromCycle: j.meta.branch.fromCycle,
          toCycle: j.meta.branch.toCycle,
        }
      : null,
  };
}

/** Newest first, at most `n`; runs made in the same millisecond keep their order of creation, reversed. */
export function recentRuns(runs: Iterable<Live>, n: number): Live[] {
  return [...runs]
    .reverse()
    .sort((a, b) => b.journal.meta.createdAt - a.journal.meta.createdAt)
    .slice(0, n);
}

/** The first journal write error still unresolved, if any. */
export function journalError(runs: Iterable<Live>): Error | null {
  for (const l of runs) if (l.journal.writeError) return l.journal.writeError;
  return null;
}

export function serviceStatus(
  s: ServiceStatus,
  runs: Live[],
  counts: { droppedLines: number; skippedCycles: number; stoppedCycles: number },
): ServiceStatus {
  const failed = runs.filter((l) => l.state === 'failed');
  const pending = runs.reduce((a, l) => a + l.journal.pending.length, 0);
  const unwritten = runs.reduce((a, l) => a + l.journal.unwrittenLines, 0);
  const refused = runs.reduce((a, l) => a + l.journal.upload.refused, 0);
  const writeError = journalError(runs);
  const problems: string[] = [];
  if (writeError)
    problems.push(`journal write failed (${writeError.message}): ${unwritten} line(s) held in memory, retrying`);
  if (counts.droppedLines > 0)
    problems.push(
      `${counts.droppedLines} stats line(s) dropped: the journal could not be written and the memory bound was reached`,
    );
  if (failed.length > 0) problems.push(`${failed.length} run(s) refused by W&B: ${failed[0].journal.upload.failure}`);
  const degraded = problems.length > 0 && s.state === 'running';
  return {
    ...s,
    state: degraded ? 'degraded' : s.state,
    summary: degraded ? problems.join('; ') : s.summary,
    details: { pendingLines: pending, unwrittenLines: unwritten, refusedLines: refused, ...counts, runs: runs.length },
  };
}
