// Settings, section by section: which top-level config keys each owns (its Save sends those) and
// its plain fields. Slots and Discord patterns have row forms of their own (rows.tsx).
import type { SettingsSection } from '../../store';
import type { FieldSpec } from './fields';

export interface SectionSpec {
  id: SettingsSection;
  title: string;
  keys: readonly string[];
  fields: FieldSpec[];
}

export const SECTIONS: SectionSpec[] = [
  {
    id: 'general',
    title: 'General',
    keys: ['dataDir'],
    fields: [
      {
        path: 'dataDir',
        label: 'Data folder',
        type: 'text',
        hint: 'Journals, positions and history live here. Empty: the app’s own data folder.',
      },
    ],
  },
  {
    id: 'pipe',
    title: 'Event pipe',
    keys: ['pipe'],
    fields: [
      {
        path: 'pipe.path',
        label: 'Pipe or file path',
        type: 'text',
        hint: 'Empty: Factorio’s script-output/events.pipe.',
      },
      { path: 'pipe.mode', label: 'Mode', type: { select: ['auto', 'fifo', 'file'] } },
      { path: 'pipe.capacity', label: 'Events kept in memory', type: 'number' },
      {
        path: 'pipe.maxLineBytes',
        label: 'Longest line (bytes)',
        type: 'number',
        hint: 'Longer lines are rejected as too_long.',
      },
      {
        path: 'pipe.startAt',
        label: 'A new file is read from',
        type: { select: ['end', 'start'] },
        hint: 'File mode with no saved position: only new lines (end), or what is already there (start).',
      },
      { path: 'pipe.mirrorLogPath', label: 'Mirror raw lines to', type: 'text' },
      { path: 'pipe.mirrorMaxBytes', label: 'Rotate the mirror at (bytes)', type: 'number' },
      { path: 'pipe.mirrorFiles', label: 'Mirror files kept', type: 'number' },
    ],
  },
  {
    id: 'history',
    title: 'Production history',
    keys: ['history'],
    fields: [
      { path: 'history.enabled', label: 'Keep history on disk', type: 'checkbox' },
      { path: 'history.flushMs', label: 'Commit every (ms)', type: 'number', hint: 'A crash loses at most this much.' },
      { path: 'history.rawHours', label: 'Raw samples kept (game hours)', type: 'number' },
      { path: 'history.minuteHours', label: 'Minute roll-ups kept (game hours)', type: 'number' },
      { path: 'history.maxMegabytes', label: 'Largest size (MB)', type: 'number' },
      {
        path: 'history.factorioDir',
        label: 'Factorio install folder',
        type: 'text',
        hint: 'The folder holding data/: English item names come from its locale files.',
      },
    ],
  },
  {
    id: 'wandb',
    title: 'Weights & Biases',
    keys: ['wandb'],
    fields: [
      { path: 'wandb.enabled', label: 'Enabled', type: 'checkbox' },
      { path: 'wandb.baseUrl', label: 'Base URL', type: 'text' },
      { path: 'wandb.apiKey', label: 'API key', type: 'secret' },
      { path: 'wandb.project', label: 'Project', type: 'text' },
      { path: 'wandb.entity', label: 'Entity', type: 'text', hint: 'Empty: the API key’s default entity.' },
      {
        path: 'wandb.mode',
        label: 'Mode',
        type: { select: ['online', 'offline'] },
        hint: 'Offline: journal only; upload later with Sync.',
      },
      { path: 'wandb.flushSeconds', label: 'Send every (seconds)', type: 'number' },
      {
        path: 'wandb.heartbeatSeconds',
        label: 'Heartbeat after (seconds)',
        type: 'number',
        hint: 'An empty request keeps an idle run from being marked crashed.',
      },
    ],
  },
  {
    id: 'discord',
    title: 'Discord',
    keys: ['discord'],
    fields: [
      { path: 'discord.enabled', label: 'Enabled', type: 'checkbox' },
      { path: 'discord.webhookUrl', label: 'Webhook URL', type: 'secret' },
      {
        path: 'discord.consoleLogPath',
        label: 'Server console.log',
        type: 'text',
        hint: 'The file the server writes with --console-log.',
      },
      {
        path: 'discord.mainLogPath',
        label: 'Server main log',
        type: 'text',
        hint: 'Its stdout or factorio-current.log: “ready” and “save” lines are only there.',
      },
      { path: 'discord.botName', label: 'Bot name', type: 'text' },
      { path: 'discord.avatarUrl', label: 'Avatar URL', type: 'text' },
      {
        path: 'discord.startAt',
        label: 'A new log is read from',
        type: { select: ['end', 'start'] },
        hint: 'With no saved position: only new lines (end), or the whole file (start).',
      },
    ],
  },
  {
    id: 'engine',
    title: 'Engine server',
    keys: ['engine'],
    fields: [
      { path: 'engine.enabled', label: 'Enabled', type: 'checkbox' },
      { path: 'engine.host', label: 'Host', type: 'text' },
      { path: 'engine.port', label: 'Port', type: 'number' },
      {
        path: 'engine.workers',
        label: 'Batch workers',
        type: 'number',
        hint: 'Game worker threads for BatchSimulate. Empty: one per core.',
      },
      { path: 'engine.unaryWorkers', label: 'Reset/Step workers', type: 'number' },
      {
        path: 'engine.budgetMs',
        label: 'Longest call (ms)',
        type: 'number',
        hint: 'A Reset/Step or stream slice running longer has its worker replaced.',
      },
      {
        path: 'engine.batchBudgetSeconds',
        label: 'Batch budget (s)',
        type: 'number',
        hint: 'Worker time one BatchSimulate may use; 0: unlimited.',
      },
      { path: 'engine.maxStreams', label: 'Concurrent streams', type: 'number' },
      { path: 'engine.streamMemoryMB', label: 'Stream memory (MB)', type: 'number' },
    ],
  },
  {
    id: 'slots',
    title: 'Headless slots',
    keys: ['slots', 'joinTest'],
    fields: [
      {
        path: 'joinTest.clientPath',
        label: 'Factorio client',
        type: 'text',
        hint: 'The client executable the join test launches with --mp-connect. Empty: that step is skipped.',
      },
      { path: 'joinTest.timeoutSeconds', label: 'Client verdict timeout (s)', type: 'number' },
    ],
  },
  {
    id: 'factorio',
    title: 'Factorio folder',
    keys: ['factorio'],
    fields: [
      {
        path: 'factorio.userDataDir',
        label: 'User data folder',
        type: 'text',
        hint: 'Holds mods/ and script-output/. Empty: detected for this platform.',
      },
      {
        path: 'factorio.gameVersion',
        label: 'Mod build',
        type: { select: ['auto', '2.0', '1.1'] },
        hint: 'auto reads the version from the game’s log in that folder (else 2.0).',
      },
    ],
  },
  {
    id: 'web',
    title: 'Web (headless mode)',
    keys: ['web'],
    fields: [
      { path: 'web.host', label: 'Host', type: 'text' },
      { path: 'web.port', label: 'Port', type: 'number', hint: '0 picks a free port. Takes effect on the next start.' },
      {
        path: 'web.allowedHosts',
        label: 'Extra allowed hosts',
        type: 'list',
        hint: 'Comma-separated host[:port] names.',
      },
      { path: 'web.maxSendBufferBytes', label: 'Drop a client after (unsent bytes)', type: 'number' },
    ],
  },
];
