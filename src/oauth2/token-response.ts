/** What a token endpoint answered, read as RFC 6749 sections 5.1 and 5.2 describe it. */
export interface TokenSet {
  accessToken: string;
  tokenType: string;
  expiresIn?: number;
  refreshToken?: string;
}

export function readTokenSet(json: unknown): TokenSet | undefined {
  if (json === null || typeof json !== 'object') return undefined;
  const body = json as Record<string, unknown>;
  if (typeof body.access_token !== 'string' || body.access_token === '') return undefined;
  const expiresIn = Number(body.expires_in);
  return {
    accessToken: body.access_token,
    tokenType: typeof body.token_type === 'string' ? body.token_type : 'Bearer',
    ...(Number.isFinite(expiresIn) && body.expires_in !== undefined ? { expiresIn } : {}),
    ...(typeof body.refresh_token === 'string' && body.refresh_token !== '' ? { refreshToken: body.refresh_token } : {}),
  };
}

/** "invalid_client (Invalid client)" from an RFC 6749 5.2 error answer, or undefined. */
export function describeOAuthError(json: unknown): string | undefined {
  if (json === null || typeof json !== 'object') return undefined;
  const { error, error_description: description } = json as Record<string, unknown>;
  if (typeof error !== 'string') return undefined;
  return typeof description === 'string' && description !== '' ? `${error} (${description})` : error;
}
