import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { migrate, SCHEMA_VERSION } from '../../src/cluster/migrations.js';
import { createTestDatabase } from '../support/postgres.js';
import pg from 'pg';

describe('the cluster schema', () => {
  it('is created once when several instances start at the same moment, and a later start changes nothing', async () => {
    const db = await createTestDatabase();
    const pools = [1, 2, 3].map(() => new pg.Pool({ connectionString: db.url, max: 2 }));
    try {
      const applied = await Promise.all(pools.map((pool) => migrate(pool)));
      assert.deepEqual(applied.map((versions) => versions.length).sort(), [0, 0, SCHEMA_VERSION], 'one start applied the migrations, the others found them done');
      assert.deepEqual(await migrate(pools[0]!), []);
      const { rows } = await pools[0]!.query<{ version: number }>('SELECT version FROM stepwatch_schema_migrations ORDER BY version');
      assert.deepEqual(rows.map((row) => row.version), Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
      const tables = await pools[0]!.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename");
      assert.deepEqual(tables.rows.map((row) => row.tablename), ['stepwatch_claims', 'stepwatch_members', 'stepwatch_refresh_tokens', 'stepwatch_run_leases', 'stepwatch_runs', 'stepwatch_schema_migrations']);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
      await db.drop();
    }
  });

  it('refuses a database migrated by a newer stepwatch', async () => {
    const db = await createTestDatabase();
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    try {
      await migrate(pool);
      await pool.query("INSERT INTO stepwatch_schema_migrations (version, name) VALUES ($1, 'from the future')", [SCHEMA_VERSION + 1]);
      await assert.rejects(migrate(pool), { message: `the database schema is at version ${SCHEMA_VERSION + 1}, newer than this stepwatch knows (${SCHEMA_VERSION}); run the newer stepwatch, or a database of this version` });
    } finally {
      await pool.end();
      await db.drop();
    }
  });
});
