import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CLAIMS_KEPT_MS, Claims } from '../../src/cluster/claims.js';
import { Membership } from '../../src/cluster/membership.js';
import { withClusterDatabase } from '../support/cluster.js';

const MONITORS = Array.from({ length: 200 }, (_, i) => ({ monitor: `m${i}`, budgetMs: 10_000 }));

describe('tick claims in the cluster database', () => {
  it('gives each tick of each monitor to exactly one of several instances claiming at once', async () => {
    await withClusterDatabase(async (db) => {
      const instances = ['a', 'b', 'c', 'd'].map((name) => new Claims(db.pool(2), name, 'default'));
      const ticks = [0, 1, 2, 3, 4].map((s) => new Date(Date.UTC(2030, 0, 1, 0, 0, s)));
      const won = await Promise.all(ticks.flatMap((tick) => instances.map((claims) => claims.claimTicks(MONITORS, tick).then((rows) => rows.map((row) => `${tick.toISOString()} ${row.monitor}`)))));
      const all = won.flat();
      assert.equal(all.length, MONITORS.length * ticks.length, 'every tick of every monitor is claimed');
      assert.equal(new Set(all).size, all.length, 'and none twice');
    });
  });

  it('keeps a claim as long as its tick can still be claimed: a tick claimed 40 minutes after its cron time (its start offset) is not run again after a prune', async () => {
    await withClusterDatabase(async (db) => {
      const pool = db.pool();
      const a = new Claims(pool, 'a', 'default');
      const b = new Claims(pool, 'b', 'default');
      const { rows } = await pool.query<{ at: Date }>(`SELECT now() - interval '40 minutes' AS at`);
      const tick = rows[0]!.at;
      assert.deepEqual(await a.claimTicks([{ monitor: 'hourly', budgetMs: 10_000 }], tick), [{ monitor: 'hourly', leased: true }]);
      await a.release([{ monitor: 'hourly', claimAt: tick }]);
      await a.prune();
      assert.deepEqual(await b.claimTicks([{ monitor: 'hourly', budgetMs: 10_000 }], tick), [], "the standby's claim of the same tick finds it taken");
      const old = await pool.query<{ at: Date }>(`SELECT now() - make_interval(secs => $1::double precision / 1000) - interval '1 minute' AS at`, [CLAIMS_KEPT_MS]);
      assert.deepEqual(await a.claimTicks([{ monitor: 'ancient', budgetMs: 10_000 }], old.rows[0]!.at), [{ monitor: 'ancient', leased: true }]);
      assert.ok((await a.prune()) >= 1, 'a claim older than every possible claim of its tick is pruned');
    });
  });

  it('claims and skips a tick while another live instance holds the run lease, and leases it once released', async () => {
    await withClusterDatabase(async (db) => {
      const pool = db.pool();
      for (const name of ['a', 'b']) await new Membership(pool, name, 'default').beat();
      const a = new Claims(pool, 'a', 'default');
      const b = new Claims(pool, 'b', 'default');
      const first = new Date(Date.UTC(2030, 0, 1));
      const second = new Date(first.getTime() + 1_000);
      assert.deepEqual(await a.claimTicks([{ monitor: 'slow', budgetMs: 60_000 }], first), [{ monitor: 'slow', leased: true }]);
      // a's run is still going: b wins the next tick's claim (so no one else runs it) but not the lease.
      assert.deepEqual(await b.claimTicks([{ monitor: 'slow', budgetMs: 60_000 }], second), [{ monitor: 'slow', leased: false }]);
      assert.equal(await b.claimManual('slow', 60_000), undefined, 'a manual run is refused while a run goes on elsewhere');
      await a.release([{ monitor: 'slow', claimAt: first }]);
      const manual = await b.claimManual('slow', 60_000);
      assert.ok(manual instanceof Date, 'free once released');
      assert.deepEqual(await a.claimTicks([{ monitor: 'slow', budgetMs: 60_000 }], new Date(second.getTime() + 1_000)), [{ monitor: 'slow', leased: false }], "a scheduled tick does not overlap the manual run");
      await b.release([{ monitor: 'slow', claimAt: manual }]);
      assert.deepEqual(await a.claimTicks([{ monitor: 'slow', budgetMs: 60_000 }], new Date(second.getTime() + 2_000)), [{ monitor: 'slow', leased: true }]);
    });
  });

  it("frees the lease of an instance that stopped heartbeating, without waiting for the run's timeout", async () => {
    await withClusterDatabase(async (db) => {
      const pool = db.pool();
      await new Membership(pool, 'dead', 'default', () => new Date(Date.now() - 60_000)).beat();
      await new Membership(pool, 'alive', 'default').beat();
      const tick = new Date(Date.UTC(2030, 0, 1));
      await new Claims(pool, 'dead', 'default').claimTicks([{ monitor: 'm', budgetMs: 600_000 }], tick);
      assert.deepEqual(await new Claims(pool, 'alive', 'default').claimTicks([{ monitor: 'm', budgetMs: 600_000 }], new Date(tick.getTime() + 1_000)), [{ monitor: 'm', leased: true }]);
    });
  });

  it('keeps locations apart: each location claims its own run of the same tick', async () => {
    await withClusterDatabase(async (db) => {
      const tick = new Date(Date.UTC(2030, 0, 1));
      const eu = await new Claims(db.pool(), 'eu-1', 'eu').claimTicks([{ monitor: 'm', budgetMs: 1_000 }], tick);
      const us = await new Claims(db.pool(), 'us-1', 'us').claimTicks([{ monitor: 'm', budgetMs: 1_000 }], tick);
      assert.deepEqual([eu.length, us.length], [1, 1]);
    });
  });
});
