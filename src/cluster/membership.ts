import type pg from 'pg';

/** A member not heard from for this long is gone (the contract's 15 s). */
export const MEMBER_TIMEOUT_MS = 15_000;
/** How often each instance writes its heartbeat and reads the members: 5 beats per timeout. */
export const HEARTBEAT_MS = 3_000;
/** Rows of members silent for this long are deleted; they are only history by then. */
const FORGET_AFTER = '1 day';

const UPSERT_HEARTBEAT = `INSERT INTO stepwatch_members (instance, location, heartbeat_at) VALUES ($1, $2, COALESCE($3::timestamptz, now()))
  ON CONFLICT (instance) DO UPDATE SET location = excluded.location, heartbeat_at = excluded.heartbeat_at`;

/** The live members, as one heartbeat saw them. */
export interface MembersView {
  /** Live instances of our location, sorted (rendezvous needs only the set). */
  local: string[];
  /** Live instances per location, for stepwatch_cluster_members. */
  perLocation: Map<string, number>;
}

/**
 * Membership through one table: each instance upserts its row with the database's clock, and
 * reads which rows were written within the last 15 s. Times are the database's, so instances
 * with skewed clocks still agree. `now` replaces the database clock in tests.
 */
export class Membership {
  constructor(
    private readonly pool: pg.Pool,
    private readonly instance: string,
    private readonly location: string,
    private readonly now: () => Date | undefined = () => undefined,
  ) {}

  /** Writes our heartbeat, then reads the live members. Throws when the database cannot be reached. */
  async beat(): Promise<MembersView> {
    await this.write();
    return this.read();
  }

  /** Writes our heartbeat: from now on the others count us as a member. */
  async write(): Promise<void> {
    await this.pool.query(UPSERT_HEARTBEAT, [this.instance, this.location, this.now() ?? null]);
  }

  /** Writes our heartbeat in a transaction it rolls back: proves at start that it can be written, without making us a member yet. */
  async checkWritable(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(UPSERT_HEARTBEAT, [this.instance, this.location, this.now() ?? null]);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  }

  /** The members heard from within the timeout. */
  async read(): Promise<MembersView> {
    const { rows } = await this.pool.query<{ instance: string; location: string }>(
      `SELECT instance, location FROM stepwatch_members WHERE heartbeat_at > COALESCE($1::timestamptz, now()) - make_interval(secs => $2::double precision / 1000)`,
      [this.now() ?? null, MEMBER_TIMEOUT_MS],
    );
    const local = rows.filter((row) => row.location === this.location).map((row) => row.instance).sort();
    const perLocation = new Map<string, number>();
    for (const row of rows) perLocation.set(row.location, (perLocation.get(row.location) ?? 0) + 1);
    return { local, perLocation };
  }

  /** On a clean stop: the others take our monitors at their next heartbeat instead of after 15 s. */
  async leave(): Promise<void> {
    await this.pool.query('DELETE FROM stepwatch_members WHERE instance = $1', [this.instance]);
  }

  async forgetLongGone(): Promise<void> {
    await this.pool.query(`DELETE FROM stepwatch_members WHERE heartbeat_at < now() - $1::interval`, [FORGET_AFTER]);
  }
}
