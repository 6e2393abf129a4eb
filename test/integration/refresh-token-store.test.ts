import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { CorruptStoreError, RefreshTokenStore } from '../../src/oauth2/refresh-token-store.js';
import { openOAuth2Services } from '../../src/oauth2/oauth2-services.js';

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'stepwatch-store-'));

describe('the refresh-token store', () => {
  it('keeps every update when many monitors rotate their tokens at once', async () => {
    const dir = tempDir();
    const store = new RefreshTokenStore(dir);
    await Promise.all(Array.from({ length: 40 }, (_, i) => store.set(`m${i}/step`, `token-${i}`)));
    const fresh = new RefreshTokenStore(dir);
    for (let i = 0; i < 40; i++) assert.equal(await fresh.get(`m${i}/step`), `token-${i}`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a corrupt store clearly and leaves it as it was', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'refresh-tokens.json');
    writeFileSync(file, '{"version": 1, "tokens": {', { mode: 0o600 });
    await assert.rejects(openOAuth2Services(dir), (error: Error) => error instanceof CorruptStoreError && /is unreadable .* will not overwrite it/.test(error.message));
    await assert.rejects(new RefreshTokenStore(dir).set('a/b', 'c'), CorruptStoreError);
    assert.equal(readFileSync(file, 'utf8'), '{"version": 1, "tokens": {');
    rmSync(dir, { recursive: true, force: true });
  });

  it('survives a crash in the middle of a write: the file is always a whole store', async () => {
    const dir = tempDir();
    const writer = fileURLToPath(new URL('../support/store-writer.ts', import.meta.url));
    for (let round = 0; round < 8; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise((resolve) => child.stdout.once('data', resolve));
      await sleep(30 + round * 17);
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      const store = JSON.parse(readFileSync(path.join(dir, 'refresh-tokens.json'), 'utf8')) as { version: number; tokens: Record<string, { refreshToken: string }> };
      assert.equal(store.version, 1);
      for (const entry of Object.values(store.tokens)) assert.match(entry.refreshToken, /^token-\d+-x{2000}$/);
    }
    assert.ok(readdirSync(dir).includes('refresh-tokens.json'));
    rmSync(dir, { recursive: true, force: true });
  });
});
