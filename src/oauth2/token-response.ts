/** What a token endpoint answered, read as RFC 6749 sections 5.1 and 5.2 describe it. */
export interface TokenSet {
  accessToken: string;
  tokenType: string;
  expiresIn?: number;
  refreshToken?: string;
  /** OpenID Connect Core 3.1.3.3: present when the scope asked for openid. */
  idToken?: string;
}

/** The fields of a token answer that are secrets by their name, whatever else the answer holds. */
export const TOKEN_FIELDS = ['access_token', 'refresh_token', 'id_token'] as const;

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
    ...(typeof body.id_token === 'string' && body.id_token !== '' ? { idToken: body.id_token } : {}),
  };
}

/** Every token a token set holds, for the secret set. */
export function tokensOf(tokens: TokenSet): string[] {
  return [tokens.accessToken, tokens.refreshToken, tokens.idToken].filter((token): token is string => token !== undefined);
}

/** The string values of a token answer's token fields, even when the answer is not a usable token set. */
export function tokenFieldValues(json: unknown): string[] {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return [];
  const body = json as Record<string, unknown>;
  return TOKEN_FIELDS.map((field) => body[field]).filter((value): value is string => typeof value === 'string' && value !== '');
}

const TOKEN_FIELD_TEXT = new RegExp(`("(?:${TOKEN_FIELDS.join('|')})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'g');

/**
 * A token answer's text with the token fields' values replaced by structure (any length, even in
 * an excerpt cut short), keeping the rest of the text and its JSON valid.
 */
export function hideTokenFields(text: string, replacement: string): string {
  if (!text.includes('_token"')) return text;
  return text.replace(TOKEN_FIELD_TEXT, (_match, key: string) => `${key}${JSON.stringify(replacement)}`);
}

/** "invalid_client (Invalid client)" from an RFC 6749 5.2 error answer, or undefined. */
export function describeOAuthError(json: unknown): string | undefined {
  if (json === null || typeof json !== 'object') return undefined;
  const { error, error_description: description } = json as Record<string, unknown>;
  if (typeof error !== 'string') return undefined;
  return typeof description === 'string' && description !== '' ? `${error} (${description})` : error;
}
