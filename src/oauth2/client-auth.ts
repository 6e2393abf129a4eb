import type { HttpRequest } from '../http/send-request.js';

/**
 * RFC 6749 section 2.3.1: the client id and secret are form-encoded before they are joined and
 * base64-encoded, so a secret with ':', '+', '/' or '%' survives the trip. Many clients skip this
 * and break exactly on such secrets.
 */
export function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

export function basicClientAuth(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`, 'utf8').toString('base64')}`;
}

export interface ClientCredentials {
  clientId: string;
  clientSecret?: string;
  clientAuth: 'basic' | 'body';
}

/**
 * A token request (RFC 6749 section 3.2): a form POST, the client authenticated with Basic when
 * it has a secret and asks for it, in the form otherwise (a public client sends only client_id).
 */
export function tokenRequest(tokenUrl: string, form: URLSearchParams, client: ClientCredentials, insecureSkipVerify: boolean): Omit<HttpRequest, 'timeoutMs'> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  const body = new URLSearchParams(form);
  if (client.clientAuth === 'basic' && client.clientSecret !== undefined) {
    headers.authorization = basicClientAuth(client.clientId, client.clientSecret);
  } else {
    body.set('client_id', client.clientId);
    if (client.clientSecret !== undefined) body.set('client_secret', client.clientSecret);
  }
  return { method: 'POST', url: new URL(tokenUrl), headers, body: Buffer.from(body.toString()), followRedirects: false, insecureSkipVerify };
}
