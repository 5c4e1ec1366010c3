// "Test" in Settings: asks W&B who the API key belongs to with the GraphQL `viewer` query, the
// same check the official client makes at login. Nothing is created or changed.
import type { KeyTestResult } from '../../shared/api';

const VIEWER = 'query Viewer { viewer { id entity username } }';

export async function testWandbKey(
  baseUrl: string,
  apiKey: string | undefined,
  timeoutMs = 10_000,
): Promise<KeyTestResult> {
  if (!apiKey) return { ok: false, message: 'No API key is set (wandb.apiKey): there is nothing to test.' };
  const url = new URL('graphql', baseUrl.endsWith('/') ? baseUrl : baseUrl + '/');
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`api:${apiKey}`).toString('base64')}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ query: VIEWER }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const why =
      (e as Error).name === 'TimeoutError'
        ? `no answer within ${timeoutMs / 1000} s`
        : ((e as { cause?: Error }).cause?.message ?? (e as Error).message);
    return { ok: false, message: `Could not reach ${url.origin}: ${why}` };
  }
  await res.body?.cancel().catch(() => {});
  if (res.status === 401 || res.status === 403)
    return { ok: false, message: `${url.origin} refused the API key (HTTP ${res.status}).` };
  if (!res.ok)
    return { ok: false, message: `${url.origin} answered HTTP ${res.status}; the key could not be checked.` };
  return { ok: true, message: `${url.origin} accepted the API key.` };
}
