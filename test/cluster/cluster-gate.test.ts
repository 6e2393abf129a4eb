import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { setImmediate as turn } from 'node:timers/promises';
import type pg from 'pg';
import { Claims } from '../../src/cluster/claims.js';
import { CLAIM_FRESH_MS, ClusterGate, STALE_TICK_MS } from '../../src/cluster/cluster-gate.js';
import type { ClusterGateDeps } from '../../src/cluster/cluster-gate.js';
import { DatabaseHealth } from '../../src/cluster/database-health.js';
import { Membership } from '../../src/cluster/membership.js';
import { Placements } from '../../src/cluster/placements.js';
import type { Monitor } from '../../src/core/monitor.js';
import type { RunResult } from '../../src/core/results.js';
import { createLogger } from '../../src/logging/logger.js';
import { Redactor } from '../../src/redaction/redactor.js';
import { withClusterDatabase } from '../support/cluster.js';
import { monitorFromYaml } from '../support/monitors.js';
import { signal, until } from '../support/wait.js';

const flow = monitorFromYaml('name: flow\nschedule: "* * * * * *"\nsteps:\n  - name: Get\n    request: { url: "http://127.0.0.1:9/" }\n');
const TICK = new Date(Date.UTC(2030, 0, 1));

/** A gate of instance `me`, the only member of its location (so it owns `flow`), on a real database; `lines` is its log. */
async function gateOn(pool: pg.Pool, deps: Partial<ClusterGateDeps> = {}) {
  await new Membership(pool, 'me', 'default').beat();
  const lines: string[] = [];
  const logger = createLogger({ redactor: new Redactor(), destination: new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }) });
  const placements = new Placements('me');
  placements.setMembers(['me']);
  placements.setMonitors([flow]);
  const gate = new ClusterGate({ claims: new Claims(pool, 'me', 'default'), placements, health: new DatabaseHealth(logger), logger, onSkipped: () => {}, onAdopted: () => {}, ...deps });
  const started: Monitor[] = [];
  const start = (monitor: Monitor): Promise<RunResult | undefined> => {
    started.push(monitor);
    return Promise.resolve(undefined);
  };
  return { gate, started, start, lines };
}

describe("the cluster's tick gate", () => {
  it(`does not run a tick whose claim was answered more than ${CLAIM_FRESH_MS} ms after it was sent, gives its lease back, and no one else runs it`, async () => {
    await withClusterDatabase(async (db) => {
      const pool = db.pool();
      // The clock jumps while the claim is out, as for a process paused mid-claim (SIGSTOP, a long GC).
      const answered = signal();
      let reads = 0;
      const now = () => {
        reads++;
        if (reads === 2) answered.resolve();
        return reads === 1 ? 0 : CLAIM_FRESH_MS + 1;
      };
      const { gate, started, start, lines } = await gateOn(pool, { now });
      gate.admit([flow], TICK, start);
      await answered.promise;
      await turn();
      assert.deepEqual(started, [], 'the late tick is not run');
      assert.ok(lines.some((line) => line.includes('claims answered too late')), 'and the log says why');
      await gate.stop();
      await new Membership(pool, 'other', 'default').beat();
      const other = new Claims(pool, 'other', 'default');
      assert.deepEqual(await other.claimTicks([{ monitor: 'flow', budgetMs: 10_000 }], TICK), [], 'the tick stays claimed: another instance does not run it either');
      assert.ok((await other.claimManual('flow', 10_000)) instanceof Date, 'its run lease was given back');
    });
  });

  it('does not claim a tick that comes older than its claim row is kept (a process woken from a long pause), so it cannot run twice', async () => {
    await withClusterDatabase(async (db) => {
      const pool = db.pool();
      const { gate, started, start, lines } = await gateOn(pool, { now: () => TICK.getTime() + STALE_TICK_MS + 1_000 });
      gate.admit([flow], TICK, start);
      await until(() => lines.some((line) => line.includes('ticks came too late to be claimed')), 'the late ticks are reported', 10_000);
      await gate.stop();
      assert.deepEqual(started, [], 'not run');
      assert.deepEqual(await new Claims(pool, 'other', 'default').claimTicks([{ monitor: 'flow', budgetMs: 10_000 }], TICK), [{ monitor: 'flow', leased: true }], 'and not claimed either');
    });
  });

  it('runs a tick whose claim was answered in time', async () => {
    await withClusterDatabase(async (db) => {
      const { gate, started, start } = await gateOn(db.pool(), { now: () => 0 });
      gate.admit([flow], TICK, start);
      await until(() => started.length === 1, 'the tick ran', 10_000);
      await gate.stop();
    });
  });

  it("holds the run of a monitor new here until its state is read from the history, on a tick and on demand", async () => {
    await withClusterDatabase(async (db) => {
      const seeded = signal();
      const asked: string[][] = [];
      const { gate, started, start } = await gateOn(db.pool(), {
        beforeRun: (monitors) => {
          asked.push(monitors.map((monitor) => monitor.name));
          return seeded.promise;
        },
      });
      gate.admit([flow], TICK, start);
      await until(() => asked.length === 1, 'the gate asked before running', 10_000);
      await turn();
      assert.deepEqual(started, [], 'not before the seed is in');
      const manual = gate.manual({ ...flow, name: 'flow-2' }, start);
      await until(() => asked.length === 2, 'the manual run asked too', 10_000);
      await turn();
      assert.deepEqual(started, []);
      seeded.resolve();
      await manual;
      await until(() => started.length === 2, 'both ran once the seed was in', 10_000);
      assert.deepEqual(asked, [['flow'], ['flow-2']]);
      await gate.stop();
    });
  });
});
