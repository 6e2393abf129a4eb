import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { DemoAuthorizationServer } from './demo-authorization-server.js';

/**
 * A small stand-in for Spotify's accounts service and Web API, on loopback, so stepwatch can be
 * tried with no credentials and no internet. Self-contained: it imports nothing of stepwatch.
 */
export interface DemoApi {
  url: string;
  /** The same API over HTTPS with the demo's self-signed certificate. */
  tlsUrl: string;
  clientId: string;
  clientSecret: string;
  /** A fresh refresh token for the demo user, as `stepwatch authorize` would obtain. */
  issueRefreshToken(): string;
  close(): Promise<void>;
}

export interface DemoApiOptions {
  host?: string;
  port?: number;
  /** The demo client's secret; random when not given. */
  clientSecret?: string;
  /** Share of calls to the flaky endpoint that fail; default 0.2. */
  flakyFailureRate?: number;
}

export async function startDemoApi(options: DemoApiOptions = {}): Promise<DemoApi> {
  const auth = new DemoAuthorizationServer(options.clientSecret);
  const outages = new Map<string, number>();
  const flakyRate = options.flakyFailureRate ?? 0.2;

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://demo');
    const outage = outages.get(url.pathname);
    if (outage !== undefined && !url.pathname.startsWith('/demo/')) return send(res, outage, { error: { status: outage, message: 'demo outage' } });
    const withToken = (handler: (user: string | undefined) => void, needsUser = false) => {
      const grant = auth.verify(req.headers.authorization);
      if (!grant || (needsUser && !grant.user)) return send(res, 401, { error: { status: 401, message: grant ? 'This endpoint needs a user token' : 'Invalid access token' } });
      handler(grant.user);
    };
    switch (`${req.method} ${url.pathname}`) {
      case 'GET /authorize': {
        const answer = auth.authorize(url.searchParams);
        if ('redirect' in answer) {
          res.writeHead(302, { location: answer.redirect });
          return res.end();
        }
        return send(res, answer.status, answer.body);
      }
      case 'POST /api/token':
        return void readBody(req).then((body) => {
          const answer = auth.token(req.headers.authorization, new URLSearchParams(body));
          send(res, answer.status, answer.body);
        });
      case 'GET /v1/browse/new-releases':
        return withToken(() => send(res, 200, newReleases(Number(url.searchParams.get('limit') ?? 20))));
      case 'GET /v1/browse/featured-playlists':
        return withToken(() =>
          Math.random() < flakyRate
            ? send(res, 503, { error: { status: 503, message: 'Service unavailable (the demo fails now and then)' } })
            : send(res, 200, { message: 'Editor\'s picks', playlists: { items: [{ id: 'pl1', name: 'Morning Commute' }], total: 1 } }),
        );
      case 'GET /v1/me':
        return withToken((user) => send(res, 200, { id: user, display_name: 'Demo User', product: 'premium' }), true);
      case 'POST /demo/outage':
        return void readBody(req).then((body) => {
          const { path = '', status = 503 } = JSON.parse(body || '{}') as { path?: string; status?: number };
          outages.set(path, status);
          send(res, 200, { outages: Object.fromEntries(outages) });
        });
      case 'DELETE /demo/outage':
        outages.clear();
        return send(res, 200, { outages: {} });
      default:
        return send(res, 404, { error: { status: 404, message: 'Not found' } });
    }
  };
  const server = http.createServer(handler);
  // The same API over HTTPS, with a self-signed certificate (tls/README.md), for the TLS phases and expiry.
  const tls = https.createServer({ key: readFileSync(new URL('../../src/demo/tls/demo-key.pem', import.meta.url)), cert: readFileSync(new URL('../../src/demo/tls/demo-cert.pem', import.meta.url)) }, handler);

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  await new Promise<void>((resolve) => tls.listen(0, host, resolve));
  const portOf = (s: http.Server) => (s.address() as AddressInfo).port;
  return {
    url: `http://${host}:${portOf(server)}`,
    tlsUrl: `https://${host}:${portOf(tls)}`,
    clientId: auth.clientId,
    clientSecret: auth.clientSecret,
    issueRefreshToken: () => auth.issueRefreshToken(),
    close: async () => {
      await new Promise<void>((resolve) => tls.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function newReleases(limit: number) {
  const count = Math.max(1, Math.min(Number.isFinite(limit) ? limit : 20, 50));
  const items = Array.from({ length: count }, (_, i) => ({
    id: `album${i + 1}`,
    name: `Demo Album ${i + 1}`,
    album_type: 'album',
    artists: [{ id: `artist${i + 1}`, name: `Demo Artist ${i + 1}` }],
    release_date: '2026-11-20',
  }));
  return { albums: { href: '/v1/browse/new-releases', items, limit: count, offset: 0, total: 100 } };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'x-request-id': randomBytes(8).toString('hex') });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}
