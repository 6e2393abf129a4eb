import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { startDaemon } from '../../src/daemon/start-daemon.js';
import type { Daemon } from '../../src/daemon/start-daemon.js';
import { createLogger } from '../../src/logging/logger.js';
import { Redactor } from '../../src/redaction/redactor.js';
import type { MonitorSummary, RunView } from '../../src/server/monitor-views.js';
import { json, startHttpServer } from '../support/servers.js';

async function daemonOn(dir: string): Promise<Daemon> {
  const redactor = new Redactor();
  const destination = new Writable({ write: (_chunk: Buffer, _e, done) => done() });
  return startDaemon({ monitorPaths: [path.join(dir, 'monitors')], host: '127.0.0.1', port: 0, env: {}, dataDir: path.join(dir, 'data'), logger: createLogger({ redactor, destination }), redactor, watchIntervalMs: 60_000 });
}

const monitorFile = (url: string, extra = '') => `name: orders\nschedule: "0 0 1 1 *"\n${extra}steps:\n  - name: List orders\n    request: { url: "${url}" }\n`;

async function get<T>(daemon: Daemon, route: string): Promise<T> {
  const response = await fetch(`${daemon.url}${route}`);
  assert.equal(response.status, 200, `GET ${route}`);
  return (await response.json()) as T;
}

const text = async (daemon: Daemon, route: string) => (await fetch(`${daemon.url}${route}`)).text();

describe('the API and the status page after a restart', () => {
  it('show the last outcome from before the restart, marked as restored, until the monitor runs again', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-restart-views-'));
    mkdirSync(path.join(dir, 'monitors'));
    const api = await startHttpServer((_req, res) => json(res, 503, { error: 'down for maintenance' }));
    const file = path.join(dir, 'monitors', 'orders.yaml');
    writeFileSync(file, monitorFile(api.url));
    let daemon = await daemonOn(dir);
    try {
      await daemon.scheduler.trigger('orders');
      const last = await daemon.scheduler.trigger('orders');
      assert.equal(last?.passed, false);
      const finishedAt = new Date((last?.startedAt ?? 0) + (last?.durationMs ?? 0)).toISOString();
      await daemon.stop(1_000);

      daemon = await daemonOn(dir);
      const restored = { up: false, consecutiveFailures: 2, finishedAt, failedStep: 'List orders', reason: 'status', restored: true };
      const [listed] = (await get<{ monitors: MonitorSummary[] }>(daemon, '/api/monitors')).monitors;
      assert.equal(listed?.state, 'failing', 'not pending: the metrics and the alert say it is down');
      assert.deepEqual(listed?.lastOutcome, restored);
      assert.equal(listed?.lastRun, null, "the run's details did not outlive the restart");
      const one = await get<MonitorSummary & { history: RunView[] }>(daemon, '/api/monitors/orders');
      assert.equal(one.state, 'failing');
      assert.deepEqual(one.lastOutcome, restored);
      assert.deepEqual(one.history, []);
      assert.match(await text(daemon, '/metrics'), /^stepwatch_monitor_consecutive_failures\{monitor="orders"\} 2$/m, 'the API and the metrics agree');

      const overview = await text(daemon, '/');
      assert.match(overview, /1 monitors, <strong>1 failing<\/strong>/);
      assert.match(overview, /<span class="badge failing">failing<\/span>/);
      assert.match(overview, /ago <span class="muted restored">\(before the restart\)<\/span>/);
      assert.match(overview, /<strong>List orders<\/strong> <span class="muted">\(status\)<\/span>/);
      const page = await text(daemon, '/monitors/orders');
      assert.match(page, /<span class="badge failing">failing<\/span>/);
      assert.match(page, new RegExp(`Restored from before the restart: the last run, finished <time datetime="${finishedAt}">.*failed at step <strong>List orders</strong> with <strong>status</strong>, 2 failed runs in a row`));

      // The next run replaces the restored outcome, and its count of failures goes on from it.
      await daemon.scheduler.trigger('orders');
      const after = await get<MonitorSummary>(daemon, '/api/monitors/orders');
      assert.equal(after.state, 'failing');
      assert.equal(after.lastOutcome?.restored, false);
      assert.equal(after.lastOutcome?.consecutiveFailures, 3);
      assert.equal(after.lastRun?.failedStep, 'List orders');
      assert.doesNotMatch(await text(daemon, '/monitors/orders'), /Restored from before the restart/);
      await daemon.stop(1_000);

      // An outcome of an older definition is not restored, here as in the metrics.
      writeFileSync(file, monitorFile(api.url, 'description: edited since\n'));
      daemon = await daemonOn(dir);
      const edited = await get<MonitorSummary>(daemon, '/api/monitors/orders');
      assert.equal(edited.state, 'pending');
      assert.equal(edited.lastOutcome, null);
    } finally {
      await daemon.stop(1_000);
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
