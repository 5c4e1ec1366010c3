// Games for the isolation tests, served by workers through `registryModule`: real games run by
// the real pool, misbehaving on purpose. `spin` never finishes a step (the budget must cut it off);
// `gate` finishes a step only once the file named by its reset hint exists, so a test can hold
// every batch worker busy for as long as it needs without guessing at timings.
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
      for (let i = 0; i < GATE_CHECKS && !existsSync(s.path); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
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

export default function testGames(): GameRegistry {
  return builtInGames()
    .register('spin', () => eraseGame(new TestGame('spin')))
    .register('gate', () => eraseGame(new TestGame('gate')));
}
