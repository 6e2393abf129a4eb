// Mutual TLS against a node:https server that requires a client certificate from a CA made for
// this run; the certificates reach the monitor the way operators mount them: as files.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { loadFile } from '../../src/config/load-file.js';
import type { Monitor } from '../../src/core/monitor.js';
import { runMonitor } from '../../src/run/run-monitor.js';
import { makeTestPki } from '../support/test-pki.js';
import type { TestPki } from '../support/test-pki.js';

describe('mutual TLS', () => {
  let pki: TestPki;
  let server: https.Server;
  let url: string;
  before(async () => {
    pki = makeTestPki();
    server = https.createServer({ key: readFileSync(pki.serverKey), cert: readFileSync(pki.serverCert), ca: readFileSync(pki.caCert), requestCert: true, rejectUnauthorized: true }, (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ client: peer.subject?.CN ?? null }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/whoami`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
    rmSync(pki.dir, { recursive: true, force: true });
  });

  /** Writes a monitor file beside the PEM files, so `file.` paths are relative to it as in a real folder. */
  async function load(name: string, tls: string): Promise<{ monitor?: Monitor; problems: string[] }> {
    const file = path.join(pki.dir, `${name}.yaml`);
    writeFileSync(file, `name: ${name}\nschedule: "* * * * *"\nsteps:\n  - name: Who am I\n    request:\n      url: ${url}\n      tls: ${tls}\n    assert:\n      jsonpath:\n        $.client: { equals: stepwatch-probe }\n`);
    const loaded = await loadFile(file, {});
    return { monitor: loaded.documents[0]?.monitor, problems: loaded.documents.flatMap((doc) => doc.diagnostics).map((d) => `${d.line}:${d.col}: ${d.message}`) };
  }

  it('passes with the client certificate and key the server trusts', async () => {
    const { monitor, problems } = await load('mtls-ok', '{ ca: "<<file.ca.pem>>", cert: "<<file.client.pem>>", key: "<<file.client.key>>" }');
    assert.deepEqual(problems, []);
    const result = await runMonitor(monitor as Monitor);
    assert.equal(result.passed, true, JSON.stringify(result.steps));
    const step = result.steps[0];
    assert.ok((step?.phases?.tls ?? 0) > 0, 'the handshake is measured');
    assert.ok((step?.tlsCertExpiresAt ?? 0) > Date.now() / 1000, 'the server certificate expiry is reported');
    // The order the API and the JSON report show the fields in.
    assert.deepEqual(Object.keys(step ?? {}), ['name', 'durationMs', 'phases', 'tlsCertExpiresAt', 'status', 'httpStatus']);
  });

  it('opens an encrypted key with its passphrase', async () => {
    const { monitor, problems } = await load('mtls-encrypted', `{ ca: "<<file.ca.pem>>", cert: "<<file.client.pem>>", key: "<<file.client-encrypted.key>>", passphrase: "${pki.passphrase}" }`);
    assert.deepEqual(problems, []);
    assert.equal((await runMonitor(monitor as Monitor)).passed, true);
  });

  it('fails with reason tls, saying the certificate was refused, without a client certificate', async () => {
    const { monitor } = await load('mtls-none', '{ ca: "<<file.ca.pem>>" }');
    const [step] = (await runMonitor(monitor as Monitor)).steps;
    assert.equal(step?.reason, 'tls');
    assert.match(step?.message ?? '', /the server refused the client certificate/);
  });

  it('fails with reason tls with a certificate from a CA the server does not trust', async () => {
    const { monitor } = await load('mtls-rogue', '{ ca: "<<file.ca.pem>>", cert: "<<file.rogue.pem>>", key: "<<file.rogue.key>>" }');
    const [step] = (await runMonitor(monitor as Monitor)).steps;
    assert.equal(step?.reason, 'tls');
    assert.match(step?.message ?? '', /the server refused the client certificate/);
  });

  it('fails with reason tls when the server certificate is not signed by a trusted CA (no ca given)', async () => {
    const { monitor } = await load('mtls-untrusted-server', '{ cert: "<<file.client.pem>>", key: "<<file.client.key>>" }');
    assert.equal((await runMonitor(monitor as Monitor)).steps[0]?.reason, 'tls');
  });

  it('refuses at load, at the field, a malformed key, a key of another certificate, an encrypted key without passphrase, and half a pair', async () => {
    writeFileSync(path.join(pki.dir, 'broken.key'), '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n');
    const cases: Array<[string, string, RegExp]> = [
      ['bad-key', '{ cert: "<<file.client.pem>>", key: "<<file.broken.key>>" }', /^7:\d+: key is not a usable PEM private key/],
      ['other-key', '{ cert: "<<file.client.pem>>", key: "<<file.rogue.key>>" }', /^7:\d+: key does not belong to cert/],
      ['no-passphrase', '{ cert: "<<file.client.pem>>", key: "<<file.client-encrypted.key>>" }', /^7:\d+: key is not a usable PEM private key: it is encrypted: add passphrase/],
      ['bad-ca', '{ ca: "<<file.broken.key>>" }', /^7:\d+: ca holds no PEM certificate/],
      ['half', '{ cert: "<<file.client.pem>>" }', /^7:\d+: mutual TLS needs both cert and key/],
      ['missing', '{ ca: "<<file.nowhere.pem>>" }', /^7:\d+: <<file\.nowhere\.pem>> cannot be used: cannot read .*nowhere\.pem \(ENOENT\)/],
    ];
    for (const [name, tls, expected] of cases) {
      const { monitor, problems } = await load(name, tls);
      assert.equal(monitor, undefined, `${name} loaded`);
      assert.equal(problems.length, 1, `${name}: ${problems.join('\n')}`);
      assert.match(problems[0] ?? '', expected);
    }
  });
});
