import type { StepFailure } from '../core/failure.js';
import { failure } from '../core/failure.js';

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
  'EADDRNOTAVAIL',
  'UND_ERR_SOCKET',
]);

/** Raised by our own client to say why it gave up; anything else is a Node network error. */
export class ClientAbort extends Error {
  constructor(readonly failure: StepFailure) {
    super(failure.message);
  }
}

function isTlsError(code: string, message: string): boolean {
  return (
    code.startsWith('ERR_TLS_') ||
    code.startsWith('ERR_SSL_') ||
    code.includes('CERT') ||
    code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
    code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
    /ssl|tls|certificate/i.test(message)
  );
}

/**
 * Maps a Node network error to the contract's reasons. `answered` tells whether response headers
 * had arrived: a connection lost before any answer is `connection`, after it the response is
 * incomplete, which is a `protocol` fault.
 */
export function classifyError(error: unknown, answered: boolean): StepFailure {
  if (error instanceof ClientAbort) return error.failure;
  const err = error as NodeJS.ErrnoException;
  const code = typeof err?.code === 'string' ? err.code : '';
  const message = err?.message ?? String(error);
  if (DNS_CODES.has(code)) return failure('dns', `DNS lookup failed for ${hostOf(err)}: ${code}`);
  if (isTlsError(code, message) && !answered) return failure('tls', `TLS handshake failed: ${code || message}`);
  if (code.startsWith('HPE_')) return failure('protocol', `invalid HTTP response: ${message}`);
  if (answered) return failure('protocol', `response ended before it was complete: ${code || message}`);
  if (CONNECTION_CODES.has(code) || message === 'socket hang up') {
    return failure('connection', `connection failed: ${code || message}`);
  }
  return failure('connection', `request failed: ${code ? `${code} ` : ''}${message}`);
}

function hostOf(err: NodeJS.ErrnoException & { hostname?: string }): string {
  return err.hostname ?? 'the host';
}
