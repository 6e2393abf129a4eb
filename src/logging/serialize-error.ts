/**
 * Errors as log fields: type, message, code and cause always, the stack only when asked (at
 * debug; the contract's Logs section), since a stack is long and can quote values. The logger
 * redacts these fields like any others, so a secret in a message or stack is hidden.
 */
export function serializeError(error: Error, withStack: boolean, depth = 0): Record<string, unknown> {
  const fields: Record<string, unknown> = { type: error.name, message: error.message };
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined) fields.code = code;
  if (error.cause !== undefined && depth < 3) {
    fields.cause = error.cause instanceof Error ? serializeError(error.cause, withStack, depth + 1) : String(error.cause);
  }
  if (withStack && error.stack) fields.stack = error.stack;
  return fields;
}

/**
 * The arguments of one log call with their Errors serialised: a field holding an Error
 * (`{ err }`), or an Error logged on its own, which pino files under `err` with its message as
 * the log message.
 */
export function serializeErrorArgs(args: unknown[], withStack: boolean): unknown[] {
  const [first, ...rest] = args;
  if (first instanceof Error) return [{ err: serializeError(first, withStack) }, ...(rest.length > 0 ? rest : [first.message])];
  if (first === null || typeof first !== 'object' || Array.isArray(first)) return args;
  const entries = Object.entries(first);
  if (!entries.some(([, value]) => value instanceof Error)) return args;
  const fields = Object.fromEntries(entries.map(([key, value]) => [key, value instanceof Error ? serializeError(value, withStack) : value]));
  return [fields, ...rest];
}
