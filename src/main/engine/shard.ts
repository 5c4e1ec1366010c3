// One worker's share of a BatchSimulate: environments [lo, hi) of the request, stepped round by
// round exactly as a single thread would step them (environment i seeded seed + i, its policy
// seeded random.seed + i), so the merged stream is the same bytes whatever the worker count.
// Each result is encoded whole (field tag, length, message) into the slice, with, per result, the
// byte offset where it ends and the steps this shard had taken in the round when it was made;
// per round, how many results and steps it made. The main thread interleaves shards per round.
import { EngineError, type ErasedEnv, type ErasedGame } from './game';
import {
  BatchSimulateRequest_Output,
  type BatchSimulateRequest,
  type EpisodeSummary,
  type Transition,
} from './gen/engine/v1/engine';
import { RecordWriter } from './records';
import { ChaCha20Rng } from './rng';

const TWO_32 = 1n << 32n;

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

/** What one slice of rounds produced; every array is sent to the main thread as a transfer. */
export interface Slice {
  /** The encoded results, back to back. */
  bytes: Uint8Array<ArrayBuffer>;
  /** Per result: the byte offset where it ends. */
  recordEnds: Uint32Array<ArrayBuffer>;
  /** Per result: steps this shard had taken in that round, the result's own step included. */
  recordSteps: Uint32Array<ArrayBuffer>;
  /** Per round: results made so far in the slice (cumulative), and steps taken in that round. */
  roundRecords: Uint32Array<ArrayBuffer>;
  roundSteps: Uint32Array<ArrayBuffer>;
  /** No environment of the shard is active any more. */
  finished: boolean;
  /** The round that failed ends the slice; its results before the failure are included. */
  error: { code: EngineError['code']; message: string } | null;
}

export class Shard {
  private readonly slots: EnvSlot[] = [];
  private active: number;
  private readonly episodes: boolean;
  private readonly t: Transition = {
    envIndex: 0,
    episode: 0,
    step: 0,
    action: new Uint8Array(0),
    obs: new Uint8Array(0),
    reward: 0,
    done: false,
    state: new Uint8Array(0),
  };
  private readonly e: EpisodeSummary = {
    envIndex: 0,
    episode: 0,
    steps: 0,
    totalReward: 0,
    finished: false,
    finalObs: new Uint8Array(0),
  };
  private readonly w = new RecordWriter();

  constructor(
    private readonly req: BatchSimulateRequest,
    game: ErasedGame,
    private readonly lo: number,
    hi: number,
  ) {
    this.episodes = req.output === BatchSimulateRequest_Output.OUTPUT_EPISODES;
    const seed = BigInt.asUintN(64, req.seed);
    for (let i = lo; i < hi; i++) {
      const env = game.newEnv();
      const base = BigInt.asUintN(64, seed + BigInt(i));
      env.reset(base, req.hint);
      const policy = req.random ? ChaCha20Rng.fromU64(BigInt.asUintN(64, req.random.seed + BigInt(i))) : null;
      this.slots.push({
        env,
        policy,
        actions: req.actions ? req.actions.lists[i].actions : null,
        nextAction: 0,
        base,
        episode: 0,
        step: 0,
        total: 0,
        reward: 0,
        active: true,
      });
    }
    this.active = this.slots.length;
  }

  get finished(): boolean {
    return this.active === 0;
  }

  /** Steps up to `rounds` rounds (fewer when every environment ends first). */
  run(rounds: number): Slice {
    const ends: number[] = [];
    const recSteps: number[] = [];
    const roundRecords: number[] = [];
    const roundSteps: number[] = [];
    let error: Slice['error'] = null;
    const w = this.w;
    const req = this.req;
    for (let r = 0; r < rounds && this.active > 0 && !error; r++) {
      let steps = 0;
      const mark = () => {
        ends.push(w.length);
        recSteps.push(steps);
      };
      for (let k = 0; k < this.slots.length; k++) {
        const s = this.slots[k];
        if (!s.active) continue;
        const i = this.lo + k;
        let reward: number;
        try {
          if (s.policy) reward = s.env.stepLegal(s.policy.below(s.env.legalCount));
          else {
            reward = s.env.stepBytes(s.actions![s.nextAction]);
            s.nextAction++;
          }
        } catch (err) {
          if (!(err instanceof EngineError)) throw err;
          error = {
            code: err.code,
            message: s.policy
              ? `environment ${i}: ${err.message}`
              : `environment ${i}, action ${s.nextAction}: ${err.message}`,
          };
          break;
        }
        steps++;
        s.total++;
        s.reward += reward;
        const done = s.env.done;
        if (!this.episodes) {
          const t = this.t;
          t.envIndex = i;
          t.episode = s.episode;
          t.step = s.step;
          t.action = s.env.lastAction();
          t.obs = s.env.obs();
          t.reward = reward;
          t.done = done;
          t.state = req.includeState ? s.env.state() : t.state;
          w.transition(t);
          mark();
        }
        s.step++;
        const outOfSteps = s.total >= req.maxSteps || (s.actions !== null && s.nextAction >= s.actions.length);
        if (done) {
          if (this.episodes) {
            this.summary(i, s, true);
            mark();
          }
          if (req.autoReset && !outOfSteps) {
            s.episode++;
            s.step = 0;
            s.reward = 0;
            s.env.reset(BigInt.asUintN(64, s.base + BigInt(s.episode) * TWO_32), req.hint);
          } else {
            s.active = false;
            this.active--;
          }
        } else if (outOfSteps) {
          if (this.episodes && s.step > 0) {
            this.summary(i, s, false);
            mark();
          }
          s.active = false;
          this.active--;
        }
      }
      roundRecords.push(ends.length);
      roundSteps.push(steps);
    }
    return {
      bytes: w.take(),
      recordEnds: Uint32Array.from(ends),
      recordSteps: Uint32Array.from(recSteps),
      roundRecords: Uint32Array.from(roundRecords),
      roundSteps: Uint32Array.from(roundSteps),
      finished: this.active === 0,
      error,
    };
  }

  private summary(i: number, s: EnvSlot, finished: boolean): void {
    const e = this.e;
    e.envIndex = i;
    e.episode = s.episode;
    e.steps = s.step;
    e.totalReward = s.reward;
    e.finished = finished;
    e.finalObs = s.env.obs();
    this.w.episode(e);
  }
}
