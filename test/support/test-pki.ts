import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Files of a small PKI made with openssl for one test run; every path is inside `dir`. */
export interface TestPki {
  dir: string;
  /** The CA that signs the server and the trusted client. */
  caCert: string;
  serverKey: string;
  serverCert: string;
  clientKey: string;
  clientCert: string;
  /** The same client key, encrypted with `passphrase`. */
  encryptedClientKey: string;
  passphrase: string;
  /** A client certificate from a CA the server does not trust. */
  rogueKey: string;
  rogueCert: string;
}

/** EC P-256 keys throughout: as real as RSA for TLS, and quick to generate. */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-pki-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const key = (name: string) => openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file(name));
  const ca = (name: string, cn: string) => {
    key(`${name}.key`);
    openssl('req', '-x509', '-new', '-key', file(`${name}.key`), '-out', file(`${name}.pem`), '-days', '30', '-subj', `/CN=${cn}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  };
  const leaf = (name: string, issuer: string, cn: string, extensions: string) => {
    key(`${name}.key`);
    openssl('req', '-new', '-key', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${cn}`);
    writeFileSync(file(`${name}.ext`), extensions);
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${issuer}.pem`), '-CAkey', file(`${issuer}.key`), '-CAcreateserial', '-out', file(`${name}.pem`), '-days', '30', '-extfile', file(`${name}.ext`));
  };
  ca('ca', 'stepwatch test CA');
  ca('rogue-ca', 'someone else');
  leaf('server', 'ca', 'localhost', 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  leaf('client', 'ca', 'stepwatch-probe', 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
  leaf('rogue', 'rogue-ca', 'stepwatch-probe', 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
  const passphrase = 'correct horse battery staple';
  openssl('pkcs8', '-topk8', '-in', file('client.key'), '-out', file('client-encrypted.key'), '-v2', 'aes-256-cbc', '-passout', `pass:${passphrase}`);
  return {
    dir,
    caCert: file('ca.pem'),
    serverKey: file('server.key'),
    serverCert: file('server.pem'),
    clientKey: file('client.key'),
    clientCert: file('client.pem'),
    encryptedClientKey: file('client-encrypted.key'),
    passphrase,
    rogueKey: file('rogue.key'),
    rogueCert: file('rogue.pem'),
  };
}
