import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sendRequest } from '../../src/http/send-request.js';
import { json, startHttpsServer } from '../support/servers.js';
import type { TestServer } from '../support/servers.js';

/** A CA, an intermediate that expires in `intermediateDays` and a leaf for 127.0.0.1 that outlives it. */
function makeChain(intermediateDays: number, leafDays: number): { key: Buffer; cert: Buffer; intermediateNotAfter: number; leafNotAfter: number } {
  const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-chain-'));
  const at = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' });
  const notAfter = (file: string) => Date.parse(openssl('x509', '-enddate', '-noout', '-in', file).trim().replace('notAfter=', '')) / 1000;
  try {
    writeFileSync(at('ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
    writeFileSync(at('leaf.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '3650', '-subj', '/CN=stepwatch test root');
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('int.key'), '-out', at('int.csr'), '-subj', '/CN=stepwatch test intermediate');
    openssl('x509', '-req', '-in', at('int.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('int.pem'), '-days', String(intermediateDays), '-extfile', at('ca.ext'));
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('leaf.key'), '-out', at('leaf.csr'), '-subj', '/CN=localhost');
    openssl('x509', '-req', '-in', at('leaf.csr'), '-CA', at('int.pem'), '-CAkey', at('int.key'), '-CAcreateserial', '-out', at('leaf.pem'), '-days', String(leafDays), '-extfile', at('leaf.ext'));
    return {
      key: readFileSync(at('leaf.key')),
      // The server sends its leaf and the intermediate, as servers should.
      cert: Buffer.concat([readFileSync(at('leaf.pem')), readFileSync(at('int.pem'))]),
      intermediateNotAfter: notAfter(at('int.pem')),
      leafNotAfter: notAfter(at('leaf.pem')),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the certificate expiry a step reports', () => {
  let server: TestServer;
  let chain: ReturnType<typeof makeChain>;
  before(async () => {
    chain = makeChain(5, 60);
    server = await startHttpsServer({ key: chain.key, cert: chain.cert, notAfter: chain.leafNotAfter }, (_req, res) => json(res, 200, {}));
  });
  after(() => server.close());

  it('is the earliest expiry in the chain the server sent, not only the leaf', async () => {
    assert.ok(chain.intermediateNotAfter < chain.leafNotAfter);
    const outcome = await sendRequest({ method: 'GET', url: new URL(`${server.url}/`), headers: {}, timeoutMs: 10_000, followRedirects: false, insecureSkipVerify: true });
    assert.equal(outcome.response?.status, 200);
    assert.equal(outcome.tlsCertExpiresAt, chain.intermediateNotAfter);
  });
});
