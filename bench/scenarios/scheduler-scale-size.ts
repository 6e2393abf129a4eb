// One size of the scheduler-scale scenario, in a process of its own (so each size's memory is its
// own): `node --expose-gc --import tsx bench/scenarios/scheduler-scale-size.ts SIZE SECONDS SPREAD_MS`
// prints one JSON row. Monitors are cloned from one compiled flow with 6-field crons spread over
// the minute, so each runs once a minute against the target process, with the metrics observer,
// the status store (history), the limit on runs in flight and the loop-delay sampler, as the daemon.
import { Registry } from 'prom-client';
import type { Monitor } from '../../src/core/monitor.js';
import { MetricsObserver } from '../../src/metrics/metrics-observer.js';
import { Redactor } from '../../src/redaction/redactor.js';
import { runMonitor } from '../../src/run/run-monitor.js';
import { combineObservers } from '../../src/run/observer.js';
import { LoopDelayMeter } from '../../src/run/loop-delay.js';
import { Scheduler } from '../../src/schedule/scheduler.js';
import { RunLimiter } from '../../src/schedule/run-limiter.js';
import { StatusStore } from '../../src/status/status-store.js';
import { DEFAULT_MAX_CONCURRENT_RUNS } from '../../src/daemon/start-daemon.js';
import { flowMonitor } from '../flow-monitor.js';
import { percentile, startTarget } from '../support.js';

const [size = 1_000, seconds = 120, spreadMs = 1_000] = process.argv.slice(2).map(Number);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
/** Heap in use after a full collection. */
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
/** External and array-buffer memory (outside the heap), after the collection heap() made. */
const external = () => process.memoryUsage().external + process.memoryUsage().arrayBuffers;

const target = await startTarget();
const env = { TARGET: target.url, CLIENT_ID: 'bench', CLIENT_SECRET: 'bench-secret' };
const base = flowMonitor(env);
// What one compiled monitor holds (the bench's monitors share the steps of one compilation; real ones do not).
const compiledBefore = heap();
const compiled = Array.from({ length: 2_000 }, (_, i) => flowMonitor(env, `compiled-${i}`));
const compiledBytes = (heap() - compiledBefore) / compiled.length;
compiled.length = 0;

const heapStart = heap();
const externalStart = external();
const monitors: Monitor[] = Array.from({ length: size }, (_, i) => ({ ...base, name: `bench-${i}`, schedule: `${i % 60} * * * * *` }));
const heapMonitors = heap();
const redactor = new Redactor();
const metrics = new MetricsObserver(new Registry(), { processMetrics: false });
metrics.configLoaded(monitors, { active: size, invalid: 0, disabled: 0 }, true);
const heapMetrics = heap();
const externalMetrics = external();
const status = new StatusStore();
const lags: number[] = [];
let skipped = 0;
let ticks = 0;
let failed = 0;
let distorted = 0;
let failedDistorted = 0;
const loopDelay = new LoopDelayMeter().start();
const reasons = new Map<string, number>();
let windowStart = Infinity;
let windowEnd = Infinity;
// BENCH_WITHOUT_METRICS=1 leaves the metrics observer out of the runs, to tell its memory from the rest.
const observer = combineObservers([...(process.env.BENCH_WITHOUT_METRICS ? [] : [metrics]), status, { runSkipped: () => void skipped++ }]);
const scheduler = new Scheduler({
  run: async (monitor) => {
    const result = await runMonitor(monitor, { env, redactor, observer, loopDelay });
    if (result.timingDistorted) distorted++;
    if (!result.passed) {
      failed++;
      if (result.timingDistorted) failedDistorted++;
      const reason = result.steps.find((step) => step.status === 'failed')?.reason ?? 'unknown';
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    return result;
  },
  observer,
  onInternalError: (_monitor, error) => {
    throw error;
  },
  onTick: (_monitor, scheduledAt) => {
    // Only ticks scheduled inside the window count: start-up is measured by the load-time scenario.
    if (scheduledAt.getTime() >= windowStart && scheduledAt.getTime() < windowEnd) ticks++;
  },
  // BENCH_MAX_CONCURRENT_RUNS tries another limit than the daemon's default.
  limiter: new RunLimiter(Number(process.env.BENCH_MAX_CONCURRENT_RUNS ?? DEFAULT_MAX_CONCURRENT_RUNS)),
  startSpreadMs: spreadMs,
  schedulerObserver: {
    // Lag is from the intended start (tick + offset), the wait for a slot included; counted for the ticks of the window.
    runStarting: (_monitor, lagSeconds) => {
      const intended = lagSeconds === undefined ? undefined : Date.now() - lagSeconds * 1000;
      // With a window of at most 1 s, a tick of the window's seconds is meant to start within them.
      if (intended !== undefined && intended >= windowStart && intended < windowEnd) lags.push(lagSeconds! * 1000);
    },
    runEnded: () => {},
  },
});
let rssMax = process.memoryUsage().rss;
let heapTotalMax = 0;
let externalMax = 0;
const sampler = setInterval(() => {
  const usage = process.memoryUsage();
  rssMax = Math.max(rssMax, usage.rss);
  heapTotalMax = Math.max(heapTotalMax, usage.heapTotal);
  externalMax = Math.max(externalMax, usage.external + usage.arrayBuffers);
}, 500);
const syncStarted = performance.now();
scheduler.sync(monitors);
const syncMs = performance.now() - syncStarted;
const heapScheduled = heap();
const externalScheduled = external();
// The window opens at the next full second after scheduling.
await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000)));
windowStart = Date.now();
skipped = 0;
const cpu = process.cpuUsage();
const started = Date.now();
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const cpuUsed = process.cpuUsage(cpu);
const elapsedS = (Date.now() - started) / 1000;
// Ticks of the window's last second start up to a spread window later: let them, then stop.
windowEnd = windowStart + Math.floor(elapsedS) * 1000;
await new Promise((resolve) => setTimeout(resolve, spreadMs + 100));
await scheduler.stop(30_000);
const heapAfterRuns = heap();
const externalAfterGc = process.memoryUsage().external + process.memoryUsage().arrayBuffers;
// What the history holds: dropped, the heap shrinks by it.
status.retain(new Set());
const heapWithoutHistory = heap();
const externalWithoutHistory = external();
clearInterval(sampler);
loopDelay.stop();
await target.stop();
let due = 0;
for (let slot = windowStart; slot < windowStart + Math.floor(elapsedS) * 1000; slot += 1000) {
  const second = new Date(slot).getUTCSeconds();
  due += Math.floor((size - 1 - second) / 60) + 1; // monitors i < size with i % 60 === second
}
const perMonitor = (bytes: number) => Math.round(bytes / size);
process.stdout.write(`${JSON.stringify({
  monitors: size,
  'spread s': spreadMs / 1000,
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
  'heap MB': heapAfterRuns / 1024 / 1024,
  'heap total max MB': heapTotalMax / 1024 / 1024,
  'external max MB': externalMax / 1024 / 1024,
  // Measured after the full collection of heap(): what of the external memory was garbage shows here.
  'external after GC MB': externalAfterGc / 1024 / 1024,
  'CPU %': ((cpuUsed.user + cpuUsed.system) / 1000 / (elapsedS * 1000)) * 100,
  // Heap per monitor, by what was added: the monitor objects (steps shared), the metrics' blocks,
  // the scheduler's bookkeeping, then what the runs left (history, metric values, caches).
  'B/monitor: compiled (one, unshared)': Math.round(compiledBytes),
  'B/monitor: monitor object': perMonitor(heapMonitors - heapStart),
  'B/monitor: metrics': perMonitor(heapMetrics - heapMonitors),
  'B/monitor: scheduler': perMonitor(heapScheduled - heapMetrics),
  'B/monitor: after runs': perMonitor(heapAfterRuns - heapScheduled),
  'B/monitor: of which history': perMonitor(heapAfterRuns - heapWithoutHistory),
  'runs kept per monitor': lags.length / size,
  'B/monitor: total': perMonitor(heapAfterRuns - heapStart),
  'external B/monitor: metrics': perMonitor(externalMetrics - externalStart),
  'external B/monitor: scheduler': perMonitor(externalScheduled - externalMetrics),
  'external B/monitor: after runs': perMonitor(externalAfterGc - externalScheduled),
  'external B/monitor: of which history': perMonitor(externalAfterGc - externalWithoutHistory),
  'failure reasons': [...reasons].map(([reason, count]) => `${reason}:${count}`).join(' ') || '-',
})}\n`);
process.exit(0);
