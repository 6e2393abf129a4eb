// private_key_jwt (RFC 7523, OpenID Connect Core 9) against oidc-provider: the client is
// registered with its public JWKS only, and the token it gets must open a protected resource.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import type { ClientMetadata } from 'oidc-provider';
import { exportJWK } from 'jose';
import { loadFile } from '../../src/config/load-file.js';
import type { Monitor } from '../../src/core/monitor.js';
import { runMonitor } from '../../src/run/run-monitor.js';
import { redactRun } from '../../src/redaction/redact-run.js';

describe('private_key_jwt against oidc-provider', () => {
  let server: http.Server;
  let resource: http.Server;
  let issuer: string;
  let resourceUrl: string;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-pkjwt-'));
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const wrong = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(path.join(dir, 'rsa.pem'), rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(path.join(dir, 'ec.pem'), ec.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(path.join(dir, 'wrong.pem'), wrong.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(path.join(dir, 'ed25519.pem'), generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = async (id: string, key: typeof rsa.publicKey, alg: 'RS256' | 'ES256'): Promise<ClientMetadata> => ({
      client_id: id,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: alg,
      jwks: { keys: [{ ...(await exportJWK(key)), kid: `${id}-key`, use: 'sig' }] },
      scope: 'api:read',
    });
    const provider = new Provider(issuer, {
      clients: [await client('rsa-client', rsa.publicKey, 'RS256'), await client('ec-client', ec.publicKey, 'ES256')],
      scopes: ['api:read'],
      features: { clientCredentials: { enabled: true } },
    });
    server.on('request', provider.callback());
    // The protected resource asks the provider whether the bearer token is one it issued.
    resource = http.createServer(async (req, res) => {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const issued = token ? await provider.ClientCredentials.find(token) : undefined;
      res.writeHead(issued ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(issued ? { client: issued.clientId } : { error: 'invalid_token' }));
    });
    await new Promise<void>((resolve) => resource.listen(0, '127.0.0.1', resolve));
    resourceUrl = `http://127.0.0.1:${(resource.address() as AddressInfo).port}/me`;
  });
  after(() => {
    for (const s of [server, resource]) {
      s.closeAllConnections();
      s.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  async function load(name: string, clientId: string, keyFile: string, extra = ''): Promise<{ monitor?: Monitor; problems: string[] }> {
    const file = path.join(dir, `${name}.yaml`);
    writeFileSync(file, `name: ${name}
schedule: "* * * * *"
steps:
  - name: Token
    oauth2:
      tokenUrl: ${issuer}/token
      grant: client_credentials
      clientId: ${clientId}
      clientAuth: private_key_jwt
      clientAssertionKey: <<file.${keyFile}>>${extra}
      scope: api:read
  - name: Protected
    request: { url: "${resourceUrl}", auth: { bearer: <<custom.access_token>> } }
    assert:
      jsonpath:
        $.client: { equals: ${clientId} }
`);
    const loaded = await loadFile(file, {});
    return { monitor: loaded.documents[0]?.monitor, problems: loaded.documents.flatMap((doc) => doc.diagnostics).map((d) => `${d.line}:${d.col}: ${d.message}`) };
  }

  for (const [clientId, keyFile, alg] of [['rsa-client', 'rsa.pem', 'RS256'], ['ec-client', 'ec.pem', 'ES256']] as const) {
    it(`gets a token with a ${alg} client assertion, and the token opens the protected resource`, async () => {
      const { monitor, problems } = await load(`pkjwt-${alg.toLowerCase()}`, clientId, keyFile, `\n      clientAssertionKeyId: ${clientId}-key`);
      assert.deepEqual(problems, []);
      const result = await runMonitor(monitor as Monitor);
      assert.equal(result.passed, true, JSON.stringify(result.steps));
    });
  }

  it("reports a wrong key as status, with the provider's invalid_client, and never shows the key", async () => {
    const { monitor } = await load('pkjwt-wrong', 'rsa-client', 'wrong.pem');
    const result = redactRun(await runMonitor(monitor as Monitor));
    assert.equal(result.steps[0]?.reason, 'status');
    assert.match(result.steps[0]?.message ?? '', /invalid_client/);
    assert.equal(result.steps[1]?.status, 'skipped');
    assert.ok(!JSON.stringify(result).includes('PRIVATE KEY'));
  });

  it('refuses at load a key that cannot sign RS256 or ES256, and private_key_jwt without a key', async () => {
    const ed = await load('pkjwt-ed25519', 'rsa-client', 'ed25519.pem');
    assert.equal(ed.monitor, undefined);
    assert.match(ed.problems.join('\n'), /^10:\d+: clientAssertionKey is a ed25519 key; private_key_jwt signs with RSA \(RS256\) or EC P-256 \(ES256\) keys$/m);
    const file = path.join(dir, 'pkjwt-nokey.yaml');
    writeFileSync(file, `name: pkjwt-nokey\nschedule: "* * * * *"\nsteps:\n  - name: Token\n    oauth2: { tokenUrl: "${issuer}/token", grant: client_credentials, clientId: rsa-client, clientAuth: private_key_jwt }\n`);
    const loaded = await loadFile(file, {});
    assert.match(loaded.documents[0]?.diagnostics[0]?.message ?? '', /clientAuth private_key_jwt signs a client assertion: give clientAssertionKey/);
  });
});
