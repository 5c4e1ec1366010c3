// The engine service's part of the contract: its status for the Engine view and the play calls
// (Reset/Step through the real gRPC server). Bytes travel as arrays of 0-255.
import { z } from 'zod';

const byte = z.number().int().min(0).max(255);
const envId = z.string().min(1).max(64);

export const EngineGameSchema = z.object({
  envId: z.string(),
  description: z.string(),
  /** e.g. `discrete(9)`. */
  actionSpace: z.string(),
  /** 0: no fixed bound. */
  maxHorizon: z.number(),
  preferredBatch: z.number(),
  obsBytes: z.number(),
  encoding: z.object({ state: z.string(), action: z.string(), obs: z.string(), schemaVersion: z.number() }),
});
export type EngineGame = z.infer<typeof EngineGameSchema>;

export const EngineStatusSchema = z.object({
  /** host:port the gRPC server listens on. */
  address: z.string(),
  listening: z.boolean(),
  games: z.array(EngineGameSchema),
  /** Finished RPCs since start, and their rate over the last push interval. */
  calls: z.number(),
  callsPerSec: z.number(),
  /** Environment steps taken (unary Step and BatchSimulate). */
  steps: z.number(),
  /** Server handling time of recent successful Step calls, ms. */
  stepP50Ms: z.number().nullable(),
  stepP99Ms: z.number().nullable(),
  errors: z.array(z.object({ envId: z.string(), code: z.string(), count: z.number() })),
});
export type EngineStatus = z.infer<typeof EngineStatusSchema>;

export const EnginePlayResultSchema = z.object({
  state: z.array(byte),
  /** The observation decoded as float32 values. */
  obs: z.array(z.number()),
  reward: z.number(),
  done: z.boolean(),
});
export type EnginePlayResult = z.infer<typeof EnginePlayResultSchema>;

export const EngineResetInputSchema = z
  .object({ envId, seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) })
  .strict();
export const EngineStepInputSchema = z
  .object({ envId, state: z.array(byte).max(4096), action: z.array(byte).max(256) })
  .strict();
