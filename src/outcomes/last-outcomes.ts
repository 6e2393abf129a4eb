import type { Monitor } from '../core/monitor.js';
import { outcomeApplies } from './outcome.js';
import type { MonitorOutcome } from './outcome.js';

/** A monitor's last outcome as the API and the page show it; `restored` while it is one from before the restart. */
export interface LastOutcome extends MonitorOutcome {
  restored: boolean;
}

/**
 * Each monitor's last outcome in this process: the one the metrics took from its latest run
 * (fed by the same `onOutcome` that writes monitor-outcomes.json), or, until the monitor runs
 * again, the one restored at start. So the API, the page and `/metrics` tell one story after a
 * restart: a monitor that was failing is shown failing, not pending.
 */
export class LastOutcomes {
  private readonly outcomes = new Map<string, LastOutcome>();

  record(outcome: MonitorOutcome): void {
    this.outcomes.set(outcome.monitor, { ...outcome, restored: false });
  }

  /** Takes back the outcomes from before the restart that the metrics take back too (same definition, enabled, not run since). */
  restore(monitors: readonly Monitor[], outcomes: readonly MonitorOutcome[]): void {
    const byName = new Map(monitors.map((monitor) => [monitor.name, monitor]));
    for (const outcome of outcomes) {
      const monitor = byName.get(outcome.monitor);
      if (monitor && outcomeApplies(monitor, outcome) && !this.outcomes.has(monitor.name)) this.outcomes.set(monitor.name, { ...outcome, restored: true });
    }
  }

  get(name: string): LastOutcome | undefined {
    return this.outcomes.get(name);
  }

  /** Keeps the monitors in force and enabled only: a disabled monitor has no state, as in the metrics. */
  retain(monitors: readonly Monitor[]): void {
    const enabled = new Set(monitors.filter((monitor) => monitor.enabled).map((monitor) => monitor.name));
    for (const name of this.outcomes.keys()) if (!enabled.has(name)) this.outcomes.delete(name);
  }
}
