import { createHash } from 'node:crypto';
import tls from 'node:tls';
import type { SecureContext } from 'node:tls';

/** PEM text for one step's TLS: extra trusted CAs, and a client certificate with its key. */
export interface ClientTls {
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
}

/** Distinct TLS set-ups kept; a monitor's PEMs only change on reload, so a few per monitor at most. */
const MAX_CONTEXTS = 256;
const contexts = new Map<string, SecureContext>();

/**
 * The secure context for a step's TLS set-up, parsed once and shared by every run: parsing PEM
 * and the system's roots costs more than a handshake. The handshake itself stays fresh on every
 * request (no agent, no session reuse). `ca` adds to the system's roots rather than replacing
 * them, as an operator who adds a private CA expects public endpoints to keep working.
 */
export function secureContextFor(setup: ClientTls): SecureContext {
  const key = createHash('sha256').update(JSON.stringify([setup.ca, setup.cert, setup.key, setup.passphrase])).digest('base64');
  let context = contexts.get(key);
  if (!context) {
    context = tls.createSecureContext({
      ...(setup.ca !== undefined ? { ca: [...tls.rootCertificates, setup.ca] } : {}),
      ...(setup.cert !== undefined ? { cert: setup.cert } : {}),
      ...(setup.key !== undefined ? { key: setup.key } : {}),
      ...(setup.passphrase !== undefined ? { passphrase: setup.passphrase } : {}),
    });
    if (contexts.size >= MAX_CONTEXTS) contexts.delete(contexts.keys().next().value as string);
    contexts.set(key, context);
  }
  return context;
}
