import { createTask } from 'node-cron';
import type { ScheduledTask } from 'node-cron';
import type { Monitor } from '../core/monitor.js';
import type { RunResult } from '../core/results.js';
import type { RunObserver } from '../run/observer.js';

interface Entry {
  monitor: Monitor;
  fingerprint: string;
  task?: ScheduledTask;
}

export interface SchedulerDeps {
  run: (monitor: Monitor) => Promise<RunResult>;
  observer?: RunObserver;
  /** Called when a run throws: that is a bug in stepwatch, not a fault of the API. */
  onInternalError: (monitor: Monitor, error: unknown) => void;
}

/**
 * One cron task per enabled monitor. A run never overlaps the previous run of the same monitor:
 * such a tick is skipped and reported. Stopping ends the ticks and waits for runs in flight.
 */
export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<RunResult | undefined>>();
  private stopped = false;

  constructor(private readonly deps: SchedulerDeps) {}

  /** Makes the scheduled set match `monitors`: new ones start, changed ones restart, gone ones stop. */
  sync(monitors: Monitor[]): void {
    const wanted = new Map(monitors.map((monitor) => [monitor.name, monitor]));
    for (const [name, entry] of this.entries) {
      if (!wanted.has(name)) {
        void entry.task?.destroy();
        this.entries.delete(name);
      }
    }
    for (const monitor of monitors) {
      const fingerprint = JSON.stringify(monitor);
      const existing = this.entries.get(monitor.name);
      if (existing?.fingerprint === fingerprint) continue;
      void existing?.task?.destroy();
      const entry: Entry = { monitor, fingerprint };
      if (monitor.enabled && !this.stopped) {
        entry.task = createTask(monitor.schedule, () => this.tick(monitor.name), {
          name: monitor.name,
          timezone: monitor.timezone,
          // Overlap is our own decision (skip and count), not node-cron's.
          noOverlap: false,
          suppressMissedWarning: true,
        });
        void entry.task.start();
      }
      this.entries.set(monitor.name, entry);
    }
  }

  /** Starts a run now unless one is in progress; `undefined` means it was skipped for overlap. */
  trigger(name: string): Promise<RunResult | undefined> | undefined {
    const entry = this.entries.get(name);
    if (!entry || this.inFlight.has(name) || this.stopped) return undefined;
    const run = this.deps
      .run(entry.monitor)
      .catch((error: unknown) => {
        this.deps.onInternalError(entry.monitor, error);
        return undefined;
      })
      .finally(() => this.inFlight.delete(name));
    this.inFlight.set(name, run);
    return run;
  }

  isRunning(name: string): boolean {
    return this.inFlight.has(name);
  }

  nextRun(name: string): Date | undefined {
    return this.entries.get(name)?.task?.getNextRun() ?? undefined;
  }

  /** Stops every tick, then waits up to `graceMs` for runs in flight; true if they all finished. */
  async stop(graceMs: number): Promise<boolean> {
    this.stopped = true;
    await Promise.all([...this.entries.values()].map((entry) => entry.task?.destroy()));
    const pending = [...this.inFlight.values()];
    if (pending.length === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    });
    const finished = await Promise.race([Promise.all(pending).then(() => true), timeout]);
    clearTimeout(timer);
    return finished;
  }

  private tick(name: string): void {
    const entry = this.entries.get(name);
    if (!entry || this.stopped) return;
    if (this.inFlight.has(name)) {
      this.deps.observer?.runSkipped?.(entry.monitor);
      return;
    }
    void this.trigger(name);
  }
}
