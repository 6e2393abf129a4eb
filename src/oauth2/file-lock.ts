import { randomBytes } from 'node:crypto';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/** Who holds a lock file, as written in it. */
export interface LockOwner {
  pid: number;
  host: string;
  since: string;
  /** Tells this holder's file from a later one at the same path. */
  nonce: string;
}

/** The lock stayed held by someone else for the whole wait. */
export class LockTimeoutError extends Error {
  constructor(
    readonly file: string,
    readonly owner: LockOwner | undefined,
    /** Held by another holder of this process, still queued in memory. */
    readonly inThisProcess = false,
  ) {
    super(`${file} is held${inThisProcess ? ' by another run in this process' : owner ? ` by process ${owner.pid} on ${owner.host} since ${owner.since}` : ''}`);
  }
}

/** Resolves when `previous` settles, or rejects with `timeout()` once `waitMs` has passed. */
function waitYourTurn(previous: Promise<unknown>, waitMs: number, timeout: () => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(timeout()), waitMs);
    void previous.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export interface FileLockOptions {
  /** How long to wait for a holder to let go before LockTimeoutError. */
  waitMs: number;
  /**
   * A lock file older than this is taken over whoever wrote it (a holder on another host, or a
   * pid reused since). Default 10 minutes: longer than any token exchange, which has a timeout.
   */
  staleMs?: number;
}

const DEFAULT_STALE_MS = 10 * 60_000;
/** A lock file with no readable owner is a holder that died between creating and writing it. */
const UNREADABLE_STALE_MS = 10_000;
const MAX_POLL_MS = 100;

/**
 * Lock files held across processes: each file is created with O_EXCL and holds the owner's pid
 * and host. A lock whose owner is a dead process on this host (or that is older than `staleMs`)
 * is taken over, so a holder killed mid-exchange blocks nobody for long. Holders in this process
 * queue in memory instead of polling the disk.
 */
export class FileLocks {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly options: FileLockOptions) {}

  /** Runs `use` while holding `file`; the wait behind holders of this process counts in `waitMs` too. */
  with<T>(file: string, use: () => Promise<T>, waitMs = this.options.waitMs): Promise<T> {
    const giveUpAt = Date.now() + waitMs;
    const previous = this.queues.get(file) ?? Promise.resolve();
    const turn = waitYourTurn(previous, waitMs, () => new LockTimeoutError(file, undefined, true)).then(async () => {
      // A waiter that gave up has left the queue, so a later one may reach the file while an
      // earlier holder still has it: the file itself still keeps them apart.
      const release = await acquire(file, { ...this.options, waitMs: Math.max(0, giveUpAt - Date.now()) });
      try {
        return await use();
      } finally {
        await release();
      }
    });
    const settled = turn.catch(() => undefined);
    this.queues.set(file, settled);
    void settled.then(() => {
      if (this.queues.get(file) === settled) this.queues.delete(file);
    });
    return turn;
  }
}

async function acquire(file: string, options: FileLockOptions): Promise<() => Promise<void>> {
  const giveUpAt = Date.now() + options.waitMs;
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  for (let delay = 2; ; delay = Math.min(delay * 2, MAX_POLL_MS)) {
    const mine = await tryCreate(file);
    if (mine) return () => releaseIfMine(file, mine);
    const held = await readLock(file);
    if (held === 'gone') continue;
    if (isStale(held, staleMs)) {
      await takeOver(file, staleMs);
      continue;
    }
    const left = giveUpAt - Date.now();
    if (left <= 0) throw new LockTimeoutError(file, held.owner);
    await sleep(Math.min(delay, left));
  }
}

async function tryCreate(file: string): Promise<LockOwner | undefined> {
  let handle;
  try {
    handle = await open(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw error;
  }
  const owner: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString(), nonce: randomBytes(8).toString('hex') };
  try {
    await handle.writeFile(JSON.stringify(owner));
  } finally {
    await handle.close();
  }
  return owner;
}

interface HeldLock {
  owner: LockOwner | undefined;
  ageMs: number;
}

async function readLock(file: string): Promise<HeldLock | 'gone'> {
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    return { owner: parseOwner(text), ageMs: Date.now() - info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    if (typeof owner.pid === 'number' && typeof owner.host === 'string' && typeof owner.nonce === 'string') return owner as LockOwner;
  } catch {
    // Half-written: judged by its age below.
  }
  return undefined;
}

function isStale(held: HeldLock, staleMs: number): boolean {
  if (!held.owner) return held.ageMs > UNREADABLE_STALE_MS;
  if (held.owner.host === hostname() && !isAlive(held.owner.pid)) return true;
  return held.ageMs > staleMs;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes a stale lock. Takers queue on a second lock file, and each judges the lock again once
 * it holds it: otherwise two takers could both judge the old lock stale, and the slower one
 * would delete the lock the faster one had just created.
 */
async function takeOver(file: string, staleMs: number): Promise<void> {
  const guard = `${file}.takeover`;
  const mine = await tryCreate(guard);
  if (!mine) {
    // Held for a few file operations only; an old one belongs to a taker that died.
    const held = await readLock(guard);
    if (held !== 'gone' && held.ageMs > UNREADABLE_STALE_MS) await unlink(guard).catch(ignoreMissing);
    else await sleep(2);
    return;
  }
  try {
    const held = await readLock(file);
    if (held !== 'gone' && isStale(held, staleMs)) await unlink(file).catch(ignoreMissing);
  } finally {
    await releaseIfMine(guard, mine);
  }
}

async function releaseIfMine(file: string, mine: LockOwner): Promise<void> {
  const held = await readLock(file);
  if (held !== 'gone' && held.owner?.nonce === mine.nonce) await unlink(file).catch(ignoreMissing);
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}
