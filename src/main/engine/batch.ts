// BatchSimulate's limits and request checks (made on the main thread before any worker is asked).
// The stepping is in shard.ts (workers), the merging and chunking in merge.ts, the driving in stream.ts.
import { invalid, type ErasedGame } from './game';
import { BatchSimulateRequest_Output, type BatchSimulateRequest } from './gen/engine/v1/engine';

export interface BatchLimits {
  maxEnvs: number;
  maxStepsPerEnv: number;
  defaultChunk: number;
  maxChunk: number;
  /** A chunk is sent once its encoded results pass this many bytes, whatever chunk_size says. */
  maxChunkBytes: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = {
  maxEnvs: 65_536,
  maxStepsPerEnv: 10_000_000,
  defaultChunk: 1000,
  maxChunk: 10_000,
  maxChunkBytes: 1 << 20,
};

export function validateBatch(req: BatchSimulateRequest, game: ErasedGame, limits: BatchLimits): void {
  if (req.numEnvs < 1 || req.numEnvs > limits.maxEnvs)
    throw invalid(`num_envs must be 1-${limits.maxEnvs}, got ${req.numEnvs}`);
  if (req.maxSteps < 1 || req.maxSteps > limits.maxStepsPerEnv)
    throw invalid(`max_steps (per environment) must be 1-${limits.maxStepsPerEnv}, got ${req.maxSteps}`);
  if (req.chunkSize > limits.maxChunk)
    throw invalid(`chunk_size must be at most ${limits.maxChunk} (0: the default ${limits.defaultChunk})`);
  if (
    req.output !== BatchSimulateRequest_Output.OUTPUT_TRANSITIONS &&
    req.output !== BatchSimulateRequest_Output.OUTPUT_EPISODES
  )
    throw invalid(`unknown output ${req.output}`);
  if (!req.random && !req.actions)
    throw invalid('choose a policy: random (with a seed) or actions (one list per environment)');
  if (req.actions && req.actions.lists.length !== req.numEnvs)
    throw invalid(`actions: expected one list per environment (${req.numEnvs}), got ${req.actions.lists.length}`);
  if (req.actions) {
    const max = game.info.maxActionBytes;
    req.actions.lists.forEach((l, i) => {
      const bad = l.actions.findIndex((a) => a.length > max);
      if (bad >= 0)
        throw invalid(
          `actions: environment ${i}, action ${bad} is ${l.actions[bad].length} bytes; ${game.info.envId} actions are at most ${max}`,
        );
    });
  }
}
