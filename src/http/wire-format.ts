/**
 * How values travel on the wire, in one place: the headers that carry credentials, form encoding
 * and Basic credentials. Every request stepwatch builds uses these, and a builder that puts a
 * secret on the wire tells the secret set the exact form it produced, so redaction never has to
 * guess encodings.
 */

/** Headers whose values are credentials: hidden by name wherever shown, dropped on cross-origin redirects. */
export const SENSITIVE_HEADERS: readonly string[] = ['authorization', 'cookie', 'set-cookie', 'proxy-authorization'];
const SENSITIVE = new Set(SENSITIVE_HEADERS);

export function isSensitiveHeader(name: string): boolean {
  return SENSITIVE.has(name.toLowerCase());
}

/** Where a builder reports the wire forms of the secrets it encodes (the run's secret set). */
export interface SecretSink {
  /** A secret value; the set derives its raw, URL-, form- and JSON-escaped forms with the encoders below. */
  add(value: string): void;
  /** A form only this builder knows, such as the base64 of Basic credentials. */
  addWireForm(form: string): void;
}

/**
 * application/x-www-form-urlencoded (WHATWG URL), byte for byte what URLSearchParams writes:
 * only alphanumerics and `*-._` stay, a space is '+'. Written on encodeURIComponent because
 * URLSearchParams is several times slower, and the secret set encodes every secret it learns.
 */
export function formEncode(value: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch {
    // A lone surrogate: URLSearchParams writes U+FFFD for it, and so does this.
    encoded = encodeURIComponent(value.replace(LONE_SURROGATE, '\uFFFD'));
  }
  return encoded.replace(FORM_EXTRAS, (c) => (c === '%20' ? '+' : `%${c.charCodeAt(0).toString(16).toUpperCase()}`));
}

/** What encodeURIComponent leaves or writes differently from the form encoding. */
const FORM_EXTRAS = /%20|[!'()~]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A form body from name/value pairs; the one form encoder of every request. */
export function formBody(fields: Iterable<[string, string]>): string {
  return [...fields].map(([name, value]) => `${formEncode(name)}=${formEncode(value)}`).join('&');
}

/**
 * The value of a Basic Authorization header (RFC 7617). OAuth2 client authentication (RFC 6749
 * section 2.3.1) form-encodes the id and secret before joining them, so a secret with ':', '+',
 * '/' or '%' survives the trip; request `auth.basic` sends them as written. The password and the
 * base64 credentials go to `secrets`.
 */
export function basicAuthorization(username: string, password: string, options: { formEncodeParts: boolean; secrets?: SecretSink }): string {
  const user = options.formEncodeParts ? formEncode(username) : username;
  const pass = options.formEncodeParts ? formEncode(password) : password;
  const credentials = Buffer.from(`${user}:${pass}`, 'utf8').toString('base64');
  options.secrets?.add(password);
  options.secrets?.addWireForm(credentials);
  return `Basic ${credentials}`;
}

export function bearerAuthorization(token: string, secrets?: SecretSink): string {
  secrets?.add(token);
  return `Bearer ${token}`;
}
