import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import { CorruptStoreError, RefreshTokenStore } from '../../src/oauth2/refresh-token-store.js';
import { openOAuth2Services } from '../../src/oauth2/oauth2-services.js';

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'stepwatch-store-'));

/** Resolves once `count` lines have come out of a stream; fails if it ends first. */
function linesFrom(stream: Readable, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const onData = (chunk: Buffer) => {
      seen += chunk.toString().split('\n').length - 1;
      if (seen < count) return;
      stream.off('data', onData);
      resolve();
    };
    stream.on('data', onData);
    stream.once('end', () => reject(new Error(`the stream ended after ${seen} of ${count} lines`)));
  });
}

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
      // Killed once it has finished round + 1 writes: somewhere in the middle of the next one.
      await linesFrom(child.stdout, round + 1);
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
