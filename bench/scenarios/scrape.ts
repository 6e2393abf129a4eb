// Scenario 3: what a Prometheus scrape of /metrics costs, over HTTP to the listening server, with
// every monitor having run (so every histogram and gauge has samples). Scrapes asking for gzip (as
// Prometheus does) and plain ones alternate; the cost of keeping each monitor's lines compressed
// is measured where it is paid: after runs (rebuilt at most every few seconds) and by a scrape
// that must first rebuild every block that changed since.
import { Registry } from 'prom-client';
import type { Monitor } from '../../src/core/monitor.js';
import type { RunResult } from '../../src/core/results.js';
import { MetricsObserver } from '../../src/metrics/metrics-observer.js';
import { buildApp } from '../../src/server/app.js';
import { cpuMs, download, machine, median, printTable, threeStepMonitor, writeResult } from '../support.js';

export async function scrape(options: { sizes: number[]; scrapes: number }): Promise<void> {
  const base = threeStepMonitor();
  const rows: Array<Record<string, string | number>> = [];
  for (const size of options.sizes) {
    const monitors: Monitor[] = Array.from({ length: size }, (_, i) => ({ ...base, name: `bench-${i}`, labels: { team: `team-${i % 20}` } }));
    const metrics = new MetricsObserver(new Registry());
    metrics.configLoaded(monitors, { active: size, invalid: 0, disabled: 0 }, true);
    await metrics.scrape();
    const phases = { dns: 1.2, connect: 0.8, tls: 4.1, ttfb: 23.7, transfer: 0.4 };
    const runs = 3;
    // Each run's lines are compressed when it finishes, as in the daemon: the scrape below forces
    // nothing that a run left to do, so this is the whole cost of a run for the metrics.
    const runEach = (run: number) => {
      for (const [i, monitor] of monitors.entries()) {
        const failed = (i + run) % 7 === 0;
        const result: RunResult = {
          monitor: monitor.name, passed: !failed, startedAt: Date.now(), durationMs: 90 + ((i + run * 13) % 50), attempts: 1,
          steps: monitor.steps.map((step, s) => ({ name: step.name, status: failed && s === 2 ? 'failed' : 'passed', durationMs: 30 + ((i * 7 + s + run * 31) % 400), httpStatus: failed && s === 2 ? 503 : 200, phases, tlsCertExpiresAt: 1_800_000_000, ...(failed && s === 2 ? { reason: 'status' as const } : {}) })),
        };
        metrics.runFinished(monitor, result);
      }
    };
    // Runs back to back, as monitors that run often: a block rebuilt a moment ago waits (at most a
    // few seconds) before it is rebuilt again, so here most rebuilds are left to the scrape.
    const perRun = await cpuMs(async () => {
      for (let run = 0; run < runs; run++) {
        runEach(run);
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      await metrics.scrape();
    });
    // One block rebuilt: a scrape right after every monitor ran once more rebuilds every block first.
    const buildOnly = (await cpuMs(() => metrics.scrape())).cpuMs;
    runEach(runs);
    const afterAllChanged = (await cpuMs(() => metrics.scrape())).cpuMs;
    const app = buildApp({ metrics, isReady: () => true });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    // What the process spends building one answer (the rest of a scrape is moving the bytes).
    const assembly: number[] = [];
    for (let i = 0; i < options.scrapes; i++) assembly.push((await cpuMs(() => metrics.scrape())).cpuMs);
    const gzipTimes: number[] = [];
    const plainTimes: number[] = [];
    let gzipBytes = 0;
    let plainBytes = 0;
    for (let i = 0; i < options.scrapes; i++) {
      let started = performance.now();
      gzipBytes = await download(`${url}/metrics`, { 'accept-encoding': 'gzip' });
      gzipTimes.push(performance.now() - started);
      started = performance.now();
      plainBytes = await download(`${url}/metrics`);
      plainTimes.push(performance.now() - started);
    }
    global.gc?.();
    rows.push({
      monitors: size,
      'steps each': 3,
      'build CPU ms (median)': median(assembly),
      'gzip scrape ms (median)': median(gzipTimes),
      'gzip ms (max)': Math.max(...gzipTimes),
      'gzip MB': gzipBytes / 1024 / 1024,
      'plain scrape ms (median)': median(plainTimes),
      'plain MB': plainBytes / 1024 / 1024,
      'µs per run finished': (perRun.cpuMs * 1000) / (runs * size),
      'µs per block rebuilt': ((afterAllChanged - buildOnly) * 1000) / size,
      'build CPU ms, every monitor changed': afterAllChanged,
      'blocks MB': metrics.blockBytes() / 1024 / 1024,
      'heap MB': process.memoryUsage().heapUsed / 1024 / 1024,
    });
    await app.close();
  }
  printTable(`Scrape cost (${options.scrapes} scrapes each way, interleaved; target < 150 ms at 10k with gzip). ${machine()}`, rows);
  writeResult('scrape', { machine: machine(), rows });
}
