/**
 * Where the refresh tokens in force are kept, one per slot (a monitor's oauth2 step). The file
 * store is the single-instance one; cluster mode provides another behind the same interface.
 */
export interface RefreshTokenStore {
  /** Reads the whole store once: throws CorruptStoreError when it cannot be read. */
  check(): Promise<void>;
  /** The token in force for a slot. */
  get(slot: string): Promise<string | undefined>;
  /** Replaces a slot's token; resolves once it is durable. */
  put(slot: string, refreshToken: string): Promise<void>;
  /**
   * Runs `exchange` with the slot's token in force, read under a lock that no other holder, in
   * this process or another (or another instance), gets until `exchange` has settled: a refresh
   * token is spent by one exchange at a time, and the rotated one (put by `exchange`) is in force
   * before the next holder reads it. Throws TokenLockTimeoutError when the wait exceeds `waitMs`.
   */
  withTokenLock<T>(slot: string, exchange: (current: string | undefined) => Promise<T>, options?: { waitMs?: number }): Promise<T>;
  /** Removes the tokens of monitors not in `monitors`; returns the slots removed. */
  prune(monitors: ReadonlySet<string>): Promise<string[]>;
}

/** The slot of a monitor's oauth2 step. Monitor names have no `/`, so the slot names its monitor. */
export function tokenSlot(monitor: string, step: string): string {
  return `${monitor}/${step}`;
}

export function monitorOfSlot(slot: string): string {
  const slash = slot.indexOf('/');
  return slash === -1 ? slot : slot.slice(0, slash);
}

/** The store exists but cannot be read as one: stepwatch says so and never overwrites it. */
export class CorruptStoreError extends Error {}

/** Another process held the slot's token for the whole wait (it is exchanging it, or hung). */
export class TokenLockTimeoutError extends Error {}
