import { createHash } from 'node:crypto';
import type { TokenSet } from './token-response.js';

/** Reused tokens are given up this long before they expire, so no request carries a dying token. */
export const REUSE_MARGIN_MS = 60_000;

interface CachedToken {
  tokens: TokenSet;
  expiresAt: number;
}

/** Everything that makes the server hand out a different token: what a reused token is keyed by. */
export interface TokenIdentity {
  tokenUrl: string;
  clientId: string;
  clientSecret?: string;
  grant: string;
  scope?: string;
  /** Extra form parameters (audience, resource...), in any order. */
  params: Array<[string, string]>;
  /**
   * For the refresh_token grant, the refresh-token store slot the token comes from (monitor and
   * step): the user a token acts for. The slot, not the token itself, since the token rotates on
   * every exchange while the user stays the same.
   */
  refreshTokenSlot?: string;
}

/**
 * Access tokens kept for `reuseToken: true`. The key covers everything that makes a token
 * different (token URL, client, grant, scope, extra params, the user of a refresh token), so
 * different clients, scopes or users never share one; the client secret enters only as a hash.
 */
export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();

  constructor(private readonly now: () => number = Date.now) {}

  static key(identity: TokenIdentity): string {
    const hash = (value: string | undefined) => (value === undefined ? '' : createHash('sha256').update(value).digest('hex'));
    const params = identity.params.map(([name, value]) => JSON.stringify([name, value])).sort();
    return JSON.stringify([identity.tokenUrl, identity.clientId, hash(identity.clientSecret), identity.grant, identity.scope ?? '', params, identity.refreshTokenSlot ?? '']);
  }

  get(key: string): TokenSet | undefined {
    const cached = this.tokens.get(key);
    if (!cached) return undefined;
    if (cached.expiresAt - REUSE_MARGIN_MS <= this.now()) {
      this.tokens.delete(key);
      return undefined;
    }
    return cached.tokens;
  }

  /** Keeps a token; one without expires_in is not reused, as its lifetime is unknown. */
  put(key: string, tokens: TokenSet): void {
    if (tokens.expiresIn === undefined) return;
    this.tokens.set(key, { tokens, expiresAt: this.now() + tokens.expiresIn * 1000 });
  }

  drop(key: string): void {
    this.tokens.delete(key);
  }
}
