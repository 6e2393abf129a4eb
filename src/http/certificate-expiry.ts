import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';

/**
 * Unix seconds at which the first certificate of the peer's chain expires: an intermediate that
 * runs out before the leaf breaks the site just the same. Node links the certificates the server
 * sent through `issuerCertificate` (a self-signed root links to itself, hence the loop guard).
 */
export function earliestChainExpiry(socket: TLSSocket): number | undefined {
  let earliest: number | undefined;
  const seen = new Set<DetailedPeerCertificate>();
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate?.(true);
  while (cert && !seen.has(cert) && Object.keys(cert).length > 0) {
    seen.add(cert);
    const expires = cert.valid_to ? Date.parse(cert.valid_to) / 1000 : NaN;
    if (Number.isFinite(expires) && (earliest === undefined || expires < earliest)) earliest = expires;
    cert = cert.issuerCertificate;
  }
  return earliest;
}
