// Scenario: what the status page costs with many monitors, every one with a full history (the
// overview computes availability over every kept run and draws a sparkline per monitor).
import { Registry } from 'prom-client';
import type { Monitor } from '../../src/core/monitor.js';
import type { RunResult, StepResult } from '../../src/core/results.js';
import { MetricsObserver } from '../../src/metrics/metrics-observer.js';
import { StatusStore, DEFAULT_HISTORY } from '../../src/status/status-store.js';
import { buildApp } from '../../src/server/app.js';
import { download, median, printTable, threeStepMonitor, writeResult } from '../support.js';

export async function statusPage(options: { sizes: number[]; renders: number }): Promise<void> {
  const base = threeStepMonitor();
  const phases = { dns: 1.2, connect: 0.8, tls: 4.1, ttfb: 23.7, transfer: 0.4 };
  // Step results are shared between runs: rendering reads them the same, and 10k monitors × 100
  // runs of fresh objects would measure the heap rather than the page.
  const passedSteps: StepResult[] = base.steps.map((step, s) => ({ name: step.name, status: 'passed', durationMs: 30 + s * 20, httpStatus: 200, phases }));
  const failedSteps: StepResult[] = passedSteps.map((step, s) => (s === 2 ? { ...step, status: 'failed', httpStatus: 503, reason: 'status', message: 'expected status to equal 200, got 503' } : step));
  const rows: Array<Record<string, string | number>> = [];
  for (const size of options.sizes) {
    const monitors: Monitor[] = Array.from({ length: size }, (_, i) => ({ ...base, name: `bench-${i}` }));
    const status = new StatusStore();
    const start = Date.now() - DEFAULT_HISTORY * 60_000;
    for (const [i, monitor] of monitors.entries()) {
      for (let run = 0; run < DEFAULT_HISTORY; run++) {
        const failed = (i + run) % 17 === 0;
        const result: RunResult = { monitor: monitor.name, passed: !failed, startedAt: start + run * 60_000, durationMs: 90 + ((i + run) % 50), attempts: 1, steps: failed ? failedSteps : passedSteps };
        status.runFinished(monitor, result);
      }
    }
    const byName = new Map(monitors.map((monitor) => [monitor.name, monitor]));
    const directory = { monitors: () => monitors, get: (name: string) => byName.get(name), invalid: () => [] };
    const control = { trigger: () => undefined, isRunning: () => false, isStopped: () => false, nextRun: () => new Date(Date.now() + 30_000) };
    const app = buildApp({ metrics: new MetricsObserver(new Registry(), { processMetrics: false }), isReady: () => true, views: { monitors: directory, status, control } });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const overview: number[] = [];
    const monitorPage: number[] = [];
    let bytes = 0;
    for (let i = 0; i < options.renders; i++) {
      let started = performance.now();
      bytes = await download(`${url}/`);
      overview.push(performance.now() - started);
      started = performance.now();
      await download(`${url}/monitors/bench-${i % size}`);
      monitorPage.push(performance.now() - started);
    }
    rows.push({ monitors: size, 'runs kept each': DEFAULT_HISTORY, 'overview ms (median)': median(overview), 'overview ms (max)': Math.max(...overview), 'overview MB': bytes / 1024 / 1024, 'monitor page ms (median)': median(monitorPage) });
    await app.close();
  }
  printTable(`Status page (${options.renders} renders each, over HTTP; target < 300 ms at 10k)`, rows);
  writeResult('status-page', { rows });
}
