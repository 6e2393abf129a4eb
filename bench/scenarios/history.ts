// Scenario: what the status store keeps per run. N monitors × `history` runs of a three-step
// flow (phases, certificate expiry; one run in seven failed with a message and a 4 KiB excerpt),
// the heap measured after full garbage collections before and after.
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Monitor } from '../../src/core/monitor.js';
import type { RunResult } from '../../src/core/results.js';
import { StatusStore } from '../../src/status/status-store.js';
import { machine, printTable, writeResult } from '../support.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function result(monitor: string, i: number): RunResult {
  const failed = i % 7 === 0;
  const phases = { dns: 0.3 + (i % 5) / 10, connect: 0.8, tls: 4.1, ttfb: 20 + (i % 30), transfer: 0.4 };
  return {
    monitor, passed: !failed, startedAt: 1_764_000_000_000 + i * 1000, durationMs: 90 + (i % 50) + 0.123, attempts: 1,
    steps: [
      { name: 'Get token', status: 'passed', durationMs: 30 + (i % 40) + 0.5, httpStatus: 200, phases, tlsCertExpiresAt: 1_800_000_000 },
      failed
        ? { name: 'New releases', status: 'failed', durationMs: 55.25, httpStatus: 503, reason: 'status', message: `expected status 200, got 503 (run ${i})`, phases, tlsCertExpiresAt: 1_800_000_000, response: { status: 503, headers: { 'content-type': 'application/json' }, body: Buffer.alloc(4096, `${monitor} ${i} `).toString('latin1'), truncated: true } }
        : { name: 'New releases', status: 'passed', durationMs: 40 + (i % 60) + 0.25, httpStatus: 200, phases, tlsCertExpiresAt: 1_800_000_000 },
      { name: 'Album', status: failed ? 'skipped' : 'passed', durationMs: failed ? 0 : 20.5, ...(failed ? {} : { httpStatus: 200, phases, tlsCertExpiresAt: 1_800_000_000 }) },
    ],
  };
}

export async function history(options: { monitors: number; history: number }): Promise<void> {
  const monitors = Array.from({ length: options.monitors }, (_, i) => ({ name: `bench-${i}` }) as Monitor);
  gc();
  const before = process.memoryUsage().heapUsed;
  const store = new StatusStore(options.history);
  for (let i = 0; i < options.history; i++) for (const monitor of monitors) store.runFinished(monitor, result(monitor.name, i));
  gc();
  const heapMb = (process.memoryUsage().heapUsed - before) / 2 ** 20;
  const runs = options.monitors * options.history;
  const row = { monitors: options.monitors, 'runs kept each': options.history, 'heap MB': heapMb, 'bytes per run kept': (heapMb * 2 ** 20) / runs, 'of which excerpts (5 per monitor × 4 KiB) MB': (options.monitors * 5 * 4096) / 2 ** 20, 'bytes per run, excerpts aside': ((heapMb * 2 ** 20) - options.monitors * 5 * 4096) / runs };
  printTable(`Status store memory (three-step runs, 1 in 7 failed) on ${machine()}`, [row]);
  writeResult('history', { row });
  if (store.recent('bench-0').length !== options.history) throw new Error('the store lost runs');
}
