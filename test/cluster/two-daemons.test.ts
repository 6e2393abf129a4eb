import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDaemon } from '../../src/daemon/start-daemon.js';
import type { Daemon } from '../../src/daemon/start-daemon.js';
import { createLogger } from '../../src/logging/logger.js';
import { Redactor } from '../../src/redaction/redactor.js';
import { createTestDatabase } from '../support/postgres.js';
import { startHttpServer } from '../support/servers.js';
import { until } from '../support/wait.js';

const MONITORS = Array.from({ length: 10 }, (_, i) => `every-second-${i}`);
const TOKEN = 'cluster-test-api-token';
type MonitorView = { lastRun: { instance: string; location: string } };

describe('two daemons on one database', () => {
  it('run each tick of each monitor once between them, show each other’s runs, and take over when one leaves', async () => {
    const db = await createTestDatabase();
    // The counting API: which instance called, per monitor and per second.
    const calls: Array<{ monitor: string; second: number; at: number }> = [];
    const api = await startHttpServer((req, res) => {
      calls.push({ monitor: (req.url ?? '').slice(1), second: Math.floor(Date.now() / 1000), at: Date.now() });
      res.end('ok');
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-cluster-'));
    const monitor = (name: string, schedule: string) => `name: ${name}\nschedule: "${schedule}"\nsteps:\n  - name: Call\n    request: { url: "${api.url}/${name}" }\n`;
    writeFileSync(path.join(dir, 'monitors.yaml'), [...MONITORS.map((name) => monitor(name, '* * * * * *')), monitor('on-demand', '0 0 1 1 *')].join('---\n'));
    const daemons = new Map<string, Daemon>();
    const start = async (instance: string) => {
      const redactor = new Redactor();
      const logger = createLogger({ redactor, destination: new Writable({ write: (_chunk, _e, done) => done() }) });
      const settings = { databaseUrl: db.url, location: 'default', instance, historyDays: 14 };
      // Start offsets off: runs are counted per tick by the second they arrive in, and this test is about claims, not the spread.
      daemons.set(instance, await startDaemon({ monitorPaths: [dir], host: '127.0.0.1', port: 0, env: {}, dataDir: path.join(dir, instance), logger, redactor, apiToken: TOKEN, cluster: settings, startSpreadMs: 0 }));
    };
    const metricsOf = async (instance: string) => (await fetch(`${daemons.get(instance)!.url}/metrics`)).text();
    const seriesOf = (text: string) => MONITORS.filter((name) => text.includes(`stepwatch_monitor_runs_total{monitor="${name}",location="default",result="success"}`));
    try {
      await Promise.all([start('alpha'), start('beta')]);
      // Both see both members (heartbeats every 3 s), then run for a while.
      await until(async () => /stepwatch_cluster_members\{location="default"\} 2/.test(await metricsOf('alpha')) && /stepwatch_cluster_members\{location="default"\} 2/.test(await metricsOf('beta')), 'both members seen', 10_000);
      const from = Math.floor(Date.now() / 1000) + 1;
      await sleep(5_000);
      const to = Math.floor(Date.now() / 1000) - 1;
      for (const name of MONITORS) {
        const seconds = calls.filter((call) => call.monitor === name && call.second >= from && call.second <= to).map((call) => call.second);
        assert.equal(new Set(seconds).size, seconds.length, `${name} ran at most once per tick`);
        assert.ok(seconds.length >= to - from, `${name} ran on (nearly) every tick: ${seconds.length} of ${to - from + 1}`);
      }
      const [alphaText, betaText] = [await metricsOf('alpha'), await metricsOf('beta')];
      const [alphaOwns, betaOwns] = [seriesOf(alphaText), seriesOf(betaText)];
      assert.ok(alphaOwns.length > 0 && betaOwns.length > 0, 'both instances run some monitors');
      assert.deepEqual([...alphaOwns, ...betaOwns].sort(), [...MONITORS].sort(), 'each monitor has series on exactly one instance');
      const owned = (text: string) => Number(/^stepwatch_cluster_owned_monitors (\d+)$/m.exec(text)?.[1]);
      assert.equal(owned(alphaText) + owned(betaText), MONITORS.length + 1, 'every monitor (on-demand too) is owned by one of them');
      assert.match(alphaText, /stepwatch_cluster_database_up 1/);
      assert.equal((await fetch(`${daemons.get('alpha')!.url}/readyz`)).status, 200);

      // Any instance's API shows every monitor, with who ran each run.
      await until(async () => ((await (await fetch(`${daemons.get('alpha')!.url}/api/monitors/${betaOwns[0]}`)).json()) as MonitorView).lastRun?.instance === 'beta', "beta's runs on alpha's API", 10_000);
      assert.equal(((await (await fetch(`${daemons.get('alpha')!.url}/api/monitors/${betaOwns[0]}`)).json()) as MonitorView).lastRun.location, 'default');

      // A manual run on either instance runs once, and is refused while it is going.
      const manual = await fetch(`${daemons.get('beta')!.url}/api/monitors/on-demand/run`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(manual.status, 200);
      assert.equal(calls.filter((call) => call.monitor === 'on-demand').length, 1);

      // alpha leaves: beta takes its monitors over and runs each tick once.
      const left = Date.now();
      await daemons.get('alpha')!.stop(5_000);
      daemons.delete('alpha');
      await until(() => alphaOwns.every((name) => calls.some((call) => call.monitor === name && call.at > left)), "alpha's monitors run on beta", 20_000);
      const handoverMs = Math.max(...alphaOwns.map((name) => calls.find((call) => call.monitor === name && call.at > left)!.at)) - left;
      process.stdout.write(`# handover after a clean leave: ${handoverMs} ms\n`);
      await until(async () => seriesOf(await metricsOf('beta')).length === MONITORS.length, 'beta exports every monitor', 5_000);
      const after = Math.floor(Date.now() / 1000);
      await sleep(3_000);
      for (const name of MONITORS) {
        const seconds = calls.filter((call) => call.monitor === name && call.second >= after).map((call) => call.second);
        assert.equal(new Set(seconds).size, seconds.length, `${name} ran at most once per tick after the handover`);
      }
    } finally {
      await Promise.all([...daemons.values()].map((daemon) => daemon.stop(5_000)));
      await api.close();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
