// One structured logger (pino) for main and headless. Secrets never reach it: config is only ever
// logged redacted, and these paths are censored as a second line of defence.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(name = 'control-room', level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino(
    {
      name,
      level,
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
