// TicTacToe, the reference cartridge. Encodings (schema 1):
//   state  "ttt-state:v1"  11 bytes: cells 0-8 row-major (0 empty, 1 X, 2 O), player to move
//                          (1 X, 2 O), outcome (0 playing, 1 X won, 2 O won, 3 draw)
//   action "u8:v1"         1 byte: the cell index 0-8
//   obs    "f32x27:v1"     27 float32 LE: the mover's stones (9), the opponent's (9), legal cells (9)
// Reward goes to the player who moved: +1 for a winning move, 0 otherwise (a draw is 0); per
// player (Simulate) the loser gets -1 on that move. X (player 0) moves first. Decoding checks the state is reachable (stone counts, whose turn, outcome), so a
// corrupted state is refused rather than played on.
import { encodeF32Obs, invalid, newF32Obs, type F32Obs, type Game, type GameInfo } from '../game';
import type { ChaCha20Rng } from '../rng';

export interface TttState {
  cells: Uint8Array;
  toMove: number;
  outcome: number;
}

const LINES = [
  [0, 1, 2],
  [3, 4, 5],
  [6, 7, 8],
  [0, 3, 6],
  [1, 4, 7],
  [2, 5, 8],
  [0, 4, 8],
  [2, 4, 6],
];

const FLAT_LINES = Uint8Array.from(LINES.flat());

const STATE_BYTES = 11;

export const TTT_INFO: GameInfo = {
  envId: 'tictactoe',
  description: 'TicTacToe on a 3x3 board; X moves first. Reward +1 to the player whose move wins, else 0.',
  encoding: { state: 'ttt-state:v1', action: 'u8:v1', obs: 'f32x27:v1', schemaVersion: 1 },
  actionSpace: { kind: 'discrete', n: 9 },
  maxHorizon: 9,
  preferredBatch: 64,
  maxStateBytes: STATE_BYTES,
  maxActionBytes: 1,
  obsBytes: 27 * 4,
  numPlayers: 2,
  observation: {
    dtype: 'float32',
    shape: [27],
    low: [0],
    high: [1],
    slices: [
      {
        name: 'own_stones',
        start: 0,
        length: 9,
        description: '1 where the player to move has a stone (cells row-major)',
      },
      { name: 'opponent_stones', start: 9, length: 9, description: '1 where the opponent has a stone' },
      { name: 'action_mask', start: 18, length: 9, description: '1 where a move is legal' },
    ],
  },
  reward: {
    low: -1,
    high: 1,
    zeroSum: true,
    description: 'per player: +1 to the winner, -1 to the loser on the winning move; 0 otherwise (a draw is 0)',
  },
  maxEpisodeSteps: 0,
};

/** 1 or 2 if that player has three in a row, 3 if the board is full, else 0. */
export function outcomeOf(cells: Uint8Array): number {
  // A flat index table: destructuring each line was a visible share of a Simulate step.
  for (let l = 0; l < 24; l += 3) {
    const a = cells[FLAT_LINES[l]];
    if (a !== 0 && a === cells[FLAT_LINES[l + 1]] && a === cells[FLAT_LINES[l + 2]]) return a;
  }
  for (let i = 0; i < 9; i++) if (cells[i] === 0) return 0;
  return 3;
}

export class TicTacToe implements Game<TttState, number, F32Obs> {
  readonly info = TTT_INFO;

  newState(): TttState {
    return { cells: new Uint8Array(9), toMove: 1, outcome: 0 };
  }

  newObs(): F32Obs {
    return newF32Obs(27);
  }

  reset(s: TttState, _rng: ChaCha20Rng, hint: Uint8Array): void {
    if (hint.length !== 0) throw invalid('tictactoe takes no reset hint (send empty bytes)');
    s.cells.fill(0);
    s.toMove = 1;
    s.outcome = 0;
  }

  step(s: TttState, cell: number): number {
    if (s.cells[cell] !== 0) throw invalid(`illegal move: cell ${cell} is taken by ${s.cells[cell] === 1 ? 'X' : 'O'}`);
    const mover = s.toMove;
    s.cells[cell] = mover;
    s.outcome = outcomeOf(s.cells);
    s.toMove = 3 - mover;
    return s.outcome === mover ? 1 : 0;
  }

  isDone(s: TttState): boolean {
    return s.outcome !== 0;
  }

  observe(s: TttState, out: F32Obs): void {
    const v = out.values;
    const me = s.toMove;
    const playing = s.outcome === 0;
    for (let i = 0; i < 9; i++) {
      const c = s.cells[i];
      v[i] = c === me ? 1 : 0;
      v[9 + i] = c !== 0 && c !== me ? 1 : 0;
      v[18 + i] = playing && c === 0 ? 1 : 0;
    }
  }

  legalActions(s: TttState, out: number[]): number {
    if (s.outcome !== 0) return 0;
    let n = 0;
    for (let i = 0; i < 9; i++) if (s.cells[i] === 0) out[n++] = i;
    return n;
  }

  encodeState(s: TttState, out: Uint8Array): number {
    out.set(s.cells, 0);
    out[9] = s.toMove;
    out[10] = s.outcome;
    return STATE_BYTES;
  }

  decodeState(b: Uint8Array, s: TttState): void {
    if (b.length !== STATE_BYTES)
      throw invalid(`tictactoe state must be ${STATE_BYTES} bytes (ttt-state:v1), got ${b.length}`);
    let x = 0;
    let o = 0;
    for (let i = 0; i < 9; i++) {
      const c = b[i];
      if (c > 2) throw invalid(`tictactoe state: cell ${i} is ${c}; cells are 0 (empty), 1 (X) or 2 (O)`);
      if (c === 1) x++;
      else if (c === 2) o++;
      s.cells[i] = c;
    }
    const toMove = b[9];
    if (toMove !== 1 && toMove !== 2)
      throw invalid(`tictactoe state: player to move is ${toMove}; must be 1 (X) or 2 (O)`);
    if (!(x === o && toMove === 1) && !(x === o + 1 && toMove === 2))
      throw invalid(`tictactoe state is unreachable: ${x} X, ${o} O and ${toMove === 1 ? 'X' : 'O'} to move`);
    const outcome = outcomeOf(s.cells);
    if (outcome === 1 || outcome === 2) {
      for (const [a, c, d] of LINES)
        if (s.cells[a] === 3 - outcome && s.cells[c] === s.cells[a] && s.cells[d] === s.cells[a])
          throw invalid('tictactoe state is unreachable: both players have three in a row');
    }
    if (b[10] !== outcome) throw invalid(`tictactoe state: outcome byte is ${b[10]} but the board says ${outcome}`);
    if (outcome === 1 && toMove !== 2) throw invalid('tictactoe state is unreachable: X won but X is to move');
    if (outcome === 2 && toMove !== 1) throw invalid('tictactoe state is unreachable: O won but O is to move');
    s.toMove = toMove;
    s.outcome = outcome;
  }

  encodeAction(cell: number, out: Uint8Array): number {
    out[0] = cell;
    return 1;
  }

  decodeAction(b: Uint8Array): number {
    if (b.length !== 1 || b[0] > 8)
      throw invalid(
        `tictactoe action must be one byte 0-8 (the cell, row-major), got ${b.length === 1 ? `byte ${b[0]}` : `${b.length} bytes`}`,
      );
    return b[0];
  }

  encodeObs(obs: F32Obs, out: Uint8Array): number {
    return encodeF32Obs(obs, out);
  }

  /** 0 for X, 1 for O. */
  toMove(s: TttState): number {
    return s.toMove - 1;
  }

  // Zero-sum: the winning move's +1 (what Step answers) has the loser's -1 beside it.
  playerRewards(_s: TttState, mover: number, reward: number, out: Float32Array, off: number): void {
    out[off + mover] = reward;
    out[off + 1 - mover] = -reward;
  }
}
