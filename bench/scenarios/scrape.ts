// Scenario 3: what a Prometheus scrape of /metrics costs, over HTTP to the listening server, with
// every monitor having run (so every histogram and gauge has samples).
import { Registry } from 'prom-client';
import type { Monitor } from '../../src/core/monitor.js';
import type { RunResult } from '../../src/core/results.js';
import { MetricsObserver } from '../../src/metrics/metrics-observer.js';
import { buildApp } from '../../src/server/app.js';
import { download, median, printTable, threeStepMonitor, writeResult } from '../support.js';

export async function scrape(options: { sizes: number[]; scrapes: number }): Promise<void> {
  const base = threeStepMonitor();
  const rows: Array<Record<string, string | number>> = [];
  for (const size of options.sizes) {
    const monitors: Monitor[] = Array.from({ length: size }, (_, i) => ({ ...base, name: `bench-${i}`, labels: { team: `team-${i % 20}` } }));
    const metrics = new MetricsObserver(new Registry());
    metrics.configLoaded(monitors, { active: size, invalid: 0, disabled: 0 }, true);
    const phases = { dns: 1.2, connect: 0.8, tls: 4.1, ttfb: 23.7, transfer: 0.4 };
    for (const [i, monitor] of monitors.entries()) {
      for (let run = 0; run < 3; run++) {
        const failed = (i + run) % 7 === 0;
        const result: RunResult = {
          monitor: monitor.name, passed: !failed, startedAt: Date.now(), durationMs: 90 + (i % 50), attempts: 1,
          steps: monitor.steps.map((step, s) => ({ name: step.name, status: failed && s === 2 ? 'failed' : 'passed', durationMs: 30 + ((i * 7 + s) % 400), httpStatus: failed && s === 2 ? 503 : 200, phases, tlsCertExpiresAt: 1_800_000_000, ...(failed && s === 2 ? { reason: 'status' as const } : {}) })),
        };
        metrics.runFinished(monitor, result);
      }
    }
    const app = buildApp({ metrics, isReady: () => true });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < options.scrapes; i++) {
      const started = performance.now();
      bytes = await download(`${url}/metrics`);
      times.push(performance.now() - started);
    }
    global.gc?.();
    rows.push({ monitors: size, 'steps each': 3, 'scrape ms (median)': median(times), 'scrape ms (max)': Math.max(...times), 'size MB': bytes / 1024 / 1024, 'heap MB': process.memoryUsage().heapUsed / 1024 / 1024 });
    await app.close();
  }
  printTable(`Scrape cost (${options.scrapes} scrapes each; target < 300 ms at 10k)`, rows);
  writeResult('scrape', { rows });
}
