// Relay events -> Discord message text. Player-written text is escaped (markdown) so a chat line
// cannot restyle the channel; mentions are made harmless by the sender's `allowed_mentions`.
// `[DISCORD]` lines are mod output meant as Discord markdown, so they go as written.
import { escapeMarkdown } from '@discordjs/formatters';
import type { DiscordPattern } from '../../shared/config';
import type { ConsoleEventType } from '../../shared/discord';
import type { ConsoleEvent } from './parse';

/** Discord's limit on `content`. */
export const CONTENT_LIMIT = 2000;

const esc = (s: string | undefined): string =>
  escapeMarkdown(s ?? '', { numberedList: true, bulletedList: true, heading: true, maskedLink: true });
const who = (player: string | undefined): string => (player === '<server>' ? 'Server' : esc(player));
const reason = (r: string | undefined): string => (r && r !== 'unspecified' ? ` (${esc(r)})` : '');

const FORMATS: Record<ConsoleEventType, (f: Record<string, string>) => string> = {
  join: (f) => `✅ **${who(f.player)}** joined the game`,
  leave: (f) => `❌ **${who(f.player)}** left the game${reason(f.reason)}`,
  chat: (f) =>
    f.player === '<server>' ? `🖥️ **Server:** ${esc(f.message)}` : `💬 **${who(f.player)}:** ${esc(f.message)}`,
  shout: (f) => `📢 **${who(f.player)}** shouts: ${esc(f.message)}`,
  whisper: (f) => `🤫 **${who(f.player)}**${f.target ? ` to **${who(f.target)}**` : ''}: ${esc(f.message)}`,
  command: (f) => `⌨️ **${who(f.player)}** ran: ${esc(f.command)}`,
  kick: (f) => `👢 **${who(f.player)}** was kicked by ${who(f.by)}${reason(f.reason)}`,
  ban: (f) => `🔨 **${who(f.player)}** was banned by ${who(f.by)}${reason(f.reason)}`,
  unban: (f) => `🕊️ **${who(f.player)}** was unbanned by ${who(f.by)}`,
  promote: (f) => (f.text ? `⬆️ ${esc(f.text)}` : `⬆️ **${who(f.player)}** was promoted to admin by ${who(f.by)}`),
  demote: (f) => (f.text ? `⬇️ ${esc(f.text)}` : `⬇️ **${who(f.player)}** was demoted from admin by ${who(f.by)}`),
  ready: () => '🟢 Server is ready: the game is running',
  save: (f) => (f.name ? `💾 Saving to ${esc(f.name)}` : '💾 Saving finished'),
  milestone: (f) => (f.text ? `🏆 ${esc(f.text)}` : `🏆 **${who(f.player)}** completed: ${esc(f.what)}`),
  task: (f) => (f.text ? `✔️ ${esc(f.text)}` : `✔️ **${who(f.player)}** finished task: ${esc(f.what)}`),
  research: (f) => (f.text ? `🔬 ${esc(f.text)}` : `🔬 **${esc(f.tech)}** has been researched`),
  death: (f) => (f.text ? `💀 ${esc(f.text)}` : `💀 **${who(f.player)}** was killed by ${esc(f.cause)}`),
  rocket: (f) => `🚀 ${esc(f.text)}`,
  discord: (f) => f.text ?? '',
};

/** The message text for one event; a user pattern's template fills `{group}` with escaped captures. */
export function formatEvent(e: ConsoleEvent, patterns: readonly DiscordPattern[] = []): string {
  const p = patterns.find((x) => x.name === e.type);
  let text: string;
  if (p) {
    text = p.template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, k: string) => esc(e.fields[k]));
    if (p.emoji) text = `${p.emoji} ${text}`;
  } else {
    text = FORMATS[e.type as ConsoleEventType]?.(e.fields) ?? esc(JSON.stringify(e.fields));
  }
  return clip(text, CONTENT_LIMIT);
}

/** Cuts text to `limit` characters without splitting a surrogate pair, marking the cut. */
export function clip(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let end = limit - 1;
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return text.slice(0, end) + '…';
}

export interface Coalesced {
  content: string;
  /** How many queued items (from the head) this message carries. */
  count: number;
}

/**
 * Packs queued texts, oldest first, into one message of at most `limit` characters, one per line;
 * consecutive repeats collapse into one line with `×N` ("💾 Saving finished ×5").
 */
export function coalesce(texts: readonly string[], limit = CONTENT_LIMIT): Coalesced {
  const lines: string[] = [];
  let repeat = 1;
  let length = 0;
  let count = 0;
  const render = (text: string, n: number) => (n > 1 ? `${text} ×${n}` : text);
  for (const text of texts) {
    const last = lines.length - 1;
    if (last >= 0 && text === texts[count - 1]) {
      const grown = render(text, repeat + 1);
      const delta = grown.length - lines[last].length;
      if (length + delta > limit) break;
      lines[last] = grown;
      repeat++;
      length += delta;
    } else {
      const add = (lines.length ? 1 : 0) + text.length;
      if (lines.length && length + add > limit) break;
      lines.push(text);
      repeat = 1;
      length += add;
    }
    count++;
  }
  return { content: lines.join('\n'), count };
}
