import pg from 'pg';
import { migrate } from '../../src/cluster/migrations.js';
import { createTestDatabase } from './postgres.js';
import type { TestDatabase } from './postgres.js';

/** A test database with stepwatch's schema, and pools on it that `close` ends before the database is dropped. */
export interface ClusterDatabase extends TestDatabase {
  /** A new pool: one per simulated instance, as separate processes would have. */
  pool(max?: number): pg.Pool;
  close(): Promise<void>;
}

export async function createClusterDatabase(): Promise<ClusterDatabase> {
  const db = await createTestDatabase();
  const pools: pg.Pool[] = [];
  const pool = (max = 5) => {
    const created = new pg.Pool({ connectionString: db.url, max });
    created.on('error', () => {});
    pools.push(created);
    return created;
  };
  await migrate(pool());
  return {
    ...db,
    pool,
    async close() {
      await Promise.all(pools.map((p) => p.end()));
      await db.drop();
    },
  };
}

/** Runs `test` on a fresh cluster database, closed and dropped afterwards whatever the test did. */
export async function withClusterDatabase(test: (db: ClusterDatabase) => Promise<void>): Promise<void> {
  const db = await createClusterDatabase();
  try {
    await test(db);
  } finally {
    await db.close();
  }
}
