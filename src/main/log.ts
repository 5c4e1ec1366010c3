// One structured logger (pino) for main and headless. Secrets never reach it: config is only ever
// logged redacted, and these paths are censored as a second line of defence. A person at a terminal
// reads lines (pino-pretty, in this thread and synchronous, so a crash still prints its last line);
// anything else (a pipe, a file, a log collector) gets one JSON object per line.
import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** The levels LOG_LEVEL may name. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Why a LOG_LEVEL value cannot be used, or null when it can (unset or empty means info). */
export function logLevelProblem(value: string | undefined): string | null {
  if (value === undefined || value === '' || (LOG_LEVELS as readonly string[]).includes(value)) return null;
  return `must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(value.slice(0, 40))})`;
}

/** `LOG_FORMAT=json|pretty` overrides; otherwise pretty exactly when stderr (where logs go) is a terminal. */
export function logFormat(
  env: NodeJS.ProcessEnv = process.env,
  isTTY = process.stderr.isTTY === true,
): 'json' | 'pretty' {
  if (env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty') return env.LOG_FORMAT;
  return isTTY ? 'pretty' : 'json';
}

function destination(format: 'json' | 'pretty'): DestinationStream {
  if (format === 'json') return pino.destination({ fd: 2, sync: true });
  return pretty({
    destination: 2,
    sync: true,
    colorize: process.env.NO_COLOR === undefined,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname',
  });
}

/** An unknown level falls back to info here (the desktop app keeps running); headless refuses it first. */
export function createLogger(
  name = 'control-room',
  level = process.env.LOG_LEVEL || 'info',
  format = logFormat(),
): Logger {
  return pino(
    {
      name,
      level: logLevelProblem(level) || level === '' ? 'info' : level,
      redact: {
        paths: [
          'apiKey',
          '*.apiKey',
          'webhookUrl',
          '*.webhookUrl',
          'rconPassword',
          '*.rconPassword',
          'password',
          '*.password',
          'token',
          '*.token',
        ],
        censor: '[secret]',
      },
    },
    destination(format),
  );
}

/** A logger that drops everything (tests that do not inspect logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
