import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../storage/write-file-atomic.js';
import { FileLocks, LockTimeoutError } from './file-lock.js';
import { CorruptStoreError, monitorOfSlot, TokenLockTimeoutError } from './refresh-token-store.js';
import type { RefreshTokenStore } from './refresh-token-store.js';

export const STORE_FILE = 'refresh-tokens.json';
/** Lock files: one for the store file's read-modify-write, one per slot for its exchange. */
const LOCK_FOLDER = 'refresh-token-locks';
const DEFAULT_WAIT_MS = 30_000;

interface StoreFile {
  version: 1;
  tokens: Record<string, { refreshToken: string; updatedAt: string }>;
}

/**
 * The refresh tokens in `<data dir>/refresh-tokens.json` (mode 0600). Writes are atomic (temp
 * file, fsync, rename, fsync of the folder), so a crash leaves the old file or the new one, never
 * half of one. Every read-modify-write and every exchange holds a lock file in
 * `<data dir>/refresh-token-locks/`, so a `stepwatch run` beside a daemon on the same data folder
 * neither loses the daemon's updates nor spends a refresh token the daemon is spending.
 */
export class FileRefreshTokenStore implements RefreshTokenStore {
  readonly file: string;
  private readonly locks = new FileLocks({ waitMs: DEFAULT_WAIT_MS });

  constructor(readonly dataDir: string) {
    this.file = path.join(dataDir, STORE_FILE);
  }

  async check(): Promise<void> {
    await this.read();
  }

  async get(slot: string): Promise<string | undefined> {
    return (await this.read()).tokens[slot]?.refreshToken;
  }

  put(slot: string, refreshToken: string): Promise<void> {
    return this.update((store) => {
      store.tokens[slot] = { refreshToken, updatedAt: new Date().toISOString() };
      return true;
    });
  }

  async withTokenLock<T>(slot: string, exchange: (current: string | undefined) => Promise<T>, options: { waitMs?: number } = {}): Promise<T> {
    await this.lockFolder();
    const lock = path.join(this.dataDir, LOCK_FOLDER, `slot-${createHash('sha256').update(slot).digest('hex').slice(0, 32)}.lock`);
    try {
      return await this.locks.with(lock, async () => exchange(await this.get(slot)), options.waitMs);
    } catch (error) {
      if (error instanceof LockTimeoutError) throw new TokenLockTimeoutError(`the refresh token of ${slot} is being used by ${error.inThisProcess ? 'another run in this process' : 'another process'} (${error.message})`);
      throw error;
    }
  }

  async prune(monitors: ReadonlySet<string>): Promise<string[]> {
    const removed: string[] = [];
    await this.update((store) => {
      for (const slot of Object.keys(store.tokens)) {
        if (monitors.has(monitorOfSlot(slot))) continue;
        delete store.tokens[slot];
        removed.push(slot);
      }
      return removed.length > 0;
    });
    return removed;
  }

  /** Reads the whole store; a missing file is an empty store, an unreadable one an error. */
  async read(): Promise<StoreFile> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, tokens: {} };
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as StoreFile;
      if (parsed?.version !== 1 || typeof parsed.tokens !== 'object' || parsed.tokens === null) throw new Error('not a version 1 store');
      return parsed;
    } catch (error) {
      throw new CorruptStoreError(`refresh-token store ${this.file} is unreadable (${(error as Error).message}); stepwatch will not overwrite it: repair it, or move it away and run stepwatch authorize again`);
    }
  }

  /** Read, change, write, under the store's lock; `change` says whether there is anything to write. */
  private async update(change: (store: StoreFile) => boolean): Promise<void> {
    await this.lockFolder();
    await this.locks.with(path.join(this.dataDir, LOCK_FOLDER, 'store.lock'), async () => {
      const store = await this.read();
      if (change(store)) await this.write(store);
    });
  }

  private async lockFolder(): Promise<void> {
    await mkdir(path.join(this.dataDir, LOCK_FOLDER), { recursive: true, mode: 0o700 });
  }

  private write(store: StoreFile): Promise<void> {
    return writeFileAtomic(this.file, `${JSON.stringify(store, null, 2)}\n`);
  }
}
