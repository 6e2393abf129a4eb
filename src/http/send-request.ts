import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { StepFailure } from '../core/failure.js';
import { failure } from '../core/failure.js';
import type { PhaseTimings } from '../core/results.js';
import { ClientAbort, classifyError } from './classify-error.js';
import { readBody } from './read-body.js';
import { earliestChainExpiry } from './certificate-expiry.js';
import { emptyPhases, startPhaseClock } from './phases.js';
import { isSensitiveHeader } from './wire-format.js';
import type { LookupFunction } from 'node:net';
import { secureContextFor } from './client-tls.js';
import type { ClientTls } from './client-tls.js';

export const MAX_BODY_BYTES = 10 * 1024 * 1024;
export const MAX_REDIRECTS = 10;

export interface HttpRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: Buffer;
  timeoutMs: number;
  followRedirects: boolean;
  insecureSkipVerify: boolean;
  /** Extra trusted CAs and a client certificate (mutual TLS), for https. */
  clientTls?: ClientTls;
  maxBodyBytes?: number;
  /** What to say when the timeout fires: the step's own limit or the run's remaining budget (built only then). */
  timeoutMessage?: () => string;
  /** Headers (lower case) that carry a secret though their names do not say so, e.g. an API key. */
  secretHeaders?: readonly string[];
  /** Resolves host names instead of the system resolver (dns.lookup); tests inject one. */
  lookup?: LookupFunction;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  url: URL;
}

/** The outcome of one request: the response or a classified failure, with timings either way. */
export interface HttpOutcome {
  response?: HttpResponse;
  failure?: StepFailure;
  /** The status of the answer when the failure came after it (e.g. an oversized body). */
  status?: number;
  durationMs: number;
  phases: PhaseTimings;
  tlsCertExpiresAt?: number;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Sends a request on a fresh connection per hop (no keep-alive, so connect and TLS are measured
 * every time), follows redirects, and turns every fault into a classified failure.
 */
export async function sendRequest(request: HttpRequest): Promise<HttpOutcome> {
  const started = performance.now();
  const deadline = started + request.timeoutMs;
  const phases = emptyPhases();
  let current: Hop = { method: request.method, url: request.url, headers: { ...request.headers }, body: request.body };
  let tlsCertExpiresAt: number | undefined;
  for (let hop = 0; ; hop++) {
    const remaining = deadline - performance.now();
    const hopResult = await sendOnce(current, request, Math.max(remaining, 0), phases);
    // Over redirects, the earliest expiry of every https hop the step went through.
    if (hopResult.tlsCertExpiresAt !== undefined) tlsCertExpiresAt = Math.min(hopResult.tlsCertExpiresAt, tlsCertExpiresAt ?? Infinity);
    const done = (extra: Partial<HttpOutcome>): HttpOutcome => ({
      durationMs: performance.now() - started,
      phases,
      tlsCertExpiresAt,
      ...extra,
    });
    if (!hopResult.response) return done({ failure: hopResult.failure, status: hopResult.status });
    const response = hopResult.response;
    const location = response.headers.location;
    if (!request.followRedirects || !REDIRECT_STATUSES.has(response.status) || !location) return done({ response });
    if (hop >= MAX_REDIRECTS) {
      return done({ failure: failure('protocol', `too many redirects (more than ${MAX_REDIRECTS})`), status: response.status });
    }
    const target = resolveLocation(location, current.url);
    if (!target) return done({ failure: failure('protocol', `the redirect's Location '${location}' is not a URL`), status: response.status });
    current = nextHop(current, response.status, target, request.secretHeaders ?? []);
  }
}

/** RFC 9110 10.2.2: Location is a URI reference, resolved against the URL that answered. */
function resolveLocation(location: string, base: URL): URL | undefined {
  try {
    return new URL(location, base);
  } catch {
    return undefined;
  }
}

type Hop = { method: string; url: URL; headers: Record<string, string>; body?: Buffer };

function nextHop(previous: Hop, status: number, url: URL, secretHeaders: readonly string[]): Hop {
  // RFC 9110 15.4: 303 always becomes GET; 301/302 after POST do so in every browser.
  const becomesGet = status === 303 || ((status === 301 || status === 302) && previous.method === 'POST');
  const headers = { ...previous.headers };
  if (url.origin !== previous.url.origin) {
    // Credentials meant for one origin are not handed to another.
    for (const name of Object.keys(headers)) if (isSensitiveHeader(name) || secretHeaders.includes(name.toLowerCase())) delete headers[name];
  }
  if (becomesGet) {
    for (const name of Object.keys(headers)) if (/^content-(type|length)$/i.test(name)) delete headers[name];
    return { method: previous.method === 'HEAD' ? 'HEAD' : 'GET', url, headers };
  }
  return { ...previous, url, headers };
}

interface HopResult {
  response?: HttpResponse;
  failure?: StepFailure;
  status?: number;
  tlsCertExpiresAt?: number;
}

function sendOnce(hop: Hop, request: HttpRequest, timeoutMs: number, phases: PhaseTimings): Promise<HopResult> {
  return new Promise((resolve) => {
    const isHttps = hop.url.protocol === 'https:';
    if (!isHttps && hop.url.protocol !== 'http:') {
      resolve({ failure: failure('protocol', `unsupported URL scheme ${hop.url.protocol} (use http: or https:)`) });
      return;
    }
    const clock = startPhaseClock();
    let answered = false;
    let status: number | undefined;
    let tlsCertExpiresAt: number | undefined;
    let handshakeDone = false;
    let settled = false;
    const finish = (result: HopResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clock.addTo(phases);
      resolve({ ...result, tlsCertExpiresAt });
    };
    // Each milestone happens once per socket, and the socket serves this request only.
    const watchPhases = <S extends net.Socket>(socket: S): S => {
      socket.on('lookup', () => clock.mark('lookup'));
      socket.on('connect', () => clock.mark('connect'));
      if (isHttps) {
        socket.on('secureConnect', () => {
          handshakeDone = true;
          clock.mark('secure');
          tlsCertExpiresAt = earliestChainExpiry(socket as unknown as TLSSocket);
        });
      }
      return socket;
    };
    const headers: Record<string, string> = { connection: 'close', 'accept-encoding': 'gzip, deflate, br', ...hop.headers };
    if (hop.body) headers['content-length'] = String(hop.body.length);
    // `noDelay` reaches net.createConnection (Node passes request options on); @types/node omits it.
    const options: https.RequestOptions & { noDelay: boolean } = {
      method: hop.method,
      headers,
      // No Agent: `agent: false` builds one per request (maps, listeners, a socket registry) only to
      // open one connection, which costs more than the rest of setting up the request. Opening the
      // socket here does the same with what that Agent would have set: Nagle off, the scheme's port.
      createConnection: (connectOptions) => watchPhases(isHttps ? tls.connect(connectOptions as tls.ConnectionOptions) : net.createConnection(connectOptions as net.NetConnectOpts)),
      noDelay: true,
      defaultPort: isHttps ? 443 : 80,
      ...(request.lookup ? { lookup: request.lookup } : {}),
      ...(isHttps ? { rejectUnauthorized: !request.insecureSkipVerify, servername: serverName(hop.url, headers.host) } : {}),
      ...(isHttps && request.clientTls ? { secureContext: secureContextFor(request.clientTls) } : {}),
    };
    let req: http.ClientRequest;
    try {
      req = (isHttps ? https : http).request(hop.url, options);
    } catch (error) {
      // Node refuses to send some values (a header with CR/LF or a non-Latin-1 character) by throwing.
      clock.addTo(phases);
      resolve({ failure: classifyError(error, false) });
      return;
    }
    const timer = setTimeout(() => {
      const message = request.timeoutMessage?.() ?? `no complete response within ${Math.round(request.timeoutMs)}ms`;
      req.destroy(new ClientAbort(failure('timeout', message)));
    }, timeoutMs);
    req.on('error', (error) => finish({ failure: refusedClientCertificate(classifyError(error, answered), request, handshakeDone, answered), status }));
    req.on('response', (res: IncomingMessage) => {
      answered = true;
      clock.mark('firstByte');
      // Node's parser takes any three digits; below 100 is no HTTP status (RFC 9110 15), and
      // status 0 is what the API and metrics keep for "no answer".
      if ((res.statusCode ?? 0) < 100) {
        req.destroy();
        finish({ failure: failure('protocol', `the status line has code ${String(res.statusCode ?? 0).padStart(3, '0')}, which is not an HTTP status (100-599)`) });
        return;
      }
      status = res.statusCode;
      readBody(res, request.maxBodyBytes ?? MAX_BODY_BYTES, hop.method === 'HEAD').then(
        (body) => {
          clock.mark('end');
          finish({ response: { status: status ?? 0, headers: res.headers, body, url: hop.url } });
        },
        (error: unknown) => {
          req.destroy();
          finish({ failure: classifyError(error, true), status });
        },
      );
    });
    try {
      req.end(hop.body?.toString('latin1'), 'latin1');
    } catch (error) {
      req.destroy();
      finish({ failure: classifyError(error, false) });
    }
  });
}

/**
 * The name sent in the handshake (SNI) and checked against the certificate: the URL's host, or,
 * when that is an IP address, the name of a Host header the step sets (what Node's https Agent
 * does). SNI must not be an IP address (RFC 6066 section 3): then none is sent, and the
 * certificate is checked against the address.
 */
function serverName(url: URL, hostHeader: string | undefined): string | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host) === 0) return host;
  if (hostHeader === undefined) return undefined;
  const close = hostHeader.indexOf(']');
  const named = !hostHeader.startsWith('[') ? hostHeader.split(':', 1)[0] : close === -1 ? hostHeader : hostHeader.slice(1, close);
  return named && net.isIP(named) === 0 ? named : undefined;
}

/**
 * A TLS 1.3 server checks the client certificate after the client considers the handshake done,
 * and when it refuses one it often closes with the client's request still unread, so the client
 * sees a reset instead of the alert. A step that presented a certificate and lost the connection
 * right after the handshake, before any answer, was almost surely refused: say so.
 */
function refusedClientCertificate(classified: StepFailure, request: HttpRequest, handshakeDone: boolean, answered: boolean): StepFailure {
  if (classified.reason !== 'connection' || !handshakeDone || answered || request.clientTls?.cert === undefined) return classified;
  return failure('tls', `the server closed the connection right after the TLS handshake, before answering (${classified.message}): the server refused the client certificate, most likely; check tls.cert and tls.key, and that the server trusts their CA`);
}
