import type { FileValues, OAuth2Spec, Step } from '../core/monitor.js';
import { checkTls, compileClientTls, loadTimeValue, parsePrivateKey, withClientTls } from './compile-tls.js';
import { signingAlgorithm } from '../oauth2/client-assertion.js';
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
  const optional = (field: 'clientSecret' | 'scope' | 'refreshToken' | 'authorizeUrl' | 'redirectUri' | 'clientAssertionKey' | 'clientAssertionKeyId') =>
    raw[field] === undefined ? {} : { [field]: ctx.template(raw[field], at(field)) };
  const tokenUrl = ctx.template(raw.tokenUrl, at('tokenUrl'));
  if (tokenUrl.parts.length === 1 && typeof tokenUrl.parts[0] === 'string') checkStaticUrl(raw.tokenUrl, at('tokenUrl'), ctx);
  const clientAuth = raw.clientAuth ?? 'basic';
  if (clientAuth === 'private_key_jwt' && raw.clientAssertionKey === undefined) {
    ctx.error(at('clientAuth'), 'clientAuth private_key_jwt signs a client assertion: give clientAssertionKey (a PEM private key, e.g. <<file./run/secrets/oauth-client.pem>>)');
  }
  if (clientAuth !== 'private_key_jwt') {
    for (const field of ['clientAssertionKey', 'clientAssertionKeyId'] as const) {
      if (raw[field] !== undefined) ctx.error(at(field), `${field} is only used with clientAuth: private_key_jwt`, { key: true });
    }
  }
  if (clientAuth === 'private_key_jwt' && raw.clientSecret !== undefined) {
    ctx.error(at('clientSecret'), 'clientAuth private_key_jwt authenticates with a signed assertion, not a secret: remove clientSecret', { key: true });
  }
  return {
    tokenUrl,
    grant: raw.grant,
    clientId: ctx.template(raw.clientId, at('clientId')),
    clientAuth,
    params: ctx.scalarEntries(raw.params, at('params')),
    authorizeParams: ctx.scalarEntries(raw.authorizeParams, at('authorizeParams')),
    reuseToken: raw.reuseToken ?? false,
    timeoutMs: compileTimeout(raw.timeout, at('timeout'), ctx, DEFAULT_TOKEN_TIMEOUT_MS, ctx.runTimeoutMs, "the run's timeout"),
    insecureSkipVerify: raw.tls?.insecureSkipVerify ?? false,
    ...withClientTls(compileClientTls(raw.tls, at('tls'), ctx)),
    ...optional('clientAssertionKey'),
    ...optional('clientAssertionKeyId'),
    ...optional('clientSecret'),
    ...optional('scope'),
    ...optional('refreshToken'),
    ...optional('authorizeUrl'),
    ...optional('redirectUri'),
  } as OAuth2Spec;
}

/**
 * The credential checks that need the files read: each step's TLS PEMs, and the key of a
 * private_key_jwt client (it must parse and be RSA or P-256, the kinds that sign RS256 and ES256).
 */
export function checkStepCredentials(steps: ReadonlyArray<Step | undefined>, ctx: CompileContext, env: NodeJS.ProcessEnv, values: FileValues): void {
  steps.forEach((step, index) => {
    if (!step) return;
    const action = step.action;
    const path = ['steps', index, action.kind];
    checkTls(action.kind === 'request' ? action.request.clientTls : action.oauth2.clientTls, [...path, 'tls'], ctx, env, values);
    if (action.kind !== 'oauth2' || !action.oauth2.clientAssertionKey) return;
    const pem = loadTimeValue(action.oauth2.clientAssertionKey, env, values);
    if (pem === undefined) return;
    const key = parsePrivateKey(pem);
    const problem = typeof key === 'string' ? `is not a usable PEM private key: ${key}` : signingAlgorithm(key) === undefined ? `is a ${key.asymmetricKeyType} key; private_key_jwt signs with RSA (RS256) or EC P-256 (ES256) keys` : undefined;
    if (problem) ctx.error([...path, 'clientAssertionKey'], `clientAssertionKey ${problem}`);
  });
}
