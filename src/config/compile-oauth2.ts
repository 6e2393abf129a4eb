import type { OAuth2Spec } from '../core/monitor.js';
import { compileTimeout } from './durations.js';
import type { CompileContext } from './compile-context.js';
import { checkStaticUrl } from './check-url.js';
import type { RawOAuth2 } from './schema.js';
import type { Path } from './yaml-source.js';

const DEFAULT_TOKEN_TIMEOUT_MS = 10_000;

/** The values an oauth2 step exposes to later steps, whatever the server answers. */
export const OAUTH2_OUTPUTS = ['access_token', 'token_type', 'expires_in', 'refresh_token'] as const;

export function compileOAuth2(raw: RawOAuth2, path: Path, ctx: CompileContext): OAuth2Spec {
  const at = (field: string) => [...path, field];
  const optional = (field: 'clientSecret' | 'scope' | 'refreshToken' | 'authorizeUrl' | 'redirectUri') =>
    raw[field] === undefined ? {} : { [field]: ctx.template(raw[field], at(field)) };
  const tokenUrl = ctx.template(raw.tokenUrl, at('tokenUrl'));
  if (tokenUrl.parts.length === 1 && typeof tokenUrl.parts[0] === 'string') checkStaticUrl(raw.tokenUrl, at('tokenUrl'), ctx);
  return {
    tokenUrl,
    grant: raw.grant,
    clientId: ctx.template(raw.clientId, at('clientId')),
    clientAuth: raw.clientAuth ?? 'basic',
    params: ctx.scalarEntries(raw.params, at('params')),
    authorizeParams: ctx.scalarEntries(raw.authorizeParams, at('authorizeParams')),
    reuseToken: raw.reuseToken ?? false,
    timeoutMs: compileTimeout(raw.timeout, at('timeout'), ctx, DEFAULT_TOKEN_TIMEOUT_MS, ctx.runTimeoutMs, "the run's timeout"),
    insecureSkipVerify: raw.tls?.insecureSkipVerify ?? false,
    ...optional('clientSecret'),
    ...optional('scope'),
    ...optional('refreshToken'),
    ...optional('authorizeUrl'),
    ...optional('redirectUri'),
  } as OAuth2Spec;
}
