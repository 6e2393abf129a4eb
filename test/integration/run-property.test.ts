import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { runMonitor } from '../../src/run/run-monitor.js';
import { FAILURE_REASONS } from '../../src/core/failure.js';
import type { Monitor } from '../../src/core/monitor.js';
import { monitorFromYaml } from '../support/monitors.js';
import { startTcpServer } from '../support/servers.js';
import type { TestServer } from '../support/servers.js';
import { DEEP_JSON } from '../support/hostile-server.js';

/** One answer a server could send, as parts a property can shrink. */
interface Answer {
  statusLine: string;
  headers: Array<[string, string]>;
  body: Buffer;
  compress: 'none' | 'gzip' | 'br' | 'deflate';
  /** Say the compression in Content-Encoding (or send compressed bytes unannounced). */
  declareCompression: boolean;
  framing: 'length' | 'chunked' | 'close' | 'length-too-long' | 'chunk-cut' | 'bad-chunk-size';
  /** Close the connection after this many bytes of the whole answer. */
  cutAt: number | null;
}

const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/);
const headerValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ maxLength: 40, unit: 'binary' }),
  fc.constantFrom('', ' ', 'a\tb', 'é', '☃'),
).map((value) => value.replace(/[\r\n]/g, ''));

const location = fc.oneof(
  fc.constantFrom('http://[::1', '/again', '', 'ftp://x/', 'https://127.0.0.1:PORT/', 'http://127.0.0.1:PORT/elsewhere', 'a:b', '?q=1', '#frag', 'é', 'http://127.0.0.1:PORT/%zz', 'http://user:pass@127.0.0.1:PORT/'),
  fc.stringMatching(/^\/[a-z0-9/._?#%-]{0,20}$/),
);

/** Bodies that bite when handed on: CR LF, non-Latin-1, invalid patterns, control characters. */
const bitingText = fc.oneof(
  fc.constantFrom('abc\r\nx-injected: yes', '(unclosed[', 'snow ☃', 'nul\u0000', '\\', '*', '<<custom.body>>', 'http://[::1', ''),
  fc.string({ maxLength: 60, unit: 'binary' }),
  fc.stringMatching(/^[a-z()[\]{}*+?\\|^$.\r\n☃é\u0000 ]{0,30}$/),
);

const answers: fc.Arbitrary<Answer> = fc.record({
  statusLine: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(200, 200, 201, 204, 301, 302, 303, 304, 307, 308, 401, 404, 429, 500).map((status) => `HTTP/1.1 ${status} X`) },
    { weight: 2, arbitrary: fc.integer({ min: 100, max: 999 }).map((status) => `HTTP/1.1 ${status} Reason`) },
    { weight: 1, arbitrary: fc.constantFrom('HTTP/1.0 200 OK', 'HTTP/1.1 200', 'HTTP/2 200 OK', 'HTTP/1.1 000 Zero', 'HTTP/1.1 99 Low', 'garbage', '', 'HTTP/1.1 200 OK\r\n\r\nHTTP/1.1 500 Again') },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
  ),
  headers: fc.array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/json; charset=UTF-16LE', 'text/plain; charset=utf-16be', 'text/plain; charset="iso-8859-1"', 'text/html; charset=latin1', 'text/plain; charset=no-such-charset', 'text/plain; charset=', 'application/json;charset').map((value): [string, string] => ['content-type', value]) },
      { weight: 3, arbitrary: location.map((value): [string, string] => ['location', value]) },
      { weight: 1, arbitrary: fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'compress', 'gzip, br', 'x-gzip').map((value): [string, string] => ['content-encoding', value]) },
      { weight: 1, arbitrary: fc.constantFrom('content-length', 'transfer-encoding', 'set-cookie', 'x-request-id', 'www-authenticate').chain((name) => headerValue.map((value): [string, string] => [name, value])) },
      { weight: 2, arbitrary: fc.tuple(token, headerValue) },
    ),
    { maxLength: 5 },
  ),
  body: fc.oneof(
    fc.jsonValue({ maxDepth: 4 }).map((value) => Buffer.from(JSON.stringify(value) ?? 'null')),
    bitingText.map((text) => Buffer.from(text)),
    bitingText.map((text) => Buffer.from(JSON.stringify({ a: text, id: text, access_token: text, token_type: text }))),
    fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes)),
    fc.jsonValue({ maxDepth: 3 }).map((value) => Buffer.from(JSON.stringify(value) ?? 'null', 'utf16le')),
    fc.constant(Buffer.from(DEEP_JSON)),
  ),
  compress: fc.constantFrom('none', 'none', 'none', 'gzip', 'br', 'deflate'),
  declareCompression: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  framing: fc.oneof({ weight: 8, arbitrary: fc.constantFrom('length', 'chunked', 'close') }, { weight: 2, arbitrary: fc.constantFrom('length-too-long', 'chunk-cut', 'bad-chunk-size') }),
  cutAt: fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat({ max: 4000 }) }),
}) as fc.Arbitrary<Answer>;

function encode(answer: Answer, port: number): Buffer {
  const body = answer.compress === 'gzip' ? gzipSync(answer.body) : answer.compress === 'br' ? brotliCompressSync(answer.body) : answer.compress === 'deflate' ? deflateSync(answer.body) : answer.body;
  const lines = [answer.statusLine, ...answer.headers.map(([name, value]) => `${name}: ${value.replace(/PORT/g, String(port))}`)];
  if (answer.compress !== 'none' && answer.declareCompression) lines.push(`content-encoding: ${answer.compress}`);
  let payload: Buffer;
  switch (answer.framing) {
    case 'length':
      lines.push(`content-length: ${body.length}`);
      payload = body;
      break;
    case 'length-too-long':
      lines.push(`content-length: ${body.length + 10}`);
      payload = body;
      break;
    case 'chunked':
    case 'chunk-cut':
    case 'bad-chunk-size': {
      lines.push('transfer-encoding: chunked');
      const size = answer.framing === 'bad-chunk-size' ? 'zz' : body.length.toString(16);
      const chunk = Buffer.concat([Buffer.from(`${size}\r\n`), body, Buffer.from('\r\n')]);
      payload = answer.framing === 'chunk-cut' ? chunk.subarray(0, Math.max(1, Math.floor(chunk.length / 2))) : Buffer.concat([chunk, Buffer.from('0\r\n\r\n')]);
      break;
    }
    default:
      payload = body;
  }
  const whole = Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
  return answer.cutAt === null ? whole : whole.subarray(0, answer.cutAt % (whole.length + 1));
}

describe('runMonitor against any answer a server can send', () => {
  let server: TestServer;
  let current: Buffer = Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
  let monitors: Monitor[];
  before(async () => {
    // Every request gets the answer of the current example, then the connection closes.
    server = await startTcpServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => socket.end(current));
    });
    const env = { API: server.url };
    const yaml = (name: string, steps: string) => monitorFromYaml(`name: ${name}\nschedule: "* * * * *"\ntimeout: 5s\nsteps:\n${steps}`, env);
    // The first step takes whatever came (status below 1000, any body) and hands the whole body on.
    const take = `  - name: Take
    request: { url: "<<env.API>>/take", timeout: 2s }
    assert: { status: { lessThan: 1000 } }
    extract: { body: { regex: '^([\\s\\S]*)$' } }
`;
    monitors = [
      yaml('judge', `  - name: Judge
    request: { url: "<<env.API>>/judge", timeout: 2s }
    assert:
      status: "2xx"
      headers: { content-type: { contains: json }, x-request-id: { matches: "/^[a-z]+$/i" } }
      body: { notContains: "error" }
      jsonpath:
        $..a: { exists: true }
        $.a[0].id: { equals: "x" }
        $.items.length: { greaterThan: 0 }
    extract: { id: $..id, request: { header: x-request-id }, word: { regex: '([a-z]+)' } }
`),
      yaml('header', `${take}  - { name: As header, request: { url: "<<env.API>>/header", headers: { X-Echo: "<<custom.body>>" }, timeout: 2s } }\n`),
      yaml('pattern', `${take}  - { name: As pattern, request: { url: "<<env.API>>/pattern", timeout: 2s }, assert: { status: { lessThan: 1000 }, body: { matches: "<<custom.body>>" }, jsonpath: { "$.a": { equals: "<<custom.body>>" } } } }\n`),
      yaml('url', `${take}  - { name: As URL, request: { method: POST, url: "<<custom.body>>", query: { q: "<<custom.body>>" }, json: { echoed: "<<custom.body>>" }, timeout: 2s } }\n`),
      yaml('head', `  - { name: Head, request: { method: HEAD, url: "<<env.API>>/head", timeout: 2s } }\n`),
      yaml('token', `  - name: Token
    oauth2: { tokenUrl: "<<env.API>>/token", grant: client_credentials, clientId: id, clientSecret: secret-value-123, timeout: 2s }
`),
    ];
  });
  after(() => server.close());

  it('always resolves with a result: every step accounted for, every failure with a contract reason other than internal', async () => {
    await fc.assert(
      fc.asyncProperty(answers, async (answer) => {
        current = encode(answer, server.port);
        for (const monitor of monitors) {
          const result = await runMonitor(monitor, { env: { API: server.url } });
          assert.equal(result.monitor, monitor.name);
          assert.deepEqual(result.steps.map((step) => step.name), monitor.steps.map((step) => step.name));
          for (const step of result.steps) {
            if (step.status !== 'failed') continue;
            assert.ok(step.reason && (FAILURE_REASONS as readonly string[]).includes(step.reason), `${monitor.name}/${step.name}: reason ${String(step.reason)}`);
            assert.notEqual(step.reason, 'internal', `${monitor.name}/${step.name}: ${step.message}`);
            assert.ok((step.message ?? '').length > 0);
          }
        }
      }),
      { numRuns: 120 },
    );
  });
});
