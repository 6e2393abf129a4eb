import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync, brotliCompressSync, deflateSync } from 'node:zlib';
import { sendRequest } from '../../src/http/send-request.js';
import type { HttpRequest } from '../../src/http/send-request.js';
import { PHASES } from '../../src/core/results.js';
import { closedPort, json, makeSelfSignedCert, startHttpServer, startHttpsServer, startTcpServer } from '../support/servers.js';
import type { SelfSignedCert, TestServer } from '../support/servers.js';
import type { LookupFunction } from 'node:net';
import type { TLSSocket } from 'node:tls';

function get(url: string, extra: Partial<HttpRequest> = {}): Promise<Awaited<ReturnType<typeof sendRequest>>> {
  return sendRequest({ method: 'GET', url: new URL(url), headers: {}, timeoutMs: 2_000, followRedirects: true, insecureSkipVerify: false, ...extra });
}

describe('the HTTP client against real servers', () => {
  let server: TestServer;
  const connections = new Set<unknown>();
  before(async () => {
    server = await startHttpServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      switch (url.pathname) {
        case '/ok':
          return json(res, 200, { ok: true, method: req.method, connection: req.headers.connection, host: req.headers.host });
        case '/gzip':
        case '/br':
        case '/deflate': {
          const body = Buffer.from(JSON.stringify({ encoded: url.pathname.slice(1) }));
          const encoded = url.pathname === '/gzip' ? gzipSync(body) : url.pathname === '/br' ? brotliCompressSync(body) : deflateSync(body);
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': url.pathname.slice(1) });
          return res.end(encoded);
        }
        case '/chunked':
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('first,');
          setTimeout(() => res.end('second'), 20);
          return;
        case '/hang':
          return; // never answers
        case '/big': {
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          const chunk = Buffer.alloc(1024 * 1024, 97);
          let sent = 0;
          const pump = () => {
            while (sent < 12 && res.write(chunk)) sent++;
            if (sent < 12) res.once('drain', pump);
            else res.end();
          };
          return pump();
        }
        case '/gzip-bomb': {
          res.writeHead(200, { 'content-encoding': 'gzip' });
          return res.end(gzipSync(Buffer.alloc(11 * 1024 * 1024)));
        }
        case '/loop':
          res.writeHead(302, { location: '/loop' });
          return res.end();
        case '/redirect':
          res.writeHead(303, { location: '/ok' });
          return res.end();
        case '/count':
          // Distinct sockets the server saw: a client that kept its connection alive reuses one.
          connections.add(req.socket);
          return json(res, 200, { connections: connections.size });
        default:
          return json(res, 404, {});
      }
    });
  });
  after(() => server.close());

  it('answers with status, headers and body, asking for no keep-alive', async () => {
    const outcome = await get(`${server.url}/ok`);
    assert.equal(outcome.failure, undefined);
    assert.equal(outcome.response?.status, 200);
    assert.deepEqual(JSON.parse(outcome.response?.body.toString() ?? ''), { ok: true, method: 'GET', connection: 'close', host: `127.0.0.1:${server.port}` });
  });

  it('decodes gzip, deflate and br bodies', async () => {
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const outcome = await get(`${server.url}/${encoding}`);
      assert.deepEqual(JSON.parse(outcome.response?.body.toString() ?? ''), { encoded: encoding });
    }
  });

  it('reads a chunked body whole', async () => {
    const outcome = await get(`${server.url}/chunked`);
    assert.equal(outcome.response?.body.toString(), 'first,second');
  });

  it('measures every phase, each plausible and together within the duration', async () => {
    const outcome = await get(`${server.url}/chunked`);
    const total = PHASES.reduce((sum, phase) => sum + outcome.phases[phase], 0);
    for (const phase of PHASES) assert.ok(outcome.phases[phase] >= 0, `${phase} is not negative`);
    assert.equal(outcome.phases.dns, 0, 'an IP literal needs no DNS');
    assert.equal(outcome.phases.tls, 0, 'plain http has no TLS');
    assert.ok(outcome.phases.connect > 0);
    assert.ok(outcome.phases.transfer >= 15, `transfer covers the 20 ms between chunks, got ${outcome.phases.transfer}`);
    assert.ok(total <= outcome.durationMs + 0.001, `phases (${total}) fit in the duration (${outcome.durationMs})`);
  });

  it('measures DNS when the URL names a host', async () => {
    const outcome = await get(`http://localhost:${server.port}/ok`);
    assert.equal(outcome.response?.status, 200);
    assert.ok(outcome.phases.dns > 0);
  });

  it('follows redirects, turning a 303 into a GET', async () => {
    const outcome = await get(`${server.url}/redirect`, { method: 'POST', body: Buffer.from('x') });
    assert.equal(outcome.response?.status, 200);
    assert.equal(JSON.parse(outcome.response?.body.toString() ?? '').method, 'GET');
  });

  it('does not follow redirects when told not to', async () => {
    const outcome = await get(`${server.url}/redirect`, { followRedirects: false });
    assert.equal(outcome.response?.status, 303);
  });

  it('gives up on a redirect loop after 10 hops: protocol', async () => {
    const outcome = await get(`${server.url}/loop`);
    assert.equal(outcome.failure?.reason, 'protocol');
    assert.match(outcome.failure?.message ?? '', /too many redirects/);
  });

  it('times out on a server that never answers: timeout', async () => {
    const outcome = await get(`${server.url}/hang`, { timeoutMs: 200 });
    assert.equal(outcome.failure?.reason, 'timeout');
    assert.ok(outcome.durationMs >= 190);
  });

  it('aborts a body over 10 MiB: body_too_large, with the status it had', async () => {
    const outcome = await get(`${server.url}/big`);
    assert.equal(outcome.failure?.reason, 'body_too_large');
    assert.equal(outcome.status, 200);
    assert.match(outcome.failure?.message ?? '', /10 MiB/);
  });

  it('counts the decoded size, so a gzip bomb is body_too_large too', async () => {
    const outcome = await get(`${server.url}/gzip-bomb`);
    assert.equal(outcome.failure?.reason, 'body_too_large');
  });

  it('opens a fresh connection for every request', async () => {
    await get(`${server.url}/count`);
    const second = await get(`${server.url}/count`);
    assert.equal(JSON.parse(second.response?.body.toString() ?? '').connections, 2);
  });

  it('classifies a closed port as connection', async () => {
    const outcome = await get(`http://127.0.0.1:${await closedPort()}/`);
    assert.equal(outcome.failure?.reason, 'connection');
    assert.match(outcome.failure?.message ?? '', /ECONNREFUSED/);
  });

  it('classifies an unknown host as dns', async () => {
    // A resolver that answers "no such host" as getaddrinfo does, so the test needs no DNS server.
    const lookup: LookupFunction = (hostname, _options, callback) =>
      process.nextTick(() => callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo', hostname }), '', 4));
    const outcome = await get('http://no-such-host.invalid/', { lookup });
    assert.equal(outcome.failure?.reason, 'dns');
    assert.match(outcome.failure?.message ?? '', /DNS lookup failed for no-such-host\.invalid: ENOTFOUND/);
  });
});

describe('the HTTP client against misbehaving peers', () => {
  it('classifies a connection closed before any answer as connection', async () => {
    const peer = await startTcpServer((socket) => socket.once('data', () => socket.destroy()));
    try {
      const outcome = await get(`${peer.url}/`);
      assert.equal(outcome.failure?.reason, 'connection');
    } finally {
      await peer.close();
    }
  });

  it('classifies a socket destroyed mid-body as protocol, keeping the status', async () => {
    const peer = await startTcpServer((socket) =>
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\npartial');
        setTimeout(() => socket.destroy(), 20);
      }),
    );
    try {
      const outcome = await get(`${peer.url}/`);
      assert.equal(outcome.failure?.reason, 'protocol');
      assert.equal(outcome.status, 200);
    } finally {
      await peer.close();
    }
  });

  it('classifies a garbage answer as protocol', async () => {
    const peer = await startTcpServer((socket) => socket.once('data', () => socket.end('SMTP READY\r\n\r\n')));
    try {
      const outcome = await get(`${peer.url}/`);
      assert.equal(outcome.failure?.reason, 'protocol');
    } finally {
      await peer.close();
    }
  });
});

describe('the HTTP client over TLS', () => {
  let cert: SelfSignedCert;
  let server: TestServer;
  before(async () => {
    cert = makeSelfSignedCert(30);
    // The name the client asked for in the handshake (SNI), or false when it sent none.
    server = await startHttpsServer(cert, (req, res) => json(res, 200, { secure: true, servername: (req.socket as TLSSocket & { servername: string | false }).servername }));
  });
  after(() => server.close());

  it('refuses a self-signed certificate: tls', async () => {
    const outcome = await get(`${server.url}/`);
    assert.equal(outcome.failure?.reason, 'tls');
  });

  it('accepts it with insecureSkipVerify, measuring the TLS phase and the expiry', async () => {
    const outcome = await get(`${server.url}/`, { insecureSkipVerify: true });
    assert.equal(outcome.response?.status, 200);
    assert.ok(outcome.phases.tls > 0);
    assert.equal(outcome.tlsCertExpiresAt, cert.notAfter);
  });

  it('names the URL\'s host in the handshake (SNI) and checks the certificate against it', async () => {
    const outcome = await get(`https://localhost:${server.port}/`, { clientTls: { ca: cert.cert.toString() } });
    assert.equal(outcome.failure, undefined);
    assert.equal(JSON.parse(outcome.response?.body.toString() ?? '').servername, 'localhost');
  });

  it('sends no SNI for an IP address, and checks the certificate against the address', async () => {
    const outcome = await get(`${server.url}/`, { clientTls: { ca: cert.cert.toString() } });
    assert.equal(outcome.failure, undefined);
    assert.equal(JSON.parse(outcome.response?.body.toString() ?? '').servername, false);
  });

  it('takes the name from a Host header when the URL has an IP address, for SNI and the certificate check', async () => {
    const named = await get(`${server.url}/`, { headers: { host: `localhost:${server.port}` }, clientTls: { ca: cert.cert.toString() } });
    assert.equal(named.failure, undefined);
    assert.equal(JSON.parse(named.response?.body.toString() ?? '').servername, 'localhost');
    const other = await get(`${server.url}/`, { headers: { host: 'api.example.test' }, clientTls: { ca: cert.cert.toString() } });
    assert.equal(other.failure?.reason, 'tls');
    assert.match(other.failure?.message ?? '', /ERR_TLS_CERT_ALTNAME_INVALID/);
  });
});
