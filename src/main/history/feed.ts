// Keeps a HistoryStore open on the configured file and subscribed to the app's event cache;
// reopens it when its config changes. Not a service of its own: history has no remote side,
// and its state shows through `history.status`.
import { join } from 'node:path';
import { ApiError } from '../../shared/api';
import type { PipeEvent } from '../../shared/events';
import type { EventCache } from '../lib/cache';
import type { EffectiveConfig } from '../config';
import type { Logger } from '../log';
import { gameFolderCandidates, IconIndex, isGameFolder, type ItemIcon } from './icons';
import { readItemNames } from './locale';
import { HistoryStore } from './store';

export class HistoryFeed {
  store: HistoryStore | null = null;
  private key = '';
  private unsubscribe: (() => void) | null = null;
  private factorioDir: string | undefined;
  private userDataDir: string | undefined;
  private namesCache: { dir: string; names: Record<string, string> } | null = null;
  private iconIndex: IconIndex | null = null;

  constructor(
    private readonly events: EventCache<PipeEvent>,
    private readonly logger: Logger,
    /** Factorio's user data folder (the configured one, else detected); given by the app so history stays out of factorio/. */
    private readonly findUserDataDir: (configured: string | undefined) => string | null,
  ) {}

  configure(config: EffectiveConfig): void {
    const h = config.history;
    this.factorioDir = h.factorioDir;
    this.userDataDir = config.factorio.userDataDir;
    const key = JSON.stringify([config.dataDir, h]);
    if (key === this.key) return;
    this.close();
    this.key = key;
    if (!h.enabled) return;
    const path = join(config.dataDir, 'history.db');
    try {
      this.store = new HistoryStore({
        path,
        flushMs: h.flushMs,
        rawHours: h.rawHours,
        minuteHours: h.minuteHours,
        maxBytes: h.maxMegabytes * 1024 * 1024,
        onError: (e) => this.logger.error({ err: e }, 'history commit failed; the lines are kept for the next attempt'),
      });
      this.unsubscribe = this.events.subscribe(this.store.add);
      this.logger.info({ path }, 'history open');
    } catch (e) {
      this.store = null;
      this.logger.error({ err: e, path }, 'history could not be opened');
    }
  }

  /**
   * The game's install folder (holds `data/`): history.factorioDir, else the detected user data
   * folder or one of Steam's install folders when it holds the game's files; null: not known.
   */
  gameDir(): string | null {
    if (this.factorioDir) return this.factorioDir;
    const detected = this.findUserDataDir(this.userDataDir);
    return gameFolderCandidates(detected).find(isGameFolder) ?? null;
  }

  /** Icons of these items from the game's folder (see icons.ts); none when it is not known. */
  async icons(items: readonly string[]): Promise<ItemIcon[]> {
    const dir = this.gameDir();
    if (!dir) return [];
    if (this.iconIndex?.dir !== dir) this.iconIndex = new IconIndex(dir);
    return this.iconIndex.icons(items);
  }

  /** English item names from the game's folder, read once per folder. */
  names(): Record<string, string> {
    const dir = this.gameDir();
    if (!dir) return {};
    if (this.namesCache?.dir !== dir) this.namesCache = { dir, names: Object.fromEntries(readItemNames(dir)) };
    return this.namesCache.names;
  }

  require(): HistoryStore {
    if (!this.store)
      throw new ApiError('unavailable', 'history is turned off or could not be opened (history.enabled, see the log)');
    return this.store;
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    try {
      this.store?.close();
    } catch (e) {
      this.logger.error({ err: e }, 'history close failed');
    }
    this.store = null;
    this.key = '';
  }
}
