import { Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Monitor } from '../core/monitor.js';
import type { SchedulerObserver } from '../schedule/scheduler.js';

/** Whether stepwatch keeps up: how late scheduled runs start, and how many run at once. */
export class SchedulerMetrics implements SchedulerObserver {
  private readonly lag: Histogram;
  private readonly inFlight: Gauge;

  constructor(registry: Registry) {
    this.lag = new Histogram({
      name: 'stepwatch_scheduler_lag_seconds',
      help: "Delay from the intended start of a tick (its cron time plus the monitor's start offset) to the start of its run, waiting for a free slot included.",
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.inFlight = new Gauge({ name: 'stepwatch_runs_in_flight', help: 'Runs in progress, across all monitors.', registers: [registry] });
  }

  runStarting(_monitor: Monitor, lagSeconds: number | undefined): void {
    this.inFlight.inc();
    if (lagSeconds !== undefined) this.lag.observe(lagSeconds);
  }

  runEnded(): void {
    this.inFlight.dec();
  }
}
