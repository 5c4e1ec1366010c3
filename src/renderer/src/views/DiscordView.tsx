// The Discord relay: delivery state and counters, the last relayed lines rendered as Discord shows
// them with their delivery state in colour and words, failures as error cards, per-type switches
// (saved in the config file), and a test message whose fate is reported as it happens.
import { useState } from 'react';
import type { DiscordStatus, RelayedLine } from '../../../shared/discord';
import { useStore, type Outcome } from '../store';
import { Counter } from '../components/Counter';
import { DiscordMarkdown } from '../components/discordMarkdown';
import { formatAge } from '../components/format';
import {
  ActionButton,
  DataArea,
  EmptyState,
  ErrorState,
  LoadingState,
  OffState,
  useOnline,
  whyNot,
} from '../components/states';
import { useNow } from '../components/useNow';

function wait(d: DiscordStatus, now: number): string {
  return d.retryAt ? ` in ${Math.max(0, Math.ceil((d.retryAt - now) / 1000))} s` : '';
}

function deliveryText(d: DiscordStatus, now: number): string {
  switch (d.delivery) {
    case 'retrying':
      return `retrying${wait(d, now)} (${d.reason ?? 'error'})`;
    case 'rate_limited':
      return `rate limited: waiting${wait(d, now)}`;
    case 'stopped':
      return `stopped: ${d.reason ?? ''}`;
    default:
      return d.delivery;
  }
}

/** What happens to a line now: a queued line is retrying, held or waiting while delivery is. */
export function lineState(
  l: RelayedLine,
  d: Pick<DiscordStatus, 'delivery'>,
): { word: string; tone: 'ok' | 'bad' | 'warn' | 'muted' } {
  if (l.state === 'sent') return { word: 'delivered', tone: 'ok' };
  if (l.state === 'failed') return { word: 'failed', tone: 'bad' };
  if (d.delivery === 'retrying') return { word: 'retrying', tone: 'warn' };
  if (d.delivery === 'rate_limited') return { word: 'waiting (rate limit)', tone: 'warn' };
  if (d.delivery === 'stopped') return { word: 'held (delivery stopped)', tone: 'bad' };
  return { word: 'queued', tone: 'muted' };
}

/** The heading says what the list holds: delivered, queued, or both. */
function heading(recent: RelayedLine[]): string {
  const sent = recent.filter((l) => l.state === 'sent').length;
  const failed = recent.filter((l) => l.state === 'failed').length;
  const queued = recent.length - sent - failed;
  if (!recent.length) return 'Relayed lines';
  if (sent === recent.length) return `Delivered lines (last ${sent})`;
  if (queued === recent.length) return `Queued lines: none delivered yet (${queued})`;
  return `Recent lines: ${sent} delivered, ${queued} queued${failed ? `, ${failed} failed` : ''}`;
}

function testWhyNot(d: DiscordStatus, online: boolean): string | null {
  return whyNot(online, !d.webhookSet && 'No webhook URL set (discord.webhookUrl): nothing can be sent');
}

/** The test message's fate, from the live list (it may have scrolled out of the last 50). */
function testReport(line: RelayedLine | undefined, d: DiscordStatus, now: number): string {
  if (!line) return 'Test message queued.';
  if (line.state === 'sent') return 'Test message delivered to Discord.';
  if (line.state === 'failed') return `Discord refused the test message: ${line.error ?? 'no reason given'}.`;
  if (d.delivery === 'stopped') return `Test message queued, but delivery is stopped: ${d.reason ?? 'see above'}.`;
  if (d.delivery === 'retrying')
    return `Test message queued; Discord did not take it yet, retrying${wait(d, now)} (${d.reason ?? 'error'}).`;
  if (d.delivery === 'rate_limited') return `Test message queued; waiting for Discord's rate limit${wait(d, now)}.`;
  return 'Test message queued; sending…';
}

function DeliveryProblems({ d, now }: { d: DiscordStatus; now: number }) {
  const lastFailed = d.recent.find((l) => l.state === 'failed');
  return (
    <>
      {d.delivery === 'stopped' && (
        <ErrorState title="Delivery to Discord is stopped" testId="discord-error">
          {d.reason ?? 'no reason given'}. {d.queue} event{d.queue === 1 ? '' : 's'} wait in the outbox; fix the webhook
          in Settings, then send a test message to try again.
        </ErrorState>
      )}
      {d.delivery === 'retrying' && (
        <ErrorState title="Discord did not take the last message" testId="discord-error">
          {d.reason ?? 'error'}: retrying{wait(d, now)}. {d.queue} event{d.queue === 1 ? '' : 's'} queued.
        </ErrorState>
      )}
      {lastFailed && (
        <ErrorState
          title={`Discord refused ${d.failed} event${d.failed === 1 ? '' : 's'} for good`}
          testId="discord-failed-card"
        >
          Last refusal: {lastFailed.error ?? 'no reason given'} (“
          <DiscordMarkdown text={lastFailed.text} />
          ”)
        </ErrorState>
      )}
    </>
  );
}

export function DiscordView() {
  const discord = useStore((s) => s.discord);
  const enabled = useStore((s) => s.config?.effective.discord.enabled ?? false);
  const online = useOnline();
  const now = useNow(1000);
  const [message, setMessage] = useState<string | null>(null);
  const [testId, setTestId] = useState<number | null>(null);
  const loaded = useStore((s) => s.config !== null);
  const testDiscord = useStore((s) => s.testDiscord);
  const setDiscordType = useStore((s) => s.setDiscordType);
  if (!loaded) return <LoadingState>Loading the relay's state…</LoadingState>;
  if (!enabled || !discord)
    return (
      <OffState
        title="The Discord relay is off"
        section="discord"
        action="Turn on the Discord relay in Settings"
        testId="discord-off"
      >
        Set the server&apos;s <code>--console-log</code> file and a webhook URL, and turn the relay on: joins, leaves,
        chat, deaths, research and more are then posted to the webhook&apos;s channel.
      </OffState>
    );
  const call = async <T,>(fn: () => Promise<Outcome<T>>): Promise<Outcome<T>> => {
    setMessage(null);
    const r = await fn();
    if (!r.ok) setMessage(r.error);
    return r;
  };
  const rl = discord.rateLimit;
  const testLine = testId === null ? undefined : discord.recent.find((l) => l.id === testId);
  return (
    <DataArea className="sessions">
      <div className="demo">
        <span data-testid="discord-webhook">
          {discord.webhookSet ? 'Webhook set' : 'No webhook URL set: events wait in the outbox'}
        </span>
        <ActionButton
          disabledReason={testWhyNot(discord, online)}
          onClick={() => {
            setTestId(null);
            void call(testDiscord).then((r) => r.ok && setTestId(r.value.id));
          }}
          testId="discord-test"
        >
          Send test message
        </ActionButton>
        {testId !== null && !message && (
          <span
            className={`tone-${testLine ? lineState(testLine, discord).tone : 'muted'}`}
            role="status"
            data-testid="discord-message"
          >
            {testReport(testLine, discord, now)}
          </span>
        )}
      </div>
      {message && (
        <ErrorState title="The relay did not take the request" testId="discord-message">
          {message}
        </ErrorState>
      )}
      <DeliveryProblems d={discord} now={now} />
      <div className="counters">
        <Counter label="Console log" testId="discord-tail" wide small state={discord.tail}>
          {discord.consoleLogPath
            ? `${discord.tail === 'waiting' ? 'waiting for' : 'following'} ${discord.consoleLogPath}`
            : 'not set (discord.consoleLogPath)'}
        </Counter>
        <Counter
          label="Delivery"
          testId="discord-delivery"
          wide
          small
          issue={discord.delivery === 'stopped' || discord.delivery === 'retrying'}
          state={discord.delivery}
        >
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
        <Counter label="Failed" testId="discord-failed" issue={discord.failed > 0}>
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
            <input
              type="checkbox"
              checked={t.enabled}
              disabled={!online}
              onChange={(e) => void call(() => setDiscordType(t.type, e.target.checked))}
            />
            {t.label}
            {t.custom && <span className="muted"> (pattern)</span>}
            <span className="muted"> {t.seen}</span>
          </label>
        ))}
      </div>
      <h2 data-testid="discord-lines-heading">{heading(discord.recent)}</h2>
      {discord.recent.length === 0 ? (
        <EmptyState testId="discord-empty">
          Nothing relayed yet: lines appear here as the server writes them to its console log.
        </EmptyState>
      ) : (
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
            {discord.recent.map((l) => {
              const st = lineState(l, discord);
              return (
                <tr key={l.id} data-testid="discord-line" data-state={l.state} data-raw={l.text}>
                  <td className="nowrap">
                    <span className={`pill tone-${st.tone}`} data-testid="discord-line-state">
                      {st.word}
                    </span>
                  </td>
                  <td>{l.type}</td>
                  <td className="discord-text">
                    <DiscordMarkdown text={l.text} />
                    {l.error && (
                      <div className="issue" data-testid="discord-line-error">
                        {l.error}
                      </div>
                    )}
                  </td>
                  <td className="nowrap">{formatAge(now - l.at)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </DataArea>
  );
}
