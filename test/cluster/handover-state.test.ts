import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { place } from '../../src/cluster/rendezvous.js';
import { startDaemon } from '../../src/daemon/start-daemon.js';
import type { Daemon } from '../../src/daemon/start-daemon.js';
import { createLogger } from '../../src/logging/logger.js';
import { Redactor } from '../../src/redaction/redactor.js';
import { createTestDatabase } from '../support/postgres.js';
import { startHttpServer } from '../support/servers.js';
import { until } from '../support/wait.js';

const TOKEN = 'handover-test-api-token';
const MEMBERS = ['alpha', 'beta'];
/** The first name `<prefix>-<n>` that `owner` owns when both instances are members: the test does not depend on how the hash falls. */
const ownedBy = (owner: string, prefix: string) => {
  for (let i = 0; ; i++) if (place(`${prefix}-${i}`, MEMBERS)?.owner === owner) return `${prefix}-${i}`;
};
const DOWN = ownedBy('alpha', 'down');
const CHANGED = ownedBy('alpha', 'changed');
const RECOVERED = ownedBy('alpha', 'recovered');
const ADOPTED = ownedBy('alpha', 'adopted');
const JOINER = ownedBy('beta', 'joiner');
/** The families a monitor's state lives in (what alerts read), as opposed to its counters, which are each instance's own. */
const STATE = ['stepwatch_monitor_up', 'stepwatch_monitor_consecutive_failures', 'stepwatch_monitor_last_run_timestamp_seconds', 'stepwatch_step_up', 'stepwatch_step_last_failure_reason'];

type MonitorView = { state: string; lastRun: { instance: string; passed: boolean; failedStep: string | null; reason: string | null } };

describe("a monitor's state in cluster mode", () => {
  it('follows the monitor to its new owner (at start, when the members change, on a manual run of one owned elsewhere) unless its definition changed since', async () => {
    const db = await createTestDatabase();
    // The API answers each monitor with the status the test sets (500 fails the step, reason `status`).
    const statuses = new Map<string, number>();
    const api = await startHttpServer((req, res) => {
      res.statusCode = statuses.get((req.url ?? '').slice(1)) ?? 500;
      res.end();
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-handover-'));
    const file = path.join(dir, 'monitors.yaml');
    // Yearly: every run in this test is a manual one, so nothing runs between the checks.
    const monitor = (name: string, extra = '') => `name: ${name}\nschedule: "0 0 1 1 *"\n${extra}steps:\n  - name: Call\n    request: { url: "${api.url}/${name}" }\n`;
    const writeMonitors = (changedExtra = '') => writeFileSync(file, [monitor(DOWN), monitor(CHANGED, changedExtra), monitor(RECOVERED), monitor(ADOPTED), monitor(JOINER)].join('---\n'));
    writeMonitors();
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    const daemons = new Map<string, Daemon>();
    const start = async (instance: string) => {
      const redactor = new Redactor();
      const logger = createLogger({ redactor, destination: new Writable({ write: (_chunk, _e, done) => done() }) });
      const settings = { databaseUrl: db.url, location: 'default', instance, historyDays: 14 };
      daemons.set(instance, await startDaemon({ monitorPaths: [dir], host: '127.0.0.1', port: 0, env: {}, dataDir: path.join(dir, instance), logger, redactor, apiToken: TOKEN, cluster: settings, watchIntervalMs: 100 }));
    };
    const url = (instance: string) => daemons.get(instance)!.url;
    const runOn = async (instance: string, name: string) => {
      const response = await fetch(`${url(instance)}/api/monitors/${name}/run`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(response.status, 200, `run of ${name} on ${instance}`);
    };
    const stateOf = async (instance: string, name: string) => {
      const text = await (await fetch(`${url(instance)}/metrics`)).text();
      return text.split('\n').filter((line) => STATE.some((family) => line.startsWith(`${family}{monitor="${name}",`)));
    };
    const line = (family: string, name: string, value: number | string) => `${family}{monitor="${name}",location="default"} ${value}`;
    const view = async (instance: string, name: string) => (await (await fetch(`${url(instance)}/api/monitors/${name}`)).json()) as MonitorView;
    const recorded = async () => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM stepwatch_runs')).rows[0]?.n);
    try {
      // alpha alone runs everything: failures in a row, one that recovered, one of the joiner's.
      await start('alpha');
      for (const name of [DOWN, DOWN, DOWN, CHANGED, CHANGED, RECOVERED, ADOPTED, JOINER, JOINER]) await runOn('alpha', name);
      statuses.set(RECOVERED, 200);
      await runOn('alpha', RECOVERED);
      await until(async () => (await recorded()) === 10, "alpha's runs written to the history", 10_000);
      const alphaDown = await stateOf('alpha', DOWN);
      assert.ok(alphaDown.includes(line('stepwatch_monitor_consecutive_failures', DOWN, 3)), alphaDown.join('\n'));

      // beta starts and owns the joiner at once: its state is there before beta runs it.
      await start('beta');
      assert.ok((await stateOf('beta', JOINER)).includes(line('stepwatch_monitor_consecutive_failures', JOINER, 2)), 'seeded at start');
      assert.deepEqual(await stateOf('beta', DOWN), [], "alpha's monitors are not beta's yet");

      // A manual run on beta of a monitor alpha owns: beta takes its state first, then its run counts on from it.
      await runOn('beta', ADOPTED);
      assert.ok((await stateOf('beta', ADOPTED)).includes(line('stepwatch_monitor_consecutive_failures', ADOPTED, 2)), 'one failure on alpha, one on beta');

      // CHANGED gets a new definition on both instances: its runs on alpha were of the old one.
      const before = daemons.get('beta')!.catalog.get(CHANGED)!.revision;
      writeMonitors('description: a new definition\n');
      await until(() => [...daemons.values()].every((daemon) => daemon.catalog.get(CHANGED)?.revision !== before), 'both instances reloaded the changed monitor', 10_000);

      // alpha stops: at its next heartbeat beta owns everything, and alpha's monitors' state comes with them.
      await daemons.get('alpha')!.stop(5_000);
      daemons.delete('alpha');
      await until(async () => (await stateOf('beta', DOWN)).length > 0, "beta took alpha's monitors over", 15_000);
      assert.deepEqual(await stateOf('beta', DOWN), alphaDown, "beta exports the state alpha exported (failures in a row, up, last run, the failing step and why) before its first run");
      assert.deepEqual(await stateOf('beta', CHANGED), [], 'a definition changed since its last run starts afresh, as after a restart');
      assert.deepEqual(
        (await stateOf('beta', RECOVERED)).filter((l) => !l.startsWith('stepwatch_monitor_last_run_timestamp_seconds')),
        [line('stepwatch_monitor_up', RECOVERED, 1), line('stepwatch_monitor_consecutive_failures', RECOVERED, 0)],
        'one that passed last is up with no failures and no failing step',
      );
      // The API and the page, which read the same history, say the same.
      const shown = await view('beta', DOWN);
      assert.deepEqual([shown.state, shown.lastRun.instance, shown.lastRun.passed, shown.lastRun.failedStep, shown.lastRun.reason], ['failing', 'alpha', false, 'Call', 'status']);
      assert.ok(alphaDown.includes(`stepwatch_step_last_failure_reason{monitor="${DOWN}",location="default",step="Call",reason="status"} 1`));

      // beta's first runs go on from there.
      await runOn('beta', DOWN);
      await runOn('beta', CHANGED);
      assert.ok((await stateOf('beta', DOWN)).includes(line('stepwatch_monitor_consecutive_failures', DOWN, 4)), 'three on alpha, the fourth on beta');
      assert.ok((await stateOf('beta', CHANGED)).includes(line('stepwatch_monitor_consecutive_failures', CHANGED, 1)), 'counted from the new definition');
      // The history shows a run once it is written and polled back (every 2 s), its own runs too.
      await until(async () => (await view('beta', DOWN)).lastRun.instance === 'beta', "beta's run in the API", 10_000);
    } finally {
      await Promise.all([...daemons.values()].map((daemon) => daemon.stop(5_000)));
      await pool.end();
      await api.close();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
