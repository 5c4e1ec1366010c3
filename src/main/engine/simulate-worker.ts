// Simulate's environments inside a game worker: one `Sim` per open stream, kept decoded between
// requests. Each request is checked whole before any environment moves (a refused request changes
// nothing and the stream goes on); each answer is packed arrays, encoded here so the main thread
// only forwards bytes. Auto-reset is same-step: an environment whose episode ends in a step is
// reset in that step, its last observation goes to final_obs and obs holds the new episode's first.
import type { TransferListItem } from 'node:worker_threads';
import { EngineError, invalid, specsOf, type ErasedEnv, type ErasedGame, type GameInfo } from './game';
import { SimulateOpen, SimulateRequest, SimulateResponse, type SimulateStep } from './gen/engine/v1/engine';
import type { FromWorker } from './pool-protocol';
import { AnswerPacker } from './simulate-pack';
import type { SimToWorker } from './simulate-protocol';

const TWO_32 = 1n << 32n;

/** The gRPC status names a refused request reports in SimulateResponse.error_code. */
const CODE_NAMES: Record<EngineError['code'], string> = { not_found: 'NOT_FOUND', invalid_argument: 'INVALID_ARGUMENT', failed_precondition: 'FAILED_PRECONDITION', resource_exhausted: 'RESOURCE_EXHAUSTED' };

/** Checks an open against the game (also run on the main thread before admission). */
export function validateOpen(open: SimulateOpen, info: GameInfo, maxEnvs: number): void {
  if (info.actionSpace.kind !== 'discrete') throw new EngineError('failed_precondition', `Simulate serves games with a Discrete action space; ${info.envId} has ${info.actionSpace.kind}`);
  if (open.numEnvs < 1 || open.numEnvs > maxEnvs) throw invalid(`num_envs must be 1-${maxEnvs}, got ${open.numEnvs}`);
  if (open.seeds.length !== 0 && open.seeds.length !== open.numEnvs) throw invalid(`seeds: give one per environment (${open.numEnvs}) or none (then seed + i), got ${open.seeds.length}`);
}

/** Memory one stream holds: its environments and an answer for all of them, twice (in flight). */
export function simulateBytes(open: SimulateOpen, info: GameInfo): number {
  const s = specsOf(info);
  const nA = info.actionSpace.kind === 'discrete' ? info.actionSpace.n : 1;
  const answer = 3 * info.obsBytes + 4 * s.numPlayers + nA + 16 + (open.includeState ? info.maxStateBytes + 4 : 0);
  return open.numEnvs * (1024 + 2 * info.maxStateBytes + info.obsBytes + 2 * answer);
}

export class Sim {
  private readonly envs: ErasedEnv[] = [];
  private readonly base: bigint[] = [];
  private readonly episode: Uint32Array;
  private readonly epSteps: Uint32Array;
  private readonly n: number;
  private readonly nA: number;
  private readonly players: number;
  private readonly maxSteps: number;
  /** Marks environments named in the request being checked (duplicate check without allocation). */
  private readonly seen: Uint32Array;
  private stamp = 0;
  private readonly scratchMask: Uint8Array;
  private readonly packer: AnswerPacker;

  constructor(
    readonly game: ErasedGame,
    private readonly open: SimulateOpen,
  ) {
    const info = game.info;
    const specs = specsOf(info);
    this.n = open.numEnvs;
    this.nA = info.actionSpace.kind === 'discrete' ? info.actionSpace.n : 0;
    this.players = specs.numPlayers;
    this.maxSteps = open.maxEpisodeSteps || specs.maxEpisodeSteps;
    this.episode = new Uint32Array(this.n);
    this.epSteps = new Uint32Array(this.n);
    this.seen = new Uint32Array(this.n);
    this.scratchMask = new Uint8Array(this.nA);
    this.packer = new AnswerPacker({ obsBytes: info.obsBytes, players: this.players, actions: this.nA, maxStateBytes: info.maxStateBytes, includeState: open.includeState });
    const seed = BigInt.asUintN(64, open.seed);
    for (let i = 0; i < this.n; i++) {
      const env = game.newEnv();
      const b = open.seeds.length ? BigInt.asUintN(64, open.seeds[i]) : BigInt.asUintN(64, seed + BigInt(i));
      env.reset(b, open.hint);
      this.envs.push(env);
      this.base.push(b);
    }
  }

  /** The open's answer: every environment at the first observation of its first episode. */
  first(): Uint8Array {
    const all = new Uint32Array(this.n);
    for (let i = 0; i < this.n; i++) all[i] = i;
    return this.answer(all, false, null);
  }

  /** Checks a whole step request (throws EngineError, changing nothing); returns what to apply. */
  check(req: SimulateStep): { idx: Uint32Array | null; actions: Int32Array } {
    const subset = req.envIndices.length > 0;
    const k = subset ? req.envIndices.length : this.n;
    const idx = subset ? Uint32Array.from(req.envIndices) : null;
    if (req.actions.length !== 4 * k) throw invalid(`actions: expected ${k} int32 (${4 * k} bytes) for ${k} environment(s), got ${req.actions.length} bytes`);
    const view = new DataView(req.actions.buffer, req.actions.byteOffset, req.actions.byteLength);
    const actions = new Int32Array(k);
    this.stamp++;
    for (let j = 0; j < k; j++) {
      const i = idx ? idx[j] : j;
      if (i >= this.n) throw invalid(`env_indices[${j}] is ${i}; this stream has ${this.n} environments`);
      if (this.seen[i] === this.stamp) throw invalid(`env_indices names environment ${i} twice`);
      this.seen[i] = this.stamp;
      const a = view.getInt32(4 * j, true);
      if (a < 0 || a >= this.nA) throw invalid(`environment ${i}: action ${a} is outside Discrete(${this.nA})`);
      this.scratchMask.fill(0);
      this.envs[i].writeMask(this.scratchMask, 0);
      if (this.scratchMask[a] !== 1) throw invalid(`environment ${i}: action ${a} is illegal here (see action_mask)`);
      actions[j] = a;
    }
    return { idx, actions };
  }

  step(c: { idx: Uint32Array | null; actions: Int32Array }): Uint8Array {
    return this.answer(c.idx ?? identity(this.n), c.idx !== null, c.actions);
  }

  /** Steps (when `actions` is set) the environments `idx`, then packs what they show (encoded). */
  private answer(idx: Uint32Array, subset: boolean, actions: Int32Array | null): Uint8Array {
    const k = idx.length;
    const P = this.players;
    const pack = this.packer;
    pack.begin(k, subset ? idx : null);
    const rewards = pack.rewardRows;
    for (let j = 0; j < k; j++) {
      const i = idx[j];
      const env = this.envs[i];
      if (actions) {
        const mover = env.player();
        const r = env.stepIndex(actions[j]);
        env.writeRewards(mover, r, rewards, j * P);
        this.epSteps[i]++;
        const term = env.done;
        if (term || (this.maxSteps > 0 && this.epSteps[i] >= this.maxSteps)) {
          this.episode[i]++;
          this.epSteps[i] = 0;
          const seed = BigInt.asUintN(64, this.base[i] + BigInt(this.episode[i]) * TWO_32);
          pack.ended(env, j, term, seed);
          env.reset(seed, this.open.hint);
        }
      }
      pack.row(env, j);
    }
    return pack.finish((j) => this.episode[idx[j]]);
  }
}

function identity(n: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

const sims = new Map<number, Sim>();

function refusal(e: EngineError): SimulateResponse {
  return SimulateResponse.fromPartial({ error: e.message, errorCode: CODE_NAMES[e.code] });
}

/** A worker's answer to a Simulate message; `games` gives the worker's instance of a game. */
export function handleSim(m: SimToWorker, game: (envId: string) => ErasedGame, maxEnvs: number): [FromWorker, TransferListItem[]] {
  if (m.op === 'simClose') {
    sims.delete(m.stream);
    return [{ id: m.id, ok: true }, []];
  }
  let envId = '';
  try {
    const req = SimulateRequest.decode(m.req);
    let out: Uint8Array = new Uint8Array(0);
    let steps = 0;
    if (m.op === 'simOpen') {
      if (!req.open) throw invalid('the first Simulate request must be an open');
      const g = game(req.open.id?.envId ?? '');
      envId = g.info.envId;
      validateOpen(req.open, g.info, maxEnvs);
      const sim = new Sim(g, req.open);
      sims.set(m.stream, sim);
      out = sim.first();
    } else {
      const sim = sims.get(m.stream);
      if (!sim) throw new EngineError('failed_precondition', 'this Simulate stream is closed');
      envId = sim.game.info.envId;
      let checked: ReturnType<Sim['check']> | null = null;
      try {
        if (!req.step) throw invalid('this Simulate stream is already open: send steps');
        checked = sim.check(req.step);
      } catch (e) {
        // A refused request changed nothing: answer it and keep the stream.
        if (!(e instanceof EngineError)) throw e;
        out = SimulateResponse.encode(refusal(e)).finish().slice();
      }
      if (checked) {
        // A game failing mid-step ends the stream (below): some environments may have moved.
        out = sim.step(checked);
        steps = checked.actions.length;
      }
    }
    // The answer owns its buffer (packed here, or sliced out of the writer's): transferred whole.
    return [{ id: m.id, ok: true, res: out, envId, steps }, [out.buffer as ArrayBuffer]];
  } catch (e) {
    if (m.op === 'simStep') sims.delete(m.stream);
    if (e instanceof EngineError) return [{ id: m.id, ok: false, code: e.code, details: e.message, envId }, []];
    return [{ id: m.id, ok: false, code: 'internal', details: e instanceof Error ? (e.stack ?? e.message) : String(e), envId }, []];
  }
}
