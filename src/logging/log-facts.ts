import type { Level, Logger } from 'pino';
import { FAILURE_REASONS } from '../core/failure.js';

/** Fields whose strings are names (the `monitor` and `step` labels): shown verbatim by every log path. */
const NAME_FIELDS = new Set(['monitor', 'step']);
const REASONS = new Set<string>(FAILURE_REASONS);

/** A log call's fields, each one of the kinds that cannot hold a secret. */
export type Facts = Record<string, string | number | boolean | null | undefined>;

/**
 * Whether every field cannot hold a secret: a number, a boolean, nothing, a name, or a failure
 * reason that is one of the contract's reasons. A string anywhere else may quote a response or a
 * template value, so it makes the whole call go through redaction.
 */
export function isFacts(fields: Facts): boolean {
  for (const key in fields) {
    const value = fields[key];
    if (typeof value === 'string') {
      if (NAME_FIELDS.has(key) || (key === 'reason' && REASONS.has(value))) continue;
      return false;
    }
    if (value !== null && typeof value === 'object') return false;
  }
  return true;
}

/** The logger that skips the field walk, by the logger that `createLogger` made. */
const factsLoggers = new WeakMap<Logger, Logger>();

export function registerFactsLogger(logger: Logger, facts: Logger): void {
  factsLoggers.set(logger, facts);
}

/**
 * Logs a line whose fields are all facts without walking them for secrets (and without pino's
 * header paths): the per-run lines, one per run at info. The message is still redacted. Fields
 * that are not all facts, or a logger that `createLogger` did not make, take the ordinary path.
 */
export function logFacts(logger: Logger, level: Level, fields: Facts, message: string): void {
  const facts = factsLoggers.get(logger);
  if (facts !== undefined && isFacts(fields)) facts[level](fields, message);
  else logger[level](fields, message);
}
