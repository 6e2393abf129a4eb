import type { OAuth2Spec } from '../../core/monitor.js';
import type { ClientCredentials, TokenTransport } from '../../oauth2/client-auth.js';
import type { SecretSink } from '../../http/wire-format.js';
import { parsePrivateKeyOrThrow } from '../../oauth2/client-assertion.js';
import { render } from '../../templating/template.js';
import type { Resolve } from '../../templating/template.js';
import { renderClientTls } from '../render-client-tls.js';

/**
 * Fills how an oauth2 step's client authenticates and reaches the token endpoint; shared by the
 * step and by `stepwatch authorize`, so both send the same request. The client assertion key is
 * a secret whatever template filled it.
 */
export function renderClient(spec: OAuth2Spec, resolve: Resolve, secrets: SecretSink): { client: ClientCredentials; transport: TokenTransport } {
  const clientSecret = spec.clientSecret ? render(spec.clientSecret, resolve) : undefined;
  let assertion: Pick<ClientCredentials, 'assertionKey' | 'assertionKeyId'> = {};
  if (spec.clientAuth === 'private_key_jwt' && spec.clientAssertionKey) {
    const pem = render(spec.clientAssertionKey, resolve);
    secrets.add(pem);
    assertion = { assertionKey: parsePrivateKeyOrThrow(pem), ...(spec.clientAssertionKeyId ? { assertionKeyId: render(spec.clientAssertionKeyId, resolve) } : {}) };
  }
  const clientTls = renderClientTls(spec.clientTls, resolve, secrets);
  return {
    client: { clientId: render(spec.clientId, resolve), clientAuth: spec.clientAuth, ...(clientSecret !== undefined ? { clientSecret } : {}), ...assertion },
    transport: { insecureSkipVerify: spec.insecureSkipVerify, ...(clientTls ? { clientTls } : {}) },
  };
}
