// The webhook URL a user pastes, taken apart for @discordjs/rest, and how a failed request reads.

export interface Webhook {
  /** `origin/api`, what @discordjs/rest calls `api`. */
  api: string;
  route: `/webhooks/${string}/${string}`;
}

/** Splits a webhook URL into the API base (its own origin, so tests and proxies work) and route. */
export function parseWebhookUrl(url: string): Webhook {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error('discord.webhookUrl is not a URL');
  }
  const m = /^(.*?\/api)(?:\/v\d+)?\/webhooks\/(\d+)\/([A-Za-z0-9_-]+)\/?$/.exec(u.pathname);
  if (!/^https?:$/.test(u.protocol) || !m)
    throw new Error('discord.webhookUrl is not a Discord webhook URL (expected https://…/api/webhooks/ID/TOKEN)');
  return { api: `${u.origin}${m[1]}`, route: `/webhooks/${m[2]}/${m[3]}` };
}

/** A network failure in a few words (the cause's code where undici gives one). */
export function describeNetworkError(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  return err.cause?.code ?? err.cause?.message ?? err.message ?? String(e);
}
