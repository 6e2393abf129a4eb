// The API one test cluster monitors, on 127.0.0.1: GET /tick counts the runs of the counting
// monitors, and POST /token is an OAuth2 token endpoint that rotates the refresh token on every
// use and answers invalid_grant to a token already spent (RFC 6749 5.2; the reuse detection of the
// OAuth 2.0 Security BCP, 4.14.2). Both name the instance that called (the monitors send
// STEPWATCH_INSTANCE), so the test sees who ran what and when.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { json, startHttpServer } from '../../support/servers.js';
import type { TestServer } from '../../support/servers.js';
import type { Call } from './tick-ledger.js';

/** The name the token monitor's exchanges are counted under. */
export const TOKEN_MONITOR = 'token-rotation';

/** One use of a refresh token at the token endpoint. */
export interface Exchange {
  at: number;
  instance: string;
  presented: string;
  /** The token in force when it was presented. */
  inForce: string;
  answer: 'rotated' | 'invalid_grant';
}

export interface ClusterApi extends TestServer {
  calls: Call[];
  exchanges: Exchange[];
  /** The refresh token the monitors start with (REFRESH_TOKEN). */
  firstRefreshToken: string;
}

const newRefreshToken = () => `rotating-refresh-${randomBytes(12).toString('hex')}`;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

export async function startClusterApi(): Promise<ClusterApi> {
  const calls: Call[] = [];
  const exchanges: Exchange[] = [];
  const firstRefreshToken = newRefreshToken();
  let inForce = firstRefreshToken;

  const exchange = async (req: IncomingMessage, res: ServerResponse, at: number) => {
    const form = new URLSearchParams(await readBody(req));
    const presented = form.get('refresh_token') ?? '';
    const instance = form.get('instance') ?? '?';
    calls.push({ monitor: TOKEN_MONITOR, instance, at });
    if (form.get('grant_type') !== 'refresh_token' || presented !== inForce) {
      exchanges.push({ at, instance, presented, inForce, answer: 'invalid_grant' });
      json(res, 400, { error: 'invalid_grant', error_description: 'refresh token already used or unknown' });
      return;
    }
    exchanges.push({ at, instance, presented, inForce, answer: 'rotated' });
    inForce = newRefreshToken();
    json(res, 200, { access_token: `access-${randomBytes(12).toString('hex')}`, token_type: 'Bearer', expires_in: 3600, refresh_token: inForce }, { 'cache-control': 'no-store' });
  };

  const server = await startHttpServer((req, res) => {
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'POST' && url.pathname === '/token') {
      void exchange(req, res, at);
      return;
    }
    if (url.pathname === '/tick') {
      calls.push({ monitor: url.searchParams.get('monitor') ?? '?', instance: url.searchParams.get('instance') ?? '?', at });
      json(res, 200, { counted: true });
      return;
    }
    json(res, 404, { error: 'not found' });
  });
  return { ...server, calls, exchanges, firstRefreshToken };
}
