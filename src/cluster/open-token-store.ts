import type { RefreshTokenStore } from '../oauth2/refresh-token-store.js';
import type { ClusterSettings } from './cluster-settings.js';
import { ClusterConfigError, databaseLabel } from './cluster-settings.js';
import { checkConnection, describe, openPool } from './database.js';
import { migrate } from './migrations.js';
import { PgRefreshTokenStore } from './pg-refresh-token-store.js';

/** The cluster's refresh-token store for a one-off command (`stepwatch authorize`): migrated, with a close. */
export async function openClusterTokenStore(settings: ClusterSettings): Promise<{ store: RefreshTokenStore; where: string; close(): Promise<void> }> {
  const pool = openPool(settings.databaseUrl, 2, () => undefined);
  try {
    await checkConnection(pool, settings.databaseUrl);
    await migrate(pool);
  } catch (error) {
    await pool.end();
    throw error instanceof ClusterConfigError ? error : new ClusterConfigError(`cannot use the database at ${databaseLabel(settings.databaseUrl)}: ${describe(error)}`);
  }
  return { store: new PgRefreshTokenStore(pool), where: `the cluster database (${databaseLabel(settings.databaseUrl)})`, close: () => pool.end() };
}
