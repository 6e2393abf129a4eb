// Scenario 2: many monitors on one machine: do ticks start on time, and what does it cost?
// Monitors are cloned from one compiled flow with 6-field crons spread over the minute, so each
// runs once a minute, against the target process, with the metrics observer in place.
import { Registry } from 'prom-client';
import type { Monitor } from '../../src/core/monitor.js';
import { MetricsObserver } from '../../src/metrics/metrics-observer.js';
import { Redactor } from '../../src/redaction/redactor.js';
import { runMonitor } from '../../src/run/run-monitor.js';
import { LoopDelayMeter } from '../../src/run/loop-delay.js';
import { Scheduler } from '../../src/schedule/scheduler.js';
import { RunLimiter } from '../../src/schedule/run-limiter.js';
import { DEFAULT_MAX_CONCURRENT_RUNS } from '../../src/daemon/start-daemon.js';
import { flowMonitor } from '../flow-monitor.js';
import { percentile, printTable, startTarget, writeResult } from '../support.js';

export async function schedulerScale(options: { sizes: number[]; seconds: number }): Promise<void> {
  const rows: Array<Record<string, string | number>> = [];
  for (const size of options.sizes) rows.push(await measure(size, options.seconds));
  printTable(`Scheduler scale (${options.seconds} s per size; targets at 50k: p99 lag < 50 ms, RSS < 400 MB)`, rows);
  writeResult('scheduler-scale', { seconds: options.seconds, rows });
}

async function measure(size: number, seconds: number): Promise<Record<string, string | number>> {
  const target = await startTarget();
  const env = { TARGET: target.url, CLIENT_ID: 'bench', CLIENT_SECRET: 'bench-secret' };
  const base = flowMonitor(env);
  const monitors: Monitor[] = Array.from({ length: size }, (_, i) => ({ ...base, name: `bench-${i}`, schedule: `${i % 60} * * * * *` }));
  const redactor = new Redactor();
  const metrics = new MetricsObserver(new Registry(), { processMetrics: false });
  metrics.configLoaded(monitors, { active: size, invalid: 0, disabled: 0 }, true);
  const lags: number[] = [];
  let skipped = 0;
  let ticks = 0;
  let failed = 0;
  let distorted = 0;
  let failedDistorted = 0;
  // As the daemon does: a run tells whether stepwatch's own loop was late while it ran.
  const loopDelay = new LoopDelayMeter().start();
  const reasons = new Map<string, number>();
  let windowStart = Infinity;
  const scheduler = new Scheduler({
    run: async (monitor) => {
      const result = await runMonitor(monitor, { env, redactor, observer: metrics, loopDelay });
      if (result.timingDistorted) distorted++;
      if (!result.passed) {
        failed++;
        if (result.timingDistorted) failedDistorted++;
        const reason = result.steps.find((step) => step.status === 'failed')?.reason ?? 'unknown';
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
      return result;
    },
    observer: { runSkipped: (monitor) => (skipped++, metrics.runSkipped(monitor)) },
    onInternalError: (_monitor, error) => {
      throw error;
    },
    onTick: (_monitor, scheduledAt) => {
      // Only ticks scheduled inside the window count: start-up is measured by the load-time scenario.
      if (scheduledAt.getTime() >= windowStart) ticks++;
    },
    // As the daemon runs: at most DEFAULT_MAX_CONCURRENT_RUNS in flight; lag is to the real start, the wait for a slot included.
    limiter: new RunLimiter(DEFAULT_MAX_CONCURRENT_RUNS),
    schedulerObserver: {
      runStarting: (_monitor, lagSeconds) => {
        if (lagSeconds !== undefined && Date.now() - lagSeconds * 1000 >= windowStart) lags.push(lagSeconds * 1000);
      },
      runEnded: () => {},
    },
  });
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let rssMax = rssBefore;
  const sampler = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage().rss)), 500);
  const syncStarted = performance.now();
  scheduler.sync(monitors);
  const syncMs = performance.now() - syncStarted;
  // The window opens at the next full second after scheduling.
  await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000)));
  windowStart = Date.now();
  skipped = 0;
  const cpu = process.cpuUsage();
  const started = Date.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const cpuUsed = process.cpuUsage(cpu);
  const elapsedS = (Date.now() - started) / 1000;
  await scheduler.stop(30_000);
  clearInterval(sampler);
  loopDelay.stop();
  await target.stop();
  let due = 0;
  for (let slot = windowStart; slot < windowStart + Math.floor(elapsedS) * 1000; slot += 1000) {
    const second = new Date(slot).getUTCSeconds();
    due += Math.floor((size - 1 - second) / 60) + 1; // monitors i < size with i % 60 === second
  }
  return {
    monitors: size,
    'schedule ms': syncMs,
    'ticks due': due,
    'ticks seen': ticks,
    'runs started': lags.length,
    'runs failed': failed,
    'failed, timing distorted': failedDistorted,
    'runs with timing distorted': distorted,
    skipped,
    'lag p50 ms': percentile(lags, 50),
    'lag p99 ms': percentile(lags, 99),
    'lag max ms': Math.max(...lags),
    'RSS MB': rssMax / 1024 / 1024,
    'CPU %': ((cpuUsed.user + cpuUsed.system) / 1000 / (elapsedS * 1000)) * 100,
    'failure reasons': [...reasons].map(([reason, count]) => `${reason}:${count}`).join(' ') || '-',
  };
}
