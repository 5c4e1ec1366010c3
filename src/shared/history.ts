// The production history kept on disk (main/history): query and answer shapes, shared by main and
// renderer. Time is game time in seconds (tick / 60); rates are items per minute.
import { z } from 'zod';

export const HistoryQuerySchema = z
  .object({
    session: z.string().min(1).max(200),
    /** Game seconds; default: the session's first sample. */
    from: z.number().finite().nonnegative().optional(),
    /** Game seconds; default: the session's last sample. */
    to: z.number().finite().nonnegative().optional(),
    /** Default: every item of the session. */
    items: z.array(z.string().min(1).max(200)).max(200).optional(),
    /** The answer holds at most about this many points per item (coarser buckets beyond it). */
    maxPoints: z.number().int().min(10).max(20_000).optional(),
  })
  .strict()
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    message: 'from must not be after to',
    path: ['from'],
  });
export type HistoryQuery = z.infer<typeof HistoryQuerySchema>;

export const HISTORY_RESOLUTIONS = ['raw', 'minute', 'hour'] as const;
export type HistoryResolution = (typeof HISTORY_RESOLUTIONS)[number];

export const HistorySeriesSchema = z.object({
  item: z.string(),
  /** Mean production and consumption per point (the sample itself at raw resolution). */
  p: z.array(z.number()),
  c: z.array(z.number()),
  pMin: z.array(z.number()),
  pMax: z.array(z.number()),
  cMin: z.array(z.number()),
  cMax: z.array(z.number()),
});
export type HistorySeries = z.infer<typeof HistorySeriesSchema>;

export const HistoryAnswerSchema = z.object({
  session: z.string(),
  resolution: z.enum(HISTORY_RESOLUTIONS),
  /** Point times (game seconds): the sample's time, or the bucket's middle. */
  t: z.array(z.number()),
  series: z.array(HistorySeriesSchema),
  /** The whole session's first and last sample in the store (game seconds), null if none. */
  first: z.number().nullable(),
  last: z.number().nullable(),
});
export type HistoryAnswer = z.infer<typeof HistoryAnswerSchema>;

export const HistorySessionSchema = z.object({
  id: z.string(),
  level: z.string().nullable(),
  first: z.number().nullable(),
  last: z.number().nullable(),
  items: z.array(z.string()),
  /** Set on an earlier line of play (archived when an earlier save was loaded): the session it was played in. */
  parent: z.string().optional(),
  /** With parent: the game time (seconds) the load went back to. */
  rewoundAt: z.number().optional(),
});
export type HistorySession = z.infer<typeof HistorySessionSchema>;

export const HistoryStatusSchema = z.object({
  path: z.string(),
  /** Bytes the store occupies on disk (pages in use), and its configured bound. */
  bytes: z.number(),
  maxBytes: z.number(),
  /** Stats lines written, and those skipped as delivered again (same session, tick and content). */
  written: z.number(),
  skipped: z.number(),
  /** Lines accepted but not yet on disk (written within flushMs). */
  pending: z.number(),
  lastError: z.string().nullable(),
});
export type HistoryStatus = z.infer<typeof HistoryStatusSchema>;
