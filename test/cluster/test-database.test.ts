import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createTestDatabase } from '../support/postgres.js';

test('each test gets an empty database of its own, gone after drop', async () => {
  const first = await createTestDatabase();
  const second = await createTestDatabase();
  try {
    assert.notEqual(first.url, second.url);
    const client = new pg.Client({ connectionString: first.url });
    await client.connect();
    const { rows } = await client.query<{ db: string; tables: string }>(
      "select current_database() as db, (select count(*) from pg_tables where schemaname = 'public') as tables",
    );
    await client.end();
    assert.deepEqual(rows[0], { db: first.name, tables: '0' });
  } finally {
    await first.drop();
    await second.drop();
  }
  const client = new pg.Client({ connectionString: first.url });
  await assert.rejects(client.connect(), /does not exist/);
});
