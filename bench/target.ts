// The benchmark target, run in its own process so the benchmarks count the client's CPU alone.
// A token endpoint that checks Basic client credentials and the form, and issues a random token
// per request; an API that answers only a token it issued: a small body (/items) and the
// Spotify-shaped new releases (/v1/browse/new-releases?limit=N, N sets the size). GET /stats
// counts the API answers given with a valid token. Prints its URL, then serves.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { newReleases } from './spotify-bodies.js';

const CLIENT_ID = 'bench';
const CLIENT_SECRET = 'bench-secret';
const BASIC = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;
const ITEMS = JSON.stringify({ items: Array.from({ length: 5 }, (_, i) => ({ id: `item${i}`, name: `Item ${i}`, price: i * 10 })), total: 5 });
const RELEASES = new Map<number, Buffer>();
/** Tokens issued, by generation: a generation is dropped after two minutes so memory stays flat. */
let tokens = new Set<string>();
let previousTokens = new Set<string>();
let answered = 0;
setInterval(() => {
  previousTokens = tokens;
  tokens = new Set();
}, 60_000).unref();

function json(res: http.ServerResponse, status: number, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function issueToken(req: http.IncomingMessage, res: http.ServerResponse): void {
  let form = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (form += chunk));
  req.on('end', () => {
    if (req.headers.authorization !== BASIC) return json(res, 401, '{"error":"invalid_client"}');
    if (new URLSearchParams(form).get('grant_type') !== 'client_credentials') return json(res, 400, '{"error":"unsupported_grant_type"}');
    const token = randomBytes(24).toString('base64url');
    tokens.add(token);
    json(res, 200, JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 3600 }));
  });
}

function authorized(req: http.IncomingMessage): boolean {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Bearer ')) return false;
  const token = header.slice('Bearer '.length);
  return tokens.has(token) || previousTokens.has(token);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://target');
  const delay = Number(url.searchParams.get('delay') ?? 0);
  const answer = () => {
    if (url.pathname === '/api/token' && req.method === 'POST') return issueToken(req, res);
    if (url.pathname === '/stats') return json(res, 200, JSON.stringify({ answered }));
    if (url.pathname !== '/items' && url.pathname !== '/v1/browse/new-releases') return json(res, 404, '{}');
    if (!authorized(req)) return json(res, 401, '{"error":{"status":401,"message":"Invalid access token"}}');
    answered++;
    if (url.pathname === '/items') return json(res, 200, ITEMS);
    const limit = Number(url.searchParams.get('limit') ?? 20);
    let body = RELEASES.get(limit);
    if (!body) RELEASES.set(limit, (body = Buffer.from(newReleases(limit))));
    json(res, 200, body);
  };
  if (delay > 0) setTimeout(answer, delay);
  else answer();
});
server.keepAliveTimeout = 1;
server.maxConnections = 100_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
