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
          parsed = { value: JSON.parse(this.text()) as unknown };
        } catch (error) {
          parsed = { error: `the body is not JSON (${(error as Error).message})` };
        }
      }
      return parsed;
    },
  };
}
