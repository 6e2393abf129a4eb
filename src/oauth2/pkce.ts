import { createHash, randomBytes } from 'node:crypto';

/** RFC 7636: a 43-character verifier and its S256 challenge; and a random `state` (RFC 6749 10.12). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function randomState(): string {
  return randomBytes(16).toString('base64url');
}
