import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { startDaemon } from '../../src/daemon/start-daemon.js';
import type { Daemon } from '../../src/daemon/start-daemon.js';
import { createLogger } from '../../src/logging/logger.js';
import { Redactor } from '../../src/redaction/redactor.js';
import { startHostileServer } from '../support/hostile-server.js';
import type { HostileServer } from '../support/hostile-server.js';

const TOKEN = 'api-token-for-fault-tests';

describe('a run that used to crash, in the daemon', () => {
  let api: HostileServer;
  let dir: string;
  let daemon: Daemon;
  const logs: Array<Record<string, unknown>> = [];
  before(async () => {
    api = await startHostileServer();
    dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-daemon-faults-'));
    writeFileSync(path.join(dir, 'm.yaml'), `name: bad-location
schedule: "0 0 1 1 *"
steps:
  - { name: Redirect, request: { url: "<<env.API>>/bad-location" } }
`);
    const destination = new Writable({ write: (chunk: Buffer, _e, done) => (logs.push(...chunk.toString().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>)), done()) });
    const redactor = new Redactor();
    daemon = await startDaemon({ monitorPaths: [dir], host: '127.0.0.1', port: 0, env: { API: api.url }, dataDir: path.join(dir, 'data'), logger: createLogger({ redactor, destination }), redactor, apiToken: TOKEN });
  });
  after(async () => {
    await daemon.stop(1_000);
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers POST .../run with the failed result, counts it, sets the gauges, logs it and shows it in the API', async () => {
    const response = await fetch(`${daemon.url}/api/monitors/bad-location/run`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(response.status, 200);
    const report = (await response.json()) as { monitors: Array<{ passed: boolean; steps: Array<{ reason: string; message: string }> }> };
    assert.equal(report.monitors[0]?.passed, false);
    assert.equal(report.monitors[0]?.steps[0]?.reason, 'protocol');

    const metrics = await (await fetch(`${daemon.url}/metrics`)).text();
    assert.match(metrics, /^stepwatch_monitor_runs_total\{monitor="bad-location",result="failure"\} 1$/m);
    assert.match(metrics, /^stepwatch_monitor_up\{monitor="bad-location"\} 0$/m);
    assert.match(metrics, /^stepwatch_step_up\{monitor="bad-location",step="Redirect"\} 0$/m);
    assert.match(metrics, /^stepwatch_step_failures_total\{monitor="bad-location",step="Redirect",reason="protocol"\} 1$/m);

    const warned = logs.find((line) => line.level === 'warn' && line.monitor === 'bad-location');
    assert.equal(warned?.reason, 'protocol');
    assert.ok(!logs.some((line) => line.level === 'error'), JSON.stringify(logs.filter((line) => line.level === 'error')));

    const detail = (await (await fetch(`${daemon.url}/api/monitors/bad-location`)).json()) as { history: Array<{ passed: boolean }> };
    assert.equal(detail.history.length, 1);
    assert.equal(detail.history[0]?.passed, false);
  });
});
