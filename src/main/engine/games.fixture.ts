// Games for the isolation tests, served by workers through `registryModule`: real games run by
// the real pool, misbehaving on purpose. `spin` never finishes a step (the budget must cut it off);
// `gate` finishes a step only once the file named by its reset hint exists, so a test can hold
// every batch worker busy for as long as it needs without guessing at timings. `wide` has states
// and observations larger than a lane's ring slot, so its calls take the lane's port.
import { existsSync } from 'node:fs';
import { eraseGame, invalid, type Game, type GameInfo, type GameRegistry } from './game';
import { builtInGames } from './registry';

interface S {
  path: string;
  steps: number;
}

function info(envId: string): GameInfo {
  return {
    envId,
    description: `test game ${envId}`,
    encoding: { state: `${envId}-state:v1`, action: 'u8:v1', obs: 'f32x1:v1', schemaVersion: 1 },
    actionSpace: { kind: 'discrete', n: 1 },
    maxHorizon: 0,
    preferredBatch: 1,
    maxStateBytes: 512,
    maxActionBytes: 1,
    obsBytes: 4,
  };
}

/** Waits for the file, checking at most this many times (~60 s): loops stay bounded. */
const GATE_CHECKS = 600;

class TestGame implements Game<S, number, Uint8Array> {
  readonly info: GameInfo;
  constructor(private readonly kind: 'spin' | 'gate') {
    this.info = info(kind);
  }
  newState(): S {
    return { path: '', steps: 0 };
  }
  newObs(): Uint8Array {
    return new Uint8Array(4);
  }
  reset(s: S, _rng: unknown, hint: Uint8Array): void {
    s.path = Buffer.from(hint).toString('utf8');
    s.steps = 0;
  }
  step(s: S): number {
    if (this.kind === 'spin') {
      // Burns CPU without end: only the worker's budget stops it.
      for (;;) if (Math.random() > 2) break;
    } else {
      for (let i = 0; i < GATE_CHECKS && !existsSync(s.path); i++)
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
    s.steps++;
    return 0;
  }
  isDone(): boolean {
    return false;
  }
  observe(): void {}
  legalActions(_s: S, out: number[]): number {
    out[0] = 0;
    return 1;
  }
  encodeState(s: S, out: Uint8Array): number {
    return Buffer.from(out.buffer, out.byteOffset, out.length).write(s.path, 'utf8');
  }
  decodeState(b: Uint8Array, s: S): void {
    s.path = Buffer.from(b).toString('utf8');
  }
  encodeAction(a: number, out: Uint8Array): number {
    out[0] = a;
    return 1;
  }
  decodeAction(b: Uint8Array): number {
    if (b.length !== 1 || b[0] !== 0) throw invalid('the only action is byte 0');
    return 0;
  }
  encodeObs(o: Uint8Array, out: Uint8Array): number {
    out.set(o);
    return 4;
  }
}

/** State: the reset hint's bytes (up to 16 KiB); each step adds 1 to every byte. Obs: 8 KiB, the state repeated. */
class WideGame implements Game<Uint8Array, number, Uint8Array> {
  readonly info: GameInfo = { ...info('wide'), maxStateBytes: 16_384, obsBytes: 8192 };
  private len = 0;
  newState(): Uint8Array {
    return new Uint8Array(16_384);
  }
  newObs(): Uint8Array {
    return new Uint8Array(8192);
  }
  reset(s: Uint8Array, _rng: unknown, hint: Uint8Array): void {
    if (hint.length === 0) throw invalid('wide needs a hint');
    s.set(hint);
    this.len = hint.length;
  }
  step(s: Uint8Array): number {
    for (let i = 0; i < this.len; i++) s[i] = (s[i] + 1) & 255;
    return 0;
  }
  isDone(): boolean {
    return false;
  }
  observe(s: Uint8Array, o: Uint8Array): void {
    for (let i = 0; i < o.length; i++) o[i] = s[i % this.len];
  }
  legalActions(_s: Uint8Array, out: number[]): number {
    out[0] = 0;
    return 1;
  }
  encodeState(s: Uint8Array, out: Uint8Array): number {
    out.set(s.subarray(0, this.len));
    return this.len;
  }
  decodeState(b: Uint8Array, s: Uint8Array): void {
    if (b.length === 0) throw invalid('empty state');
    s.set(b);
    this.len = b.length;
  }
  encodeAction(a: number, out: Uint8Array): number {
    out[0] = a;
    return 1;
  }
  decodeAction(b: Uint8Array): number {
    if (b.length !== 1 || b[0] !== 0) throw invalid('the only action is byte 0');
    return 0;
  }
  encodeObs(o: Uint8Array, out: Uint8Array): number {
    out.set(o);
    return o.length;
  }
}

export default function testGames(): GameRegistry {
  return builtInGames()
    .register('spin', () => eraseGame(new TestGame('spin')))
    .register('gate', () => eraseGame(new TestGame('gate')))
    .register('wide', () => eraseGame(new WideGame()));
}
