import type { IncomingHttpHeaders } from 'node:http';
import { bodyText } from './body-text.js';

/** A response as extractions and assertions see it; the body is decoded (by its charset) and parsed at most once. */
export interface ResponseView {
  status: number;
  durationMs: number;
  header(name: string): string | undefined;
  text(): string;
  /** The body as JSON, or `undefined` with the parse error's message. */
  json(): { value: unknown } | { error: string };
}

export function responseView(status: number, headers: IncomingHttpHeaders, body: Buffer, durationMs: number): ResponseView {
  let text: string | undefined;
  let parsed: { value: unknown } | { error: string } | undefined;
  return {
    status,
    durationMs,
    header(name) {
      const value = headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(', ') : value;
    },
    text() {
      const contentType = headers['content-type'];
      text ??= bodyText(body, Array.isArray(contentType) ? contentType[0] : contentType);
      return text;
    },
    json() {
      if (!parsed) {
        try {
          const value = JSON.parse(this.text()) as unknown;
          parsed = nestsDeeperThan(value, MAX_JSON_DEPTH)
            ? { error: `the body nests deeper than ${MAX_JSON_DEPTH} levels (stepwatch's bound for JSON answers)` }
            : { value };
        } catch (error) {
          parsed = { error: `the body is not JSON (${(error as Error).message})` };
        }
      }
      return parsed;
    },
  };
}

/**
 * JSON answers nesting deeper than this are refused: JSON.stringify and comparisons recurse, and a
 * body nested 100,000 levels deep overflowed the stack (issue 9). Sizes are bounded by the 10 MiB body cap.
 */
export const MAX_JSON_DEPTH = 1_000;

/**
 * Whether `value` has more than `limit` levels of arrays and objects. Recursive (at most `limit`
 * frames deep) and testing a child before calling for it: a walk level by level allocated an array
 * per level and per object, and cost three times as much on a 200 KB answer (docs/performance.md).
 */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  return typeof value === 'object' && value !== null && containerDeeperThan(value, limit);
}

function containerDeeperThan(container: object, limit: number): boolean {
  if (limit === 0) return true;
  if (Array.isArray(container)) {
    for (const child of container as unknown[]) if (typeof child === 'object' && child !== null && containerDeeperThan(child, limit - 1)) return true;
  } else {
    for (const key in container) {
      const child = (container as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null && containerDeeperThan(child, limit - 1)) return true;
    }
  }
  return false;
}
