import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../storage/write-file-atomic.js';

export const STORE_FILE = 'refresh-tokens.json';

interface StoreFile {
  version: 1;
  tokens: Record<string, { refreshToken: string; updatedAt: string }>;
}

/** The store exists but cannot be read as one: stepwatch says so and never overwrites it. */
export class CorruptStoreError extends Error {}

/**
 * The refresh tokens currently in force, one per monitor step, in `<data dir>/refresh-tokens.json`
 * (mode 0600). Writes are atomic (temp file, fsync, rename, fsync of the folder), so a crash
 * leaves the old file or the new one, never half of one; they are queued one after another, so
 * two monitors rotating their tokens at once never lose each other's update.
 */
export class RefreshTokenStore {
  private queue: Promise<unknown> = Promise.resolve();
  readonly file: string;

  constructor(readonly dataDir: string) {
    this.file = path.join(dataDir, STORE_FILE);
  }

  static key(monitor: string, step: string): string {
    return `${monitor}/${step}`;
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.read()).tokens[key]?.refreshToken;
  }

  /** Replaces one token; resolves once it is on disk. */
  set(key: string, refreshToken: string): Promise<void> {
    const write = this.queue.then(async () => {
      const store = await this.read();
      store.tokens[key] = { refreshToken, updatedAt: new Date().toISOString() };
      await this.write(store);
    });
    this.queue = write.catch(() => undefined);
    return write;
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

  private write(store: StoreFile): Promise<void> {
    return writeFileAtomic(this.file, `${JSON.stringify(store, null, 2)}\n`);
  }
}
