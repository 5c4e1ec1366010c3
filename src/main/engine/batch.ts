// BatchSimulate: N environments stepped round-robin in memory, results encoded straight into the
// chunk being built (one reused Transition object; the protobuf writer copies the bytes), each
// chunk written only when the transport has room for it, so a slow reader slows the simulation
// instead of growing a buffer. Cancellation and deadlines are checked between chunks.
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { EngineError, invalid, type ErasedEnv, type ErasedGame } from './game';
import { BatchSimulateRequest_Output, EpisodeSummary, Transition, type BatchSimulateRequest } from './gen/engine/v1/engine';
import { ChaCha20Rng } from './rng';

export interface BatchLimits {
  maxEnvs: number;
  maxStepsPerEnv: number;
  defaultChunk: number;
  maxChunk: number;
  /** A chunk is sent once its encoded results pass this many bytes, whatever chunk_size says. */
  maxChunkBytes: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxEnvs: 65_536, maxStepsPerEnv: 10_000_000, defaultChunk: 1000, maxChunk: 10_000, maxChunkBytes: 1 << 20 };

/** Where chunks go: `write` resolves when the transport will take more; `stopped` is polled. */
export interface ChunkSink {
  write(chunk: Uint8Array): Promise<void>;
  stopped(): boolean;
}

const TWO_32 = 1n << 32n;
/** In episode mode, yield to the event loop at least this often even without output. */
const YIELD_STEPS = 8192;

const yieldNow = () => new Promise<void>((r) => setImmediate(r));

interface EnvSlot {
  env: ErasedEnv;
  policy: ChaCha20Rng | null;
  actions: Uint8Array[] | null;
  nextAction: number;
  base: bigint;
  episode: number;
  step: number;
  total: number;
  reward: number;
  active: boolean;
}

export function validateBatch(req: BatchSimulateRequest, game: ErasedGame, limits: BatchLimits): void {
  if (req.numEnvs < 1 || req.numEnvs > limits.maxEnvs) throw invalid(`num_envs must be 1-${limits.maxEnvs}, got ${req.numEnvs}`);
  if (req.maxSteps < 1 || req.maxSteps > limits.maxStepsPerEnv) throw invalid(`max_steps (per environment) must be 1-${limits.maxStepsPerEnv}, got ${req.maxSteps}`);
  if (req.chunkSize > limits.maxChunk) throw invalid(`chunk_size must be at most ${limits.maxChunk} (0: the default ${limits.defaultChunk})`);
  if (req.output !== BatchSimulateRequest_Output.OUTPUT_TRANSITIONS && req.output !== BatchSimulateRequest_Output.OUTPUT_EPISODES) throw invalid(`unknown output ${req.output}`);
  if (!req.random && !req.actions) throw invalid('choose a policy: random (with a seed) or actions (one list per environment)');
  if (req.actions && req.actions.lists.length !== req.numEnvs) throw invalid(`actions: expected one list per environment (${req.numEnvs}), got ${req.actions.lists.length}`);
  if (req.actions) {
    const max = game.info.maxActionBytes;
    req.actions.lists.forEach((l, i) => {
      const bad = l.actions.findIndex((a) => a.length > max);
      if (bad >= 0) throw invalid(`actions: environment ${i}, action ${bad} is ${l.actions[bad].length} bytes; ${game.info.envId} actions are at most ${max}`);
    });
  }
}

/** Runs one validated request to the end, a cancel, or an error (thrown as EngineError). Returns steps taken. */
export async function runBatch(req: BatchSimulateRequest, game: ErasedGame, limits: BatchLimits, sink: ChunkSink, onSteps: (n: number) => void): Promise<number> {
  const episodes = req.output === BatchSimulateRequest_Output.OUTPUT_EPISODES;
  const chunkSize = req.chunkSize || limits.defaultChunk;
  const seed = BigInt.asUintN(64, req.seed);
  const slots: EnvSlot[] = [];
  for (let i = 0; i < req.numEnvs; i++) {
    const env = game.newEnv();
    const base = BigInt.asUintN(64, seed + BigInt(i));
    env.reset(base, req.hint);
    const policy = req.random ? ChaCha20Rng.fromU64(BigInt.asUintN(64, req.random.seed + BigInt(i))) : null;
    slots.push({ env, policy, actions: req.actions ? req.actions.lists[i].actions : null, nextAction: 0, base, episode: 0, step: 0, total: 0, reward: 0, active: true });
  }
  const t: Transition = { envIndex: 0, episode: 0, step: 0, action: new Uint8Array(0), obs: new Uint8Array(0), reward: 0, done: false, state: new Uint8Array(0) };
  const e: EpisodeSummary = { envIndex: 0, episode: 0, steps: 0, totalReward: 0, finished: false, finalObs: new Uint8Array(0) };
  const w = new BinaryWriter();
  let inChunk = 0;
  let bytes = 0;
  let steps = 0;
  let sinceYield = 0;
  let reported = 0;
  const perResult = episodes ? game.info.obsBytes + 24 : game.info.obsBytes + game.info.maxActionBytes + (req.includeState ? game.info.maxStateBytes : 0) + 32;

  const flush = async (last: boolean) => {
    if (steps > reported) onSteps(steps - reported);
    reported = steps;
    w.uint32(24).uint64(steps);
    if (last) w.uint32(32).bool(true);
    // finish() copies out the chunk and rewinds, so the writer's grown buffer is reused.
    const chunk = w.finish();
    inChunk = 0;
    bytes = 0;
    sinceYield = 0;
    await sink.write(chunk);
  };
  const summary = async (i: number, s: EnvSlot, finished: boolean) => {
    e.envIndex = i;
    e.episode = s.episode;
    e.steps = s.step;
    e.totalReward = s.reward;
    e.finished = finished;
    e.finalObs = s.env.obs();
    EpisodeSummary.encode(e, w.uint32(18).fork()).join();
    if (++inChunk >= chunkSize || (bytes += perResult) >= limits.maxChunkBytes) await flush(false);
  };

  let active = slots.length;
  while (active > 0) {
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i];
      if (!s.active) continue;
      if (sink.stopped()) return steps;
      let reward: number;
      if (s.policy) {
        reward = s.env.stepLegal(s.policy.below(s.env.legalCount));
      } else {
        const list = s.actions!;
        try {
          reward = s.env.stepBytes(list[s.nextAction]);
        } catch (err) {
          if (err instanceof EngineError) throw new EngineError(err.code, `environment ${i}, action ${s.nextAction}: ${err.message}`);
          throw err;
        }
        s.nextAction++;
      }
      steps++;
      s.total++;
      s.reward += reward;
      const done = s.env.done;
      if (!episodes) {
        t.envIndex = i;
        t.episode = s.episode;
        t.step = s.step;
        t.action = s.env.lastAction();
        t.obs = s.env.obs();
        t.reward = reward;
        t.done = done;
        t.state = req.includeState ? s.env.state() : t.state;
        Transition.encode(t, w.uint32(10).fork()).join();
        if (++inChunk >= chunkSize || (bytes += perResult) >= limits.maxChunkBytes) await flush(false);
      }
      s.step++;
      const outOfSteps = s.total >= req.maxSteps || (s.actions !== null && s.nextAction >= s.actions.length);
      if (done) {
        if (episodes) await summary(i, s, true);
        if (req.autoReset && !outOfSteps) {
          s.episode++;
          s.step = 0;
          s.reward = 0;
          s.env.reset(BigInt.asUintN(64, s.base + BigInt(s.episode) * TWO_32), req.hint);
        } else {
          s.active = false;
          active--;
        }
      } else if (outOfSteps) {
        if (episodes && s.step > 0) await summary(i, s, false);
        s.active = false;
        active--;
      }
    }
    if ((sinceYield += slots.length) >= YIELD_STEPS) {
      sinceYield = 0;
      await yieldNow();
    }
  }
  if (!sink.stopped()) await flush(true);
  return steps;
}
