/** setTimeout's longest delay: a longer one (a yearly schedule's next tick) fires after 1 ms instead. */
const LONGEST_TIMER_MS = 2_147_483_647;

/** What is due to start at one instant, by the tick (cron time, Unix ms) each start belongs to. */
export type DueStarts<T> = Map<number, T[]>;

/**
 * The starts to come, by instant, behind one timer for the earliest: a tick of a schedule puts
 * its monitors here at tick + offset, and each instant hands over everything due at it together
 * (one tick-gate call per tick time, so a cluster claims them in one statement). One timer for
 * the whole scheduler rather than one per monitor or per bucket: 50k monitors cost 50 instants
 * a second, not 50k timers.
 */
export class StartTimeline<T> {
  private readonly starts = new Map<number, DueStarts<T>>();
  /** The instants of `starts`, earliest first. */
  private readonly instants: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private armedFor: number | undefined;

  constructor(private readonly onDue: (at: number, starts: DueStarts<T>) => void) {}

  /** Puts `start` at `at` (Unix ms), for the tick scheduled at `scheduledAt`. */
  add(at: number, scheduledAt: number, start: T): void {
    let due = this.starts.get(at);
    if (!due) {
      due = new Map();
      this.starts.set(at, due);
      this.instants.splice(insertionIndex(this.instants, at), 0, at);
    }
    let starts = due.get(scheduledAt);
    if (!starts) {
      starts = [];
      due.set(scheduledAt, starts);
    }
    starts.push(start);
  }

  /** Hands over every instant that has come, in order, and arms the timer for the next. */
  flush(): void {
    const now = Date.now();
    while (this.instants.length > 0 && (this.instants[0] as number) <= now) {
      const at = this.instants.shift() as number;
      const due = this.starts.get(at);
      this.starts.delete(at);
      if (due) this.onDue(at, due);
    }
    this.arm();
  }

  /** Drops every start to come (the scheduler stops). */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = undefined;
    this.starts.clear();
    this.instants.length = 0;
  }

  /** How many instants are waiting (for tests and the bench). */
  get size(): number {
    return this.instants.length;
  }

  private arm(): void {
    const next = this.instants[0];
    if (next === undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.armedFor = undefined;
      return;
    }
    if (this.armedFor === next) return;
    clearTimeout(this.timer);
    this.armedFor = next;
    // A timer may fire a millisecond before Date.now() reaches its instant, or wake up before a
    // far instant on purpose: flush() then re-arms.
    this.timer = setTimeout(() => {
      this.armedFor = undefined;
      this.flush();
    }, Math.min(LONGEST_TIMER_MS, Math.max(1, next - Date.now())));
  }
}

/** Where `at` goes in the ascending `instants` (after equal ones; the caller never inserts a duplicate). */
function insertionIndex(instants: readonly number[], at: number): number {
  let low = 0;
  let high = instants.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((instants[middle] as number) < at) low = middle + 1;
    else high = middle;
  }
  return low;
}
