import type { DetailedPeerCertificate, PeerCertificate } from 'node:tls';

/**
 * Unix seconds at which the first certificate of the peer's chain expires: the leaf, an
 * intermediate the server sent, or the root it leads to. An intermediate that lapses before the
 * leaf breaks the chain just as surely, so the leaf's date alone would promise too much.
 */
export function earliestExpiry(leaf: PeerCertificate | DetailedPeerCertificate | undefined): number | undefined {
  let earliest: number | undefined;
  const seen = new Set<PeerCertificate>();
  // A self-signed root names itself as its issuer: the set ends the walk there.
  for (let cert: PeerCertificate | undefined = leaf; cert && !seen.has(cert) && cert.valid_to; cert = (cert as Partial<DetailedPeerCertificate>).issuerCertificate) {
    seen.add(cert);
    const expires = Date.parse(cert.valid_to) / 1000;
    if (Number.isFinite(expires) && (earliest === undefined || expires < earliest)) earliest = expires;
  }
  return earliest;
}
