import type { IncomingHttpHeaders } from 'node:http';
import type { ResponseExcerpt } from '../core/results.js';

export const EXCERPT_BYTES = 4096;

/** The first 4 KiB of a failed step's answer; redaction happens where results leave the run. */
export function responseExcerpt(status: number, headers: IncomingHttpHeaders, body: string): ResponseExcerpt {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const bytes = Buffer.from(body, 'utf8');
  const truncated = bytes.length > EXCERPT_BYTES;
  return { status, headers: flat, body: truncated ? bytes.subarray(0, EXCERPT_BYTES).toString('utf8') : body, truncated };
}
