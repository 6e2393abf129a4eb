// Scenario 1: CPU per flow and throughput, stepwatch's runner vs the hand-written raw client,
// interleaved in one process run so both see the same machine.
import { Registry } from 'prom-client';
import { runMonitor } from '../../src/run/run-monitor.js';
import { MetricsObserver } from '../../src/metrics/metrics-observer.js';
import { Redactor } from '../../src/redaction/redactor.js';
import { rawFlow } from '../raw-flow.js';
import { flowMonitor } from '../flow-monitor.js';
import { cpuMs, median, pool, printTable, startTarget, writeResult } from '../support.js';

export async function perFlow(options: { flows: number; rounds: number }): Promise<void> {
  const target = await startTarget();
  const env = { TARGET: target.url, CLIENT_ID: 'bench', CLIENT_SECRET: 'bench-secret' };
  const monitor = flowMonitor(env);
  const redactor = new Redactor();
  const metrics = new MetricsObserver(new Registry(), { processMetrics: false });
  metrics.configLoaded([monitor], { active: 1, invalid: 0, disabled: 0 }, true);
  const variants: Record<string, () => Promise<boolean>> = {
    raw: async () => (await rawFlow(target.url, env.CLIENT_ID, env.CLIENT_SECRET)).passed,
    stepwatch: async () => (await runMonitor(monitor, { env, redactor })).passed,
    'stepwatch + metrics': async () => (await runMonitor(monitor, { env, redactor, observer: metrics })).passed,
  };
  try {
    for (const run of Object.values(variants)) await pool(300, 8, run); // warm-up: JIT, sockets
    const samples: Record<string, { cpu: number[]; c1: number[]; c32: number[] }> = {};
    for (let round = 0; round < options.rounds; round++) {
      // The order rotates each round, so no variant always runs after the same one.
      const entries = Object.entries(variants);
      const rotated = [...entries.slice(round % entries.length), ...entries.slice(0, round % entries.length)];
      for (const [name, run] of rotated) {
        const s = (samples[name] ??= { cpu: [], c1: [], c32: [] });
        let failures = 0;
        const check = async () => {
          if (!(await run())) failures++;
        };
        const serial = await cpuMs(() => pool(options.flows, 1, check));
        s.cpu.push(serial.cpuMs / options.flows);
        s.c1.push(options.flows / (serial.wallMs / 1000));
        const parallel = await cpuMs(() => pool(options.flows, 32, check));
        s.c32.push(options.flows / (parallel.wallMs / 1000));
        if (failures > 0) throw new Error(`${name}: ${failures} flows failed; the comparison would be meaningless`);
      }
    }
    const raw = samples.raw as { cpu: number[] };
    const rows = Object.entries(samples).map(([name, s]) => ({
      client: name,
      'CPU ms/flow (median)': median(s.cpu),
      'flows/s @1': median(s.c1),
      'flows/s @32': median(s.c32),
      'CPU ratio vs raw': median(s.cpu) / median(raw.cpu),
    }));
    printTable(`Per-flow cost (${options.rounds} rounds × ${options.flows} flows, interleaved; target ≤ 1.25×)`, rows);
    writeResult('per-flow', { flows: options.flows, rounds: options.rounds, rows, samples });
  } finally {
    await target.stop();
  }
}
