// "Test RCON" in Settings: connect, authenticate and run one harmless command (`/version`) on a
// configured slot with its saved password, on a connection of its own that is closed afterwards.
import type { KeyTestResult } from '../../shared/api';
import { RconError, SlotRcon } from './rcon';

export async function testSlotRcon(target: {
  host: string;
  port: number;
  password: string | undefined;
  timeoutMs?: number;
}): Promise<KeyTestResult> {
  const where = `${target.host}:${target.port}`;
  if (!target.password)
    return { ok: false, message: `No RCON password is set for this slot: ${where} cannot be tested.` };
  const rcon = new SlotRcon({
    host: target.host,
    port: target.port,
    password: target.password,
    timeoutMs: target.timeoutMs ?? 3000,
  });
  try {
    const r = await rcon.command('/version');
    return {
      ok: true,
      message: `RCON on ${where} answered /version: ${r.text.trim().slice(0, 200) || '(empty)'} in ${r.rttMs.toFixed(1)} ms.`,
    };
  } catch (e) {
    const kind = e instanceof RconError ? e.kind : 'error';
    const lead =
      kind === 'auth_failed'
        ? 'the password was refused'
        : kind === 'offline'
          ? 'no RCON server answered'
          : 'RCON failed';
    return { ok: false, message: `${where}: ${lead} (${(e as Error).message}).` };
  } finally {
    await rcon.close();
  }
}
