// Console lines -> relay events. The built-in table covers what vanilla Factorio writes with
// --console-log, the main-log lines the relay reads from the server's own log (ready, save), and
// the line shapes mods commonly print; user patterns from the config are tried
// first so an admin can claim a shape the table gets wrong. Built-in patterns are ours and anchored
// with no nested quantifiers; user patterns run on RE2 (re2js), whose matching is linear in the
// line's length, so no pattern can hang the relay however it is written.
import type { RE2JS } from 're2js';
import type { DiscordPattern } from '../../shared/config';
import { compileUserPattern, type ConsoleEventType } from '../../shared/discord';

export interface ConsoleEvent {
  /** A built-in type, or the name of a user pattern. */
  type: ConsoleEventType | string;
  /** Named captures (player, message, reason, ...), raw text as the line had it. */
  fields: Record<string, string>;
}

interface BuiltInRule {
  type: ConsoleEventType;
  re: RegExp;
}

// `[^:]+?` for names: Factorio user names have no colon, and the chat text after `: ` may.
const RULES: BuiltInRule[] = [
  { type: 'join', re: /^\[JOIN\] (?<player>.+?) joined the game\.?$/ },
  { type: 'leave', re: /^\[LEAVE\] (?<player>.+?) left the game(?:\. Reason: (?<reason>.*?)\.?)?$/ },
  { type: 'chat', re: /^\[CHAT\] (?<player><server>|[^:]+?): (?<message>.*)$/ },
  { type: 'shout', re: /^\[SHOUT\] (?<player><server>|[^:]+?)(?: \(shout\))?: (?<message>.*)$/ },
  { type: 'whisper', re: /^\[WHISPER\] (?<player>[^:]+?)(?: to (?<target>[^:]+?))?: (?<message>.*)$/ },
  { type: 'command', re: /^\[COMMAND\] (?<player>[^:]+?) \(command\): (?<command>.*)$/ },
  { type: 'kick', re: /^\[KICK\] (?<player>.+?) was kicked by (?<by>.+?)\. Reason: (?<reason>.*?)\.?$/ },
  { type: 'ban', re: /^\[BAN\] (?<player>.+?) was banned by (?<by>.+?)\. Reason: (?<reason>.*?)\.?$/ },
  { type: 'unban', re: /^\[UNBANNED\] (?<player>.+?) was unbanned by (?<by>.+?)\.?$/ },
  { type: 'promote', re: /^\[PROMOTE\] (?<player>.+?) was promoted to admin by (?<by>.+?)\.?$/ },
  { type: 'promote', re: /^\[PROMOTE\] (?<text>.+)$/ },
  { type: 'demote', re: /^\[DEMOTE\] (?<player>.+?) was demoted from admin by (?<by>.+?)\.?$/ },
  { type: 'demote', re: /^\[DEMOTE\] (?<text>.+)$/ },
  { type: 'ready', re: /changing state from\(CreatingGame\) to\(InGame\)/ },
  // Main-log lines (the server's stdout / factorio-current.log), in every wording the game has used;
  // a path keeps only its file name (server folders are nobody's business in a chat channel).
  { type: 'save', re: /Saving to (?<name>[^ ]+)(?: \((?<how>[^)]*)\))?\.?$/ },
  { type: 'save', re: /Saving (?:game|map) as (?:.*[\\/])?(?<name>[^\\/]+?)\.?$/ },
  { type: 'save', re: /Saving finished$/ },
  { type: 'milestone', re: /^\[MILESTONE\] (?<player>.+?) completed: (?<what>.+)$/ },
  { type: 'milestone', re: /^\[MILESTONE\] (?<text>.+)$/ },
  { type: 'task', re: /^\[(?:TODO|TASK)\] (?<player>.+?) finished task: (?<what>.+)$/ },
  { type: 'task', re: /^\[(?:TODO|TASK)\] (?<text>.+)$/ },
  { type: 'research', re: /^(?:\[RESEARCH\] )?(?<tech>.+?) technology has been researched\.?$/ },
  { type: 'research', re: /^\[RESEARCH\] (?<text>.+)$/ },
  { type: 'death', re: /^(?:\[DEATH\] )?(?<player>[^ :[\]]+) was killed by (?<cause>.+?)\.?$/ },
  { type: 'death', re: /^\[DEATH\] (?<text>.+)$/ },
  { type: 'rocket', re: /^\[ROCKET\] (?<text>.+)$/ },
  { type: 'discord', re: /^\[DISCORD\] (?<text>.+)$/ },
];

/** `2019-01-20 10:30:04 ` before an action line. */
const DATE_PREFIX = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} /;

interface CompiledPattern {
  name: string;
  re: RE2JS;
}

export class ConsoleParser {
  private readonly user: CompiledPattern[];

  /** Patterns are assumed checked (the config schema does); a bad one throws here. */
  constructor(patterns: readonly DiscordPattern[] = []) {
    this.user = patterns.map((p) => ({ name: p.name, re: compileUserPattern(p) }));
  }

  parse(rawLine: string): ConsoleEvent | null {
    const line = rawLine.replace(DATE_PREFIX, '');
    for (const p of this.user) {
      const m = p.re.exec(line) as RegExpExecArray | null;
      if (m) return { type: p.name, fields: definedGroups(m.groups) };
    }
    for (const r of RULES) {
      const m = r.re.exec(line);
      if (m) return { type: r.type, fields: definedGroups(m.groups) };
    }
    return null;
  }
}

function definedGroups(groups: Record<string, string | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(groups ?? {})) if (v !== undefined) out[k] = v;
  return out;
}
