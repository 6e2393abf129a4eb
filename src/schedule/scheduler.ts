import { createTask } from 'node-cron';
import type { ScheduledTask } from 'node-cron';
import type { Monitor } from '../core/monitor.js';
import type { RunResult } from '../core/results.js';
import type { RunObserver } from '../run/observer.js';
import type { RunLimiter } from './run-limiter.js';
import { ALONE } from './tick-gate.js';
import type { ManualRun, TickGate } from './tick-gate.js';

/** Listens to the scheduler itself: when runs really start (after any wait for a slot), and end. */
export interface SchedulerObserver {
  /** `lagSeconds` is the time since the tick's scheduled time; undefined for a manual run. */
  runStarting(monitor: Monitor, lagSeconds: number | undefined): void;
  runEnded(monitor: Monitor): void;
}

export interface SchedulerDeps {
  run: (monitor: Monitor) => Promise<RunResult>;
  observer?: RunObserver;
  /** Called when a run throws: that is a bug in stepwatch, not a fault of the API. */
  onInternalError: (monitor: Monitor, error: unknown) => void;
  /** Called as each tick starts a monitor, with the time the tick was scheduled for. */
  onTick?: (monitor: Monitor, scheduledAt: Date) => void;
  /** A global limit on runs in flight (STEPWATCH_MAX_CONCURRENT_RUNS); without it every due run starts at once. */
  limiter?: RunLimiter;
  schedulerObserver?: SchedulerObserver;
  /** Asked before each tick and manual run; without it every tick runs here (one instance). */
  gate?: TickGate;
  now?: () => number;
}

/** Monitors that share a cron expression and time zone share one timer. */
interface Group {
  task: ScheduledTask;
  names: Set<string>;
  /** The next due time and when it was computed: it stays right until it passes (or the clock goes back). */
  next?: { at: number; computedAt: number };
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
  /** Per scheduled monitor, when its next run is due (Unix ms). */
  private readonly due = new Map<string, number>();
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
    return this.launch(name, undefined);
  }

  /** A run on demand, through the gate: in cluster mode it never overlaps a run of the monitor elsewhere. */
  async requestRun(name: string): Promise<ManualRun> {
    if (this.stopped) return { refused: 'shutting_down' };
    const monitor = this.monitors.get(name);
    if (!monitor) return { refused: 'not_in_location' };
    if (this.inFlight.has(name)) return { refused: 'in_progress' };
    return (this.deps.gate ?? ALONE).manual(monitor, (m) => this.launch(m.name, undefined));
  }

  private launch(name: string, scheduledAt: Date | undefined): Promise<RunResult | undefined> | undefined {
    const monitor = this.monitors.get(name);
    if (!monitor || this.inFlight.has(name) || this.stopped) return undefined;
    // A run waiting for a slot counts as in flight: a tick meanwhile is skipped, as for a running one.
    const run = this.runInSlot(monitor, scheduledAt)
      .catch((error: unknown) => {
        this.deps.onInternalError(monitor, error);
        return undefined;
      })
      .finally(() => this.inFlight.delete(name));
    this.inFlight.set(name, run);
    this.markStarted(monitor);
    return run;
  }

  /** True once stop() was called: no run starts any more. */
  isStopped(): boolean {
    return this.stopped;
  }

  isRunning(name: string): boolean {
    return this.inFlight.has(name);
  }

  /**
   * When the monitor's next scheduled run is due; undefined while it is not scheduled. It moves on
   * only when a run starts: while ticks are skipped (a run still going) or do not come at all, it
   * stays in the past, which is how an alert tells that a monitor is overdue whatever its schedule.
   */
  nextRun(name: string): Date | undefined {
    if (this.stopped) return undefined;
    const due = this.due.get(name);
    return due === undefined ? undefined : new Date(due);
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

  private async runInSlot(monitor: Monitor, scheduledAt: Date | undefined): Promise<RunResult | undefined> {
    const release = await this.deps.limiter?.acquire();
    if (this.stopped && scheduledAt) {
      release?.();
      return undefined;
    }
    const observer = this.deps.schedulerObserver;
    observer?.runStarting(monitor, scheduledAt ? Math.max(0, (this.deps.now ?? Date.now)() - scheduledAt.getTime()) / 1000 : undefined);
    try {
      return await this.deps.run(monitor);
    } finally {
      release?.();
      observer?.runEnded(monitor);
    }
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
    if (!group.names.has(monitor.name)) {
      group.names.add(monitor.name);
      this.setDue(monitor.name, group);
    }
  }

  private leaveGroup(monitor: Monitor): void {
    const key = groupKey(monitor);
    const group = this.groups.get(key);
    this.due.delete(monitor.name);
    if (!group) return;
    group.names.delete(monitor.name);
    if (group.names.size === 0) {
      void group.task.destroy();
      this.groups.delete(key);
    }
  }

  /** A run started (on a tick or on demand): the next one is due at the schedule's next time. */
  private markStarted(monitor: Monitor): void {
    const group = monitor.enabled ? this.groups.get(groupKey(monitor)) : undefined;
    if (group?.names.has(monitor.name)) this.setDue(monitor.name, group);
  }

  private setDue(name: string, group: Group): void {
    const at = groupNextRun(group);
    if (at === undefined) this.due.delete(name);
    else this.due.set(name, at);
  }

  private tick(names: Set<string>, scheduledAt: Date): void {
    if (this.stopped) return;
    const due: Monitor[] = [];
    for (const name of names) {
      const monitor = this.monitors.get(name);
      if (!monitor) continue;
      this.deps.onTick?.(monitor, scheduledAt);
      if (this.inFlight.has(name)) this.deps.observer?.runSkipped?.(monitor);
      else due.push(monitor);
    }
    // One question per tick for all its monitors: in cluster mode, one batched claim.
    if (due.length > 0) (this.deps.gate ?? ALONE).admit(due, scheduledAt, (monitor) => this.launch(monitor.name, scheduledAt));
  }
}

/** The group's next time after now, computed once per group until it passes (or the clock goes back). */
function groupNextRun(group: Group): number | undefined {
  const now = Date.now();
  if (!group.next || group.next.at <= now || group.next.computedAt > now) {
    // ~50 µs per computation in node-cron: once per group and tick, not once per monitor.
    let at: Date | null = null;
    try {
      at = group.task.getNextRun();
    } catch {
      // node-cron gives up on a schedule that matches no day for years (`0 0 30 2 *`): nothing is due.
    }
    if (!at) return undefined;
    group.next = { at: at.getTime(), computedAt: now };
  }
  return group.next.at;
}
