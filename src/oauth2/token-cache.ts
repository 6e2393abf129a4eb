import { createHash } from 'node:crypto';
import type { TokenSet } from './token-response.js';

/** Reused tokens are given up this long before they expire, so no request carries a dying token. */
export const REUSE_MARGIN_MS = 60_000;

interface CachedToken {
  tokens: TokenSet;
  expiresAt: number;
}

/**
 * Access tokens kept for `reuseToken: true`. The key covers everything that makes a token
 * different (token URL, client, grant, scope, extra params), so different clients or scopes
 * never share one; the client secret enters only as a hash.
 */
export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();

  constructor(private readonly now: () => number = Date.now) {}

  static key(parts: { tokenUrl: string; clientId: string; clientSecret?: string; grant: string; scope?: string; params: Array<[string, string]> }): string {
    const secret = parts.clientSecret === undefined ? '' : createHash('sha256').update(parts.clientSecret).digest('hex');
    return JSON.stringify([parts.tokenUrl, parts.clientId, secret, parts.grant, parts.scope ?? '', [...parts.params].sort()]);
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
