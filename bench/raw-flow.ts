// The baseline: the same client-credentials flow written by hand on node:http, doing exactly
// stepwatch's work: fresh connections, the same headers, JSON parsing, and the same checks.
import http from 'node:http';
import { BODIES } from './flow-monitor.js';
import type { BenchBody } from './flow-monitor.js';

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

function send(url: URL, method: string, headers: Record<string, string>, body?: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const all = { connection: 'close', 'accept-encoding': 'gzip, deflate, br', ...headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) };
    const req = http.request(url, { method, headers: all, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Token → extract → bearer call → assertions; returns whether every check held, and the second call's duration. */
export async function rawFlow(base: string, clientId: string, clientSecret: string, body: BenchBody = BODIES['2.4 KB'], query = ''): Promise<{ passed: boolean; callMs: number }> {
  const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
  const token = await send(new URL('/api/token', base), 'POST', { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, 'grant_type=client_credentials');
  const tokenJson = JSON.parse(token.body) as { access_token?: string; token_type?: string; expires_in?: number };
  if (token.status !== 200 || tokenJson.token_type !== 'Bearer' || !(Number(tokenJson.expires_in) > 0) || !tokenJson.access_token) return { passed: false, callMs: 0 };
  const answer = await send(new URL(`${body.path}${query}`, base), 'GET', { authorization: `Bearer ${tokenJson.access_token}` });
  const items = body.items(JSON.parse(answer.body));
  const passed =
    answer.status === 200 &&
    answer.ms < 800 &&
    String(answer.headers['content-type']).includes('application/json') &&
    items?.length === body.count &&
    body.first(items) !== undefined;
  return { passed, callMs: answer.ms };
}
