// The Discord relay: delivery state and counters, the last relayed lines with their delivery
// state, per-type switches (saved in the config file), and a test message through the outbox.
import { useState } from 'react';
import type { DiscordStatus } from '../../../shared/discord';
import { api } from '../api/client';
import { useStore } from '../store';
import { Counter } from './Counter';
import { formatAge } from './format';
import { useNow } from './useNow';

function deliveryText(d: DiscordStatus, now: number): string {
  const wait = d.retryAt ? ` in ${Math.max(0, Math.ceil((d.retryAt - now) / 1000))} s` : '';
  switch (d.delivery) {
    case 'retrying':
      return `retrying${wait} (${d.reason ?? 'error'})`;
    case 'rate_limited':
      return `rate limited: waiting${wait}`;
    case 'stopped':
      return `stopped: ${d.reason ?? ''}`;
    default:
      return d.delivery;
  }
}

export function DiscordView() {
  const discord = useStore((s) => s.discord);
  const enabled = useStore((s) => s.config?.effective.discord.enabled ?? false);
  const now = useNow(1000);
  const [message, setMessage] = useState<string | null>(null);
  if (!enabled || !discord)
    return (
      <p className="planned" data-testid="discord-off">
        The Discord relay is off. Turn on <code>discord.enabled</code> in Settings and set <code>discord.consoleLogPath</code> (the server&apos;s <code>--console-log</code> file)
        and <code>discord.webhookUrl</code>: joins, leaves, chat, deaths, research and more are then posted to the webhook&apos;s channel.
      </p>
    );
  const call = async (fn: () => Promise<unknown>) => {
    setMessage(null);
    try {
      await fn();
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    }
  };
  const rl = discord.rateLimit;
  return (
    <div className="sessions">
      <div className="demo">
        <span data-testid="discord-webhook">{discord.webhookSet ? 'Webhook set' : 'No webhook URL set: events wait in the outbox'}</span>
        <button type="button" onClick={() => void call(async () => setMessage(`Queued: ${(await api().call('discord.test')).text}`))} data-testid="discord-test">
          Send test message
        </button>
        {message && (
          <span className="muted" data-testid="discord-message">
            {message}
          </span>
        )}
      </div>
      <div className="counters">
        <Counter label="Console log" testId="discord-tail" wide small state={discord.tail}>
          {discord.consoleLogPath ? `${discord.tail === 'waiting' ? 'waiting for' : 'following'} ${discord.consoleLogPath}` : 'not set (discord.consoleLogPath)'}
        </Counter>
        <Counter label="Delivery" testId="discord-delivery" wide small issue={discord.delivery === 'stopped'} state={discord.delivery}>
          {deliveryText(discord, now)}
        </Counter>
        <Counter label="Queued" testId="discord-queue">
          {discord.queue}
        </Counter>
        <Counter label="Messages sent" testId="discord-sent-messages">
          {discord.sentMessages}
        </Counter>
        <Counter label="Events sent" testId="discord-sent-events">
          {discord.sentEvents}
        </Counter>
        <Counter label="Failed" testId="discord-failed">
          {discord.failed}
        </Counter>
        <Counter label="Retried" testId="discord-retried">
          {discord.retried}
        </Counter>
        <Counter label="429 received" testId="discord-429">
          {discord.rateLimitHits}
        </Counter>
        <Counter label="Rate limit" testId="discord-ratelimit">
          {rl ? `${rl.remaining}/${rl.limit}, resets ${Math.max(0, Math.ceil((rl.resetAt - now) / 1000))} s` : '—'}
        </Counter>
        <Counter label="Lines read" testId="discord-lines-read">
          {discord.lines.read}
        </Counter>
        <Counter label="Matched" testId="discord-lines-matched">
          {discord.lines.matched}
        </Counter>
        <Counter label="Switched off" testId="discord-lines-filtered">
          {discord.lines.filtered}
        </Counter>
      </div>
      <h2>Event types</h2>
      <div className="type-switches">
        {discord.types.map((t) => (
          <label key={t.type} data-testid={`discord-type-${t.type}`}>
            <input type="checkbox" checked={t.enabled} onChange={(e) => void call(() => api().call('discord.setType', { type: t.type, enabled: e.target.checked }))} />
            {t.label}
            {t.custom && <span className="muted"> (pattern)</span>}
            <span className="muted"> {t.seen}</span>
          </label>
        ))}
      </div>
      <h2>Last relayed lines</h2>
      <table className="runs">
        <thead>
          <tr>
            <th>State</th>
            <th>Type</th>
            <th>Message</th>
            <th>Read</th>
          </tr>
        </thead>
        <tbody>
          {discord.recent.map((l) => (
            <tr key={l.id} data-testid="discord-line" data-state={l.state}>
              <td className={l.state === 'failed' ? 'issue' : l.state === 'queued' ? 'muted' : ''} title={l.error ?? undefined}>
                {l.state}
              </td>
              <td>{l.type}</td>
              <td className="discord-text">{l.text}</td>
              <td className="nowrap">{formatAge(now - l.at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
