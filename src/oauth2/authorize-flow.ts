import http from 'node:http';
import { sendRequest } from '../http/send-request.js';
import { tokenRequest } from './client-auth.js';
import type { ClientCredentials, TokenTransport } from './client-auth.js';
import { pkcePair, randomState } from './pkce.js';
import { describeOAuthError, readTokenSet } from './token-response.js';

/** Everything the authorization-code flow needs, with templates already filled. */
export interface AuthorizeSettings {
  authorizeUrl: string;
  tokenUrl: string;
  redirectUri: string;
  client: ClientCredentials;
  /** Certificate checks and mutual TLS for the code exchange. */
  transport: TokenTransport;
  scope?: string;
  authorizeParams: Array<[string, string]>;
  timeoutMs: number;
}

/** Why the flow stopped: printed as one line, exit code 1. */
export class AuthorizeError extends Error {}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** RFC 8252 7.3: a native app receives the code on a loopback redirect it listens on itself. */
export function loopbackRedirect(redirectUri: string): URL {
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    throw new AuthorizeError(`redirectUri '${redirectUri}' is not a URL`);
  }
  if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname) || url.port === '') {
    throw new AuthorizeError(`redirectUri '${redirectUri}' must be a loopback http URL with a port, such as http://127.0.0.1:8888/callback, so stepwatch can receive the code itself`);
  }
  return url;
}

/**
 * The authorization-code flow with PKCE (S256) and a random state: listens on the redirect URI,
 * hands `announce` the URL to open, checks state, exchanges the code, and resolves with the
 * refresh token. Rejects with an AuthorizeError on denial, state mismatch, timeout or a failed exchange.
 */
export async function authorizeWithPkce(settings: AuthorizeSettings, announce: (url: string) => void): Promise<{ refreshToken: string; scope?: string }> {
  const redirect = loopbackRedirect(settings.redirectUri);
  const { verifier, challenge } = pkcePair();
  const state = randomState();
  const authorize = new URL(settings.authorizeUrl);
  authorize.searchParams.set('client_id', settings.client.clientId);
  authorize.searchParams.set('response_type', 'code');
  authorize.searchParams.set('redirect_uri', settings.redirectUri);
  if (settings.scope) authorize.searchParams.set('scope', settings.scope);
  authorize.searchParams.set('state', state);
  authorize.searchParams.set('code_challenge_method', 'S256');
  authorize.searchParams.set('code_challenge', challenge);
  for (const [name, value] of settings.authorizeParams) authorize.searchParams.set(name, value);

  let settle: { resolve: (code: string) => void; reject: (error: Error) => void } | undefined;
  const codeArrived = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', settings.redirectUri);
    if (url.pathname !== redirect.pathname) {
      res.writeHead(404).end();
      return;
    }
    const page = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      res.end(`${text}\n`);
    };
    if (url.searchParams.get('state') !== state) {
      page(400, 'stepwatch: the state does not match this authorization; start again.');
      settle?.reject(new AuthorizeError('the redirect carried a state that does not match this authorization (possible CSRF); nothing was stored'));
      return;
    }
    const error = url.searchParams.get('error');
    if (error) {
      page(400, `stepwatch: authorization failed: ${error}. You can close this tab.`);
      settle?.reject(new AuthorizeError(`the authorization server answered ${error}${url.searchParams.get('error_description') ? ` (${url.searchParams.get('error_description')})` : ''}; nothing was stored`));
      return;
    }
    const code = url.searchParams.get('code');
    if (!code) {
      page(400, 'stepwatch: no code in the redirect.');
      settle?.reject(new AuthorizeError('the redirect carried no code; nothing was stored'));
      return;
    }
    page(200, 'stepwatch: authorized. You can close this tab.');
    settle?.resolve(code);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new AuthorizeError(`port ${redirect.port} of the redirect URI is in use; stop what listens there or change redirectUri`) : error),
    );
    server.listen(Number(redirect.port), redirect.hostname.replace(/^\[|\]$/g, ''), resolve);
  });
  const timer = setTimeout(() => settle?.reject(new AuthorizeError(`no redirect arrived within ${Math.round(settings.timeoutMs / 1000)} s; nothing was stored`)), settings.timeoutMs);
  try {
    announce(authorize.toString());
    const code = await codeArrived;
    return await exchangeCode(settings, code, verifier);
  } finally {
    clearTimeout(timer);
    server.closeAllConnections();
    server.close();
  }
}

async function exchangeCode(settings: AuthorizeSettings, code: string, verifier: string): Promise<{ refreshToken: string; scope?: string }> {
  const form: Array<[string, string]> = [['grant_type', 'authorization_code'], ['code', code], ['redirect_uri', settings.redirectUri], ['code_verifier', verifier]];
  const outcome = await sendRequest({ ...(await tokenRequest(settings.tokenUrl, form, settings.client, settings.transport)), timeoutMs: 30_000 });
  if (!outcome.response) throw new AuthorizeError(`the code exchange failed: ${outcome.failure?.message ?? 'no response'}`);
  let json: unknown;
  try {
    json = JSON.parse(outcome.response.body.toString('utf8'));
  } catch {
    json = undefined;
  }
  const tokens = readTokenSet(json);
  if (outcome.response.status !== 200 || !tokens) {
    throw new AuthorizeError(`the token endpoint refused the code (HTTP ${outcome.response.status}${describeOAuthError(json) ? `: ${describeOAuthError(json)}` : ''})`);
  }
  if (!tokens.refreshToken) throw new AuthorizeError('the token endpoint issued no refresh token (some providers need a scope such as offline_access)');
  const scope = (json as { scope?: unknown }).scope;
  return { refreshToken: tokens.refreshToken, ...(typeof scope === 'string' ? { scope } : {}) };
}
