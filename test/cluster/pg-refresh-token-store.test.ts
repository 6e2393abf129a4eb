import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { PgRefreshTokenStore } from '../../src/cluster/pg-refresh-token-store.js';
import { TokenLockTimeoutError } from '../../src/oauth2/refresh-token-store.js';
import { createClusterDatabase, withClusterDatabase } from '../support/cluster.js';
import { signal } from '../support/wait.js';

describe('refresh tokens in the cluster database', () => {
  it('serialises the exchanges of two instances: no token is spent twice and the rotated one is in force for the next', async () => {
    await withClusterDatabase(async (db) => {
      const instances = [new PgRefreshTokenStore(db.pool(5)), new PgRefreshTokenStore(db.pool(5))];
      await instances[0]!.put('m/token', 'rt-0');
      const spent: string[] = [];
      // Like a token endpoint with rotation on every use: the token read is spent, a new one is stored.
      const exchange = (store: PgRefreshTokenStore) =>
        store.withTokenLock('m/token', async (current) => {
          assert.ok(current, 'a token is in force');
          spent.push(current);
          await sleep(30);
          const next = `rt-${spent.length}`;
          await store.put('m/token', next);
          return next;
        });
      await Promise.all(Array.from({ length: 8 }, (_, i) => exchange(instances[i % 2]!)));
      assert.deepEqual(spent, Array.from({ length: 8 }, (_, i) => `rt-${i}`), 'each exchange read the token the previous one stored');
      assert.equal(await instances[1]!.get('m/token'), 'rt-8');
    });
  });

  it('gives up with TokenLockTimeoutError when another instance holds the token for the whole wait, and keeps a token stored by a failed exchange', async () => {
    const db = await createClusterDatabase();
    const release = signal();
    try {
      const [a, b] = [new PgRefreshTokenStore(db.pool()), new PgRefreshTokenStore(db.pool())];
      const holding = signal();
      const held = a.withTokenLock('m/token', async () => {
        holding.resolve();
        await release.promise;
      });
      await holding.promise;
      await assert.rejects(b.withTokenLock('m/token', async () => 'never', { waitMs: 200 }), TokenLockTimeoutError);
      release.resolve();
      await held;
      await assert.rejects(
        b.withTokenLock('m/token', async () => {
          await b.put('m/token', 'rotated-then-failed');
          throw new Error('the API answered badly after rotating');
        }),
        /answered badly/,
      );
      assert.equal(await a.get('m/token'), 'rotated-then-failed', 'the rotated token is kept: the old one is spent');
    } finally {
      release.resolve();
      await db.close();
    }
  });

  it('prunes the tokens of monitors that no longer exist', async () => {
    await withClusterDatabase(async (db) => {
      const store = new PgRefreshTokenStore(db.pool());
      await store.put('kept/step', 'a');
      await store.put('gone/step', 'b');
      assert.deepEqual(await store.prune(new Set(['kept'])), ['gone/step']);
      assert.equal(await store.get('gone/step'), undefined);
      assert.equal(await store.get('kept/step'), 'a');
    });
  });
});
