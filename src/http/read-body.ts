import type { IncomingMessage } from 'node:http';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { ClientAbort } from './classify-error.js';
import { failure } from '../core/failure.js';

const DECODERS: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * Reads a response body, decoded per Content-Encoding, and aborts once it passes `maxBytes`
 * (counted after decoding, so a small gzip bomb cannot slip past the cap). The answer to a HEAD
 * has no body whatever its Content-Length says (RFC 9110 9.3.2), so only the bytes count there.
 * Plain listeners rather than `for await`: the async iterator's promise per chunk cost more than
 * the rest of reading a few-KB answer (docs/performance.md).
 */
export function readBody(response: IncomingMessage, maxBytes: number, isHead = false): Promise<Buffer> {
  const declared = Number(response.headers['content-length']);
  if (!isHead && Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  const encoding = String(response.headers['content-encoding'] ?? '').trim().toLowerCase();
  const decoder = DECODERS[encoding]?.();
  const source: Readable = decoder ? (response.pipe(decoder) as unknown as Readable) : response;
  if (decoder) response.on('error', (error) => source.destroy(error));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      source.destroy();
      if (decoder && !(error instanceof ClientAbort) && (error as NodeJS.ErrnoException).code?.startsWith('Z_')) {
        reject(new ClientAbort(failure('protocol', `response body is not valid ${encoding}: ${(error as Error).message}`)));
      } else reject(error);
    };
    source.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxBytes) fail(tooLarge(maxBytes));
      else chunks.push(chunk);
    });
    source.on('error', fail);
    // Closed with neither an end nor an error (destroyed from elsewhere): as cut short.
    source.on('close', () => {
      // After 'end' (the usual case) there is nothing to say, and an error costs a stack trace.
      if (!settled) fail(new ClientAbort(failure('protocol', 'response ended before the body was complete')));
    });
    source.on('end', () => {
      if (settled) return;
      settled = true;
      // A body cut short by the server ends the stream without an error; `complete` tells the truth.
      if (!response.complete) reject(new ClientAbort(failure('protocol', 'response ended before the body was complete')));
      else resolve(Buffer.concat(chunks, size));
    });
  });
}

function tooLarge(maxBytes: number): ClientAbort {
  return new ClientAbort(failure('body_too_large', `response body exceeds ${Math.round(maxBytes / 1024 / 1024)} MiB`));
}
