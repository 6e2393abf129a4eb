import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { CorruptStoreError, tokenSlot, TokenLockTimeoutError } from '../../src/oauth2/refresh-token-store.js';
import { FileRefreshTokenStore } from '../../src/oauth2/file-refresh-token-store.js';
import { openOAuth2Services } from '../../src/oauth2/oauth2-services.js';
import { startDaemon } from '../../src/daemon/start-daemon.js';
import { createLogger } from '../../src/logging/logger.js';
import { Redactor } from '../../src/redaction/redactor.js';
import { spawnTs } from '../support/child-lines.js';
import { until } from '../support/wait.js';
import { json, startHttpServer } from '../support/servers.js';
import type { TestServer } from '../support/servers.js';

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'stepwatch-store-'));
const support = (file: string) => fileURLToPath(new URL(`../support/${file}`, import.meta.url));
const storedTokens = (dir: string) => (JSON.parse(readFileSync(path.join(dir, 'refresh-tokens.json'), 'utf8')) as { tokens: Record<string, { refreshToken: string }> }).tokens;

describe('the refresh-token store', () => {
  it('keeps every update when many monitors rotate their tokens at once', async () => {
    const dir = tempDir();
    const store = new FileRefreshTokenStore(dir);
    await Promise.all(Array.from({ length: 40 }, (_, i) => store.put(`m${i}/step`, `token-${i}`)));
    const fresh = new FileRefreshTokenStore(dir);
    for (let i = 0; i < 40; i++) assert.equal(await fresh.get(`m${i}/step`), `token-${i}`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives up on a slot held by another run of this process after the wait, as it does for another process', async () => {
    const dir = tempDir();
    const store = new FileRefreshTokenStore(dir);
    const slot = tokenSlot('flow', 'token');
    let releaseHolder = () => {};
    const holding = new Promise<void>((resolve) => (releaseHolder = resolve));
    const events: string[] = [];
    const holder = store.withTokenLock(slot, () => holding.then(() => void events.push('holder released')));
    // Bounds the test if the waiter never gives up: it fails below instead of hanging.
    const safety = setTimeout(releaseHolder, 10_000);
    await assert.rejects(
      store.withTokenLock(slot, async () => void events.push('waiter ran'), { waitMs: 200 }).finally(() => events.push('waiter gave up')),
      (error: unknown) => error instanceof TokenLockTimeoutError && /used by another run in this process/.test(error.message),
    );
    releaseHolder();
    await holder;
    clearTimeout(safety);
    assert.deepEqual(events, ['waiter gave up', 'holder released']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a corrupt store clearly and leaves it as it was', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'refresh-tokens.json');
    writeFileSync(file, '{"version": 1, "tokens": {', { mode: 0o600 });
    await assert.rejects(openOAuth2Services(dir), (error: Error) => error instanceof CorruptStoreError && /is unreadable .* will not overwrite it/.test(error.message));
    await assert.rejects(new FileRefreshTokenStore(dir).put('a/b', 'c'), CorruptStoreError);
    assert.equal(readFileSync(file, 'utf8'), '{"version": 1, "tokens": {');
    rmSync(dir, { recursive: true, force: true });
  });

  it('survives a crash in the middle of a write: the file is always a whole store', async () => {
    const dir = tempDir();
    for (let round = 0; round < 8; round++) {
      const writer = spawnTs(support('store-writer.ts'), [dir]);
      // Killed once it has finished round + 1 writes: somewhere in the middle of the next one.
      await writer.waitForLines(round + 1);
      await writer.kill();
      const tokens = storedTokens(dir);
      assert.ok(Object.keys(tokens).length > 0);
      for (const entry of Object.values(tokens)) assert.match(entry.refreshToken, /^token-\d+-x{2000}$/);
    }
    assert.ok(readdirSync(dir).includes('refresh-tokens.json'));
    rmSync(dir, { recursive: true, force: true });
  });

  it('removes the tokens of monitors that are not named, and only those', async () => {
    const dir = tempDir();
    const store = new FileRefreshTokenStore(dir);
    for (const slot of ['kept/Refresh', 'kept/Second', 'gone/Refresh', 'kept-too/Refresh']) await store.put(slot, `token of ${slot}`);
    assert.deepEqual(await store.prune(new Set(['kept', 'kept-too'])), ['gone/Refresh']);
    assert.deepEqual(Object.keys(storedTokens(dir)).sort(), ['kept-too/Refresh', 'kept/Refresh', 'kept/Second']);
    assert.deepEqual(await store.prune(new Set(['kept', 'kept-too'])), []);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('a refresh token shared by processes on one data folder', () => {
  let api: TestServer;
  let live: Set<string>;
  let spent: string[];
  let issued: number;
  before(async () => {
    // Rotates on every use and, like providers that detect reuse, refuses a token already spent.
    api = await startHttpServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const presented = new URLSearchParams(body).get('refresh_token') ?? '';
        if (!live.delete(presented)) {
          spent.push(presented);
          return json(res, 400, { error: 'invalid_grant', error_description: 'refresh token reused' });
        }
        const rotated = `rt-${++issued}`;
        live.add(rotated);
        // Answered on a later turn of the event loop, so concurrent exchanges overlap here.
        setTimeout(() => json(res, 200, { access_token: `at-${issued}`, token_type: 'Bearer', expires_in: 3600, refresh_token: rotated }), 20);
      });
    });
  });
  after(() => api.close());
  const reset = () => {
    live = new Set(['rt-initial']);
    spent = [];
    issued = 0;
  };

  it('is spent by one process at a time: two processes exchanging it together never present a spent token', async () => {
    reset();
    const dir = tempDir();
    const runs = 4;
    const children = [spawnTs(support('token-exchanger.ts'), [dir, api.url, String(runs)]), spawnTs(support('token-exchanger.ts'), [dir, api.url, String(runs)])];
    try {
      await Promise.all(children.map((c) => c.waitForLines(1)));
      for (const c of children) c.child.stdin?.write('go\n');
      const outputs = await Promise.all(children.map((c) => c.waitForLines(1 + runs)));
      for (const output of outputs) for (const line of output.slice(1)) assert.deepEqual(JSON.parse(line), { passed: true }, line);
      assert.deepEqual(spent, [], 'no spent token was presented');
      assert.equal(issued, 2 * runs);
      assert.equal(storedTokens(dir)['shared/Refresh']?.refreshToken, `rt-${issued}`, 'the last rotated token is in force');
    } finally {
      await Promise.all(children.map((c) => c.kill()));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the holder when its lock outlives the wait, and is taken over once the holder is killed', async () => {
    reset();
    const dir = tempDir();
    const holder = spawnTs(support('token-exchanger.ts'), [dir, api.url, 'hold']);
    try {
      await holder.waitForLines(1);
      const store = new FileRefreshTokenStore(dir);
      const slot = tokenSlot('shared', 'Refresh');
      await assert.rejects(
        store.withTokenLock(slot, async () => 'never', { waitMs: 50 }),
        (error: Error) => error instanceof TokenLockTimeoutError && error.message.includes(`by process ${holder.child.pid} on `),
      );
      await holder.kill();
      // The lock file of a dead process is still there, and is taken over at once.
      assert.equal(readdirSync(path.join(dir, 'refresh-token-locks')).filter((name) => name.startsWith('slot-')).length, 1);
      assert.equal(await store.withTokenLock(slot, async () => 'taken over', { waitMs: 10_000 }), 'taken over');
      assert.deepEqual(readdirSync(path.join(dir, 'refresh-token-locks')).filter((name) => name.startsWith('slot-')), [], 'released');
    } finally {
      await holder.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the daemon and the refresh-token store', () => {
  it('removes the tokens of monitors that no longer exist, at start and on reload, and keeps them while a file is invalid', async () => {
    const dir = tempDir();
    const monitors = path.join(dir, 'monitors');
    const dataDir = path.join(dir, 'data');
    const monitor = (name: string) => `name: ${name}\nschedule: "0 0 1 1 *"\nsteps:\n  - name: Refresh\n    oauth2: { tokenUrl: "http://127.0.0.1:1/token", grant: refresh_token, clientId: c }\n`;
    mkdirSync(monitors);
    writeFileSync(path.join(monitors, 'a.yaml'), monitor('alpha'));
    writeFileSync(path.join(monitors, 'b.yaml'), monitor('beta'));
    const store = new FileRefreshTokenStore(dataDir);
    for (const name of ['alpha', 'beta', 'deleted-long-ago']) await store.put(tokenSlot(name, 'Refresh'), `token-of-${name}`);
    const logs: string[] = [];
    const redactor = new Redactor();
    const logger = createLogger({ redactor, destination: new Writable({ write: (chunk: Buffer, _e, done) => (logs.push(chunk.toString()), done()) }) });
    const daemon = await startDaemon({ monitorPaths: [monitors], host: '127.0.0.1', port: 0, env: {}, dataDir, logger, redactor, watchIntervalMs: 50 });
    /** Waits for the reload that leaves these counts (each reload logs them once it has pruned). */
    const reloaded = (active: number, invalid: number) => until(() => logs.some((line) => {
      const entry = JSON.parse(line) as { msg?: string; active?: number; invalid?: number };
      return entry.msg === 'monitors reloaded' && entry.active === active && entry.invalid === invalid;
    }), `a reload with ${active} active and ${invalid} invalid monitors`);
    try {
      assert.deepEqual(Object.keys(storedTokens(dataDir)).sort(), ['alpha/Refresh', 'beta/Refresh']);
      assert.ok(logs.some((line) => line.includes('removed the refresh tokens of monitors that no longer exist') && line.includes('deleted-long-ago/Refresh')));

      // beta's file breaks (its last good version runs on) and alpha's is deleted: while a file is
      // invalid, the monitors that exist are not known, so nothing is removed.
      writeFileSync(path.join(monitors, 'b.yaml'), 'name: beta\nschedule: [\n');
      rmSync(path.join(monitors, 'a.yaml'));
      await reloaded(1, 1);
      assert.deepEqual(Object.keys(storedTokens(dataDir)).sort(), ['alpha/Refresh', 'beta/Refresh']);

      writeFileSync(path.join(monitors, 'b.yaml'), monitor('beta'));
      await reloaded(1, 0);
      assert.deepEqual(Object.keys(storedTokens(dataDir)), ['beta/Refresh']);
      assert.ok(existsSync(path.join(dataDir, 'refresh-tokens.json')));
    } finally {
      await daemon.stop(1_000);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
