/** Something the queue rebuilds: it only needs to know when that last happened. */
export interface Rebuildable {
  /** `performance.now()` of its last rebuild; -Infinity before the first. */
  rebuiltAt: number;
}

export interface RebuildQueueOptions {
  /** An item is rebuilt at most this often, except when `flush()` asks for everything. */
  intervalMs: number;
  /** Items rebuilt per turn of the event loop, so a load of many items does not stall the runs in flight. */
  perTurn: number;
}

/**
 * When each monitor's compressed lines are rebuilt (docs/performance.md, "/metrics"). An item that
 * changes is rebuilt in the next turns, unless it was rebuilt less than `intervalMs` ago: then it
 * waits for the next sweep, so a monitor that runs every second is rebuilt about once per
 * interval instead of after every run, for scrapes that come every 15 s or more. `flush()`
 * rebuilds everything pending at once: a scrape calls it first, so it always shows every change
 * made before it, whenever it comes.
 */
export class RebuildQueue<T extends Rebuildable> {
  /** Rebuilt in the next turns. */
  private readonly soon = new Set<T>();
  /** Rebuilt recently and changed since: rebuilt at the next sweep, or by `flush()`. */
  private readonly later = new Set<T>();
  private turnScheduled = false;
  private sweep: NodeJS.Timeout | undefined;

  constructor(
    private readonly rebuild: (item: T) => void,
    private readonly options: RebuildQueueOptions,
  ) {}

  /** Says that `item` changed and needs a rebuild. */
  add(item: T): void {
    if (this.soon.has(item) || this.later.has(item)) return;
    if (performance.now() - item.rebuiltAt < this.options.intervalMs) {
      this.later.add(item);
      this.scheduleSweep();
    } else {
      this.soon.add(item);
      this.scheduleTurn();
    }
  }

  /** Forgets `item` (its monitor is gone): what it had pending is not rebuilt. */
  delete(item: T): void {
    this.soon.delete(item);
    this.later.delete(item);
  }

  /** Rebuilds everything pending, now. */
  flush(): void {
    this.run(this.soon, Infinity);
    this.run(this.later, Infinity);
  }

  /** Items waiting for a rebuild, for the benchmarks. */
  get pending(): number {
    return this.soon.size + this.later.size;
  }

  private scheduleTurn(): void {
    if (this.turnScheduled) return;
    this.turnScheduled = true;
    setImmediate(() => {
      this.turnScheduled = false;
      this.run(this.soon, this.options.perTurn);
      if (this.soon.size > 0) this.scheduleTurn();
    });
  }

  private scheduleSweep(): void {
    if (this.sweep) return;
    // Unref'd: pending lines are no reason to keep a process alive; a scrape rebuilds them anyway.
    this.sweep = setTimeout(() => {
      this.sweep = undefined;
      for (const item of this.later) this.soon.add(item);
      this.later.clear();
      this.scheduleTurn();
    }, this.options.intervalMs).unref();
  }

  private run(items: Set<T>, limit: number): void {
    let done = 0;
    for (const item of items) {
      if (done++ >= limit) break;
      items.delete(item);
      this.rebuild(item);
      item.rebuiltAt = performance.now();
    }
  }
}
