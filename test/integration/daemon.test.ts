import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDaemon } from '../../src/daemon/start-daemon.js';
import { createLogger } from '../../src/logging/logger.js';
import { Redactor } from '../../src/redaction/redactor.js';
import type { Daemon } from '../../src/daemon/start-daemon.js';
import { closedPort, json, startHttpServer } from '../support/servers.js';
import type { TestServer } from '../support/servers.js';
import { DEFAULT_START_SPREAD_MS, startOffsetMs } from '../../src/schedule/start-offset.js';

async function until(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

describe('the daemon reloading a monitors folder', () => {
  it('reports a file that became invalid in logs and metrics, keeps its last good version, and recovers', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-daemon-'));
    const file = path.join(dir, 'm.yaml');
    const good = 'name: watched\nschedule: "0 0 1 1 *"\nsteps:\n  - name: Ping\n    request: { url: "http://127.0.0.1:1/" }\n';
    writeFileSync(file, good);
    const logs: string[] = [];
    const destination = new Writable({ write: (chunk: Buffer, _e, done) => (logs.push(chunk.toString()), done()) });
    const redactor = new Redactor();
    const daemon = await startDaemon({ monitorPaths: [dir], host: '127.0.0.1', port: 0, env: {}, dataDir: path.join(dir, 'data'), logger: createLogger({ redactor, destination }), redactor, watchIntervalMs: 50 });
    const metrics = async () => (await fetch(`${daemon.url}/metrics`)).text();
    try {
      assert.equal((await fetch(`${daemon.url}/readyz`)).status, 200);
      assert.match(await metrics(), /^stepwatch_config_last_reload_successful 1$/m);

      writeFileSync(file, `${good}timeout: soon\n`);
      await until(async () => /^stepwatch_config_last_reload_successful 0$/m.test(await metrics()));
      const text = await metrics();
      assert.match(text, /stepwatch_config_monitors\{state="active"\} 1/);
      assert.match(text, /stepwatch_config_monitors\{state="invalid"\} 1/);
      assert.match(text, /stepwatch_monitor_info\{monitor="watched"\} 1/, 'the last good version is still in force');
      const error = logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.level === 'error');
      assert.equal(error?.msg, 'monitor file is invalid; its last good version keeps running');
      assert.deepEqual(error?.diagnostics, [`${file}:6:10: timeout must be a duration such as 250ms, 1.5s, 2m, 1h, or a number of milliseconds, got string "soon"`]);

      // Another file changes: the still-invalid one is not reported again.
      writeFileSync(path.join(dir, 'other.yaml'), good.replace('watched', 'other'));
      await until(async () => /stepwatch_monitor_info\{monitor="other"\} 1/.test(await metrics()));
      assert.equal(logs.filter((line) => line.includes('"level":"error"')).length, 1, 'an unchanged invalid file is reported once');

      writeFileSync(file, good.replace('watched', 'renamed'));
      await until(async () => /^stepwatch_config_last_reload_successful 1$/m.test(await metrics()));
      assert.match(await metrics(), /stepwatch_monitor_info\{monitor="renamed"\} 1/);
      assert.doesNotMatch(await metrics(), /monitor="watched"/);
    } finally {
      await daemon.stop(1_000);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A server that holds every answer until the test releases it, and says when a request arrived. */
async function holdingServer(): Promise<TestServer & { arrived(): Promise<void>; releaseAll(): void }> {
  const held: Array<() => void> = [];
  let onArrival: (() => void) | undefined;
  const server = await startHttpServer((_req, res) => {
    held.push(() => json(res, 200, {}));
    onArrival?.();
  });
  return {
    ...server,
    arrived: () => new Promise<void>((resolve) => (held.length > 0 ? resolve() : (onArrival = resolve))),
    releaseAll: () => {
      for (const release of held.splice(0)) release();
    },
  };
}

async function daemonOn(dir: string, options: { apiToken?: string } = {}): Promise<Daemon & { metrics(): Promise<string> }> {
  const redactor = new Redactor();
  const destination = new Writable({ write: (_chunk: Buffer, _e, done) => done() });
  const daemon = await startDaemon({ monitorPaths: [path.join(dir, 'monitors')], host: '127.0.0.1', port: 0, env: {}, dataDir: path.join(dir, 'data'), logger: createLogger({ redactor, destination }), redactor, watchIntervalMs: 50, ...options });
  return { ...daemon, metrics: async () => (await fetch(`${daemon.url}/metrics`)).text() };
}

const monitorFile = (name: string, step: string, url: string, extra = '') => `name: ${name}\nschedule: "0 0 1 1 *"\n${extra}steps:\n  - name: ${step}\n    request: { url: "${url}" }\n`;
/** What a run sets; the next due time is not among them (an enabled monitor has one before any run). */
const STATE_SERIES = /stepwatch_(monitor_up|monitor_consecutive_failures|monitor_last_run_timestamp_seconds|step_up|step_http_status_code|step_phase_duration_seconds|step_tls_cert_expiry_timestamp_seconds|step_last_failure_reason)\{/;

describe('the daemon keeping series true to the monitors', () => {
  it('exports when each enabled monitor is next due, from the schedule', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-next-'));
    mkdirSync(path.join(dir, 'monitors'));
    writeFileSync(path.join(dir, 'monitors', 'yearly.yaml'), monitorFile('yearly', 'Ping', 'http://127.0.0.1:1/'));
    writeFileSync(path.join(dir, 'monitors', 'off.yaml'), monitorFile('off', 'Ping', 'http://127.0.0.1:1/', 'enabled: false\n'));
    // Same schedule, another name: its start (and so its next run) is its tick plus its offset.
    writeFileSync(path.join(dir, 'monitors', 'checkout.yaml'), monitorFile('checkout', 'Ping', 'http://127.0.0.1:1/'));
    const daemon = await daemonOn(dir);
    try {
      const text = await daemon.metrics();
      const year = new Date().getUTCFullYear() + 1;
      assert.equal(startOffsetMs('yearly', DEFAULT_START_SPREAD_MS), 0, "'yearly' starts at its tick");
      assert.match(text, new RegExp(`^stepwatch_monitor_next_run_timestamp_seconds\\{monitor="yearly"\\} ${Date.UTC(year, 0, 1) / 1000}$`, 'm'));
      assert.equal(startOffsetMs('checkout', DEFAULT_START_SPREAD_MS), 500);
      assert.match(text, new RegExp(`^stepwatch_monitor_next_run_timestamp_seconds\\{monitor="checkout"\\} ${Date.UTC(year, 0, 1) / 1000}\\.5$`, 'm'));
      assert.doesNotMatch(text, /stepwatch_monitor_next_run_timestamp_seconds\{monitor="off"\}/);
      assert.match(text, /^stepwatch_step_failures_total\{monitor="yearly",step="Ping",reason="timeout"\} 0$/m, 'every reason counts from 0 before the first run');
    } finally {
      await daemon.stop(1_000);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const change of ['renamed', 'disabled', 'deleted'] as const) {
    it(`leaves no state series of a monitor ${change} while its run was in flight, when that run ends`, async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-inflight-'));
      mkdirSync(path.join(dir, 'monitors'));
      const server = await holdingServer();
      const file = path.join(dir, 'monitors', 'm.yaml');
      writeFileSync(file, monitorFile('watched', 'Ping', server.url));
      const daemon = await daemonOn(dir);
      try {
        const run = daemon.scheduler.trigger('watched');
        assert.ok(run);
        await server.arrived();
        if (change === 'renamed') writeFileSync(file, monitorFile('renamed', 'Pong', server.url));
        if (change === 'disabled') writeFileSync(file, monitorFile('watched', 'Ping', server.url, 'enabled: false\n'));
        if (change === 'deleted') rmSync(file);
        const reloaded = (text: string) =>
          change === 'renamed' ? text.includes('stepwatch_monitor_info{monitor="renamed"} 1') : change === 'disabled' ? text.includes('stepwatch_config_monitors{state="disabled"} 1') : text.includes('stepwatch_config_monitors{state="active"} 0');
        await until(async () => reloaded(await daemon.metrics()));
        server.releaseAll();
        const result = await run;
        assert.equal(result?.passed, true, 'the run itself ended normally');
        const text = await daemon.metrics();
        assert.doesNotMatch(text, STATE_SERIES, `after the run of the old definition ended:\n${text.split('\n').filter((line) => STATE_SERIES.test(line)).join('\n')}`);
        if (change !== 'disabled') assert.doesNotMatch(text, /monitor="watched"/);
        else assert.match(text, /^stepwatch_monitor_runs_total\{monitor="watched",result="success"\} 1$/m, 'the run is counted');
      } finally {
        server.releaseAll();
        await daemon.stop(1_000);
        await server.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('says the reload failed while the monitors folder is gone, keeps the monitors in force, and recovers', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-gone-'));
    mkdirSync(path.join(dir, 'monitors'));
    writeFileSync(path.join(dir, 'monitors', 'm.yaml'), monitorFile('kept', 'Ping', 'http://127.0.0.1:1/'));
    const daemon = await daemonOn(dir);
    try {
      assert.match(await daemon.metrics(), /^stepwatch_config_last_reload_successful 1$/m);
      renameSync(path.join(dir, 'monitors'), path.join(dir, 'away'));
      await until(async () => /^stepwatch_config_last_reload_successful 0$/m.test(await daemon.metrics()));
      assert.match(await daemon.metrics(), /stepwatch_monitor_info\{monitor="kept"\} 1/, 'the monitors in force keep running');
      // Put back unchanged: nothing differs from the last good load, yet the reload now succeeds.
      renameSync(path.join(dir, 'away'), path.join(dir, 'monitors'));
      await until(async () => /^stepwatch_config_last_reload_successful 1$/m.test(await daemon.metrics()));
    } finally {
      await daemon.stop(1_000);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 503 SHUTTING_DOWN to a run asked for while stopping, and finishes the run in flight', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-stop-'));
    mkdirSync(path.join(dir, 'monitors'));
    const server = await holdingServer();
    writeFileSync(path.join(dir, 'monitors', 'a.yaml'), monitorFile('busy', 'Ping', server.url));
    writeFileSync(path.join(dir, 'monitors', 'b.yaml'), monitorFile('idle', 'Ping', server.url));
    const daemon = await daemonOn(dir, { apiToken: 'token-for-the-stop-test' });
    try {
      const run = daemon.scheduler.trigger('busy');
      await server.arrived();
      const stopping = daemon.stop(5_000);
      const response = await fetch(`${daemon.url}/api/monitors/idle/run`, { method: 'POST', headers: { authorization: 'Bearer token-for-the-stop-test' } });
      assert.equal(response.status, 503);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'SHUTTING_DOWN');
      server.releaseAll();
      assert.equal((await run)?.passed, true);
      assert.equal(await stopping, true);
    } finally {
      server.releaseAll();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the daemon across a restart', () => {
  it('restores a failing monitor from monitor-outcomes.json, and drops the outcome once the monitor changed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-restart-'));
    mkdirSync(path.join(dir, 'monitors'));
    const file = path.join(dir, 'monitors', 'm.yaml');
    const url = `http://127.0.0.1:${await closedPort()}/`;
    writeFileSync(file, monitorFile('broken', 'Call', url));
    let daemon = await daemonOn(dir);
    try {
      for (let i = 0; i < 2; i++) assert.equal((await daemon.scheduler.trigger('broken'))?.passed, false);
      assert.match(await daemon.metrics(), /^stepwatch_monitor_consecutive_failures\{monitor="broken"\} 2$/m);
      await daemon.stop(1_000);
      const stored = path.join(dir, 'data', 'monitor-outcomes.json');
      assert.equal(statSync(stored).mode & 0o777, 0o600);
      assert.doesNotMatch(readFileSync(stored, 'utf8'), /127\.0\.0\.1/, 'outcomes hold names and reasons, not what the monitor called');

      daemon = await daemonOn(dir);
      const text = await daemon.metrics();
      assert.match(text, /^stepwatch_monitor_up\{monitor="broken"\} 0$/m);
      assert.match(text, /^stepwatch_monitor_consecutive_failures\{monitor="broken"\} 2$/m);
      assert.match(text, /^stepwatch_monitor_last_run_timestamp_seconds\{monitor="broken"\} \d+/m);
      assert.match(text, /^stepwatch_step_up\{monitor="broken",step="Call"\} 0$/m);
      assert.match(text, /^stepwatch_step_last_failure_reason\{monitor="broken",step="Call",reason="connection"\} 1$/m);
      assert.equal((await daemon.scheduler.trigger('broken'))?.passed, false);
      assert.match(await daemon.metrics(), /^stepwatch_monitor_consecutive_failures\{monitor="broken"\} 3$/m, 'the count goes on from the restored one');
      await daemon.stop(1_000);

      writeFileSync(file, monitorFile('broken', 'Call', url, 'description: edited since\n'));
      daemon = await daemonOn(dir);
      assert.doesNotMatch(await daemon.metrics(), STATE_SERIES, 'an outcome of an older definition is not restored');
    } finally {
      await daemon.stop(1_000);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts without outcomes when the file is not JSON, and replaces it after a run', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-corrupt-'));
    mkdirSync(path.join(dir, 'monitors'));
    mkdirSync(path.join(dir, 'data'));
    writeFileSync(path.join(dir, 'data', 'monitor-outcomes.json'), '{"version":1,"outc');
    writeFileSync(path.join(dir, 'monitors', 'm.yaml'), monitorFile('fresh', 'Call', `http://127.0.0.1:${await closedPort()}/`));
    const daemon = await daemonOn(dir);
    try {
      assert.doesNotMatch(await daemon.metrics(), /stepwatch_monitor_up\{/);
      await daemon.scheduler.trigger('fresh');
    } finally {
      await daemon.stop(1_000);
    }
    assert.ok(existsSync(path.join(dir, 'data', 'monitor-outcomes.json')));
    assert.equal((JSON.parse(readFileSync(path.join(dir, 'data', 'monitor-outcomes.json'), 'utf8')) as { outcomes: Array<{ monitor: string }> }).outcomes[0]?.monitor, 'fresh');
    rmSync(dir, { recursive: true, force: true });
  });
});
