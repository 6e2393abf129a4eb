import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const TOKEN_TTL_S = 3600;

export interface DemoAnswer {
  status: number;
  body: unknown;
}

interface AccessToken {
  expiresAt: number;
  /** The user a token acts for; undefined for client-credentials tokens. */
  user?: string;
}

interface PendingCode {
  redirectUri: string;
  challenge: string;
  scope: string;
  expiresAt: number;
}

/**
 * The demo's OAuth2 authorization server, modelled on Spotify's accounts service: client
 * credentials, authorization code with PKCE (S256 only), and refresh tokens that rotate (the old
 * one stops working as soon as a new one is issued). All state is in memory.
 */
export class DemoAuthorizationServer {
  readonly clientId = 'stepwatch-demo';
  readonly clientSecret: string;
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly refreshTokens = new Map<string, { user: string; scope: string }>();
  private readonly codes = new Map<string, PendingCode>();

  /** A random client secret unless one is given (to try `stepwatch authorize` against the demo). */
  constructor(clientSecret?: string) {
    this.clientSecret = clientSecret || `demo-secret-${randomBytes(12).toString('hex')}`;
  }

  /** A refresh token issued up front, so the demo's refresh-token monitor runs without `authorize`. */
  issueRefreshToken(user = 'demo-user', scope = 'user-read-private'): string {
    const token = `demo-refresh-${randomBytes(18).toString('base64url')}`;
    this.refreshTokens.set(token, { user, scope });
    return token;
  }

  /** GET /authorize: the demo user always consents, unless the scope asks to be denied. */
  authorize(query: URLSearchParams): { redirect: string } | DemoAnswer {
    const redirectUri = query.get('redirect_uri') ?? '';
    if (query.get('client_id') !== this.clientId) return { status: 400, body: { error: 'invalid_client' } };
    if (query.get('response_type') !== 'code' || query.get('code_challenge_method') !== 'S256' || !query.get('code_challenge')) {
      return { status: 400, body: { error: 'invalid_request', error_description: 'response_type=code with an S256 code_challenge is required' } };
    }
    const target = new URL(redirectUri);
    const state = query.get('state');
    if (state !== null) target.searchParams.set('state', state);
    const scope = query.get('scope') ?? '';
    if (scope.split(' ').includes('deny')) {
      target.searchParams.set('error', 'access_denied');
      return { redirect: target.toString() };
    }
    const code = randomBytes(16).toString('base64url');
    this.codes.set(code, { redirectUri, challenge: query.get('code_challenge') ?? '', scope, expiresAt: Date.now() + 60_000 });
    target.searchParams.set('code', code);
    return { redirect: target.toString() };
  }

  /** POST /api/token, for all three grants. */
  token(authorization: string | undefined, form: URLSearchParams): DemoAnswer {
    if (!this.clientAuthenticated(authorization, form)) return { status: 401, body: { error: 'invalid_client', error_description: 'Invalid client' } };
    switch (form.get('grant_type')) {
      case 'client_credentials':
        return { status: 200, body: this.issue() };
      case 'authorization_code': {
        const code = this.codes.get(form.get('code') ?? '');
        this.codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        if (!code || code.expiresAt < Date.now() || code.redirectUri !== form.get('redirect_uri') || challenge !== code.challenge) {
          return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid authorization code' } };
        }
        return { status: 200, body: { ...this.issue('demo-user'), refresh_token: this.issueRefreshToken('demo-user', code.scope), scope: code.scope } };
      }
      case 'refresh_token': {
        const old = form.get('refresh_token') ?? '';
        const grant = this.refreshTokens.get(old);
        if (!grant) return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid refresh token' } };
        this.refreshTokens.delete(old);
        return { status: 200, body: { ...this.issue(grant.user), refresh_token: this.issueRefreshToken(grant.user, grant.scope), scope: grant.scope } };
      }
      default:
        return { status: 400, body: { error: 'unsupported_grant_type' } };
    }
  }

  /** The access token's grant, if it is valid. */
  verify(authorization: string | undefined): AccessToken | undefined {
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    const grant = token ? this.accessTokens.get(token) : undefined;
    return grant && grant.expiresAt > Date.now() ? grant : undefined;
  }

  private issue(user?: string) {
    const accessToken = randomBytes(24).toString('base64url');
    this.accessTokens.set(accessToken, { expiresAt: Date.now() + TOKEN_TTL_S * 1000, ...(user ? { user } : {}) });
    return { access_token: accessToken, token_type: 'Bearer', expires_in: TOKEN_TTL_S };
  }

  private clientAuthenticated(header: string | undefined, form: URLSearchParams): boolean {
    // RFC 6749 2.3.1: Basic credentials are form-encoded before base64.
    if (header?.startsWith('Basic ')) {
      const [id = '', secret = ''] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':').map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
      return id === this.clientId && safeEqual(secret, this.clientSecret);
    }
    return form.get('client_id') === this.clientId && safeEqual(form.get('client_secret') ?? '', this.clientSecret);
  }
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
