// The Discord relay's event types and status, shared by main (parser, service) and the renderer
// (Discord view). Types are config keys (`discord.types.<type>`): add, never rename.
import { RE2JS } from 're2js';
import { z } from 'zod';

export const CONSOLE_EVENT_TYPES = [
  'join',
  'leave',
  'chat',
  'shout',
  'whisper',
  'command',
  'kick',
  'ban',
  'unban',
  'promote',
  'demote',
  'ready',
  'save',
  'milestone',
  'task',
  'research',
  'death',
  'rocket',
  'discord',
] as const;
export type ConsoleEventType = (typeof CONSOLE_EVENT_TYPES)[number];

/** Private by nature: parsed, but relayed only when turned on. */
export const OFF_BY_DEFAULT: readonly ConsoleEventType[] = ['whisper', 'command'];

export const EVENT_LABELS: Record<ConsoleEventType, string> = {
  join: 'Joins',
  leave: 'Leaves',
  chat: 'Chat',
  shout: 'Shouts',
  whisper: 'Whispers',
  command: 'Commands',
  kick: 'Kicks',
  ban: 'Bans',
  unban: 'Unbans',
  promote: 'Promotions',
  demote: 'Demotions',
  ready: 'Server ready',
  save: 'Saves',
  milestone: 'Milestones',
  task: 'Tasks',
  research: 'Research',
  death: 'Deaths',
  rocket: 'Rockets',
  discord: '[DISCORD] lines',
};

export function typeEnabled(types: Record<string, boolean>, type: string): boolean {
  return types[type] ?? !(OFF_BY_DEFAULT as readonly string[]).includes(type);
}

export const DeliveryStateSchema = z.enum(['queued', 'sent', 'failed']);

export const RelayedLineSchema = z.object({
  id: z.number(),
  type: z.string(),
  /** The message text as it goes to Discord. */
  text: z.string(),
  at: z.number(),
  state: DeliveryStateSchema,
  /** Why Discord refused it, for `failed`. */
  error: z.string().nullable(),
});
export type RelayedLine = z.infer<typeof RelayedLineSchema>;

export const DiscordStatusSchema = z.object({
  webhookSet: z.boolean(),
  consoleLogPath: z.string().nullable(),
  /** following: reading the file; waiting: the file is not there yet. */
  tail: z.enum(['following', 'waiting', 'off']),
  /** idle, sending, retrying (5xx / network), rate_limited (waiting on Discord's bucket), stopped (404/401/403, or no webhook). */
  delivery: z.enum(['idle', 'sending', 'retrying', 'rate_limited', 'stopped']),
  /** Why delivery stopped, or the last retry's reason. */
  reason: z.string().nullable(),
  /** Epoch ms of the next attempt while retrying or rate limited. */
  retryAt: z.number().nullable(),
  /** Events journaled and not yet accepted by Discord. */
  queue: z.number(),
  /** Messages Discord accepted, and the events they carried (coalescing makes these differ). */
  sentMessages: z.number(),
  sentEvents: z.number(),
  /** Events Discord refused for good (400). */
  failed: z.number(),
  /** Attempts repeated after a 5xx or a network error. */
  retried: z.number(),
  /** 429 answers received. */
  rateLimitHits: z.number(),
  /** From the last response's X-RateLimit-* headers. */
  rateLimit: z.object({ limit: z.number(), remaining: z.number(), resetAt: z.number() }).nullable(),
  lines: z.object({ read: z.number(), matched: z.number(), filtered: z.number(), tooLong: z.number() }),
  /** Per type: whether it is relayed, and how many lines of it were seen. */
  types: z.array(
    z.object({ type: z.string(), label: z.string(), enabled: z.boolean(), custom: z.boolean(), seen: z.number() }),
  ),
  /** The last 50 relayed events, newest first. */
  recent: z.array(RelayedLineSchema),
});
export type DiscordStatus = z.infer<typeof DiscordStatusSchema>;

/** A user pattern as the config holds it (schema in config.ts). */
export interface UserPatternSource {
  regex: string;
  template: string;
}

/** Compiles a user pattern with RE2 (linear-time matching); throws RE2's message when it does not compile. */
export function compileUserPattern(p: Pick<UserPatternSource, 'regex'>): RE2JS {
  return RE2JS.compile(p.regex);
}

/** The placeholders `{name}` a template uses. */
export function templateFields(template: string): string[] {
  return [...template.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]);
}

/** Problems with a user pattern, or null: the config schema runs this so bad patterns fail at load. */
export function checkUserPattern(p: UserPatternSource): { field: 'regex' | 'template'; message: string } | null {
  let re: RE2JS;
  try {
    re = compileUserPattern(p);
  } catch (e) {
    return { field: 'regex', message: `not a valid RE2 regular expression: ${(e as Error).message}` };
  }
  const groups = new Set(Object.keys(re.namedGroups()));
  const missing = templateFields(p.template).filter((f) => !groups.has(f));
  if (missing.length)
    return {
      field: 'template',
      message: `uses ${missing.map((m) => `{${m}}`).join(', ')}, which the regex does not capture (its named groups: ${[...groups].join(', ') || 'none'})`,
    };
  return null;
}
