// 2048 on a 4x4 board: the stochastic cartridge. New tiles come from the ChaCha20 RNG carried in
// the state, so a step is still a pure function of its input bytes. Encodings (schema 1):
//   state  "2048-state:v1"  65 bytes: 16 cells row-major as exponents (0 empty, k = tile 2^k),
//                           score u32 LE, moves u32 LE, over (0/1), RNG (32-byte key, u64 LE word
//                           position)
//   action "u8:v1"          1 byte: 0 up, 1 right, 2 down, 3 left
//   obs    "f32x20:v1"      20 float32 LE: the 16 exponents, then 4 legal-move flags
// Reward: the sum of the tiles merged by the move. A move that changes nothing is illegal. After
// every move (and twice at reset) a tile appears on an empty cell: the cell is the RNG's
// below(empty count)-th empty cell in row-major order, then below(10) == 0 makes it a 4, else a 2.
// The episode ends when no move changes the board.
//
// Which states can occur in play. With S the tile sum, m the moves and F the sum of (k-1)*2^k
// over tiles 2^k: every move spawns exactly one tile (a move that changes the board leaves a cell
// free), so 2(m+2) <= S <= 4(m+2); merging two 2^k into 2^(k+1) keeps S and raises F by exactly
// the reward, and a spawned 4 raises F by 4 where a 2 adds 0, so score = F - 2S + 4(m+2). A board
// with S < 2^18 never makes a 2^18 tile (that needs two 2^17) and stays below 2^18 (a spawn
// needs a free cell, so at most 15 tiles before it: S <= 2^18 - 8, plus 4). There are always two
// tiles or more. These checks hold for every reached state and are kept by every step, so the
// loader accepts everything the game returns and refuses boards no game can reach.
import { encodeF32Obs, invalid, newF32Obs, type F32Obs, type Game, type GameInfo } from '../game';
import { ChaCha20Rng, getU32, putU32, RNG_STATE_BYTES } from '../rng';

export interface State2048 {
  cells: Uint8Array;
  score: number;
  moves: number;
  over: boolean;
  rng: ChaCha20Rng;
}

const STATE_BYTES = 16 + 4 + 4 + 1 + RNG_STATE_BYTES;
/** 2^17 is the largest tile a 4x4 board can hold. */
const MAX_EXPONENT = 17;
const MAX_TILE_SUM = 2 ** 18;
const DIRECTIONS = ['up', 'right', 'down', 'left'];

// For each direction, the four lines of cell indices, each listed from the edge tiles slide to.
const LINES_BY_DIR: number[][][] = [
  [0, 1, 2, 3].map((c) => [c, c + 4, c + 8, c + 12]),
  [0, 1, 2, 3].map((r) => [r * 4 + 3, r * 4 + 2, r * 4 + 1, r * 4]),
  [0, 1, 2, 3].map((c) => [c + 12, c + 8, c + 4, c]),
  [0, 1, 2, 3].map((r) => [r * 4, r * 4 + 1, r * 4 + 2, r * 4 + 3]),
];

export const INFO_2048: GameInfo = {
  envId: '2048',
  description:
    '2048 on a 4x4 board with seeded tile spawns (90% 2, 10% 4). Reward: the sum of tiles merged by the move.',
  encoding: { state: '2048-state:v1', action: 'u8:v1', obs: 'f32x20:v1', schemaVersion: 1 },
  actionSpace: { kind: 'discrete', n: 4 },
  maxHorizon: 0,
  preferredBatch: 256,
  maxStateBytes: STATE_BYTES,
  maxActionBytes: 1,
  obsBytes: 20 * 4,
  numPlayers: 1,
  observation: {
    dtype: 'float32',
    shape: [20],
    low: [...new Array<number>(20).fill(0)],
    high: [...new Array<number>(16).fill(MAX_EXPONENT), 1, 1, 1, 1],
    slices: [
      { name: 'exponents', start: 0, length: 16, description: 'each cell row-major: 0 empty, k for a tile 2^k' },
      {
        name: 'action_mask',
        start: 16,
        length: 4,
        description: '1 where a move (up, right, down, left) changes the board',
      },
    ],
  },
  // A move merges tiles that add up to less than the board's tile sum (< 2^18).
  reward: { low: 0, high: MAX_TILE_SUM, zeroSum: false, description: 'the sum of the tiles merged by the move' },
  maxEpisodeSteps: 0,
};

/** Slides and merges `cells` towards `dir` in place; returns the merged sum, or -1 if nothing moved. */
function slide(cells: Uint8Array, dir: number, line: Uint8Array): number {
  let gained = 0;
  let moved = false;
  for (const idx of LINES_BY_DIR[dir]) {
    let n = 0;
    let mergeable = false;
    for (let k = 0; k < 4; k++) {
      const e = cells[idx[k]];
      if (e === 0) continue;
      if (mergeable && line[n - 1] === e) {
        line[n - 1] = e + 1;
        gained += 2 ** (e + 1);
        mergeable = false;
      } else {
        line[n++] = e;
        mergeable = true;
      }
    }
    for (let k = n; k < 4; k++) line[k] = 0;
    for (let k = 0; k < 4; k++) {
      if (cells[idx[k]] !== line[k]) moved = true;
      cells[idx[k]] = line[k];
    }
  }
  return moved ? gained : -1;
}

function canMove(cells: Uint8Array, dir: number): boolean {
  for (const idx of LINES_BY_DIR[dir]) {
    for (let k = 1; k < 4; k++) {
      const e = cells[idx[k]];
      if (e === 0) continue;
      const prev = cells[idx[k - 1]];
      if (prev === 0 || prev === e) return true;
    }
  }
  return false;
}

function spawn(s: State2048): void {
  let empty = 0;
  for (let i = 0; i < 16; i++) if (s.cells[i] === 0) empty++;
  if (empty === 0) return;
  let k = s.rng.below(empty);
  const exponent = s.rng.below(10) === 0 ? 2 : 1;
  for (let i = 0; i < 16; i++) {
    if (s.cells[i] !== 0) continue;
    if (k-- === 0) {
      s.cells[i] = exponent;
      return;
    }
  }
}

function anyMove(cells: Uint8Array): boolean {
  for (let d = 0; d < 4; d++) if (canMove(cells, d)) return true;
  return false;
}

export class Game2048 implements Game<State2048, number, F32Obs> {
  readonly info = INFO_2048;
  private readonly line = new Uint8Array(4);

  newState(): State2048 {
    return { cells: new Uint8Array(16), score: 0, moves: 0, over: false, rng: new ChaCha20Rng() };
  }

  newObs(): F32Obs {
    return newF32Obs(20);
  }

  reset(s: State2048, rng: ChaCha20Rng, hint: Uint8Array): void {
    if (hint.length !== 0) throw invalid('2048 takes no reset hint (send empty bytes)');
    s.cells.fill(0);
    s.score = 0;
    s.moves = 0;
    s.rng.copyFrom(rng);
    spawn(s);
    spawn(s);
    s.over = !anyMove(s.cells);
  }

  step(s: State2048, dir: number): number {
    const gained = slide(s.cells, dir, this.line);
    if (gained < 0) throw invalid(`illegal move: ${DIRECTIONS[dir]} changes nothing on this board`);
    s.score = (s.score + gained) >>> 0;
    s.moves = (s.moves + 1) >>> 0;
    spawn(s);
    s.over = !anyMove(s.cells);
    return gained;
  }

  isDone(s: State2048): boolean {
    return s.over;
  }

  observe(s: State2048, out: F32Obs): void {
    const v = out.values;
    for (let i = 0; i < 16; i++) v[i] = s.cells[i];
    for (let d = 0; d < 4; d++) v[16 + d] = !s.over && canMove(s.cells, d) ? 1 : 0;
  }

  legalActions(s: State2048, out: number[]): number {
    if (s.over) return 0;
    let n = 0;
    for (let d = 0; d < 4; d++) if (canMove(s.cells, d)) out[n++] = d;
    return n;
  }

  encodeState(s: State2048, out: Uint8Array): number {
    out.set(s.cells, 0);
    putU32(out, 16, s.score);
    putU32(out, 20, s.moves);
    out[24] = s.over ? 1 : 0;
    s.rng.save(out, 25);
    return STATE_BYTES;
  }

  decodeState(b: Uint8Array, s: State2048): void {
    if (b.length !== STATE_BYTES)
      throw invalid(`2048 state must be ${STATE_BYTES} bytes (2048-state:v1), got ${b.length}`);
    let sum = 0;
    let weighted = 0;
    let tiles = 0;
    for (let i = 0; i < 16; i++) {
      const e = b[i];
      if (e > MAX_EXPONENT) throw invalid(`2048 state: cell ${i} holds exponent ${e}; at most ${MAX_EXPONENT}`);
      if (e !== 0) {
        tiles++;
        sum += 2 ** e;
        weighted += (e - 1) * 2 ** e;
      }
      s.cells[i] = e;
    }
    const score = getU32(b, 16);
    const moves = getU32(b, 20);
    if (tiles < 2) throw invalid(`2048 state: ${tiles} tile(s) on the board; a game always has at least 2`);
    if (sum >= MAX_TILE_SUM)
      throw invalid(`2048 state: the tiles add up to ${sum}; no 4x4 game reaches ${MAX_TILE_SUM}`);
    // Moves beyond S/2 are impossible (each move spawns at least a 2), which also keeps 4(m+2) exact.
    if (2 * (moves + 2) > sum || sum > 4 * (moves + 2))
      throw invalid(
        `2048 state: ${moves} moves cannot leave tiles adding up to ${sum} (each move spawns a 2 or a 4: between ${2 * (moves + 2)} and ${4 * (moves + 2)})`,
      );
    const expected = weighted - 2 * sum + 4 * (moves + 2);
    if (score !== expected)
      throw invalid(
        `2048 state: score ${score} does not match the board after ${moves} moves (it must be ${expected})`,
      );
    if (b[24] > 1) throw invalid(`2048 state: the over flag is ${b[24]}; must be 0 or 1`);
    const over = b[24] === 1;
    if (over === anyMove(s.cells))
      throw invalid(
        `2048 state: the over flag says ${over ? 'over' : 'playing'} but the board ${over ? 'still has moves' : 'has none'}`,
      );
    s.score = score;
    s.moves = moves;
    s.over = over;
    s.rng.load(b, 25);
  }

  encodeAction(dir: number, out: Uint8Array): number {
    out[0] = dir;
    return 1;
  }

  decodeAction(b: Uint8Array): number {
    if (b.length !== 1 || b[0] > 3)
      throw invalid(
        `2048 action must be one byte 0-3 (up, right, down, left), got ${b.length === 1 ? `byte ${b[0]}` : `${b.length} bytes`}`,
      );
    return b[0];
  }

  encodeObs(obs: F32Obs, out: Uint8Array): number {
    return encodeF32Obs(obs, out);
  }
}
