// Scenario 5: does stepwatch report the latency a plain client sees? The target answers the
// second call after a fixed 50 ms; both clients' durations of that call are compared.
import { Redactor } from '../../src/redaction/redactor.js';
import { runMonitor } from '../../src/run/run-monitor.js';
import { BENCH_ENV, BODIES, flowMonitor } from '../flow-monitor.js';
import { rawFlow } from '../raw-flow.js';
import { percentile, printTable, startTarget, writeResult } from '../support.js';

export async function latencyFidelity(options: { flows: number }): Promise<void> {
  const target = await startTarget();
  const env = { TARGET: target.url, ...BENCH_ENV };
  const monitor = flowMonitor(env, 'fidelity', BODIES.small, '?delay=50');
  const redactor = new Redactor();
  const raw: number[] = [];
  const stepwatch: number[] = [];
  try {
    for (let i = 0; i < options.flows; i++) {
      const a = await rawFlow(target.url, env.CLIENT_ID, env.CLIENT_SECRET, BODIES.small, '?delay=50');
      const b = await runMonitor(monitor, { env, redactor });
      if (!a.passed || !b.passed) throw new Error('a flow failed; durations would not compare');
      raw.push(a.callMs);
      stepwatch.push(b.steps[1]?.durationMs ?? NaN);
    }
    const rows = [50, 99].map((p) => ({
      percentile: `p${p}`,
      'raw ms': percentile(raw, p),
      'stepwatch ms': percentile(stepwatch, p),
      'difference ms': percentile(stepwatch, p) - percentile(raw, p),
    }));
    printTable(`Latency fidelity (${options.flows} flows each, alternating; 50 ms server delay; target within 1 ms)`, rows);
    writeResult('latency-fidelity', { flows: options.flows, rows });
  } finally {
    await target.stop();
  }
}
