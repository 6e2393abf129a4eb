import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface CertChain {
  key: Buffer;
  /** Leaf then intermediate, as a server sends them. */
  cert: Buffer;
  /** notAfter of each certificate, Unix seconds. */
  leafNotAfter: number;
  intermediateNotAfter: number;
  rootNotAfter: number;
}

/**
 * root CA → intermediate CA → leaf for 127.0.0.1, made with openssl for this test run; the
 * intermediate expires after `intermediateDays`, the leaf after `leafDays` (openssl allows a leaf
 * to outlive its issuer, as misissued chains in the wild do).
 */
export function makeCertChain(options: { leafDays: number; intermediateDays: number }): CertChain {
  const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-chain-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' });
  try {
    writeFileSync(file('ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
    writeFileSync(file('leaf.ext'), 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n');
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('root.key'), '-out', file('root.pem'), '-days', '3650', '-subj', '/CN=stepwatch test root', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('int.key'), '-out', file('int.csr'), '-subj', '/CN=stepwatch test intermediate');
    openssl('x509', '-req', '-in', file('int.csr'), '-CA', file('root.pem'), '-CAkey', file('root.key'), '-CAcreateserial', '-out', file('int.pem'), '-days', String(options.intermediateDays), '-extfile', file('ca.ext'));
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('leaf.key'), '-out', file('leaf.csr'), '-subj', '/CN=localhost');
    openssl('x509', '-req', '-in', file('leaf.csr'), '-CA', file('int.pem'), '-CAkey', file('int.key'), '-CAcreateserial', '-out', file('leaf.pem'), '-days', String(options.leafDays), '-extfile', file('leaf.ext'));
    const notAfter = (name: string) => Date.parse(openssl('x509', '-enddate', '-noout', '-in', file(name)).trim().replace('notAfter=', '')) / 1000;
    return {
      key: readFileSync(file('leaf.key')),
      cert: Buffer.concat([readFileSync(file('leaf.pem')), readFileSync(file('int.pem'))]),
      leafNotAfter: notAfter('leaf.pem'),
      intermediateNotAfter: notAfter('int.pem'),
      rootNotAfter: notAfter('root.pem'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
