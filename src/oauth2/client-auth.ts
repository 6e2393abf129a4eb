import type { KeyObject } from 'node:crypto';
import type { ClientAuthMethod } from '../core/monitor.js';
import type { ClientTls } from '../http/client-tls.js';
import type { HttpRequest } from '../http/send-request.js';
import { basicAuthorization, formBody } from '../http/wire-format.js';
import type { SecretSink } from '../http/wire-format.js';
import { CLIENT_ASSERTION_TYPE, signClientAssertion } from './client-assertion.js';

export interface ClientCredentials {
  clientId: string;
  clientSecret?: string;
  clientAuth: ClientAuthMethod;
  /** private_key_jwt: the key that signs the client assertion, and its `kid`. */
  assertionKey?: KeyObject;
  assertionKeyId?: string;
}

/** How the token request reaches the server: certificate checks and mutual TLS. */
export interface TokenTransport {
  insecureSkipVerify: boolean;
  clientTls?: ClientTls;
}

/**
 * A token request (RFC 6749 section 3.2): a form POST with the client authenticated by one of
 * - basic: Basic with the id and secret form-encoded first (section 2.3.1), when it has a secret;
 * - body: client_id and client_secret in the form (a public client sends only client_id);
 * - private_key_jwt: client_id and a signed client assertion (RFC 7523 2.2).
 * What authenticates the client goes to `secrets` in the form it is sent.
 */
export async function tokenRequest(tokenUrl: string, form: Array<[string, string]>, client: ClientCredentials, transport: TokenTransport, secrets?: SecretSink): Promise<Omit<HttpRequest, 'timeoutMs'>> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  const fields = [...form];
  if (client.clientAuth === 'private_key_jwt') {
    if (!client.assertionKey) throw new Error('private_key_jwt needs the client assertion key');
    const assertion = await signClientAssertion(client.assertionKey, client.clientId, tokenUrl, client.assertionKeyId);
    secrets?.add(assertion);
    fields.push(['client_id', client.clientId], ['client_assertion_type', CLIENT_ASSERTION_TYPE], ['client_assertion', assertion]);
  } else if (client.clientAuth === 'basic' && client.clientSecret !== undefined) {
    headers.authorization = basicAuthorization(client.clientId, client.clientSecret, { formEncodeParts: true, ...(secrets ? { secrets } : {}) });
  } else {
    fields.push(['client_id', client.clientId]);
    if (client.clientSecret !== undefined) {
      secrets?.add(client.clientSecret);
      fields.push(['client_secret', client.clientSecret]);
    }
  }
  return {
    method: 'POST',
    url: new URL(tokenUrl),
    headers,
    body: Buffer.from(formBody(fields)),
    followRedirects: false,
    insecureSkipVerify: transport.insecureSkipVerify,
    ...(transport.clientTls ? { clientTls: transport.clientTls } : {}),
  };
}
