// The two faces of a game. Authors write a typed `Game<State, Action, Obs>`; the gRPC boundary only
// sees `ErasedGame`, which speaks bytes. `eraseGame` adapts one to the other and owns the scratch
// objects and buffers every call reuses, so a step allocates nothing itself: the views it returns
// are valid until the next call on the same instance (the server encodes them at once).
import { ChaCha20Rng, RngExhausted } from './rng';

export type EngineErrorCode = 'not_found' | 'invalid_argument' | 'failed_precondition' | 'resource_exhausted';

/** A refusal with its gRPC meaning; anything else thrown from a game is an internal error. */
export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export const invalid = (message: string): EngineError => new EngineError('invalid_argument', message);

export type ActionSpace =
  | { kind: 'discrete'; n: number }
  | { kind: 'multi_discrete'; nvec: number[] }
  | { kind: 'box'; shape: number[]; low: number[]; high: number[] };

export interface GameInfo {
  envId: string;
  description: string;
  encoding: { state: string; action: string; obs: string; schemaVersion: number };
  actionSpace: ActionSpace;
  /** 0: no fixed bound. */
  maxHorizon: number;
  preferredBatch: number;
  /** Largest encoded state and action, and the (fixed) observation size, in bytes. */
  maxStateBytes: number;
  maxActionBytes: number;
  obsBytes: number;
  /** Specs for typed clients (optional: `specsOf` supplies defaults for a game without them). */
  numPlayers?: number;
  observation?: ObservationSpec;
  reward?: RewardSpec;
  /** Simulate truncates episodes after this many steps unless the open sets its own; 0: never. */
  maxEpisodeSteps?: number;
}

export interface ObservationSpec {
  dtype: 'float32' | 'uint8';
  shape: number[];
  /** Per element of the flattened observation, or one value for all. */
  low: number[];
  high: number[];
  slices: { name: string; start: number; length: number; description: string }[];
}

export interface RewardSpec {
  low: number;
  high: number;
  zeroSum: boolean;
  description: string;
}

export interface GameSpecs {
  numPlayers: number;
  observation: ObservationSpec;
  reward: RewardSpec;
  maxEpisodeSteps: number;
}

/** A game's specs, with defaults for what it leaves out (raw bytes, one player, unbounded reward). */
export function specsOf(info: GameInfo): GameSpecs {
  return {
    numPlayers: info.numPlayers ?? 1,
    observation: info.observation ?? { dtype: 'uint8', shape: [info.obsBytes], low: [0], high: [255], slices: [] },
    reward: info.reward ?? { low: -Infinity, high: Infinity, zeroSum: false, description: '' },
    maxEpisodeSteps: info.maxEpisodeSteps ?? 0,
  };
}

/**
 * What a game author implements. States are mutable scratch objects the adapter reuses; all
 * randomness must come from the `rng` given to reset and be kept in the state (so it is in the
 * state's bytes), which makes `step` a pure function of (state bytes, action bytes).
 */
export interface Game<S, A, O> {
  readonly info: GameInfo;
  newState(): S;
  newObs(): O;
  /** Starts an episode in `state`. `hint` holds game-specific options (empty: defaults). */
  reset(state: S, rng: ChaCha20Rng, hint: Uint8Array): void;
  /** Applies a legal action; returns the reward. Throws EngineError for an illegal one. */
  step(state: S, action: A): number;
  isDone(state: S): boolean;
  observe(state: S, out: O): void;
  /** Writes the legal actions into `out` (length >= the action count); returns how many. */
  legalActions(state: S, out: A[]): number;
  /** Encoders return the byte count written at the start of `out`. */
  encodeState(state: S, out: Uint8Array): number;
  /** Fills `into` from bytes; throws EngineError (invalid_argument) for anything malformed. */
  decodeState(bytes: Uint8Array, into: S): void;
  encodeAction(action: A, out: Uint8Array): number;
  decodeAction(bytes: Uint8Array): A;
  encodeObs(obs: O, out: Uint8Array): number;
  /** Multi-player games: the player to act, from 0 (single-player games leave it out). */
  toMove?(state: S): number;
  /**
   * Multi-player games: every player's reward for the step `mover` just made, which earned the
   * mover `reward` (what Step answers), written to out[off + player].
   */
  playerRewards?(state: S, mover: number, reward: number, out: Float32Array, off: number): void;
}

/** Result views (reused; valid until the next call on the same instance). */
export interface StepOut {
  state: Uint8Array;
  obs: Uint8Array;
  reward: number;
  done: boolean;
}

/** One environment kept decoded in memory between steps (BatchSimulate). */
export interface ErasedEnv {
  reset(seed: bigint, hint: Uint8Array): void;
  readonly done: boolean;
  readonly legalCount: number;
  /** Steps with the k-th legal action (0 <= k < legalCount); returns the reward. */
  stepLegal(k: number): number;
  /** Steps with an encoded action; throws EngineError if malformed or illegal. */
  stepBytes(action: Uint8Array): number;
  /** The last action's bytes, the observation and the state (views, reused). */
  lastAction(): Uint8Array;
  obs(): Uint8Array;
  state(): Uint8Array;
  /** Replaces this environment's state with decoded bytes; throws EngineError when refused. */
  load(bytes: Uint8Array): void;
  /** Writes the observation at out[off] (obsBytes bytes): no views made, for packed batches. */
  writeObs(out: Uint8Array, off: number): void;
  /** The player to act now (0 in single-player games). */
  player(): number;
  /** Discrete games: steps with action index `a`; throws EngineError if illegal or the episode is over. */
  stepIndex(a: number): number;
  /** Discrete games: sets out[off + a] = 1 for each legal action a (the rest is left as it is). */
  writeMask(out: Uint8Array, off: number): void;
  /** Every player's reward for a step by `mover` that earned it `reward` (numPlayers entries). */
  writeRewards(mover: number, reward: number, out: Float32Array, off: number): void;
}

/** The bytes-only game the gRPC server holds. */
export interface ErasedGame {
  readonly info: GameInfo;
  reset(seed: bigint, hint: Uint8Array): StepOut;
  step(state: Uint8Array, action: Uint8Array): StepOut;
  newEnv(): ErasedEnv;
}

class Env<S, A, O> implements ErasedEnv {
  private readonly s: S;
  private readonly o: O;
  private readonly rng = new ChaCha20Rng();
  private readonly legal: A[];
  private legalN = -1;
  private readonly stateBuf: Uint8Array;
  private readonly obsBuf: Uint8Array;
  private readonly actionBuf: Uint8Array;
  private actionLen = 0;

  constructor(private readonly g: Game<S, A, O>) {
    this.s = g.newState();
    this.o = g.newObs();
    this.legal = new Array<A>(legalCapacity(g.info.actionSpace));
    this.stateBuf = new Uint8Array(g.info.maxStateBytes);
    this.obsBuf = new Uint8Array(g.info.obsBytes);
    this.actionBuf = new Uint8Array(g.info.maxActionBytes);
  }

  reset(seed: bigint, hint: Uint8Array): void {
    this.rng.seedU64(seed);
    this.g.reset(this.s, this.rng, hint);
    this.legalN = -1;
    this.actionLen = 0;
  }

  get done(): boolean {
    return this.g.isDone(this.s);
  }

  get legalCount(): number {
    if (this.legalN < 0) this.legalN = this.g.legalActions(this.s, this.legal);
    return this.legalN;
  }

  stepLegal(k: number): number {
    if (k >= this.legalCount)
      throw new EngineError('failed_precondition', `no legal action #${k}: ${this.legalCount} legal`);
    const a = this.legal[k];
    this.actionLen = this.g.encodeAction(a, this.actionBuf);
    return this.apply(a);
  }

  stepBytes(action: Uint8Array): number {
    if (this.g.isDone(this.s))
      throw new EngineError('failed_precondition', 'the episode is over: call Reset for a new one');
    const a = this.g.decodeAction(action);
    this.actionLen = this.g.encodeAction(a, this.actionBuf);
    return this.apply(a);
  }

  private apply(a: A): number {
    let r: number;
    try {
      r = this.g.step(this.s, a);
    } catch (e) {
      if (e instanceof RngExhausted)
        throw new EngineError('failed_precondition', `this state cannot be stepped: ${e.message}`);
      throw e;
    }
    this.legalN = -1;
    return r;
  }

  lastAction(): Uint8Array {
    return this.actionBuf.subarray(0, this.actionLen);
  }

  obs(): Uint8Array {
    this.g.observe(this.s, this.o);
    return this.obsBuf.subarray(0, this.g.encodeObs(this.o, this.obsBuf));
  }

  state(): Uint8Array {
    return this.stateBuf.subarray(0, this.g.encodeState(this.s, this.stateBuf));
  }

  load(bytes: Uint8Array): void {
    if (bytes.length > this.g.info.maxStateBytes)
      throw invalid(
        `state is ${bytes.length} bytes; ${this.g.info.envId} states are at most ${this.g.info.maxStateBytes} bytes (${this.g.info.encoding.state})`,
      );
    this.g.decodeState(bytes, this.s);
    this.legalN = -1;
  }

  writeObs(out: Uint8Array, off: number): void {
    this.g.observe(this.s, this.o);
    // Every observation of a game is obsBytes long (GameInfo), which obsBuf is exactly.
    this.g.encodeObs(this.o, this.obsBuf);
    out.set(this.obsBuf, off);
  }

  player(): number {
    return this.g.toMove ? this.g.toMove(this.s) : 0;
  }

  // Discrete games represent an action by its index (both built-in games do: A is number).
  stepIndex(a: number): number {
    if (this.g.isDone(this.s)) throw new EngineError('failed_precondition', 'the episode is over');
    const n = this.legalCount;
    for (let k = 0; k < n; k++) if ((this.legal[k] as unknown as number) === a) return this.stepLegal(k);
    throw invalid(`illegal action ${a}: legal here are ${this.legal.slice(0, n).join(', ')}`);
  }

  writeMask(out: Uint8Array, off: number): void {
    const n = this.legalCount;
    for (let k = 0; k < n; k++) out[off + (this.legal[k] as unknown as number)] = 1;
  }

  writeRewards(mover: number, reward: number, out: Float32Array, off: number): void {
    if (this.g.playerRewards) this.g.playerRewards(this.s, mover, reward, out, off);
    else out[off] = reward;
  }
}

function legalCapacity(space: ActionSpace): number {
  if (space.kind === 'discrete') return space.n;
  if (space.kind === 'multi_discrete') return space.nvec.reduce((a, b) => a * b, 1);
  return 1;
}

class Adapter<S, A, O> implements ErasedGame {
  private readonly env: Env<S, A, O>;
  private readonly out: StepOut = { state: new Uint8Array(0), obs: new Uint8Array(0), reward: 0, done: false };

  constructor(private readonly g: Game<S, A, O>) {
    this.env = new Env(g);
  }

  get info(): GameInfo {
    return this.g.info;
  }

  reset(seed: bigint, hint: Uint8Array): StepOut {
    this.env.reset(seed, hint);
    return this.fill(0);
  }

  step(state: Uint8Array, action: Uint8Array): StepOut {
    if (state.length > this.g.info.maxStateBytes)
      throw invalid(
        `state is ${state.length} bytes; ${this.g.info.envId} states are at most ${this.g.info.maxStateBytes} bytes (${this.g.info.encoding.state})`,
      );
    if (action.length > this.g.info.maxActionBytes)
      throw invalid(
        `action is ${action.length} bytes; ${this.g.info.envId} actions are at most ${this.g.info.maxActionBytes} byte(s) (${this.g.info.encoding.action})`,
      );
    this.env.load(state);
    return this.fill(this.env.stepBytes(action));
  }

  private fill(reward: number): StepOut {
    const o = this.out;
    o.state = this.env.state();
    o.obs = this.env.obs();
    o.reward = reward;
    o.done = this.env.done;
    return o;
  }

  newEnv(): ErasedEnv {
    return new Env(this.g);
  }
}

export function eraseGame<S, A, O>(game: Game<S, A, O>): ErasedGame {
  return new Adapter(game);
}

/** Longest piece of client input an error message repeats. */
export const ECHO_CHARS = 64;

/**
 * Client text quoted in an error message, cut to ECHO_CHARS: a status message travels in an
 * HTTP/2 trailer, and one echoing a 100 KB id broke the connection for the next call too.
 */
export function quoteClipped(s: string): string {
  if (s.length <= ECHO_CHARS) return JSON.stringify(s);
  return `${JSON.stringify(s.slice(0, ECHO_CHARS))}… (${s.length} characters)`;
}

/** env_id -> factory. The server makes one instance per env_id and reuses it for every call. */
export class GameRegistry {
  private readonly factories = new Map<string, () => ErasedGame>();

  register(envId: string, factory: () => ErasedGame): this {
    if (this.factories.has(envId)) throw new Error(`env_id "${envId}" is registered twice`);
    this.factories.set(envId, factory);
    return this;
  }

  ids(): string[] {
    return [...this.factories.keys()].sort();
  }

  create(envId: string): ErasedGame {
    const f = this.factories.get(envId);
    if (!f)
      throw new EngineError(
        'not_found',
        `unknown env_id ${quoteClipped(envId)}; this engine serves: ${this.ids().join(', ')}`,
      );
    return f();
  }
}

// Observations are float32 little-endian, written through Float32Array views of their bytes: every
// platform Node supports in practice is little-endian, checked here once.
if (new Uint8Array(new Float32Array([1]).buffer)[3] !== 0x3f)
  throw new Error('the engine needs a little-endian platform');

/** A float32 observation with a byte view over the same memory, made once per environment. */
export interface F32Obs {
  values: Float32Array;
  bytes: Uint8Array;
}

export function newF32Obs(n: number): F32Obs {
  const values = new Float32Array(n);
  return { values, bytes: new Uint8Array(values.buffer) };
}

export function encodeF32Obs(obs: F32Obs, out: Uint8Array): number {
  out.set(obs.bytes);
  return obs.bytes.length;
}
