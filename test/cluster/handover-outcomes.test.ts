import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HandoverOutcomes, readOutcomes, RUNS_COUNTED } from '../../src/cluster/handover-outcomes.js';
import { PgRunHistory } from '../../src/cluster/pg-run-history.js';
import type { Monitor } from '../../src/core/monitor.js';
import type { RunResult } from '../../src/core/results.js';
import type { MonitorOutcome } from '../../src/outcomes/outcome.js';
import { withClusterDatabase } from '../support/cluster.js';

const flow = { name: 'flow', revision: 'rev-1' } as Monitor;
const run = (startedAt: number, passed: boolean, monitor = 'flow'): RunResult => ({
  monitor,
  passed,
  startedAt,
  durationMs: 12.5,
  attempts: 1,
  steps: passed
    ? [{ name: 'Login', status: 'passed', durationMs: 5 }, { name: 'Get', status: 'passed', durationMs: 7, httpStatus: 200 }]
    : [{ name: 'Login', status: 'passed', durationMs: 5 }, { name: 'Get', status: 'failed', durationMs: 7, httpStatus: 500, reason: 'status', message: 'expected 2xx, got 500' }],
});
const noError = (error: unknown) => assert.fail(String(error));

describe("a monitor's outcome read from the cluster's run history", () => {
  it('counts the failures in a row back to the newest pass, whichever instance ran them, in its own location only', async () => {
    await withClusterDatabase(async (db) => {
      const pool = db.pool();
      const eu1 = new PgRunHistory(pool, { instance: 'eu-1', location: 'eu' }, 10, noError);
      const eu2 = new PgRunHistory(pool, { instance: 'eu-2', location: 'eu' }, 10, noError);
      const us1 = new PgRunHistory(pool, { instance: 'us-1', location: 'us' }, 10, noError);
      const t = Date.UTC(2030, 0, 1);
      // eu: fail, pass, fail, fail (eu-1), fail (eu-2, the new owner); us: fail, then pass.
      eu1.runFinished(flow, run(t, false));
      eu1.runFinished(flow, run(t + 1_000, true));
      eu1.runFinished(flow, run(t + 2_000, false));
      eu1.runFinished(flow, run(t + 3_000, false));
      us1.runFinished(flow, run(t + 3_500, false));
      await eu1.flush();
      await us1.flush();
      eu2.runFinished(flow, run(t + 4_000, false));
      us1.runFinished(flow, run(t + 4_500, true));
      await eu2.flush();
      await us1.flush();

      assert.deepEqual(await readOutcomes(pool, 'eu', ['flow', 'never-ran']), [
        { monitor: 'flow', revision: 'rev-1', up: false, consecutiveFailures: 3, finishedAt: t + 4_012.5, failedStep: 'Get', reason: 'status' },
      ] satisfies MonitorOutcome[]);
      assert.deepEqual(await readOutcomes(pool, 'us', ['flow']), [{ monitor: 'flow', revision: 'rev-1', up: true, consecutiveFailures: 0, finishedAt: t + 4_512.5 }]);
      assert.deepEqual(await readOutcomes(pool, 'asia', ['flow']), [], 'no runs in that location: nothing to carry over');
    });
  });

  it(`counts at most ${RUNS_COUNTED} failures back, and carries nothing over from a run written without a revision`, async () => {
    await withClusterDatabase(async (db) => {
      const pool = db.pool();
      const insert = `INSERT INTO stepwatch_runs (monitor, location, instance, revision, started_at, duration_ms, passed, attempts, steps)
        SELECT $1, 'eu', 'eu-1', $2, now(), 10, $3, 1, '[{"name":"Get","status":"failed","durationMs":10,"reason":"timeout"}]' FROM generate_series(1, $4)`;
      await pool.query(insert, ['long', 'rev-1', true, 1]);
      await pool.query(insert, ['long', 'rev-1', false, RUNS_COUNTED + 50]);
      await pool.query(insert, ['old-row', 'rev-1', false, 2]);
      await pool.query(insert, ['old-row', null, false, 1]);
      const [long, ...rest] = await readOutcomes(pool, 'eu', ['long', 'old-row']);
      assert.deepEqual(rest, [], 'the newest run has no revision (written before runs carried one): its state is not known to be of this definition');
      assert.equal(long?.consecutiveFailures, RUNS_COUNTED);
      assert.equal(long?.reason, 'timeout');
    });
  });

  it('takes a failure reason from the database only if it is one stepwatch knows (it becomes a label value)', async () => {
    await withClusterDatabase(async (db) => {
      const pool = db.pool();
      await pool.query(`INSERT INTO stepwatch_runs (monitor, location, instance, revision, started_at, duration_ms, passed, attempts, steps)
        VALUES ('m', 'eu', 'eu-1', 'rev-1', now(), 10, false, 1, '[{"name":"Get","status":"failed","durationMs":10,"reason":"x\\"} evil{a=\\"b"}]')`);
      const [outcome] = await readOutcomes(pool, 'eu', ['m']);
      assert.equal(outcome?.failedStep, 'Get');
      assert.equal(outcome?.reason, undefined);
    });
  });
});

describe('seeding the monitors that come to run on an instance', () => {
  const monitor = (name: string) => ({ name }) as Monitor;
  const seeder = () => {
    const reads: string[][] = [];
    const restored: string[] = [];
    const answers: Array<() => void> = [];
    const outcomes = new HandoverOutcomes({
      read: (names) => {
        reads.push([...names]);
        return new Promise((resolve) => answers.push(() => resolve(names.map((name) => ({ monitor: name, revision: 'r', up: false, consecutiveFailures: 1, finishedAt: 0 })))));
      },
      restore: (seeds) => restored.push(...seeds.map((seed) => seed.monitor)),
      onError: noError,
    });
    return { outcomes, reads, restored, answer: () => answers.shift()?.() };
  };

  it('reads the monitors that arrived in one query, and again for one that left and came back', async () => {
    const { outcomes, reads, answer } = seeder();
    const first = outcomes.follow(new Set(['a', 'b', 'c']));
    answer();
    await first;
    const second = outcomes.follow(new Set(['a', 'c', 'd']));
    answer();
    await second;
    await outcomes.follow(new Set(['a', 'c', 'd']));
    const third = outcomes.follow(new Set(['a', 'b', 'c', 'd']));
    answer();
    await third;
    assert.deepEqual(reads, [['a', 'b', 'c'], ['d'], ['b']]);
  });

  it("holds a new monitor's run until its seed is in, and not a monitor that has been here", async () => {
    const { outcomes, restored, answer } = seeder();
    const seeded = outcomes.follow(new Set(['a']));
    assert.equal(outcomes.ready([monitor('b')]), undefined, 'nothing to wait for: the run starts at once');
    const ready = outcomes.ready([monitor('a'), monitor('b')]);
    assert.ok(ready, 'a is being read');
    let done = false;
    void ready.then(() => (done = true));
    await Promise.resolve();
    assert.equal(done, false);
    answer();
    await seeded;
    await ready;
    assert.deepEqual(restored, ['a'], 'seeded before the run may start');
    assert.equal(outcomes.ready([monitor('a')]), undefined);
  });
});
