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

/** OpenSSL's certificate verification results, as Node names them in `code` (X509_V_ERR_* without the prefix). */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'HOSTNAME_MISMATCH',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'OUT_OF_MEM',
]);

/**
 * A handshake or certificate failure, judged by the error's code only: a peer that closes the
 * connection during the handshake gives ECONNRESET with a message that mentions TLS, and that
 * is a `connection` fault (the contract keeps `tls` for handshake and certificate failures).
 */
function isTlsError(code: string): boolean {
  return (
    code.startsWith('ERR_TLS_') ||
    code.startsWith('ERR_SSL_') ||
    code.startsWith('UNABLE_TO_') ||
    code.startsWith('ERROR_IN_') ||
    code.includes('CERT') ||
    code.includes('CRL') ||
    CERTIFICATE_CODES.has(code)
  );
}

/**
 * The alerts a server sends when it wants a client certificate and got none, or one it does not
 * trust (RFC 8446 6.2): with TLS 1.3 they arrive after the client thinks the handshake is done.
 */
const CLIENT_CERTIFICATE_REFUSED = /^ERR_SSL_(TLSV13_ALERT_CERTIFICATE_REQUIRED|SSLV3_ALERT_BAD_CERTIFICATE|TLSV1_ALERT_UNKNOWN_CA|SSLV3_ALERT_CERTIFICATE_UNKNOWN|TLSV1_ALERT_ACCESS_DENIED)$/;

/** Node refuses, by throwing, to send a header value or name it cannot put on the wire. */
const UNSENDABLE_CODES = new Set(['ERR_INVALID_CHAR', 'ERR_HTTP_INVALID_HEADER_VALUE', 'ERR_INVALID_HTTP_TOKEN']);

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
  if (UNSENDABLE_CODES.has(code)) return failure('template', `a rendered value cannot be sent: ${message}`);
  if (CLIENT_CERTIFICATE_REFUSED.test(code)) return failure('tls', `the server refused the client certificate: ${code} (${message}); check tls.cert and tls.key, and that the server trusts their CA`);
  if (isTlsError(code) && !answered) return failure('tls', `TLS handshake failed: ${code} (${message})`);
  if (code.startsWith('HPE_')) return failure('protocol', `invalid HTTP response: ${message}`);
  if (answered) return failure('protocol', `response ended before it was complete: ${code || message}`);
  if (CONNECTION_CODES.has(code) || message === 'socket hang up') {
    return failure('connection', `connection failed: ${code || message}`);
  }
  // Network errors carry a code; one without is a fault of stepwatch itself, and says so.
  if (!code) return failure('internal', `stepwatch failed while sending the request (${err instanceof Error ? `${err.name}: ` : ''}${message}); please report it`);
  return failure('connection', `request failed: ${code} ${message}`);
}

function hostOf(err: NodeJS.ErrnoException & { hostname?: string }): string {
  return err.hostname ?? 'the host';
}
