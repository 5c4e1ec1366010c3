// Delivery to the webhook: one request at a time from the outbox, and what each answer does to the relay's state.
import { DiscordAPIError, HTTPError, REST, RESTEvents, type RateLimitData } from '@discordjs/rest';
import type { Config } from '../../shared/config';
import type { DiscordStatus, RelayedLine } from '../../shared/discord';
import type { Logger } from '../log';
import { backoffDelay } from '../lib/backoff';
import { coalesce } from './format';
import type { Outbox } from './outbox';
import { describeNetworkError, parseWebhookUrl, type Webhook } from './webhook';

export type Delivery = DiscordStatus['delivery'];

export interface SenderOptions {
  config: Config['discord'];
  logger: Logger;
  /** Backoff after 5xx/network errors: base doubling to max, ±50% jitter. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  running(): boolean;
  /** Marks the recent lines a request carried. */
  mark(ids: Set<number>, state: RelayedLine['state'], error?: string | null): void;
  changed(): void;
  /** A request is over (sent, refused or failed). */
  settled(): void;
}

export class WebhookSender {
  delivery: Delivery = 'idle';
  reason: string | null = null;
  retryAt: number | null = null;
  /** Why delivery stopped for good (no or bad webhook, refused token); null while it goes on. */
  stopped: string | null = null;
  rateLimit: DiscordStatus['rateLimit'] = null;
  readonly counts = { sentMessages: 0, sentEvents: 0, failed: 0, retried: 0, rateLimitHits: 0 };
  private attempt = 0;
  private rest: REST | null = null;
  private webhook: Webhook | null = null;
  private abort: AbortController | null = null;

  constructor(private readonly opts: SenderOptions) {}

  /** Takes the webhook URL (a secret: never logged), or says why there is nothing to deliver to. */
  setUrl(url: string | null): void {
    if (url) {
      try {
        this.webhook = parseWebhookUrl(url);
      } catch (e) {
        this.stopped = (e as Error).message;
      }
    } else {
      this.stopped = 'no webhook URL set (discord.webhookUrl): events are kept in the outbox';
    }
    if (this.webhook) this.rest = this.makeClient(this.webhook);
  }

  /** Whether a request may go out now. */
  get ready(): boolean {
    return !this.stopped && this.rest !== null;
  }

  /** Delivery stopped by a refusal is tried once more (a test message asks for it). */
  resume(): void {
    if (this.stopped && this.webhook) this.stopped = null;
  }

  /** Abandons the request in flight (it is re-sent next start). */
  abandon(): void {
    this.abort?.abort();
  }

  private makeClient(webhook: Webhook): REST {
    // retries: 0 -- 5xx and network errors come back to us, to retry with our own backoff and count.
    const rest = new REST({
      api: webhook.api,
      version: '10',
      retries: 0,
      timeout: 15_000,
      hashSweepInterval: 0,
      handlerSweepInterval: 0,
    });
    rest.on(RESTEvents.Response, (_req, res) => {
      if (res.status === 429) this.counts.rateLimitHits++;
      const limit = Number(res.headers.get('x-ratelimit-limit'));
      const remaining = Number(res.headers.get('x-ratelimit-remaining'));
      const resetAfter = Number(res.headers.get('x-ratelimit-reset-after'));
      if (res.headers.has('x-ratelimit-limit') && Number.isFinite(limit + remaining + resetAfter)) {
        this.rateLimit = { limit, remaining, resetAt: Date.now() + resetAfter * 1000 };
      }
      this.opts.changed();
    });
    rest.on(RESTEvents.RateLimited, (info: RateLimitData) => {
      this.delivery = 'rate_limited';
      this.retryAt = Date.now() + info.timeToReset;
      this.opts.changed();
    });
    return rest;
  }

  /** Sends what is queued, coalesced into one message, and applies the answer. */
  async sendOnce(outbox: Outbox): Promise<void> {
    const rest = this.rest!;
    const batch = coalesce(outbox.pending.map((e) => e.text));
    const ids = new Set(outbox.pending.slice(0, batch.count).map((e) => e.id));
    this.delivery = 'sending';
    this.opts.changed();
    this.abort = new AbortController();
    try {
      const body: Record<string, unknown> = {
        content: batch.content,
        username: this.opts.config.botName,
        allowed_mentions: { parse: [] },
      };
      if (this.opts.config.avatarUrl) body.avatar_url = this.opts.config.avatarUrl;
      await rest.post(this.webhook!.route, {
        body,
        auth: false,
        query: new URLSearchParams({ wait: 'true' }),
        signal: this.abort.signal,
      });
      const done = outbox.ack(batch.count);
      this.counts.sentMessages++;
      this.counts.sentEvents += done.length;
      this.opts.mark(ids, 'sent');
      this.attempt = 0;
      this.delivery = 'idle';
      this.reason = null;
      this.retryAt = null;
    } catch (e) {
      if (!this.opts.running() && this.abort.signal.aborted) return;
      const status = e instanceof DiscordAPIError || e instanceof HTTPError ? e.status : null;
      if (status === 404 || status === 401 || status === 403) {
        this.stopped =
          status === 404
            ? 'Discord says this webhook does not exist (404): it was deleted. Set a new webhook URL; queued events are kept.'
            : `Discord rejected the webhook token (${status}). Check the webhook URL; queued events are kept.`;
        this.delivery = 'stopped';
        this.opts.logger.warn({ status }, 'Discord webhook refused: delivery stopped');
      } else if (status !== null && status >= 400 && status < 500 && status !== 429) {
        // Refused for good (e.g. 400): retrying the same body cannot succeed. Keep the record, move on.
        const error = `Discord refused the message (${status}): ${(e as Error).message}`;
        const done = outbox.ack(batch.count, [...ids], error);
        this.counts.failed += done.length;
        this.opts.mark(ids, 'failed', error);
        this.opts.logger.warn({ status, events: done.length }, 'Discord refused a message');
        this.delivery = 'idle';
      } else {
        this.attempt++;
        this.counts.retried++;
        this.retryAt =
          Date.now() +
          backoffDelay(this.attempt, {
            baseMs: this.opts.retryBaseMs ?? 1000,
            maxMs: this.opts.retryMaxMs ?? 60_000,
            jitter: [0.5, 1.5],
            capJitter: false,
          });
        this.delivery = 'retrying';
        this.reason = status !== null ? `Discord answered ${status}` : `network error: ${describeNetworkError(e)}`;
        this.opts.logger.debug({ status, attempt: this.attempt }, 'Discord request failed; will retry');
      }
    } finally {
      this.abort = null;
      this.opts.settled();
    }
  }
}
