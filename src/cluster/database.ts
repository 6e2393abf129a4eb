import pg from 'pg';
import { ClusterConfigError, databaseLabel } from './cluster-settings.js';

/** How long a query may take before the instance treats the database as cut off. */
export const QUERY_TIMEOUT_MS = 5_000;
const CONNECT_TIMEOUT_MS = 3_000;

/**
 * A pool on the cluster database. Timeouts everywhere: an instance cut off from the database
 * must notice within seconds (a claim that never answers is a claim not held), not hang on a
 * dead socket. `onError` hears about idle connections that died, which pg would otherwise throw.
 */
export function openPool(url: string, max: number, onError: (error: Error) => void): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    keepAlive: true,
    application_name: 'stepwatch',
  });
  pool.on('error', onError);
  return pool;
}

/** Connects once, so a bad URL, a wrong password or an unreachable server stops the start with one clear line. */
export async function checkConnection(pool: pg.Pool, url: string): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    throw new ClusterConfigError(`cannot use the database at ${databaseLabel(url)} (STEPWATCH_DATABASE_URL): ${describe(error)}`);
  }
}

/** A database error as one line, without a stack. */
export function describe(error: unknown): string {
  const err = error as { message?: string; code?: string };
  const message = (err.message ?? String(error)).split('\n')[0] ?? '';
  return err.code && !message.includes(err.code) ? `${message} (${err.code})` : message;
}

/** A query with its own read timeout (pg honours `query_timeout` per query; its types do not list it): for lock waits longer than the default. */
export function longQuery(text: string, values: unknown[], timeoutMs: number): pg.QueryConfig {
  return { text, values, query_timeout: timeoutMs } as pg.QueryConfig;
}
