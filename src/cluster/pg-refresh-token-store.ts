import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import { monitorOfSlot, TokenLockTimeoutError } from '../oauth2/refresh-token-store.js';
import type { RefreshTokenStore } from '../oauth2/refresh-token-store.js';
import { longQuery } from './database.js';

const DEFAULT_WAIT_MS = 30_000;
/** PostgreSQL's lock_not_available: lock_timeout ran out. */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * The refresh tokens in force, in the cluster database (table stepwatch_refresh_tokens). An
 * exchange holds the slot's row lock (SELECT ... FOR UPDATE in a transaction kept open across
 * the call to the token endpoint), so no two instances ever spend the same token, and the
 * rotated token is written in that transaction, committed before the next holder reads it.
 * The token written inside `exchange` (by `put`) goes through the locked connection: through
 * another one it would wait for our own lock.
 */
export class PgRefreshTokenStore implements RefreshTokenStore {
  private readonly held = new AsyncLocalStorage<{ slot: string; client: pg.PoolClient }>();

  /** `pool` should be the store's own: an exchange holds a connection for as long as the token endpoint takes. */
  constructor(private readonly pool: pg.Pool) {}

  async check(): Promise<void> {
    await this.pool.query('SELECT 1 FROM stepwatch_refresh_tokens LIMIT 1');
  }

  async get(slot: string): Promise<string | undefined> {
    const { rows } = await this.via(slot).query<{ refresh_token: string | null }>('SELECT refresh_token FROM stepwatch_refresh_tokens WHERE slot = $1', [slot]);
    return rows[0]?.refresh_token ?? undefined;
  }

  async put(slot: string, refreshToken: string): Promise<void> {
    await this.via(slot).query(
      `INSERT INTO stepwatch_refresh_tokens (slot, refresh_token, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (slot) DO UPDATE SET refresh_token = excluded.refresh_token, updated_at = excluded.updated_at`,
      [slot, refreshToken],
    );
  }

  async withTokenLock<T>(slot: string, exchange: (current: string | undefined) => Promise<T>, options: { waitMs?: number } = {}): Promise<T> {
    const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
    const client = await this.pool.connect();
    let outcome: { value: T } | { error: unknown };
    try {
      const current = await this.lock(client, slot, waitMs);
      try {
        outcome = { value: await this.held.run({ slot, client }, () => exchange(current)) };
      } catch (error) {
        outcome = { error };
      }
      // Committed whatever the exchange did: a rotated token it stored must not be rolled back.
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      // A connection that failed mid-transaction is not given back to the pool; one that only waited is.
      client.release(error instanceof TokenLockTimeoutError ? undefined : (error as Error));
      throw error;
    }
    client.release();
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  }

  /** Opens the transaction and takes the slot's row lock; returns the token in force. */
  private async lock(client: pg.PoolClient, slot: string, waitMs: number): Promise<string | undefined> {
    await client.query('BEGIN');
    await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(waitMs))}`);
    try {
      // A row to lock even before the first token is stored (this too waits while another instance creates it).
      await client.query(longQuery('INSERT INTO stepwatch_refresh_tokens (slot) VALUES ($1) ON CONFLICT DO NOTHING', [slot], waitMs + 5_000));
      const { rows } = await client.query<{ refresh_token: string | null }>(longQuery('SELECT refresh_token FROM stepwatch_refresh_tokens WHERE slot = $1 FOR UPDATE', [slot], waitMs + 5_000));
      return rows[0]?.refresh_token ?? undefined;
    } catch (error) {
      if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) throw new TokenLockTimeoutError(`the refresh token of ${slot} is being used by another instance (waited ${waitMs} ms)`);
      throw error;
    }
  }

  async prune(monitors: ReadonlySet<string>): Promise<string[]> {
    const { rows } = await this.pool.query<{ slot: string }>('SELECT slot FROM stepwatch_refresh_tokens');
    const gone = rows.map((row) => row.slot).filter((slot) => !monitors.has(monitorOfSlot(slot)));
    if (gone.length === 0) return [];
    await this.pool.query('DELETE FROM stepwatch_refresh_tokens WHERE slot = ANY($1::text[])', [gone]);
    return gone;
  }

  /** Inside this slot's exchange, its locked connection; elsewhere the pool. */
  private via(slot: string): pg.Pool | pg.PoolClient {
    const held = this.held.getStore();
    return held?.slot === slot ? held.client : this.pool;
  }
}
