import { basicAuthorization, bearerAuthorization } from '../http/wire-format.js';
import type { SecretSink } from '../http/wire-format.js';

/** Request auth kinds: each turns rendered credentials into an Authorization header value. */
export interface BasicCredentials {
  username: string;
  password: string;
}

/**
 * Each builder registers the secret it puts on the wire, in the form it puts it there. Basic
 * sends the credentials as written (RFC 7617), unlike OAuth2 client authentication.
 */
export const authHeaderBuilders = {
  basic: ({ username, password }: BasicCredentials, secrets: SecretSink) => {
    // The contract hides every value that fills `auth`, the user name included.
    secrets.add(username);
    return basicAuthorization(username, password, { formEncodeParts: false, secrets });
  },
  bearer: (token: string, secrets: SecretSink) => bearerAuthorization(token, secrets),
} as const;
