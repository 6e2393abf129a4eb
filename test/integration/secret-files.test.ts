// Secrets mounted as files (Docker and Kubernetes secrets): `<<file.path>>` and NAME_FILE, read
// by a running daemon, rotated in place, removed, and never shown anywhere.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDaemon } from '../../src/daemon/start-daemon.js';
import type { Daemon } from '../../src/daemon/start-daemon.js';
import { createLogger } from '../../src/logging/logger.js';
import { Redactor } from '../../src/redaction/redactor.js';
import { startHttpServer } from '../support/servers.js';
import type { TestServer } from '../support/servers.js';

const FIRST_TOKEN = 'mounted-token-first-6b1f0c';
const ROTATED_TOKEN = 'mounted-token-rotated-93ad7e';
const TENANT = 'tenant-from-a-file-77a0';

async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

describe('secrets mounted as files in a running daemon', () => {
  let dir: string;
  let secrets: string;
  let api: TestServer;
  let daemon: Daemon;
  let expected = FIRST_TOKEN;
  const seen: string[] = [];
  const logs: string[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-secret-files-'));
    secrets = path.join(dir, 'run-secrets');
    mkdirSync(secrets);
    writeFileSync(path.join(secrets, 'api-token'), `${FIRST_TOKEN}\n`);
    writeFileSync(path.join(secrets, 'tenant'), `${TENANT}\n`);
    // An API that echoes what it got when it refuses it, as careless APIs do.
    api = await startHttpServer((req, res) => {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      seen.push(token);
      const ok = token === expected && req.headers['x-tenant'] === TENANT;
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ok ? { ok } : { error: 'refused', got: req.headers }));
    });
    const monitors = path.join(dir, 'monitors');
    mkdirSync(monitors);
    writeFileSync(path.join(monitors, 'mounted.yaml'), `name: mounted
schedule: "* * * * * *"
steps:
  - name: Call
    request:
      url: ${api.url}/data
      auth: { bearer: "<<file.../run-secrets/api-token>>" }
      headers: { X-Tenant: "<<env.TENANT_ID>>" }
`);
    const redactor = new Redactor();
    const destination = new Writable({ write: (chunk: Buffer, _e, done) => (logs.push(chunk.toString()), done()) });
    daemon = await startDaemon({
      monitorPaths: [monitors],
      host: '127.0.0.1',
      port: 0,
      env: { TENANT_ID_FILE: path.join(secrets, 'tenant') },
      dataDir: path.join(dir, 'data'),
      logger: createLogger({ redactor, destination, level: 'debug' }),
      redactor,
      watchIntervalMs: 50,
    });
  });
  after(async () => {
    await daemon?.stop(5_000);
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the file contents without their trailing newline, NAME_FILE included', async () => {
    await until(() => seen.includes(FIRST_TOKEN), 'a run with the mounted token');
    const monitor = (await (await fetch(`${daemon.url}/api/monitors/mounted`)).json()) as { lastRun: { passed: boolean } };
    assert.equal(monitor.lastRun.passed, true);
  });

  it('uses a secret rotated in place from the next run on', async () => {
    expected = ROTATED_TOKEN;
    writeFileSync(path.join(secrets, 'api-token'), `${ROTATED_TOKEN}\n`);
    await until(() => seen.includes(ROTATED_TOKEN), 'a run with the rotated token');
    await until(async () => ((await (await fetch(`${daemon.url}/api/monitors/mounted`)).json()) as { lastRun: { passed: boolean } }).lastRun.passed, 'a passing run after the rotation');
  });

  it('keeps the last good version running when the file disappears, and says so', async () => {
    rmSync(path.join(secrets, 'api-token'));
    await until(async () => ((await (await fetch(`${daemon.url}/api/monitors`)).json()) as { invalid: unknown[] }).invalid.length > 0, 'the missing file reported');
    const { invalid } = (await (await fetch(`${daemon.url}/api/monitors`)).json()) as { invalid: Array<{ name: string; keptLastGood: boolean; diagnostics: Array<{ message: string }> }> };
    assert.equal(invalid[0]?.name, 'mounted');
    assert.equal(invalid[0]?.keptLastGood, true);
    assert.match(invalid[0]?.diagnostics[0]?.message ?? '', /<<file\.\.\.\/run-secrets\/api-token>> cannot be used: cannot read .*api-token \(ENOENT\)/);
    const before = seen.length;
    await until(() => seen.length > before, 'another run');
    assert.equal(seen.at(-1), ROTATED_TOKEN, 'the last good version runs with the value it was loaded with');
  });

  it('never shows a file secret in logs, metrics, the API, the pages or the data folder, even echoed by a refusing API', async () => {
    expected = 'no-longer-accepted';
    await until(async () => ((await (await fetch(`${daemon.url}/api/monitors/mounted`)).json()) as { lastRun: { passed: boolean } }).lastRun.passed === false, 'a refused run');
    const outputs = [logs.join('')];
    for (const url of ['/metrics', '/api/monitors', '/api/monitors/mounted', '/', '/monitors/mounted']) outputs.push(await (await fetch(`${daemon.url}${url}`)).text());
    const data = path.join(dir, 'data');
    for (const entry of existsSync(data) ? readdirSync(data, { recursive: true, withFileTypes: true }) : []) {
      if (entry.isFile()) outputs.push(readFileSync(path.join(entry.parentPath, entry.name), 'utf8'));
    }
    assert.ok(outputs[3]?.includes('refused'), 'the echoed failure is in the API, so the check below looked at it');
    for (const text of outputs) for (const secret of [FIRST_TOKEN, ROTATED_TOKEN, TENANT]) assert.ok(!text.includes(secret), `${secret} shown in ${text.slice(0, 300)}`);
  });
});
