import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The server the cluster tests use: Debian's PostgreSQL, started by `npm run test:tools`
 * (scripts/start-test-postgres.sh creates this role). Override with STEPWATCH_TEST_DATABASE_URL.
 */
export const TEST_SERVER_URL =
  process.env.STEPWATCH_TEST_DATABASE_URL ?? 'postgres://stepwatch_test:stepwatch_test@127.0.0.1:5432/postgres';

export interface TestDatabase {
  /** A `postgres://` URL of a database that exists only for this test. */
  url: string;
  name: string;
  /** Drops the database, ending any session still connected to it. */
  drop(): Promise<void>;
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function onServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_SERVER_URL });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `cannot reach the test PostgreSQL at ${new URL(TEST_SERVER_URL).host}: ${(error as Error).message}` +
        ' (run `npm run test:tools`, which installs and starts it)',
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database of its own for one test; names are random so runs never collide. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `stepwatch_test_${randomBytes(6).toString('hex')}`;
  await onServer((client) => client.query(`CREATE DATABASE ${name}`));
  return {
    name,
    url: withDatabase(TEST_SERVER_URL, name),
    drop: () => onServer((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
