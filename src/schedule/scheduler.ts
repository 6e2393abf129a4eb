import { createTask } from 'node-cron';
import type { ScheduledTask } from 'node-cron';
import type { Monitor } from '../core/monitor.js';
import type { RunResult } from '../core/results.js';
import type { RunObserver } from '../run/observer.js';
import type { RunLimiter } from './run-limiter.js';
import { ALONE } from './tick-gate.js';
import type { ManualRun, TickGate } from './tick-gate.js';
import { DEFAULT_START_SPREAD_MS, spreadWindowMs, startOffsetMs } from './start-offset.js';
import { StartTimeline } from './start-timeline.js';
import type { DueStarts } from './start-timeline.js';

/** Listens to the scheduler itself: when runs really start (after any wait for a slot), and end. */
export interface SchedulerObserver {
  /** `lagSeconds` is the time since the run's intended start (its tick plus the monitor's offset); undefined for a manual run. */
  runStarting(monitor: Monitor, lagSeconds: number | undefined): void;
  runEnded(monitor: Monitor): void;
}

export interface SchedulerDeps {
  run: (monitor: Monitor) => Promise<RunResult>;
  observer?: RunObserver;
  /** Called when a run throws: that is a bug in stepwatch, not a fault of the API. */
  onInternalError: (monitor: Monitor, error: unknown) => void;
  /** Called as each tick starts a monitor (at its intended start), with the time the tick was scheduled for (the cron time). */
  onTick?: (monitor: Monitor, scheduledAt: Date) => void;
  /** A global limit on runs in flight (STEPWATCH_MAX_CONCURRENT_RUNS); without it every due run starts at once. */
  limiter?: RunLimiter;
  schedulerObserver?: SchedulerObserver;
  /** Asked before each tick and manual run; without it every tick runs here (one instance). */
  gate?: TickGate;
  /**
   * Each monitor starts at its tick plus a stable offset (a hash of its name) within this window,
   * capped by its schedule's shortest interval (STEPWATCH_START_SPREAD_SECONDS); 0 starts every
   * monitor at its tick. Default 1 s: a run never leaves the second its cron names.
   */
  startSpreadMs?: number;
  now?: () => number;
}

/** A scheduled run's tick (its identity, the cron time) and when it was meant to start (tick + offset). */
interface TickStart {
  scheduledAt: Date;
  startAt: number;
}

/** On the timeline: a schedule's tick, or a monitor put there by its schedule's tick (it starts only if it is still in that group). */
type Pending = { tick: Group } | PendingStart;
interface PendingStart {
  name: string;
  members: Map<string, number>;
}

/** Monitors that share a cron expression and time zone share one tick on the timeline. */
interface Group {
  key: string;
  /** Never started: only asked for the schedule's next time (its own timers are not used). */
  task: ScheduledTask;
  /** Each monitor of the group, with its offset after the tick in ms. */
  members: Map<string, number>;
  /** The spread window of this schedule: the operator's, capped by the schedule's shortest interval. */
  windowMs: number;
  /** The next due time and when it was computed: it stays right until it passes (or the clock goes back). */
  next?: { at: number; computedAt: number };
}

const groupKey = (monitor: Monitor) => `${monitor.timezone}\u0000${monitor.schedule}`;

/**
 * Runs monitors on their cron schedules. One group per distinct (schedule, time zone), fanning out
 * to its monitors: node-cron costs ~0.2 ms of CPU per task to create and ~50 µs per next-time
 * computation (docs/performance.md), which at 50k monitors made start-up take 11 s, while
 * monitors share few distinct schedules. Everything waits on one timeline (one timer): a group's
 * tick puts each of its monitors there at tick + offset (start-offset.ts), and the monitors due
 * at one instant start together, whatever their schedule.
 * A run never overlaps the previous run of the same monitor: such a tick is skipped and
 * reported. Stopping ends the ticks and waits for runs in flight.
 */
export class Scheduler {
  private readonly monitors = new Map<string, Monitor>();
  private readonly groups = new Map<string, Group>();
  private readonly inFlight = new Map<string, Promise<RunResult | undefined>>();
  /** Per scheduled monitor, when its next run is due (Unix ms). */
  private readonly due = new Map<string, number>();
  private readonly timeline = new StartTimeline<Pending>((at, due) => this.onDue(at, due));
  private readonly spreadMs: number;
  private stopped = false;

  constructor(private readonly deps: SchedulerDeps) {
    this.spreadMs = deps.startSpreadMs ?? DEFAULT_START_SPREAD_MS;
  }

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
    if (!this.stopped) this.timeline.flush();
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

  private launch(name: string, tick: TickStart | undefined): Promise<RunResult | undefined> | undefined {
    const monitor = this.monitors.get(name);
    if (!monitor || this.inFlight.has(name) || this.stopped) return undefined;
    // A run waiting for a slot counts as in flight: a tick meanwhile is skipped, as for a running one.
    const run = this.runInSlot(monitor, tick)
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
    this.timeline.clear();
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

  private async runInSlot(monitor: Monitor, tick: TickStart | undefined): Promise<RunResult | undefined> {
    const release = await this.deps.limiter?.acquire();
    if (this.stopped && tick) {
      release?.();
      return undefined;
    }
    const observer = this.deps.schedulerObserver;
    observer?.runStarting(monitor, tick ? Math.max(0, (this.deps.now ?? Date.now)() - tick.startAt) / 1000 : undefined);
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
      const task = createTask(monitor.schedule, () => {}, { timezone: monitor.timezone });
      group = { key, task, members: new Map(), windowMs: spreadWindowMs(monitor.schedule, this.spreadMs) };
      this.groups.set(key, group);
      this.planTick(group);
    }
    if (!group.members.has(monitor.name)) {
      group.members.set(monitor.name, startOffsetMs(monitor.name, group.windowMs));
      this.setDue(monitor.name, group);
    }
  }

  private leaveGroup(monitor: Monitor): void {
    const key = groupKey(monitor);
    const group = this.groups.get(key);
    this.due.delete(monitor.name);
    if (!group) return;
    group.members.delete(monitor.name);
    // Its tick on the timeline finds it gone and does nothing; node-cron keeps every task it created until destroyed.
    if (group.members.size === 0) {
      void group.task.destroy();
      this.groups.delete(key);
    }
  }

  /** A run started (on a tick or on demand): the next one is due at the schedule's next time. */
  private markStarted(monitor: Monitor): void {
    const group = monitor.enabled ? this.groups.get(groupKey(monitor)) : undefined;
    if (group?.members.has(monitor.name)) this.setDue(monitor.name, group);
  }

  /** The next intended start: the schedule's next tick plus the monitor's offset. */
  private setDue(name: string, group: Group): void {
    const at = groupNextRun(group);
    if (at === undefined) this.due.delete(name);
    else this.due.set(name, at + (group.members.get(name) ?? 0));
  }

  /** Puts the group's next tick on the timeline (the caller flushes, or is the flush). */
  private planTick(group: Group): void {
    const at = groupNextRun(group);
    if (at !== undefined) this.timeline.add(at, at, { tick: group });
  }

  /**
   * An instant came: schedules that tick now put their monitors on the timeline at tick + offset
   * (those at offset 0 come back in the same flush, all schedules together), and the monitors
   * whose intended start is now are started.
   */
  private onDue(at: number, due: DueStarts<Pending>): void {
    if (this.stopped) return;
    for (const [tickMs, pending] of due) {
      const starts: PendingStart[] = [];
      for (const item of pending) {
        if (!('tick' in item)) starts.push(item);
        // A group whose last monitor left (or that was replaced) does not tick any more.
        else if (this.groups.get(item.tick.key) === item.tick) this.tick(item.tick, tickMs);
      }
      if (starts.length > 0) this.startDue(at, tickMs, starts);
    }
  }

  /** The group ticked at `tickMs`: its monitors go on the timeline at tick + offset, and its next tick too. */
  private tick(group: Group, tickMs: number): void {
    for (const [name, offset] of group.members) this.timeline.add(tickMs + offset, tickMs, { name, members: group.members });
    this.planTick(group);
  }

  /** The monitors whose intended start is `at`: those not running start, the others' ticks are skipped. */
  private startDue(at: number, tickMs: number, pending: readonly PendingStart[]): void {
    const scheduledAt = new Date(tickMs);
    const due: Monitor[] = [];
    for (const { name, members } of pending) {
      const monitor = this.monitors.get(name);
      // Removed, disabled or moved to another schedule since its tick came: that tick is dropped with it.
      if (!monitor || !members.has(name)) continue;
      this.deps.onTick?.(monitor, scheduledAt);
      if (this.inFlight.has(name)) this.deps.observer?.runSkipped?.(monitor);
      else due.push(monitor);
    }
    // One question per tick and bucket for all its monitors: in cluster mode, one batched claim.
    const tick = { scheduledAt, startAt: at };
    if (due.length > 0) (this.deps.gate ?? ALONE).admit(due, scheduledAt, (monitor) => this.launch(monitor.name, tick));
  }
}

/** The group's next time after now, computed once per group until it passes (or the clock goes back). */
function groupNextRun(group: Group): number | undefined {
  const now = Date.now();
  if (!group.next || group.next.at <= now || group.next.computedAt > now) {
    // ~50 µs per computation in node-cron: once per group and tick, not once per monitor.
    let at: Date | null = null;
    try {
      at = group.task.getNextRuns(1)[0] ?? null;
    } catch {
      // node-cron gives up on a schedule that matches no day for years (`0 0 30 2 *`): nothing is due.
    }
    if (!at) return undefined;
    group.next = { at: at.getTime(), computedAt: now };
  }
  return group.next.at;
}
