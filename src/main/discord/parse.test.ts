// The console-line table, formatting (escaping, limits) and coalescing.
import { describe, expect, it } from 'vitest';
import { ConfigSchema, type DiscordPattern } from '../../shared/config';
import { checkUserPattern } from '../../shared/discord';
import { CONTENT_LIMIT, coalesce, formatEvent } from './format';
import { ConsoleParser } from './parse';

const parser = new ConsoleParser();
const p = (line: string) => parser.parse(line);

describe('ConsoleParser: the lines Factorio and common mods write', () => {
  it.each([
    ['2019-01-20 10:30:04 [JOIN] User joined the game', 'join', { player: 'User' }],
    ['2019-01-20 10:30:21 [LEAVE] User left the game', 'leave', { player: 'User' }],
    ['2019-01-20 10:30:07 [CHAT] User: chat message', 'chat', { player: 'User', message: 'chat message' }],
    [
      '2024-04-10 02:28:53 [CHAT] <server>: random chat message',
      'chat',
      { player: '<server>', message: 'random chat message' },
    ],
    [
      '2019-01-20 10:30:07 [CHAT] User: time is 10:30: late',
      'chat',
      { player: 'User', message: 'time is 10:30: late' },
    ],
    ['2019-01-20 10:30:14 [COMMAND] User (command): blah', 'command', { player: 'User', command: 'blah' }],
    ['2019-01-20 10:31:00 [SHOUT] User (shout): hello all', 'shout', { player: 'User', message: 'hello all' }],
    [
      '2019-01-20 10:31:00 [WHISPER] Alice to Bob: psst',
      'whisper',
      { player: 'Alice', target: 'Bob', message: 'psst' },
    ],
    [
      '2019-01-20 15:46:34 [KICK] User was kicked by <server>. Reason: unspecified.',
      'kick',
      { player: 'User', by: '<server>', reason: 'unspecified' },
    ],
    [
      '2019-01-20 15:47:50 [BAN] User was banned by <server>. Reason: griefing.',
      'ban',
      { player: 'User', by: '<server>', reason: 'griefing' },
    ],
    ['2019-01-20 15:48:28 [UNBANNED] User was unbanned by <server>.', 'unban', { player: 'User', by: '<server>' }],
    ['2019-01-20 15:49:00 [PROMOTE] User was promoted to admin by Admin.', 'promote', { player: 'User', by: 'Admin' }],
    ['2019-01-20 15:49:00 [DEMOTE] User was demoted from admin by Admin.', 'demote', { player: 'User', by: 'Admin' }],
    ['2019-01-20 15:49:00 [PROMOTE] some other wording', 'promote', { text: 'some other wording' }],
    [
      '   3.491 Info ServerMultiplayerManager.cpp:799: updateTick(0) changing state from(CreatingGame) to(InGame)',
      'ready',
      {},
    ],
    [
      '4802.763 Info AppManager.cpp:287: Saving to _autosave4 (blocking).',
      'save',
      { name: '_autosave4', how: 'blocking' },
    ],
    ['4803.100 Info AppManagerStates.cpp:1802: Saving finished', 'save', {}],
    ['[MILESTONE] User completed: First automation', 'milestone', { player: 'User', what: 'First automation' }],
    ['[TODO] User finished task: Build solar farm', 'task', { player: 'User', what: 'Build solar farm' }],
    ['[TASK] User finished task: Build solar farm', 'task', { player: 'User', what: 'Build solar farm' }],
    ['Automation technology has been researched', 'research', { tech: 'Automation' }],
    ['[RESEARCH] Logistics technology has been researched.', 'research', { tech: 'Logistics' }],
    ['User was killed by a biter', 'death', { player: 'User', cause: 'a biter' }],
    ['2019-01-20 16:00:00 User was killed by a small-spitter.', 'death', { player: 'User', cause: 'a small-spitter' }],
    ['[ROCKET] Rocket launched by User (3 total)', 'rocket', { text: 'Rocket launched by User (3 total)' }],
    ['[DISCORD] **Server restart** in 5 minutes', 'discord', { text: '**Server restart** in 5 minutes' }],
  ])('%s -> %s', (line, type, fields) => {
    expect(p(line)).toEqual({ type, fields });
  });

  // Main-log lines as real servers printed them. Sources: clusterio/clusterio
  // test/lib/factorio/lines.js (its collection of real server output: the autosave, "Saving game
  // as" and "Saving finished" lines); factoriotools/factorio-docker issue #175 (a 0.16 server's
  // stdout: mapTick state changes); ClaudeMetz/FactoryPlanner issue #309 (a server's log while a
  // player joins: InGameSavingMap -> InGame, which is not "ready"); the "Saving map as" line is a
  // 2.0 headless server's stop output as quoted in public notes on server logs (MainLoop.cpp:437).
  it.each([
    ['4802.763 Info AppManager.cpp:287: Saving to _autosave4 (blocking).', { name: '_autosave4', how: 'blocking' }],
    ['  10.806 Info AppManager.cpp:394: Saving game as C:\\factorio\\saves\\world.zip', { name: 'world.zip' }],
    ['  16.011 Info MainLoop.cpp:437: Saving map as /mnt/server/saves/gamesave.zip', { name: 'gamesave.zip' }],
    ['4202.780 Info AppManagerStates.cpp:1802: Saving finished', {}],
  ])('main log save line %s', (line, fields) => {
    expect(p(line)).toEqual({ type: 'save', fields });
  });

  it('main log: only CreatingGame -> InGame is "ready"; other state changes are not events', () => {
    expect(
      p('   0.578 Info ServerMultiplayerManager.cpp:808: updateTick(926) changing state from(CreatingGame) to(InGame)')
        ?.type,
    ).toBe('ready');
    expect(
      p(
        '4.820 Info ServerMultiplayerManager.cpp:699: mapTick(4294967295) changing state from(PreparedToHostGame) to(CreatingGame)',
      ),
    ).toBeNull();
    expect(
      p(
        '  19.831 Info ServerMultiplayerManager.cpp:814: updateTick(27899560) changing state from(InGameSavingMap) to(InGame)',
      ),
    ).toBeNull();
    expect(p('4.820 Loading map /factorio/saves/_autosave1.zip: 676593 bytes.')).toBeNull();
  });

  it('ignores what is not an event', () => {
    expect(p('   1.306 Info RemoteCommandProcessor.cpp:131: Starting RCON interface at port 4000')).toBeNull();
    expect(p('some command output')).toBeNull();
    expect(p('')).toBeNull();
  });

  it('user patterns come first, fill their template, and run on RE2 (no catastrophic backtracking)', () => {
    const patterns: DiscordPattern[] = [
      {
        name: 'launch',
        regex: '^\\[LAUNCH\\] (?P<who>\\S+) sent (?<n>\\d+) rockets$',
        template: '{who} sent {n} rockets',
        emoji: '🛰️',
      },
      { name: 'evil', regex: '^(a+)+$', template: 'never' },
    ];
    const parser = new ConsoleParser(patterns);
    const e = parser.parse('2024-01-01 00:00:00 [LAUNCH] bob_*x* sent 12 rockets')!;
    expect(e).toEqual({ type: 'launch', fields: { who: 'bob_*x*', n: '12' } });
    expect(formatEvent(e, patterns)).toBe('🛰️ bob\\_\\*x\\* sent 12 rockets');
    // With a backtracking engine this line takes longer than the universe has; RE2 answers at once.
    expect(parser.parse('a'.repeat(9_999) + 'b')).toBeNull();
  });

  it('bad user patterns are rejected at config load with the reason', () => {
    expect(checkUserPattern({ regex: '(unclosed', template: 'x' })).toMatchObject({
      field: 'regex',
      message: expect.stringContaining('missing closing )'),
    });
    expect(checkUserPattern({ regex: '(?<a>x)(?=y)', template: 'x' })).toMatchObject({ field: 'regex' });
    expect(checkUserPattern({ regex: '(?<a>x)', template: '{a} {b}' })).toMatchObject({
      field: 'template',
      message: expect.stringContaining('{b}'),
    });
    const r = ConfigSchema.safeParse({ discord: { patterns: [{ name: 'x', regex: '(', template: 'x' }] } });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].path.join('.')).toBe('discord.patterns.0.regex');
    expect(ConfigSchema.safeParse({ discord: { botName: 'My Discord Bot' } }).success).toBe(false);
  });
});

describe('formatEvent', () => {
  it('gives each type its emoji and escapes markdown in player text', () => {
    expect(formatEvent(p('[JOIN] Alice joined the game')!)).toBe('✅ **Alice** joined the game');
    expect(formatEvent(p('[CHAT] <server>: restart soon')!)).toBe('🖥️ **Server:** restart soon');
    expect(formatEvent(p('[CHAT] Bob: **bold** _it_ `code` ~~s~~ ||spoiler|| > quote [x](http://e.vil)')!)).toBe(
      '💬 **Bob:** \\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\~\\~s\\~\\~ \\|\\|spoiler\\|\\| > quote \\[x](http://e.vil)',
    );
    expect(formatEvent(p('[KICK] Eve was kicked by <server>. Reason: unspecified.')!)).toBe(
      '👢 **Eve** was kicked by Server',
    );
    expect(formatEvent(p('[BAN] Eve was banned by Admin. Reason: griefing.')!)).toBe(
      '🔨 **Eve** was banned by Admin (griefing)',
    );
    expect(formatEvent(p('Saving finished')!)).toBe('💾 Saving finished');
    expect(formatEvent(p('[DISCORD] **as the mod wrote it**')!)).toBe('**as the mod wrote it**');
  });

  it('keeps every message within Discord content limit', () => {
    const long = formatEvent(p(`[CHAT] Bob: ${'x'.repeat(5000)}`)!);
    expect(long.length).toBe(CONTENT_LIMIT);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('coalesce', () => {
  it('packs queued texts in order up to the limit, one per line', () => {
    const texts = Array.from({ length: 100 }, (_, i) => `💬 **p${i}:** hello number ${i}`);
    const c = coalesce(texts);
    expect(c.content.length).toBeLessThanOrEqual(CONTENT_LIMIT);
    expect(c.content.split('\n')).toEqual(texts.slice(0, c.count));
    expect(c.count).toBeGreaterThan(40);
    const next = coalesce(texts.slice(c.count));
    expect(next.content.split('\n')[0]).toBe(texts[c.count]);
  });

  it('collapses consecutive repeats with ×N', () => {
    const c = coalesce([
      '💾 Saving finished',
      '💾 Saving finished',
      '💾 Saving finished',
      '✅ a',
      '💾 Saving finished',
      '💾 Saving finished',
    ]);
    expect(c).toEqual({ content: '💾 Saving finished ×3\n✅ a\n💾 Saving finished ×2', count: 6 });
  });

  it('a single text is always taken, even alone at the limit', () => {
    expect(coalesce(['x'.repeat(CONTENT_LIMIT), 'y'])).toEqual({ content: 'x'.repeat(CONTENT_LIMIT), count: 1 });
  });
});
