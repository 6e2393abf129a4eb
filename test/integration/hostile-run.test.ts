import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runMonitor } from '../../src/run/run-monitor.js';
import { redactRun } from '../../src/redaction/redact-run.js';
import { Redactor } from '../../src/redaction/redactor.js';
import type { Monitor } from '../../src/core/monitor.js';
import type { RunResult } from '../../src/core/results.js';
import { monitorFromYaml } from '../support/monitors.js';
import { startAcceptThenCloseServer, startHostileServer, startMidChunkServer } from '../support/hostile-server.js';
import type { HostileServer } from '../support/hostile-server.js';

describe('a run against a hostile API never escapes: every fault is a failed step with a reason', () => {
  let api: HostileServer;
  before(async () => {
    api = await startHostileServer();
  });
  after(() => api.close());

  const run = (yaml: string, env: NodeJS.ProcessEnv = {}): Promise<RunResult> => {
    const fullEnv = { API: api.url, ...env };
    return runMonitor(monitorFromYaml(`name: hostile\nschedule: "* * * * *"\n${yaml}`, fullEnv), { env: fullEnv });
  };
  const only = (result: RunResult, index = 0) => {
    const step = result.steps[index];
    return { status: step?.status, reason: step?.reason };
  };

  it('fails a redirect whose Location is not a URL as protocol, naming the Location', async () => {
    const result = await run(`steps:\n  - { name: Redirect, request: { url: "<<env.API>>/bad-location" } }\n`);
    assert.deepEqual(only(result), { status: 'failed', reason: 'protocol' });
    assert.equal(result.steps[0]?.httpStatus, 302);
    assert.match(result.steps[0]?.message ?? '', /Location 'http:\/\/\[::1' is not a URL/);
  });

  it('fails a header whose extracted value holds CR LF as template, and sends nothing', async () => {
    const before = api.echoed.length;
    const result = await run(`steps:
  - { name: Read, request: { url: "<<env.API>>/crlf" }, extract: { value: $.value } }
  - { name: Send, request: { url: "<<env.API>>/echo", headers: { X-Value: "<<custom.value>>" } } }
`);
    assert.deepEqual(only(result, 1), { status: 'failed', reason: 'template' });
    assert.match(result.steps[1]?.message ?? '', /header X-Value.*CR or LF/);
    assert.equal(api.echoed.length, before, 'no request went out with the injected header');
  });

  it('fails a header whose extracted value is not Latin-1 as template', async () => {
    const result = await run(`steps:
  - { name: Read, request: { url: "<<env.API>>/non-latin1" }, extract: { value: $.value } }
  - { name: Send, request: { url: "<<env.API>>/echo", headers: { X-Value: "<<custom.value>>" } } }
`);
    assert.deepEqual(only(result, 1), { status: 'failed', reason: 'template' });
    assert.match(result.steps[1]?.message ?? '', /header X-Value.*'☃'.*Latin-1/);
  });

  it('fails a matches assertion whose pattern, built at run time, is not a valid regex as assertion', async () => {
    const result = await run(`steps:
  - { name: Read, request: { url: "<<env.API>>/bad-pattern" }, extract: { pattern: $.pattern } }
  - { name: Match, request: { url: "<<env.API>>/echo" }, assert: { body: { matches: "<<custom.pattern>>" } } }
`);
    assert.deepEqual(only(result, 1), { status: 'failed', reason: 'assertion' });
    assert.match(result.steps[1]?.message ?? '', /^body: not a valid regular expression: .*\/\(unclosed\[\//);
  });

  it('fails JSONPath work on JSON nested 100,000 levels deep as assertion or extraction, not a crash', async () => {
    const asserted = await run(`steps:\n  - { name: Deep, request: { url: "<<env.API>>/deep" }, assert: { jsonpath: { $..a: { exists: true } } } }\n`);
    assert.deepEqual(only(asserted), { status: 'failed', reason: 'assertion' });
    assert.match(asserted.steps[0]?.message ?? '', /^\$\.\.a: the body nests deeper than 1000 levels/);
    const extracted = await run(`steps:\n  - { name: Deep, request: { url: "<<env.API>>/deep" }, extract: { a: $.a } }\n`);
    assert.deepEqual(only(extracted), { status: 'failed', reason: 'extraction' });
    assert.match(extracted.steps[0]?.message ?? '', /^extract a: .*the body nests deeper than 1000 levels/);
  });

  it('passes a HEAD whose Content-Length says 20 MiB: a HEAD answer has no body', async () => {
    const result = await run(`steps:\n  - { name: Head, request: { method: HEAD, url: "<<env.API>>/huge-head" } }\n`);
    assert.deepEqual(only(result), { status: 'passed', reason: undefined });
  });

  it('reads an ISO-8859-1 body by its charset', async () => {
    const result = await run(`steps:\n  - { name: Latin, request: { url: "<<env.API>>/latin1" }, assert: { body: { equals: "café crème" } } }\n`);
    assert.deepEqual(only(result), { status: 'passed', reason: undefined });
  });

  it('reads UTF-16LE and UTF-16BE JSON by its charset', async () => {
    for (const path of ['utf16le', 'utf16be']) {
      const result = await run(`steps:\n  - { name: Wide, request: { url: "<<env.API>>/${path}" }, assert: { jsonpath: { $.city: { equals: Zürich }, $.snow: { equals: ☃ } } } }\n`);
      assert.deepEqual(only(result), { status: 'passed', reason: undefined }, `${path}: ${result.steps[0]?.message}`);
    }
  });

  it('fails an answer that ends in the middle of a chunk as protocol', async () => {
    const peer = await startMidChunkServer();
    try {
      const result = await runMonitor(monitorFromYaml(`name: cut\nschedule: "* * * * *"\nsteps:\n  - { name: Cut, request: { url: "${peer.url}/" } }\n`));
      assert.deepEqual(only(result), { status: 'failed', reason: 'protocol' });
      assert.equal(result.steps[0]?.httpStatus, 200);
    } finally {
      await peer.close();
    }
  });

  it('fails an https server that accepts and then closes as connection, not tls', async () => {
    const peer = await startAcceptThenCloseServer();
    try {
      const result = await runMonitor(monitorFromYaml(`name: closes\nschedule: "* * * * *"\nsteps:\n  - { name: Closes, request: { url: "${peer.url}/" } }\n`));
      assert.deepEqual(only(result), { status: 'failed', reason: 'connection' });
    } finally {
      await peer.close();
    }
  });
});

describe('the last-resort guards of a run', () => {
  const monitor = monitorFromYaml(`name: guarded\nschedule: "* * * * *"\nsteps:\n  - { name: First, request: { url: "http://127.0.0.1:9/" } }\n  - { name: Second, request: { url: "http://127.0.0.1:9/" } }\n`);

  it('turns a step whose executor throws into an internal failure that says what was thrown, and skips the rest', async () => {
    const broken: Monitor = { ...monitor, steps: [{ ...monitor.steps[0]!, action: { kind: 'no-such-kind' } as unknown as Monitor['steps'][number]['action'] }, monitor.steps[1]!] };
    const result = await runMonitor(broken);
    assert.equal(result.passed, false);
    assert.deepEqual(result.steps.map((s) => [s.status, s.reason]), [['failed', 'internal'], ['skipped', undefined]]);
    assert.match(result.steps[0]?.message ?? '', /^stepwatch failed inside this step \(TypeError: .+\); please report it$/);
  });

  it('hides secrets in the message of what was thrown', async () => {
    const secret = 'hunter2-in-an-exception';
    const throwing: Monitor = {
      ...monitor,
      steps: [{ ...monitor.steps[0]!, get action(): never { throw new Error(`cannot read ${secret}`); } }],
    };
    const result = redactRun(await runMonitor(throwing, { redactor: new Redactor([secret]) }));
    assert.equal(result.steps[0]?.reason, 'internal');
    assert.equal(result.steps[0]?.message, 'stepwatch failed inside this step (Error: cannot read [redacted]); please report it');
  });

  it('ends as a failed result, never a rejection, when the run itself breaks outside any step', async () => {
    const breaking: Monitor = Object.defineProperty({ ...monitor }, 'timeoutMs', { get: () => { throw new RangeError('budget broke'); } });
    const seen: RunResult[] = [];
    const result = await runMonitor(breaking, { observer: { runFinished: (_m, r) => seen.push(r) } });
    assert.equal(result.passed, false);
    assert.deepEqual(result.steps.map((s) => [s.name, s.status, s.reason]), [['First', 'failed', 'internal'], ['Second', 'skipped', undefined]]);
    assert.equal(result.steps[0]?.message, 'stepwatch failed while running this monitor (RangeError: budget broke); please report it');
    assert.deepEqual(seen, [result], 'observers see the run end');
  });
});
