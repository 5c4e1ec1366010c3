// The contract's factorio.* handlers: detection and installing the mod, then pointing the pipe at
// the folder the mod writes to. app.ts only spreads these in.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError, type FactorioDetection, type FactorioInstallResult, type MethodInput } from '../../shared/api';
import type { ConfigStore } from '../config';
import type { Logger } from '../log';
import { InstallError, installMod } from './install';
import { buildModZip, findLuaSources, type GameVersion } from './modPackage';
import { detect, here, type Place } from './userData';

export interface FactorioHandlerDeps {
  store: ConfigStore;
  logger: Logger;
  /** Restarts what the config change affects (the pipe) and pushes the new config. */
  configChanged: () => Promise<void>;
  place?: () => Place;
}

export function scriptOutputPipe(userDataDir: string): string {
  return join(userDataDir, 'script-output', 'events.pipe');
}

export function factorioHandlers(deps: FactorioHandlerDeps) {
  const place = deps.place ?? here;
  const detectNow = (dir?: string): FactorioDetection => {
    const d = detect(dir ?? deps.store.effective.factorio.userDataDir, place());
    return {
      ...d,
      pipePath: deps.store.effective.pipe.path,
      scriptOutputPipe: d.userDataDir ? scriptOutputPipe(d.userDataDir) : null,
    };
  };
  return {
    'factorio.detect': () => detectNow(),
    'factorio.installMod': async (input: MethodInput<'factorio.installMod'>): Promise<FactorioInstallResult> => {
      const found = detectNow(input?.userDataDir);
      const dir = found.userDataDir;
      if (!dir)
        throw new ApiError(
          'bad_request',
          `Factorio's user data folder was not found (looked in ${found.candidates.map((c) => c.path).join(', ')}); set factorio.userDataDir in Settings`,
        );
      const configured = deps.store.effective.factorio.gameVersion;
      const gameVersion: GameVersion =
        input?.gameVersion ?? (configured === 'auto' ? (found.gameVersion ?? '2.0') : configured);
      let result;
      const zip = buildModZip(findLuaSources(), gameVersion);
      try {
        result = installMod(dir, zip);
      } catch (e) {
        if (e instanceof InstallError) throw new ApiError('bad_request', e.message);
        throw e;
      }
      const pipePath = scriptOutputPipe(dir);
      const notes = [...result.notes];
      // Factorio creates script-output on its first write; the pipe reader needs the folder now.
      mkdirSync(join(dir, 'script-output'), { recursive: true });
      deps.store.amend((file) => ({
        ...file,
        factorio: { ...file.factorio, userDataDir: dir },
        pipe: { ...file.pipe, path: pipePath },
      }));
      const override = deps.store.overrides['pipe.path'];
      if (override)
        notes.push(
          `the pipe path is set by ${override}, which wins over the config file: the app still reads ${deps.store.effective.pipe.path}`,
        );
      await deps.configChanged();
      deps.logger.info({ dir, zip: result.zipPath, backup: result.backupPath, gameVersion }, 'mod installed');
      return {
        userDataDir: dir,
        gameVersion,
        modVersion: zip.modVersion,
        ...result,
        pipePath: deps.store.effective.pipe.path,
        notes,
      };
    },
  };
}
