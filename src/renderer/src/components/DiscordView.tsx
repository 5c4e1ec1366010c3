// The Discord relay: delivery state and counters, the last relayed lines with their delivery
// state, per-type switches (saved in the config file), and a test message through the outbox.
import { useState } from 'react';
import type { DiscordStatus } from '../../../shared/discord';
import { api } from '../api/client';
import { useStore } from '../store';
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

function Counter({ label, value, testId }: { label: string; value: string | number; testId: string }) {
  return (
    <div className="counter">
      <div className="counter-label">{label}</div>
      <div className="counter-value" data-testid={testId}>
        {value}
      </div>
    </div>
  );
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
        <div className="counter wide">
          <div className="counter-label">Console log</div>
          <div className="counter-value path" data-testid="discord-tail" data-state={discord.tail}>
            {discord.consoleLogPath ? `${discord.tail === 'waiting' ? 'waiting for' : 'following'} ${discord.consoleLogPath}` : 'not set (discord.consoleLogPath)'}
          </div>
        </div>
        <div className="counter wide">
          <div className="counter-label">Delivery</div>
          <div className={`counter-value small ${discord.delivery === 'stopped' ? 'issue' : ''}`} data-testid="discord-delivery" data-state={discord.delivery}>
            {deliveryText(discord, now)}
          </div>
        </div>
        <Counter label="Queued" value={discord.queue} testId="discord-queue" />
        <Counter label="Messages sent" value={discord.sentMessages} testId="discord-sent-messages" />
        <Counter label="Events sent" value={discord.sentEvents} testId="discord-sent-events" />
        <Counter label="Failed" value={discord.failed} testId="discord-failed" />
        <Counter label="Retried" value={discord.retried} testId="discord-retried" />
        <Counter label="429 received" value={discord.rateLimitHits} testId="discord-429" />
        <Counter label="Rate limit" value={rl ? `${rl.remaining}/${rl.limit}, resets ${Math.max(0, Math.ceil((rl.resetAt - now) / 1000))} s` : '—'} testId="discord-ratelimit" />
        <Counter label="Lines read" value={discord.lines.read} testId="discord-lines-read" />
        <Counter label="Matched" value={discord.lines.matched} testId="discord-lines-matched" />
        <Counter label="Switched off" value={discord.lines.filtered} testId="discord-lines-filtered" />
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
