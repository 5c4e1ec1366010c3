// Where things live by default, per platform. No electron import: headless uses the same folders,
// so the desktop app and `npm start`'s browser fallback share one config.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_DIR_NAME = 'factorio-control-room';

function platformConfigHome(env: NodeJS.ProcessEnv = process.env): string {
  if (process.platform === 'win32') return env.APPDATA ?? join(homedir(), 'AppData', 'Roaming');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support');
  return env.XDG_CONFIG_HOME || join(homedir(), '.config');
}

/** The app's own folder (config.json, data/). `CONTROL_ROOM_HOME` moves it (tests, portable installs). */
export function appHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.CONTROL_ROOM_HOME || join(platformConfigHome(env), APP_DIR_NAME);
}

export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(appHome(env), 'config.json');
}

/** Factorio's user data folder, where `script-output/` lives. */
export function factorioUserDir(env: NodeJS.ProcessEnv = process.env): string {
  if (process.platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Factorio');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'factorio');
  return join(homedir(), '.factorio');
}

export function defaultPipePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(factorioUserDir(env), 'script-output', 'events.pipe');
}
