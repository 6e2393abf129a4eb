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
