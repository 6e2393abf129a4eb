import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import { SENSITIVE_HEADERS } from '../http/wire-format.js';
import { REDACTED } from '../redaction/redactor.js';
import type { Redactor } from '../redaction/redactor.js';
import { redactValue } from '../redaction/redact-value.js';
import { registerFactsLogger } from './log-facts.js';
import { serializeErrorArgs } from './serialize-error.js';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Header paths pino censors by name, at any depth we log them. */
const REDACT_PATHS = SENSITIVE_HEADERS.flatMap((header) => [
  `headers["${header}"]`,
  `*.headers["${header}"]`,
  `*.*.headers["${header}"]`,
  `req.headers["${header}"]`,
]);

/**
 * pino JSON lines. Run results arrive already redacted with their run's secrets (the log
 * observer shows the redacted view); every log call's fields also go through the process's
 * secret set (the secret env values the monitors use), as structured values before pino
 * serialises them, so a careless call cannot print one and the line stays valid JSON. Only
 * enabled levels pay for it. Lines whose fields cannot hold a secret (`logFacts`: names,
 * numbers, booleans, reasons) go through a child that skips the walk and pino's header paths,
 * which would otherwise visit every field of the one line each run logs.
 */
export function createLogger(options: { level?: string; redactor: Redactor; destination?: DestinationStream | number }): Logger {
  const destination = typeof options.destination === 'number' || options.destination === undefined ? pino.destination({ fd: options.destination ?? 1, sync: true }) : options.destination;
  const factsLoggers = new WeakSet<object>();
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: { service: 'stepwatch' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      // Errors arrive already serialised (serialize-error.ts, in the hook below); pino's own err
      // serializer would take those plain fields for a non-Error and reshape them.
      serializers: { err: (value: unknown) => value },
      hooks: {
        logMethod(args, method) {
          // logFacts checked that every field is a fact; only the message can quote a value.
          if (factsLoggers.has(this) && typeof args[1] === 'string') return method.call(this, args[0], options.redactor.redactText(args[1]));
          // Errors become fields first (their stack only at debug), then every field is redacted.
          const serialized = serializeErrorArgs(args, this.isLevelEnabled('debug'));
          method.apply(this, serialized.map((arg) => redactValue(arg, options.redactor)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
  const facts = logger.child({}, { redact: { paths: [] } });
  factsLoggers.add(facts);
  registerFactsLogger(logger, facts);
  return logger;
}
