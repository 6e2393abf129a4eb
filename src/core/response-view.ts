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

/** Level by level, without recursion; stops as soon as the limit is passed. */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  let level: object[] = value !== null && typeof value === 'object' ? [value] : [];
  for (let depth = 1; level.length > 0; depth++) {
    if (depth > limit) return true;
    const next: object[] = [];
    for (const node of level) {
      for (const child of Array.isArray(node) ? node : Object.values(node)) if (child !== null && typeof child === 'object') next.push(child as object);
    }
    level = next;
  }
  return false;
}
