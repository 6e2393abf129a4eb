import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { runMonitor } from '../../src/run/run-monitor.js';
import { FAILURE_REASONS } from '../../src/core/failure.js';
import type { RunResult } from '../../src/core/results.js';
import { startHttpServer } from '../support/servers.js';
import type { TestServer } from '../support/servers.js';
import { monitorFromYaml } from '../support/monitors.js';

/** An answer as raw bytes, written to the socket as they are (status lines a library would refuse). */
async function startRawServer(answer: () => Buffer): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.once('data', () => socket.end(answer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

describe('answers that try to hurt the runner', () => {
  let api: TestServer;
  before(async () => {
    api = await startHttpServer((req, res) => {
      const send = (body: string) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(body);
      };
      switch (req.url) {
        case '/redos':
          return send(`"${'a'.repeat(30)}b"`);
        case '/deep':
          return send(`${'['.repeat(100_000)}1${']'.repeat(100_000)}`);
        case '/wide':
          // 200 levels: each `..*` multiplies the matches by about the depth.
          return send(`${'{"a":'.repeat(200)}1${'}'.repeat(200)}`);
        default:
          return send('{}');
      }
    });
  });
  after(() => api.close());

  const run = (steps: string, timeout = '5s'): Promise<RunResult> =>
    runMonitor(monitorFromYaml(`name: hostile\nschedule: "* * * * *"\ntimeout: ${timeout}\nsteps:\n${steps}`, { API: api.url }), { env: { API: api.url } });

  it('stops a catastrophic matches pattern and fails the step saying which bound', async () => {
    const result = await run(`  - name: Match\n    request: { url: "<<env.API>>/redos" }\n    assert: { body: { matches: '^"(a+)+$' } }\n`, '2s');
    const [step] = result.steps;
    assert.equal(step?.reason, 'assertion');
    assert.match(step?.message ?? '', /regex \^"\(a\+\)\+\$ did not finish within \d+ ms \(stepwatch's bound for one match\)/);
  });

  it('stops a catastrophic regex extraction the same way', async () => {
    const result = await run(`  - name: Extract\n    request: { url: "<<env.API>>/redos" }\n    extract: { x: { regex: '^"((a+)+)$' } }\n`, '2s');
    const [step] = result.steps;
    assert.equal(step?.reason, 'extraction');
    assert.match(step?.message ?? '', /did not finish within \d+ ms/);
  });

  it('fails a JSONPath on an answer nested 100,000 levels deep, naming the depth bound', async () => {
    const result = await run(`  - name: Deep\n    request: { url: "<<env.API>>/deep" }\n    assert: { jsonpath: { $..x: { exists: false } } }\n`);
    const [step] = result.steps;
    assert.equal(step?.reason, 'assertion');
    assert.match(step?.message ?? '', /nests deeper than 1000 levels/);
  });

  it('fails an extraction whose JSONPath would visit more than its budget, naming the bound', async () => {
    const result = await run(`  - name: Wide\n    request: { url: "<<env.API>>/wide" }\n    extract: { x: '$..*..*..*..*..nothing' }\n`);
    const [step] = result.steps;
    assert.equal(step?.reason, 'extraction');
    assert.match(step?.message ?? '', /visits more than 1000000 values/);
  });

  it('reports a status line with code 000 as a protocol failure, not as status 0', async () => {
    const raw = await startRawServer(() => Buffer.from('HTTP/1.1 000 Nothing\r\ncontent-length: 2\r\n\r\n{}'));
    try {
      const monitor = monitorFromYaml(`name: zero\nschedule: "* * * * *"\nsteps:\n  - name: Zero\n    request: { url: "${raw.url}/" }\n`);
      const result = await runMonitor(monitor, { env: {} });
      const [step] = result.steps;
      assert.equal(step?.reason, 'protocol');
      assert.match(step?.message ?? '', /status line has code 000/);
      assert.equal(step?.httpStatus, undefined);
    } finally {
      await raw.close();
    }
  });

  it('always resolves with a recorded result, whatever bytes the server answers', async () => {
    const answers = fc.oneof(
      fc.string({ maxLength: 200 }).map((body) => `HTTP/1.1 200 OK\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`),
      fc.integer({ min: 1, max: 3_000 }).map((depth) => `HTTP/1.1 200 OK\r\n\r\n${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
      fc.tuple(fc.integer({ min: 0, max: 999 }), fc.string({ maxLength: 40 })).map(([code, body]) => `HTTP/1.1 ${String(code).padStart(3, '0')} X\r\ncontent-type: application/json; charset=utf-8\r\n\r\n${body}`),
      fc.constantFrom('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nab', 'HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nab', '\u0000\u0001\u0002', 'HTTP/1.1 200 OK\r\nx: \u0000\r\n\r\n'),
    );
    let current = '';
    const raw = await startRawServer(() => Buffer.from(current, 'latin1'));
    try {
      const monitor = monitorFromYaml(
        `name: fuzz\nschedule: "* * * * *"\ntimeout: 2s\nsteps:\n  - name: Any\n    request: { url: "${raw.url}/", timeout: 1s }\n    assert: { status: [200, 201], body: { matches: '^(a|aa)+$' }, jsonpath: { $..a: { exists: true } } }\n    extract: { x: '$..a' }\n`,
      );
      await fc.assert(
        fc.asyncProperty(answers, async (answer) => {
          current = answer;
          const result = await runMonitor(monitor, { env: {} });
          assert.equal(result.steps.length, 1);
          for (const step of result.steps) if (step.status === 'failed') assert.ok((FAILURE_REASONS as readonly string[]).includes(step.reason ?? ''), JSON.stringify(step));
        }),
        { numRuns: 60 },
      );
    } finally {
      await raw.close();
    }
  });
});
