import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { sendRequest } from '../../src/http/send-request.js';
import type { HttpRequest } from '../../src/http/send-request.js';
import { json, startHttpServer } from '../support/servers.js';
import type { TestServer } from '../support/servers.js';
import { startHostileServer } from '../support/hostile-server.js';
import type { HostileServer } from '../support/hostile-server.js';
import { makeCertChain } from '../support/cert-chain.js';

function send(url: string, extra: Partial<HttpRequest> = {}): ReturnType<typeof sendRequest> {
  return sendRequest({ method: 'GET', url: new URL(url), headers: {}, timeoutMs: 2_000, followRedirects: true, insecureSkipVerify: false, ...extra });
}

describe('the HTTP client never throws', () => {
  let api: HostileServer;
  before(async () => {
    api = await startHostileServer();
  });
  after(() => api.close());

  it('answers a header value Node refuses to send (CR LF, non-Latin-1) with a template failure, sending nothing', async () => {
    const before = api.echoed.length;
    for (const value of ['a\r\nx-injected: yes', 'snow ☃', 'nul\u0000']) {
      const outcome = await send(`${api.url}/echo`, { headers: { 'x-value': value } });
      assert.equal(outcome.failure?.reason, 'template', value);
      assert.match(outcome.failure?.message ?? '', /cannot be sent/);
    }
    assert.equal(api.echoed.length, before);
  });

  it('answers a redirect to a Location that is not a URL with a protocol failure and the status', async () => {
    const outcome = await send(`${api.url}/bad-location`);
    assert.equal(outcome.failure?.reason, 'protocol');
    assert.equal(outcome.status, 302);
  });

  it('does not follow a bad Location when redirects are off: the 302 is the answer', async () => {
    const outcome = await send(`${api.url}/bad-location`, { followRedirects: false });
    assert.equal(outcome.response?.status, 302);
  });

  it('takes a HEAD answer whose Content-Length says 20 MiB, with an empty body', async () => {
    const outcome = await send(`${api.url}/huge-head`, { method: 'HEAD' });
    assert.equal(outcome.failure, undefined);
    assert.equal(outcome.response?.status, 200);
    assert.equal(outcome.response?.body.length, 0);
    const get = await send(`${api.url}/huge-head`);
    assert.equal(get.failure?.reason, 'body_too_large', 'a GET still trusts a Content-Length over the cap');
  });
});

describe('redirects across origins', () => {
  let other: TestServer;
  let origin: TestServer;
  const seen: Record<string, Record<string, string | undefined>> = {};
  before(async () => {
    other = await startHttpServer((req, res) => {
      seen.other = { authorization: req.headers.authorization, cookie: req.headers.cookie, 'proxy-authorization': req.headers['proxy-authorization'], 'x-trace': req.headers['x-trace'] as string };
      json(res, 200, {});
    });
    origin = await startHttpServer((req, res) => {
      if (req.url === '/away') {
        res.writeHead(302, { location: `${other.url}/landed` });
        return res.end();
      }
      if (req.url === '/here') {
        res.writeHead(302, { location: '/landed' });
        return res.end();
      }
      seen.origin = { authorization: req.headers.authorization, cookie: req.headers.cookie, 'proxy-authorization': req.headers['proxy-authorization'], 'x-trace': req.headers['x-trace'] as string };
      json(res, 200, {});
    });
  });
  after(async () => {
    await other.close();
    await origin.close();
  });
  const headers = { authorization: 'Bearer origin-only', cookie: 'session=origin-only', 'proxy-authorization': 'Basic b3JpZ2luOm9ubHk=', 'x-trace': 'kept' };

  it('strips Authorization, Cookie and Proxy-Authorization on the way to another origin, keeping the rest', async () => {
    const outcome = await send(`${origin.url}/away`, { headers });
    assert.equal(outcome.response?.status, 200);
    assert.deepEqual(seen.other, { authorization: undefined, cookie: undefined, 'proxy-authorization': undefined, 'x-trace': 'kept' });
  });

  it('keeps them on a redirect within the same origin', async () => {
    const outcome = await send(`${origin.url}/here`, { headers });
    assert.equal(outcome.response?.status, 200);
    assert.deepEqual(seen.origin, headers);
  });
});

describe('certificate expiry', () => {
  it('is the earliest expiry in the chain the server sent: an intermediate that expires before the leaf', async () => {
    const chain = makeCertChain({ leafDays: 30, intermediateDays: 3 });
    assert.ok(chain.intermediateNotAfter < chain.leafNotAfter);
    const server = https.createServer({ key: chain.key, cert: chain.cert }, (_req, res) => json(res, 200, {}));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const outcome = await send(`https://127.0.0.1:${port}/`, { insecureSkipVerify: true });
      assert.equal(outcome.response?.status, 200);
      assert.equal(outcome.tlsCertExpiresAt, chain.intermediateNotAfter);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
