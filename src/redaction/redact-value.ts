import { isSensitiveHeader } from '../http/wire-format.js';
import { REDACTED } from './redactor.js';
import type { Redactor } from './redactor.js';

/** Fields that name things (the `monitor` and `step` labels): shown verbatim, never searched. */
const NAMES = new Set(['monitor', 'step']);

/**
 * A structured value (a log call's fields) with the secrets of `secrets` hidden in its strings and
 * credential headers hidden by name, made before it is serialised so the output stays valid JSON.
 * Numbers and booleans are never touched. Errors stay Errors (message and stack redacted), so the
 * logger's error serialiser still sees one.
 */
export function redactValue(value: unknown, secrets: Redactor, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return secrets.redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof URL) return secrets.redactText(value.href);
  // A cycle is cut where it closes; an object met twice on different branches is redacted twice.
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    return redactObject(value, secrets, seen);
  } finally {
    seen.delete(value);
  }
}

function redactObject(value: object, secrets: Redactor, seen: WeakSet<object>): unknown {
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secrets, seen));
  if (value instanceof Error) return redactError(value, secrets, seen);
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = NAMES.has(key) ? item : isSensitiveHeader(key) && item !== undefined ? REDACTED : redactValue(item, secrets, seen);
  }
  return out;
}

function redactError(error: Error, secrets: Redactor, seen: WeakSet<object>): Error {
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Error;
  for (const [key, item] of Object.entries(error)) (copy as unknown as Record<string, unknown>)[key] = redactValue(item, secrets, seen);
  Object.defineProperty(copy, 'message', { value: secrets.redactText(error.message), enumerable: false, writable: true, configurable: true });
  if (error.stack !== undefined) Object.defineProperty(copy, 'stack', { value: secrets.redactText(error.stack), enumerable: false, writable: true, configurable: true });
  if (error.cause !== undefined) Object.defineProperty(copy, 'cause', { value: redactValue(error.cause, secrets, seen), enumerable: false, writable: true, configurable: true });
  return copy;
}
