import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PgRunHistory, pruneRunHistory } from '../../src/cluster/pg-run-history.js';
import type { Monitor } from '../../src/core/monitor.js';
import type { RunResult } from '../../src/core/results.js';
import { withClusterDatabase } from '../support/cluster.js';

const monitor = { name: 'flow' } as Monitor;
const run = (startedAt: number, passed: boolean): RunResult => ({
  monitor: 'flow',
  passed,
  startedAt,
  durationMs: 12.5,
  attempts: 1,
  steps: [
    passed
      ? { name: 'Get', status: 'passed', durationMs: 12, httpStatus: 200 }
      : { name: 'Get', status: 'failed', durationMs: 12, httpStatus: 500, reason: 'status', message: 'expected 2xx, got 500', response: { status: 500, headers: {}, body: 'oops', truncated: false } },
  ],
});
const noError = (error: unknown) => assert.fail(String(error));

describe('run history in the cluster database', () => {
  it("shows every instance's runs, with the instance and location that ran each, and outlives the instance", async () => {
    await withClusterDatabase(async (db) => {
      const eu = new PgRunHistory(db.pool(), { instance: 'eu-1', location: 'eu' }, 10, noError);
      const us = new PgRunHistory(db.pool(), { instance: 'us-1', location: 'us' }, 10, noError);
      const now = Date.now();
      eu.runFinished(monitor, run(now - 2_000, true));
      us.runFinished(monitor, run(now - 1_000, false));
      await eu.flush();
      await us.flush();
      // A reader that starts later (a restarted instance) reads both from the database.
      const reader = new PgRunHistory(db.pool(), { instance: 'eu-2', location: 'eu' }, 10, noError);
      await reader.track(['flow']);
      const recent = reader.recent('flow');
      assert.deepEqual(recent.map((r) => [r.instance, r.location, r.passed]), [['us-1', 'us', false], ['eu-1', 'eu', true]]);
      assert.deepEqual(recent[0]?.steps[0], { name: 'Get', status: 'failed', durationMs: 12, httpStatus: 500, reason: 'status', message: 'expected 2xx, got 500', response: { status: 500, headers: {}, body: 'oops', truncated: false } });
      // Runs recorded later arrive by polling, once each.
      eu.runFinished(monitor, run(now, true));
      await eu.flush();
      await reader.poll();
      await reader.poll();
      assert.deepEqual(reader.recent('flow').map((r) => r.instance), ['eu-1', 'us-1', 'eu-1']);
    });
  });

  it("keeps a run's distorted timing (stepwatch's own event-loop delay) for every instance's page and API", async () => {
    await withClusterDatabase(async (db) => {
      const writer = new PgRunHistory(db.pool(), { instance: 'a', location: 'default' }, 10, noError);
      const now = Date.now();
      writer.runFinished(monitor, run(now - 1_000, true));
      writer.runFinished(monitor, { ...run(now, false), timingDistorted: true, eventLoopDelayMs: 412.5 });
      await writer.flush();
      const reader = new PgRunHistory(db.pool(), { instance: 'b', location: 'default' }, 10, noError);
      await reader.track(['flow']);
      const [distorted, plain] = reader.recent('flow');
      assert.equal(distorted?.timingDistorted, true);
      assert.equal(distorted?.eventLoopDelayMs, 412.5);
      assert.equal(plain?.timingDistorted, undefined);
      assert.equal(plain?.eventLoopDelayMs, undefined);
    });
  });

  it('prunes runs older than the history window and response excerpts beyond the latest five failures', async () => {
    await withClusterDatabase(async (db) => {
      const pool = db.pool();
      const history = new PgRunHistory(pool, { instance: 'a', location: 'default' }, 100, noError);
      const day = 86_400_000;
      history.runFinished(monitor, run(Date.now() - 3 * day, false));
      for (let i = 7; i > 0; i--) history.runFinished(monitor, run(Date.now() - i * 1_000, false));
      await history.flush();
      const client = await pool.connect();
      try {
        assert.equal(await pruneRunHistory(client, 2), 1, 'the run from three days ago goes with a two-day window');
      } finally {
        client.release();
      }
      const { rows } = await pool.query<{ with_excerpts: string; total: string }>('SELECT count(excerpts) AS with_excerpts, count(*) AS total FROM stepwatch_runs');
      assert.deepEqual(rows[0], { with_excerpts: '5', total: '7' });
    });
  });
});
