import { createPrivateKey, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

/** RFC 7523 2.2: how a client assertion is named in the token request. */
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** How long an assertion is valid: OpenID Connect Core 9 asks for a short life; providers cap it at 5 to 10 minutes. */
const LIFETIME_SECONDS = 300;

/** RS256 for an RSA key, ES256 for a P-256 key; undefined for anything else. */
export function signingAlgorithm(key: KeyObject): 'RS256' | 'ES256' | undefined {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  return undefined;
}

/**
 * A private_key_jwt client assertion (RFC 7523 3, OpenID Connect Core 9): iss = sub = the client,
 * aud = the token endpoint, a unique jti so it cannot be replayed, and an expiry 5 minutes out.
 */
export async function signClientAssertion(key: KeyObject, clientId: string, tokenUrl: string, keyId?: string): Promise<string> {
  const alg = signingAlgorithm(key);
  if (!alg) throw new Error(`a ${key.asymmetricKeyType} key cannot sign a client assertion; use an RSA or P-256 key`);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg, typ: 'JWT', ...(keyId ? { kid: keyId } : {}) })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(tokenUrl)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + LIFETIME_SECONDS)
    .sign(key);
}

/** Thrown when the assertion key cannot be used at run time (it was checked at load; a file may have changed since). */
export class AssertionKeyError extends Error {}

/** Keys are parsed once per PEM: parsing an RSA key costs more than signing with it. */
const parsedKeys = new Map<string, KeyObject>();

export function parsePrivateKeyOrThrow(pem: string): KeyObject {
  let key = parsedKeys.get(pem);
  if (!key) {
    try {
      key = createPrivateKey({ key: pem, format: 'pem' });
    } catch (error) {
      throw new AssertionKeyError(`clientAssertionKey is not a usable PEM private key (${(error as Error).message.split('\n')[0]})`);
    }
    if (parsedKeys.size >= 256) parsedKeys.clear();
    parsedKeys.set(pem, key);
  }
  return key;
}
