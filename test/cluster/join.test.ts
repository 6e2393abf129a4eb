// The contract's join rule ("when one joins, monitors move to it without a tick being lost or
// doubled"), on a real database. Seen in the end-to-end fault test under load: the joining
// instance's heartbeat was visible seconds before its scheduler claimed anything, so the others
// made it the owner of its share and only the standby ran those ticks, 2 s late; when the new
// owner began, the standby's late claims of the two ticks before found the run lease held by the
// new owner's run and were claimed and skipped: two ticks lost per moved monitor.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { setTimeout as sleep, setImmediate as turn } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { Claims } from '../../src/cluster/claims.js';
import { ClusterGate, STANDBY_GRACE_MS } from '../../src/cluster/cluster-gate.js';
import { DatabaseHealth } from '../../src/cluster/database-health.js';
import { Membership } from '../../src/cluster/membership.js';
import { Placements } from '../../src/cluster/placements.js';
import { place } from '../../src/cluster/rendezvous.js';
import { openCluster } from '../../src/cluster/start-cluster.js';
import type { Cluster } from '../../src/cluster/start-cluster.js';
import type { Monitor } from '../../src/core/monitor.js';
import type { RunResult } from '../../src/core/results.js';
import { createLogger } from '../../src/logging/logger.js';
import { Redactor } from '../../src/redaction/redactor.js';
import { createClusterDatabase } from '../support/cluster.js';
import type { ClusterDatabase } from '../support/cluster.js';
import { monitorFromYaml } from '../support/monitors.js';
import { until } from '../support/wait.js';

const TICK = Date.UTC(2030, 0, 1);
const at = (second: number) => new Date(TICK + second * 1000);
const monitorNamed = (name: string) => monitorFromYaml(`name: ${name}\nschedule: "* * * * * *"\nsteps:\n  - name: Get\n    request: { url: "http://127.0.0.1:9/" }\n`);
/** A monitor that moves from `old` to `joiner` when `joiner` joins (the joiner owns it, `old` stands by). */
const moving = (old: string, joiner: string): Monitor => {
  const name = Array.from({ length: 100 }, (_, i) => `flow-${i}`).find((candidate) => place(candidate, [old, joiner])?.owner === joiner)!;
  return monitorNamed(name);
};
const silentLogger = () => createLogger({ redactor: new Redactor(), destination: new Writable({ write: (_chunk, _e, done) => done() }) });

/** A cluster instance as `stepwatch start` opens it, on the test database. */
function open(db: ClusterDatabase, instance: string): Promise<Cluster> {
  return openCluster(
    { databaseUrl: db.url, location: 'default', instance, historyDays: 14 },
    { registry: new Registry(), logger: silentLogger(), historySize: 10, onSkipped: () => {}, onRunHereChanged: () => {}, restoreOutcomes: () => {} },
  );
}

/** Runs that record which tick of which instance started them; a run lasts `ms`, or until `endAll` (its lease is held meanwhile). */
function runs() {
  const started: Array<{ instance: string; tick: number }> = [];
  const ends: Array<() => void> = [];
  const starter = (instance: string, tick: number, ms?: number) => (): Promise<RunResult | undefined> => {
    started.push({ instance, tick });
    return new Promise((resolve) => {
      ends.push(() => resolve(undefined));
      if (ms !== undefined) setTimeout(() => resolve(undefined), ms);
    });
  };
  return { started, starter, endAll: () => ends.splice(0).forEach((end) => end()) };
}

describe('an instance joining a cluster', () => {
  it('is not a member the others can see until its monitors are set and its scheduler runs them', async () => {
    const db = await createClusterDatabase();
    const other = new Membership(db.pool(), 'other', 'default');
    let joiner: Cluster | undefined;
    try {
      await other.beat();
      joiner = await open(db, 'joiner');
      assert.deepEqual((await other.read()).local, ['other'], 'while it starts (monitors not loaded yet), the others do not place monitors on it');
      const flow = moving('other', 'joiner');
      await joiner.setMonitors([flow]);
      // The daemon schedules the monitors in the turn setMonitors resolves; the member row is written after that, and a
      // tick that comes before it is claimed once it is written (a lease is never held by an instance the others cannot see);
      // one scheduled before the row was even sent is left to the others (they could not have placed it here).
      const { started, starter, endAll } = runs();
      joiner.gate.admit([flow], new Date(Date.now() - 1_000), starter('joiner', -1));
      joiner.gate.admit([flow], at(0), starter('joiner', 0));
      await until(async () => (await other.read()).local.includes('joiner'), 'the joiner becomes a member once its scheduler runs', 10_000);
      await until(() => started.length > 0, 'its first tick ran', 10_000);
      endAll();
      assert.deepEqual(started, [{ instance: 'joiner', tick: 0 }], 'the tick scheduled before it joined was not run here');
      const { rows } = await db.pool().query(
        `SELECT c.claimed_at >= m.started_at AS after FROM stepwatch_claims c JOIN stepwatch_members m ON m.instance = c.instance WHERE c.monitor = $1`,
        [flow.name],
      );
      assert.deepEqual(rows, [{ after: true }], 'it claimed that tick (and only that one) once its member row was written, not before');
    } finally {
      await joiner?.stop();
      await db.close();
    }
  });

  it(
    'loses no tick of a monitor that moves to it while it starts (its scheduler not running yet)',
    async () => {
      const db = await createClusterDatabase();
      const pool = db.pool();
      const { started, starter, endAll } = runs();
      // `old` runs alone; the joiner owns `flow` once both are members, `old` is then its standby.
      const flow = moving('old', 'joiner');
      const oldMembership = new Membership(pool, 'old', 'default');
      await oldMembership.beat();
      const placements = new Placements('old');
      placements.setMembers(['old']);
      placements.setMonitors([flow]);
      const health = new DatabaseHealth(silentLogger());
      const oldGate = new ClusterGate({ claims: new Claims(pool, 'old', 'default'), placements, health, logger: silentLogger(), onSkipped: () => {}, onAdopted: () => {} });
      let joiner: Cluster | undefined;
      try {
        // The joiner starts: its process connects, migrates, then loads its monitors (seconds under load).
        joiner = await open(db, 'joiner');
        // Meanwhile `old` heartbeats and places the monitors on the members it sees.
        placements.setMembers((await oldMembership.beat()).local);
        // Tick 0 comes; the joiner's scheduler does not run yet, so only `old` is asked.
        oldGate.admit([flow], at(0), starter('old', 0, 100));
        await sleep(1_000);
        // A second later the joiner is ready and claims tick 1 at once; its run holds the run lease a while.
        await joiner.setMonitors([flow]);
        joiner.gate.admit([flow], at(1), starter('joiner', 1));
        await until(() => started.some((run) => run.tick === 1), 'the joiner ran tick 1', 10_000);
        // Past the standby's grace for tick 0: whoever was to run it has.
        await sleep(STANDBY_GRACE_MS + 500);
        await turn();
        assert.deepEqual(
          [0, 1].map((tick) => started.filter((run) => run.tick === tick).length),
          [1, 1],
          `each tick ran once (runs: ${JSON.stringify(started)})`,
        );
      } finally {
        endAll();
        await oldGate.stop();
        await joiner?.stop();
        await db.close();
      }
    },
  );
});
