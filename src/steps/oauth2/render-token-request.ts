import type { OAuth2Spec } from '../../core/monitor.js';
import type { HttpRequest } from '../../http/send-request.js';
import type { TokenIdentity } from '../../oauth2/token-cache.js';
import { tokenRequest } from '../../oauth2/client-auth.js';
import { render } from '../../templating/template.js';
import type { StepContext } from '../step-context.js';
import { resolverFor } from '../step-context.js';
import { renderClient } from './render-client.js';

/** The request to send, or why there is none (a `template` failure of the step). */
export type RenderedTokenRequest =
  | {
      request: Omit<HttpRequest, 'timeoutMs'>;
      /** What makes this token distinct, for the reuse cache. */
      identity: TokenIdentity;
      refreshToken?: string;
    }
  | { problem: string };

/**
 * Fills an oauth2 step's templates and builds its form-encoded token request (RFC 6749 4.4 and
 * 6). The client secret (in the form the request carries it) and the refresh token, whether
 * written in the monitor or read from the store, join the run's secret set. A stored refresh
 * token wins over the one written in the monitor, which is only the first one.
 */
export async function renderTokenRequest(spec: OAuth2Spec, context: StepContext, refreshTokenSlot: string, storedRefreshToken: string | undefined): Promise<RenderedTokenRequest> {
  const resolve = resolverFor(context);
  const tokenUrl = render(spec.tokenUrl, resolve);
  if (!URL.canParse(tokenUrl)) return { problem: `the tokenUrl '${tokenUrl}' is not a valid URL` };
  const { client, transport } = renderClient(spec, resolve, context.redactor);
  const { clientId, clientSecret } = client;
  const scope = spec.scope ? render(spec.scope, resolve) : undefined;
  const params = spec.params.map(([name, value]): [string, string] => [name, render(value, resolve)]);
  const refreshToken = storedRefreshToken ?? (spec.refreshToken ? render(spec.refreshToken, resolve) : undefined);
  if (refreshToken) context.redactor.add(refreshToken);
  const identity: TokenIdentity = {
    tokenUrl,
    clientId,
    ...(clientSecret !== undefined ? { clientSecret } : {}),
    grant: spec.grant,
    ...(scope !== undefined ? { scope } : {}),
    params,
    ...(spec.grant === 'refresh_token' ? { refreshTokenSlot } : {}),
  };
  const form = new Map<string, string>([['grant_type', spec.grant]]);
  if (spec.grant === 'refresh_token') {
    if (!refreshToken) {
      return { problem: `no refresh token for this step: set refreshToken, or run stepwatch authorize ${context.monitor}` };
    }
    form.set('refresh_token', refreshToken);
  }
  if (scope) form.set('scope', scope);
  for (const [name, value] of params) form.set(name, value);
  return {
    request: await tokenRequest(tokenUrl, [...form], client, transport, context.redactor),
    identity,
    ...(refreshToken !== undefined ? { refreshToken } : {}),
  };
}
