import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import { REDACTED } from '../redaction/redactor.js';
import type { Redactor } from '../redaction/redactor.js';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Header paths pino censors by name, at any depth we log them. */
const REDACT_PATHS = ['authorization', 'cookie', 'set-cookie', 'proxy-authorization'].flatMap((header) => [
  `headers["${header}"]`,
  `*.headers["${header}"]`,
  `*.*.headers["${header}"]`,
  `req.headers["${header}"]`,
]);

/**
 * pino JSON lines. Two layers of redaction: header values by path, and every argument of every
 * log call through the process's secret set, so a secret env value never reaches the stream,
 * whatever the level or the message.
 */
export function createLogger(options: { level?: string; redactor: Redactor; destination?: DestinationStream | number }): Logger {
  const destination = typeof options.destination === 'number' || options.destination === undefined ? pino.destination({ fd: options.destination ?? 1, sync: true }) : options.destination;
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'stepwatch' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => options.redactor.censorDeep(arg)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
