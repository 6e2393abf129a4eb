import type { HttpRequest } from '../http/send-request.js';
import { basicAuthorization, formBody } from '../http/wire-format.js';
import type { SecretSink } from '../http/wire-format.js';

export interface ClientCredentials {
  clientId: string;
  clientSecret?: string;
  clientAuth: 'basic' | 'body';
}

/**
 * A token request (RFC 6749 section 3.2): a form POST, the client authenticated with Basic when
 * it has a secret and asks for it (id and secret form-encoded first, section 2.3.1), in the form
 * otherwise (a public client sends only client_id). The client secret goes to `secrets` in the
 * form it is sent.
 */
export function tokenRequest(tokenUrl: string, form: Array<[string, string]>, client: ClientCredentials, insecureSkipVerify: boolean, secrets?: SecretSink): Omit<HttpRequest, 'timeoutMs'> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  const fields = [...form];
  if (client.clientAuth === 'basic' && client.clientSecret !== undefined) {
    headers.authorization = basicAuthorization(client.clientId, client.clientSecret, { formEncodeParts: true, ...(secrets ? { secrets } : {}) });
  } else {
    fields.push(['client_id', client.clientId]);
    if (client.clientSecret !== undefined) {
      secrets?.add(client.clientSecret);
      fields.push(['client_secret', client.clientSecret]);
    }
  }
  return { method: 'POST', url: new URL(tokenUrl), headers, body: Buffer.from(formBody(fields)), followRedirects: false, insecureSkipVerify };
}
