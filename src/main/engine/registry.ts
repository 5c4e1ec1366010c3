// The cartridges this build serves. Adding a game is one line here; the wire contract stays.
import { eraseGame, GameRegistry } from './game';
import { Game2048 } from './games/game2048';
import { TicTacToe } from './games/tictactoe';

export function builtInGames(): GameRegistry {
  return new GameRegistry()
    .register('tictactoe', () => eraseGame(new TicTacToe()))
    .register('2048', () => eraseGame(new Game2048()));
}
