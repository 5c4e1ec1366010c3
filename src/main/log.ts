// One structured logger (pino) for main and headless. Secrets never reach it: config is only ever
// logged redacted, and these paths are censored as a second line of defence.
import { pino, type Logger } from 'pino';

export type { Logger };

/** The levels LOG_LEVEL may name. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Why a LOG_LEVEL value cannot be used, or null when it can (unset or empty means info). */
export function logLevelProblem(value: string | undefined): string | null {
  if (value === undefined || value === '' || (LOG_LEVELS as readonly string[]).includes(value)) return null;
  return `must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(value.slice(0, 40))})`;
}

/** An unknown level falls back to info here (the desktop app keeps running); headless refuses it first. */
export function createLogger(name = 'control-room', level = process.env.LOG_LEVEL || 'info'): Logger {
  return pino(
    {
      name,
      level: logLevelProblem(level) || level === '' ? 'info' : level,
      redact: {
        paths: ['apiKey', '*.apiKey', 'webhookUrl', '*.webhookUrl', 'rconPassword', '*.rconPassword', 'password', '*.password', 'token', '*.token'],
        censor: '[secret]',
      },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}

/** A logger that drops everything (tests that do not inspect logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
