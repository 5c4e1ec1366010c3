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
const CODE_NAMES: Record<EngineError['code'], string> = {
  not_found: 'NOT_FOUND',
  invalid_argument: 'INVALID_ARGUMENT',
  failed_precondition: 'FAILED_PRECONDITION',
  resource_exhausted: 'RESOURCE_EXHAUSTED',
};

/** Checks an open against the game (also run on the main thread before admission). */
export function validateOpen(open: SimulateOpen, info: GameInfo, maxEnvs: number): void {
  if (info.actionSpace.kind !== 'discrete')
    throw new EngineError(
      'failed_precondition',
      `Simulate serves games with a Discrete action space; ${info.envId} has ${info.actionSpace.kind}`,
    );
  if (open.numEnvs < 1 || open.numEnvs > maxEnvs) throw invalid(`num_envs must be 1-${maxEnvs}, got ${open.numEnvs}`);
  if (open.seeds.length !== 0 && open.seeds.length !== open.numEnvs)
    throw invalid(
      `seeds: give one per environment (${open.numEnvs}) or none (then seed + i), got ${open.seeds.length}`,
    );
}

/** Memory one stream holds: its environments and an answer for all of them, twice (in flight). */
export function simulateBytes(open: SimulateOpen, info: GameInfo): number {
  const s = specsOf(info);
  const nA = info.actionSpace.kind === 'discrete' ? info.actionSpace.n : 1;
  const answer = 3 * info.obsBytes + 4 * s.numPlayers + nA + 16 + (open.includeState ? info.maxStateBytes + 4 : 0);
  return open.numEnvs * (1024 + 2 * info.maxStateBytes + info.obsBytes + 2 * answer);
}

/** A stream sharded over workers: this worker's contiguous environments and the masks all share. */
export interface SimShard {
  lo: number;
  hi: number;
  /** Legal-action masks, two copies of num_envs × n bytes (see Sim.masks), written by their owners. */
  masks: SharedArrayBuffer;
}

export class Sim {
  /** This worker's environments, lo..hi - 1 (all of them unless sharded). */
  private readonly envs: ErasedEnv[] = [];
  private readonly base: bigint[] = [];
  private readonly episode: Uint32Array;
  private readonly epSteps: Uint32Array;
  private readonly n: number;
  private readonly lo: number;
  private readonly hi: number;
  private readonly sharded: boolean;
  private readonly nA: number;
  private readonly players: number;
  private readonly maxSteps: number;
  /** Marks environments named in the request being checked (duplicate check without allocation). */
  private readonly seen: Uint32Array;
  private stamp = 0;
  /**
   * Legal-action masks of every environment, twice: a request is checked against the copy of the
   * last answer while its step writes the other, so one shard moving first never changes what
   * another shard checks. Steps taken so far pick the copy (refusals move nothing, on any shard).
   */
  private readonly masks: Uint8Array;
  private flips = 0;
  private readonly packer: AnswerPacker;
  /** Rows in the last answer (this worker's environments among those asked). */
  rows = 0;

  constructor(
    readonly game: ErasedGame,
    private readonly open: SimulateOpen,
    shard?: SimShard,
  ) {
    const info = game.info;
    const specs = specsOf(info);
    this.n = open.numEnvs;
    this.lo = shard?.lo ?? 0;
    this.hi = shard?.hi ?? this.n;
    this.sharded = shard !== undefined;
    this.nA = info.actionSpace.kind === 'discrete' ? info.actionSpace.n : 0;
    this.players = specs.numPlayers;
    this.maxSteps = open.maxEpisodeSteps || specs.maxEpisodeSteps;
    this.episode = new Uint32Array(this.hi - this.lo);
    this.epSteps = new Uint32Array(this.hi - this.lo);
    this.seen = new Uint32Array(this.n);
    this.masks = shard ? new Uint8Array(shard.masks) : new Uint8Array(2 * this.n * this.nA);
    this.packer = new AnswerPacker({
      obsBytes: info.obsBytes,
      players: this.players,
      actions: this.nA,
      maxStateBytes: info.maxStateBytes,
      includeState: open.includeState,
    });
    const seed = BigInt.asUintN(64, open.seed);
    for (let i = this.lo; i < this.hi; i++) {
      const env = game.newEnv();
      const b = open.seeds.length ? BigInt.asUintN(64, open.seeds[i]) : BigInt.asUintN(64, seed + BigInt(i));
      env.reset(b, open.hint);
      this.envs.push(env);
      this.base.push(b);
    }
  }

  /** The open's answer: every environment at the first observation of its first episode. */
  first(): Uint8Array {
    return this.answer(null, null);
  }

  /**
   * Checks a whole step request (throws EngineError, changing nothing); returns what to apply.
   * Every shard checks the whole request against the shared masks, so all refuse it or none.
   */
  check(req: SimulateStep): { idx: Uint32Array | null; actions: Int32Array } {
    const subset = req.envIndices.length > 0;
    const k = subset ? req.envIndices.length : this.n;
    const idx = subset ? Uint32Array.from(req.envIndices) : null;
    if (req.actions.length !== 4 * k)
      throw invalid(
        `actions: expected ${k} int32 (${4 * k} bytes) for ${k} environment(s), got ${req.actions.length} bytes`,
      );
    const view = new DataView(req.actions.buffer, req.actions.byteOffset, req.actions.byteLength);
    const actions = new Int32Array(k);
    const nA = this.nA;
    const masks = this.flips & 1 ? this.masks.subarray(this.n * nA) : this.masks;
    this.stamp++;
    for (let j = 0; j < k; j++) {
      const i = idx ? idx[j] : j;
      if (i >= this.n) throw invalid(`env_indices[${j}] is ${i}; this stream has ${this.n} environments`);
      if (this.seen[i] === this.stamp) throw invalid(`env_indices names environment ${i} twice`);
      this.seen[i] = this.stamp;
      const a = view.getInt32(4 * j, true);
      if (a < 0 || a >= nA) throw invalid(`environment ${i}: action ${a} is outside Discrete(${nA})`);
      if (masks[i * nA + a] !== 1) throw invalid(`environment ${i}: action ${a} is illegal here (see action_mask)`);
      actions[j] = a;
    }
    return { idx, actions };
  }

  step(c: { idx: Uint32Array | null; actions: Int32Array }): Uint8Array {
    return this.answer(c.idx, c.actions);
  }

  /**
   * Steps (when `actions` is set) this worker's environments among `idx` (null: all, in order),
   * then packs what they show, encoded. A shard leaves env_indices to the merge (simulate-merge.ts).
   */
  private answer(idx: Uint32Array | null, actions: Int32Array | null): Uint8Array {
    const { lo, hi, nA } = this;
    const P = this.players;
    const own = idx ? idx.filter((i) => i >= lo && i < hi) : null;
    const k = own ? own.length : hi - lo;
    this.rows = k;
    const pack = this.packer;
    pack.begin(k, idx && !this.sharded ? idx : null);
    const rewards = pack.rewardRows;
    const size = this.n * nA;
    const read = this.flips & 1 ? size : 0;
    // A step writes the other copy (its unstepped rows carried over); the open writes the first.
    const write = actions ? size - read : read;
    if (actions) this.masks.copyWithin(write + lo * nA, read + lo * nA, read + hi * nA);
    // Row j of the answer is environment i; its action sits at position at of the request.
    for (let j = 0, at = idx ? 0 : lo; j < k; j++, at++) {
      if (idx) while (idx[at] < lo || idx[at] >= hi) at++;
      const i = idx ? idx[at] : at;
      const e = i - lo;
      const env = this.envs[e];
      if (actions) {
        const mover = env.player();
        const r = env.stepIndex(actions[at]);
        env.writeRewards(mover, r, rewards, j * P);
        this.epSteps[e]++;
        const term = env.done;
        if (term || (this.maxSteps > 0 && this.epSteps[e] >= this.maxSteps)) {
          this.episode[e]++;
          this.epSteps[e] = 0;
          const seed = BigInt.asUintN(64, this.base[e] + BigInt(this.episode[e]) * TWO_32);
          pack.ended(env, j, term, seed);
          env.reset(seed, this.open.hint);
        }
      }
      pack.row(env, j);
      this.masks.fill(0, write + i * nA, write + (i + 1) * nA);
      env.writeMask(this.masks, write + i * nA);
    }
    if (actions) this.flips++;
    return pack.finish((j) => this.episode[(own ? own[j] : lo + j) - lo]);
  }
}

const sims = new Map<number, Sim>();

function refusal(e: EngineError): SimulateResponse {
  return SimulateResponse.fromPartial({ error: e.message, errorCode: CODE_NAMES[e.code] });
}

/** A worker's answer to a Simulate message; `games` gives the worker's instance of a game. */
export function handleSim(
  m: SimToWorker,
  game: (envId: string) => ErasedGame,
  maxEnvs: number,
): [FromWorker, TransferListItem[]] {
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
      const sim = new Sim(g, req.open, m.shard);
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
        steps = sim.rows;
      }
    }
    // The answer owns its buffer (packed here, or sliced out of the writer's): transferred whole.
    return [{ id: m.id, ok: true, res: out, envId, steps }, [out.buffer as ArrayBuffer]];
  } catch (e) {
    if (m.op === 'simStep') sims.delete(m.stream);
    if (e instanceof EngineError) return [{ id: m.id, ok: false, code: e.code, details: e.message, envId }, []];
    return [
      {
        id: m.id,
        ok: false,
        code: 'internal',
        details: e instanceof Error ? (e.stack ?? e.message) : String(e),
        envId,
      },
      [],
    ];
  }
}
