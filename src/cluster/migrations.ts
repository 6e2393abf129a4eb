import type pg from 'pg';
import { ClusterConfigError } from './cluster-settings.js';
import { longQuery } from './database.js';

/** One step of the schema: applied once, in order, in its own transaction. Never edit one that shipped; add the next. */
interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'members, claims, run leases, runs, refresh tokens',
    sql: `
CREATE TABLE stepwatch_members (
  instance text PRIMARY KEY,
  location text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL
);
CREATE TABLE stepwatch_claims (
  monitor text NOT NULL,
  location text NOT NULL,
  scheduled_at timestamptz NOT NULL,
  instance text NOT NULL,
  manual boolean NOT NULL DEFAULT false,
  claimed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (monitor, location, scheduled_at)
);
CREATE INDEX stepwatch_claims_scheduled_at ON stepwatch_claims (scheduled_at);
CREATE TABLE stepwatch_run_leases (
  monitor text NOT NULL,
  location text NOT NULL,
  instance text NOT NULL,
  claim_at timestamptz NOT NULL,
  until timestamptz NOT NULL,
  PRIMARY KEY (monitor, location)
);
CREATE TABLE stepwatch_runs (
  id bigserial PRIMARY KEY,
  monitor text NOT NULL,
  location text NOT NULL,
  instance text NOT NULL,
  started_at timestamptz NOT NULL,
  duration_ms double precision NOT NULL,
  passed boolean NOT NULL,
  attempts integer NOT NULL,
  steps jsonb NOT NULL,
  excerpts jsonb,
  recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX stepwatch_runs_monitor ON stepwatch_runs (monitor, id DESC);
CREATE INDEX stepwatch_runs_started_at ON stepwatch_runs (started_at);
CREATE INDEX stepwatch_runs_recorded_at ON stepwatch_runs (recorded_at);
CREATE INDEX stepwatch_runs_excerpts ON stepwatch_runs (monitor, id DESC) WHERE excerpts IS NOT NULL;
CREATE TABLE stepwatch_refresh_tokens (
  slot text PRIMARY KEY,
  refresh_token text,
  updated_at timestamptz NOT NULL DEFAULT now()
);`,
  },
  {
    version: 2,
    name: "runs carry their monitor's revision",
    // Nullable: rows written before it (or by an older stepwatch still running) have none, and a
    // monitor's state is not carried over from them (src/cluster/handover-outcomes.ts).
    sql: `ALTER TABLE stepwatch_runs ADD COLUMN revision text;`,
  },
  {
    version: 3,
    name: "runs say when stepwatch's own event-loop delay distorted their timing",
    // Null for a run whose timing was not distorted (and for rows written before it).
    sql: `ALTER TABLE stepwatch_runs ADD COLUMN event_loop_delay_ms double precision;`,
  },
];

// Any fixed number shared by every stepwatch: the lock only orders stepwatch's own starts.
const MIGRATION_LOCK = 0x73746570; // 'step'

/**
 * Brings the schema to this stepwatch's version. Our own ~40 lines rather than node-pg-migrate:
 * that tool reads migration files from a folder at run time (one more thing to ship in the
 * image and the npm package) and brings a CLI we do not need; here the migrations are code, run
 * under a session advisory lock so that instances starting together apply each one once, and
 * recorded in stepwatch_schema_migrations. Returns the versions it applied.
 */
export async function migrate(pool: pg.Pool): Promise<number[]> {
  const client = await pool.connect();
  try {
    // The lock is taken first: even CREATE TABLE IF NOT EXISTS races when two sessions run it at once.
    await client.query(longQuery('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK], 60_000));
    try {
      await client.query('CREATE TABLE IF NOT EXISTS stepwatch_schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
      const { rows } = await client.query<{ version: number }>('SELECT version FROM stepwatch_schema_migrations');
      const done = new Set(rows.map((row) => row.version));
      const known = MIGRATIONS.at(-1)?.version ?? 0;
      const newer = [...done].filter((version) => version > known);
      if (newer.length > 0) {
        throw new ClusterConfigError(`the database schema is at version ${Math.max(...newer)}, newer than this stepwatch knows (${known}); run the newer stepwatch, or a database of this version`);
      }
      const applied: number[] = [];
      for (const migration of MIGRATIONS) {
        if (done.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO stepwatch_schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
        applied.push(migration.version);
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;
