// npm run bench:cluster: how many runs per second one PostgreSQL sustains for the cluster's own
// bookkeeping (claim + lease, history row, lease release), and how many row writes each run costs.
// Three instances (a pool each) run the real Claims and PgRunHistory code against a fresh
// database on STEPWATCH_TEST_DATABASE_URL's server, as fast as the database lets them; the
// monitors' HTTP work is left out on purpose. Not part of npm test.
import os from 'node:os';
import pg from 'pg';
import { Claims } from '../src/cluster/claims.js';
import { Membership } from '../src/cluster/membership.js';
import { PgRunHistory } from '../src/cluster/pg-run-history.js';
import { place } from '../src/cluster/rendezvous.js';
import type { Monitor } from '../src/core/monitor.js';
import { migrate } from '../src/cluster/migrations.js';
import { createTestDatabase } from '../test/support/postgres.js';

const MONITORS = Number(process.env.BENCH_MONITORS ?? 1_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const INSTANCES = ['i1', 'i2', 'i3'];

const db = await createTestDatabase();
const pools = INSTANCES.map(() => new pg.Pool({ connectionString: db.url, max: 4 }));
try {
  await migrate(pools[0]!);
  const names = Array.from({ length: MONITORS }, (_, i) => `monitor-${i}`);
  const nodes = INSTANCES.map((instance, i) => {
    const owned = names.filter((name) => place(name, INSTANCES)?.owner === instance);
    return { instance, owned, claims: new Claims(pools[i]!, instance, 'default'), history: new PgRunHistory(pools[i]!, { instance, location: 'default' }, 10, (error) => console.error(error)), membership: new Membership(pools[i]!, instance, 'default') };
  });
  for (const node of nodes) await node.membership.beat();
  const stats = async () => (await pools[0]!.query<{ ins: string; upd: string; del: string }>('SELECT tup_inserted AS ins, tup_updated AS upd, tup_deleted AS del FROM pg_stat_database WHERE datname = current_database()')).rows[0]!;
  const before = await stats();
  const started = Date.now();
  let runs = 0;
  let tick = Date.UTC(2030, 0, 1);
  // Each round is one tick for every monitor (as at 1k monitors on `* * * * * *`), claimed by its owner.
  while (Date.now() - started < SECONDS * 1000) {
    const at = new Date((tick += 1_000));
    await Promise.all(
      nodes.map(async (node) => {
        const won = await node.claims.claimTicks(node.owned.map((monitor) => ({ monitor, budgetMs: 65_000 })), at);
        for (const { monitor } of won) {
          node.history.runFinished({ name: monitor } as Monitor, { monitor, passed: true, startedAt: at.getTime(), durationMs: 120, attempts: 1, steps: [{ name: 'Token', status: 'passed', durationMs: 40, httpStatus: 200 }, { name: 'Call', status: 'passed', durationMs: 80, httpStatus: 200 }] });
        }
        await node.claims.release(won.map(({ monitor }) => ({ monitor, claimAt: at })));
        await node.history.flush();
        runs += won.length;
      }),
    );
  }
  const seconds = (Date.now() - started) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // pg_stat counters are reported with a delay
  const after = await stats();
  const writes = Number(after.ins) - Number(before.ins) + Number(after.upd) - Number(before.upd);
  console.log(`monitors ${MONITORS}, instances ${INSTANCES.length}, ${seconds.toFixed(1)} s, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`runs recorded: ${runs} (${Math.round(runs / seconds)} runs/s)`);
  console.log(`row writes (inserted + updated): ${writes}, ${(writes / runs).toFixed(2)} per run`);
} finally {
  await Promise.all(pools.map((pool) => pool.end()));
  await db.drop();
}
