import { createTask } from 'node-cron';
import type { ScheduledTask } from 'node-cron';
import type { Monitor } from '../core/monitor.js';
import type { RunResult } from '../core/results.js';
import type { RunObserver } from '../run/observer.js';

export interface SchedulerDeps {
  run: (monitor: Monitor) => Promise<RunResult>;
  observer?: RunObserver;
  /** Called when a run throws: that is a bug in stepwatch, not a fault of the API. */
  onInternalError: (monitor: Monitor, error: unknown) => void;
  /** Called as each tick starts a monitor, with the time the tick was scheduled for. */
  onTick?: (monitor: Monitor, scheduledAt: Date) => void;
}

/** Monitors that share a cron expression and time zone share one timer. */
interface Group {
  task: ScheduledTask;
  names: Set<string>;
}

const groupKey = (monitor: Monitor) => `${monitor.timezone}\u0000${monitor.schedule}`;

/**
 * Runs monitors on their cron schedules. One node-cron task per distinct (schedule, time zone),
 * fanning out to its monitors: node-cron costs ~0.2 ms of CPU per task to create and start and
 * ~50 µs per next-time computation (docs/performance.md), which at 50k monitors made start-up
 * take 11 s, while monitors share few distinct schedules.
 * A run never overlaps the previous run of the same monitor: such a tick is skipped and
 * reported. Stopping ends the ticks and waits for runs in flight.
 */
export class Scheduler {
  private readonly monitors = new Map<string, Monitor>();
  private readonly groups = new Map<string, Group>();
  private readonly inFlight = new Map<string, Promise<RunResult | undefined>>();
  private stopped = false;

  constructor(private readonly deps: SchedulerDeps) {}

  /** Makes the scheduled set match `monitors`: new ones start, changed ones take effect at their next tick, gone ones stop. */
  sync(monitors: Monitor[]): void {
    const wanted = new Map(monitors.map((monitor) => [monitor.name, monitor]));
    for (const [name, monitor] of this.monitors) {
      const next = wanted.get(name);
      if (!next || groupKey(next) !== groupKey(monitor) || !next.enabled) this.leaveGroup(monitor);
      if (!next) this.monitors.delete(name);
    }
    for (const monitor of monitors) {
      this.monitors.set(monitor.name, monitor);
      if (monitor.enabled && !this.stopped) this.joinGroup(monitor);
    }
  }

  /** Starts a run now unless one is in progress; `undefined` means it was not started. */
  trigger(name: string): Promise<RunResult | undefined> | undefined {
    const monitor = this.monitors.get(name);
    if (!monitor || this.inFlight.has(name) || this.stopped) return undefined;
    const run = this.deps
      .run(monitor)
      .catch((error: unknown) => {
        this.deps.onInternalError(monitor, error);
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
    const monitor = this.monitors.get(name);
    if (!monitor?.enabled) return undefined;
    return this.groups.get(groupKey(monitor))?.task.getNextRun() ?? undefined;
  }

  /** Stops every tick, then waits up to `graceMs` for runs in flight; true if they all finished. */
  async stop(graceMs: number): Promise<boolean> {
    this.stopped = true;
    await Promise.all([...this.groups.values()].map((group) => group.task.destroy()));
    this.groups.clear();
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

  private joinGroup(monitor: Monitor): void {
    const key = groupKey(monitor);
    let group = this.groups.get(key);
    if (!group) {
      const names = new Set<string>();
      const task = createTask(monitor.schedule, (context) => this.tick(names, context.date), {
        timezone: monitor.timezone,
        // Overlap is decided per monitor below (skip and count), not by node-cron per task.
        noOverlap: false,
        suppressMissedWarning: true,
      });
      void task.start();
      group = { task, names };
      this.groups.set(key, group);
    }
    group.names.add(monitor.name);
  }

  private leaveGroup(monitor: Monitor): void {
    const key = groupKey(monitor);
    const group = this.groups.get(key);
    if (!group) return;
    group.names.delete(monitor.name);
    if (group.names.size === 0) {
      void group.task.destroy();
      this.groups.delete(key);
    }
  }

  private tick(names: Set<string>, scheduledAt: Date): void {
    if (this.stopped) return;
    for (const name of names) {
      const monitor = this.monitors.get(name);
      if (!monitor) continue;
      this.deps.onTick?.(monitor, scheduledAt);
      if (this.inFlight.has(name)) this.deps.observer?.runSkipped?.(monitor);
      else void this.trigger(name);
    }
  }
}
