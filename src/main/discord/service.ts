// The Discord relay: tails the Factorio server's console log and its main log (stdout /
// factorio-current.log: where `ready` and `save` lines are), turns lines into events, journals
// each event in the outbox, and posts them to the webhook in order. Delivery (sender.ts) is one request at a
// time (order matters); whatever is queued when a request leaves is coalesced into it, up to
// Discord's content limit. @discordjs/rest reads the X-RateLimit-* headers and waits out buckets
// and 429s itself; 5xx and network errors are retried here with capped, jittered backoff; 404,
// 401 and 403 stop delivery with a plain reason and keep the outbox for a corrected webhook.
import { join } from 'node:path';
import type { Config } from '../../shared/config';
import {
  CONSOLE_EVENT_TYPES,
  EVENT_LABELS,
  typeEnabled,
  type DiscordStatus,
  type RelayedLine,
} from '../../shared/discord';
import { PipeStateStore } from '../lib/state';
import type { FilePosition } from '../lib/tail';
import { StatusCell, type Service, type ServiceBasics } from '../service';
import { Coalescer } from '../lib/coalesce';
import { Wakeup } from '../lib/wakeup';
import { LogFollower } from './follow';
import { clip, formatEvent } from './format';
import { Outbox } from './outbox';
import { ConsoleParser } from './parse';
import { WebhookSender } from './sender';

/** Lines are capped at this many characters (the rest is cut, marked with …). */
export const MAX_LINE_CHARS = 10_000;
const RECENT = 50;

/** Events only the main log carries: with both logs followed, these come from it and nothing else does. */
const MAIN_LOG_TYPES: ReadonlySet<string> = new Set(['ready', 'save']);

export interface DiscordServiceOptions extends ServiceBasics {
  config: Config['discord'];
  dataDir: string;
  /** The resolved webhook URL (a secret: never logged, never pushed). */
  webhookUrl: string | null;
  /** Backoff after 5xx/network errors: base doubling to max, ±50% jitter. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** How long stop() waits for a request in flight before abandoning it (it is re-sent next start). */
  stopTimeoutMs?: number;
  pollMs?: number;
}

export class DiscordService implements Service {
  private readonly cell: StatusCell;
  private readonly parser: ConsoleParser;
  private outbox: Outbox | null = null;
  private followers: LogFollower[] = [];
  private readonly sender: WebhookSender;
  private running = false;
  private pumpDone: Promise<void> = Promise.resolve();
  private readonly wakeup = new Wakeup();
  private readonly pushes = new Coalescer(100, () => {
    this.updateCell();
    this.opts.push('discord', this.snapshot());
  });

  private tailState: DiscordStatus['tail'] = 'off';
  private readonly tails = new Map<'console' | 'main', 'following' | 'waiting'>();
  private lines = { read: 0, matched: 0, filtered: 0, tooLong: 0 };
  private readonly seen = new Map<string, number>();
  private readonly recent: RelayedLine[] = [];
  private types: Record<string, boolean>;

  constructor(private readonly opts: DiscordServiceOptions) {
    this.cell = new StatusCell('stopped', 'not started', opts.statusChanged);
    this.types = opts.config.types;
    this.parser = new ConsoleParser(opts.config.patterns);
    this.sender = new WebhookSender({
      config: opts.config,
      logger: opts.logger,
      retryBaseMs: opts.retryBaseMs,
      retryMaxMs: opts.retryMaxMs,
      running: () => this.running,
      mark: (ids, state, error) => this.mark(ids, state, error),
      changed: () => this.changed(),
      settled: () => {
        this.updateCell();
        this.changed();
      },
    });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const dir = join(this.opts.dataDir, 'discord');
    this.outbox = new Outbox(join(dir, 'outbox.jsonl'), (problem) => this.journalProblem(problem));
    for (const e of this.outbox.pending.slice(-RECENT))
      this.remember({ id: e.id, type: e.type, text: e.text, at: e.at, state: 'queued', error: null });
    this.sender.setUrl(this.opts.webhookUrl);
    const { consoleLogPath, mainLogPath } = this.opts.config;
    const both = Boolean(consoleLogPath && mainLogPath && consoleLogPath !== mainLogPath);
    if (consoleLogPath) this.follow(dir, consoleLogPath, 'console', both ? (t) => !MAIN_LOG_TYPES.has(t) : () => true);
    if (mainLogPath && mainLogPath !== consoleLogPath)
      this.follow(dir, mainLogPath, 'main', both ? (t) => MAIN_LOG_TYPES.has(t) : () => true);
    await Promise.all(this.followers.map((f) => f.start()));
    this.updateCell();
    this.pumpDone = this.pump();
    this.changed();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    // An unfinished last line stays unread: the writer may still finish it, and the next start
    // reads it whole from the saved offset.
    await Promise.all(this.followers.map((f) => f.stop()));
    this.followers = [];
    this.wake();
    // A request in flight may finish; past the deadline it is abandoned and re-sent next start.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.pumpDone, new Promise((r) => (timer = setTimeout(r, this.opts.stopTimeoutMs ?? 2000)))]);
    clearTimeout(timer);
    this.sender.abandon();
    await this.pumpDone;
    this.outbox?.close();
    this.outbox = null;
    this.pushes.cancel();
    this.tailState = 'off';
    this.tails.clear();
    this.opts.push('discord', this.snapshot());
    this.cell.set('stopped', 'stopped');
  }

  reconfigure(config: Config): void {
    this.types = config.discord.types;
    this.changed();
  }

  /** Queues a test message through the outbox like any event; also retries a stopped delivery once. */
  sendTest(): RelayedLine {
    if (!this.outbox) throw new Error('the Discord relay is not running');
    const e = this.outbox.append('test', '🧪 Test message from Factorio Control Room');
    const line: RelayedLine = { id: e.id, type: 'test', text: e.text, at: e.at, state: 'queued', error: null };
    this.remember(line);
    this.sender.resume();
    this.updateCell();
    this.wake();
    this.changed();
    return line;
  }

  /**
   * Follows one log. Its position lives in the outbox, journaled in the same write as the events
   * read up to it; `tail.json` is where releases before that kept the console log's position.
   */
  private follow(dir: string, path: string, which: 'console' | 'main', takes: (type: string) => boolean): void {
    const legacy = which === 'console' ? new PipeStateStore(join(dir, 'tail.json'), path).get().position : undefined;
    const from: FilePosition | 'start' | 'end' = this.outbox!.position(path) ?? legacy ?? this.opts.config.startAt;
    // Bytes, not characters: a 10,000-character line of 4-byte characters still fits.
    const follower: LogFollower = new LogFollower(path, from, MAX_LINE_CHARS * 4, this.opts.pollMs, {
      lines: (lines, position) => {
        const events = this.outbox!.appendRead(
          lines.flatMap((l) => this.onLine(l, takes)),
          { log: path, pos: position },
        );
        for (const e of events)
          this.remember({ id: e.id, type: e.type, text: e.text, at: e.at, state: 'queued', error: null });
        if (events.length) this.wake();
        // Too much held in memory while the disk refuses: leave the rest in the log for now.
        if (this.outbox!.full) follower.setPaused(true);
        this.changed();
      },
      bad: (reason) => this.onBadLine(reason),
      tail: (state) => {
        this.tails.set(which, state);
        this.setTail();
      },
      error: (err) => this.opts.logger.warn({ err: err.message, log: which }, 'log read failed'),
    });
    this.followers.push(follower);
  }

  /** The outbox could not be written (reason), or can be again (null). */
  private journalProblem(problem: string | null): void {
    if (problem) {
      this.opts.logger.warn({ problem }, 'Discord outbox not written; events kept in memory, retrying');
    } else {
      this.opts.logger.info('Discord outbox written again');
      for (const f of this.followers) f.setPaused(false);
    }
    this.updateCell();
    this.changed();
  }

  /** The relay's tail state is the console log's (the main log's when it is the only one). */
  private setTail(): void {
    this.tailState = this.tails.get('console') ?? this.tails.get('main') ?? 'off';
    this.updateCell();
    this.changed();
  }

  private onBadLine(reason: 'too_long' | 'invalid_utf8'): void {
    this.lines.read++;
    if (reason === 'too_long') this.lines.tooLong++;
  }

  /** The event a line makes, if this log is where that kind of event is taken from and it is switched on. */
  private onLine(raw: string, takes: (type: string) => boolean): { type: string; text: string; at: number }[] {
    this.lines.read++;
    const line = raw.length > MAX_LINE_CHARS ? clip(raw, MAX_LINE_CHARS) : raw;
    const event = this.parser.parse(line);
    if (!event || !takes(event.type)) return [];
    this.lines.matched++;
    this.seen.set(event.type, (this.seen.get(event.type) ?? 0) + 1);
    if (!typeEnabled(this.types, event.type)) {
      this.lines.filtered++;
      return [];
    }
    return [{ type: event.type, text: formatEvent(event, this.opts.config.patterns), at: Date.now() }];
  }

  private remember(line: RelayedLine): void {
    this.recent.push(line);
    if (this.recent.length > RECENT) this.recent.shift();
  }

  private mark(ids: Set<number>, state: RelayedLine['state'], error: string | null = null): void {
    for (const l of this.recent) if (ids.has(l.id)) Object.assign(l, { state, error });
  }

  private wake(): void {
    this.wakeup.wake();
  }

  private async pump(): Promise<void> {
    while (this.running) {
      const outbox = this.outbox!;
      if (!this.sender.ready || outbox.pending.length === 0) {
        await this.wakeup.sleep(Infinity);
        continue;
      }
      if (this.sender.retryAt !== null && this.sender.delivery === 'retrying' && this.sender.retryAt > Date.now()) {
        await this.wakeup.sleep(this.sender.retryAt - Date.now());
        continue;
      }
      await this.sender.sendOnce(outbox);
    }
  }

  private updateCell(): void {
    if (!this.running) return;
    const q = this.outbox?.pending.length ?? 0;
    const where = this.opts.config.consoleLogPath
      ? this.tailState === 'waiting'
        ? `waiting for ${this.opts.config.consoleLogPath}`
        : `following ${this.opts.config.consoleLogPath}`
      : 'no console log configured (discord.consoleLogPath)';
    const disk = this.outbox?.problem;
    if (disk) {
      const held = this.outbox?.unjournaled ?? 0;
      this.cell.set(
        'degraded',
        `${disk}; ${held} events held in memory${this.outbox?.full ? ' (full: reading paused)' : ''}, retrying (${q} queued)`,
      );
    } else if (this.sender.stopped) this.cell.set('degraded', `${this.sender.stopped} (${q} queued)`);
    else if (this.sender.delivery === 'retrying')
      this.cell.set('degraded', `${this.sender.reason}; retrying (${q} queued)`);
    else this.cell.set('running', `${where}; ${this.sender.counts.sentMessages} messages sent, ${q} queued`);
  }

  snapshot(): DiscordStatus {
    const custom = this.opts.config.patterns.map((p) => p.name);
    const types = [
      ...CONSOLE_EVENT_TYPES,
      ...custom.filter((n) => !(CONSOLE_EVENT_TYPES as readonly string[]).includes(n)),
    ];
    return {
      webhookSet: Boolean(this.opts.webhookUrl),
      consoleLogPath: this.opts.config.consoleLogPath ?? null,
      tail: this.tailState,
      delivery: this.sender.stopped ? 'stopped' : this.sender.delivery,
      reason: this.sender.stopped ?? this.sender.reason,
      retryAt:
        this.sender.delivery === 'retrying' || this.sender.delivery === 'rate_limited' ? this.sender.retryAt : null,
      queue: this.outbox?.pending.length ?? 0,
      ...this.sender.counts,
      rateLimit: this.sender.rateLimit,
      lines: { ...this.lines },
      types: types.map((type) => ({
        type,
        label: EVENT_LABELS[type as keyof typeof EVENT_LABELS] ?? type,
        enabled: typeEnabled(this.types, type),
        custom: custom.includes(type),
        seen: this.seen.get(type) ?? 0,
      })),
      recent: this.recent.map((l) => ({ ...l })).reverse(),
    };
  }

  private changed(): void {
    this.pushes.trigger();
  }

  status() {
    const s = this.cell.get();
    const details = {
      queue: this.outbox?.pending.length ?? 0,
      sentMessages: this.sender.counts.sentMessages,
      sentEvents: this.sender.counts.sentEvents,
      failed: this.sender.counts.failed,
      retried: this.sender.counts.retried,
      rateLimitHits: this.sender.counts.rateLimitHits,
    };
    return { ...s, details };
  }
}
