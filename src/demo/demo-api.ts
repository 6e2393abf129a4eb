import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A small stand-in for Spotify's accounts service and Web API, on loopback, so stepwatch can be
 * tried with no credentials and no internet. Self-contained: it imports nothing of stepwatch.
 */
export interface DemoApi {
  url: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

export interface DemoApiOptions {
  host?: string;
  port?: number;
  /** Share of calls to the flaky endpoint that fail; default 0.2. */
  flakyFailureRate?: number;
}

const TOKEN_TTL_S = 3600;

export async function startDemoApi(options: DemoApiOptions = {}): Promise<DemoApi> {
  const clientId = 'stepwatch-demo';
  const clientSecret = `demo-secret-${randomBytes(12).toString('hex')}`;
  const tokens = new Map<string, number>();
  const outages = new Map<string, number>();
  const flakyRate = options.flakyFailureRate ?? 0.2;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://demo');
    const outage = outages.get(url.pathname);
    if (outage !== undefined && !url.pathname.startsWith('/demo/')) return send(res, outage, { error: { status: outage, message: 'demo outage' } });
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'POST /api/token':
        return void readBody(req).then((body) => token(req, res, body));
      case 'GET /v1/browse/new-releases':
        return withBearer(req, res, () => send(res, 200, newReleases(Number(url.searchParams.get('limit') ?? 20))));
      case 'GET /v1/browse/featured-playlists':
        return withBearer(req, res, () =>
          Math.random() < flakyRate
            ? send(res, 503, { error: { status: 503, message: 'Service unavailable (the demo fails now and then)' } })
            : send(res, 200, { message: 'Editor\'s picks', playlists: { items: [{ id: 'pl1', name: 'Morning Commute' }], total: 1 } }),
        );
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
  });

  function token(req: IncomingMessage, res: ServerResponse, body: string): void {
    const form = new URLSearchParams(body);
    if (!clientAuthenticated(req.headers.authorization, form)) {
      return send(res, 401, { error: 'invalid_client', error_description: 'Invalid client' });
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return send(res, 400, { error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' });
    }
    const accessToken = randomBytes(24).toString('base64url');
    tokens.set(accessToken, Date.now() + TOKEN_TTL_S * 1000);
    send(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: TOKEN_TTL_S });
  }

  function clientAuthenticated(header: string | undefined, form: URLSearchParams): boolean {
    // RFC 6749 2.3.1: Basic credentials are form-encoded before base64.
    if (header?.startsWith('Basic ')) {
      const [id = '', secret = ''] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':').map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
      return id === clientId && safeEqual(secret, clientSecret);
    }
    return form.get('client_id') === clientId && safeEqual(form.get('client_secret') ?? '', clientSecret);
  }

  function withBearer(req: IncomingMessage, res: ServerResponse, handler: () => void): void {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const expires = token ? tokens.get(token) : undefined;
    if (!expires || expires < Date.now()) return send(res, 401, { error: { status: 401, message: 'Invalid access token' } });
    handler();
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    clientId,
    clientSecret,
    close: () => new Promise((resolve) => server.close(() => resolve())),
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

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
