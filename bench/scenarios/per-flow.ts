// Scenario 1: CPU per flow, stepwatch's runner in library mode (built, as it ships) vs the
// hand-written raw client, for each answer size, interleaved in one process so both see the same machine.
import { builtRunner } from '../built-runner.js';
import { rawFlow } from '../raw-flow.js';
import { BENCH_ENV, BODIES, flowMonitor } from '../flow-monitor.js';
import type { BodyName } from '../flow-monitor.js';
import { cpuMs, machine, median, pool, printTable, startTarget, writeResult } from '../support.js';

export async function perFlow(options: { flows: number; rounds: number }): Promise<void> {
  const { runMonitor, Redactor } = await builtRunner();
  const target = await startTarget();
  const env = { TARGET: target.url, ...BENCH_ENV };
  const redactor = new Redactor();
  const variants: Array<{ body: BodyName; client: 'raw' | 'stepwatch'; run: () => Promise<boolean> }> = [];
  for (const name of Object.keys(BODIES) as BodyName[]) {
    const body = BODIES[name];
    const monitor = flowMonitor(env, `bench-${name.replace(/\W+/g, "-").toLowerCase()}`, body);
    variants.push({ body: name, client: 'raw', run: async () => (await rawFlow(target.url, env.CLIENT_ID, env.CLIENT_SECRET, body)).passed });
    variants.push({ body: name, client: 'stepwatch', run: async () => (await runMonitor(monitor, { env, redactor })).passed });
  }
  try {
    for (const variant of variants) await pool(100, 4, variant.run); // warm-up: JIT, sockets
    const cpu = new Map<(typeof variants)[number], number[]>(variants.map((v) => [v, []]));
    for (let round = 0; round < options.rounds; round++) {
      // The order rotates each round, so no variant always runs after the same one.
      const rotated = [...variants.slice(round % variants.length), ...variants.slice(0, round % variants.length)];
      for (const variant of rotated) {
        let failures = 0;
        const serial = await cpuMs(() => pool(options.flows, 4, async () => void ((await variant.run()) || failures++)));
        if (failures > 0) throw new Error(`${variant.client} ${variant.body}: ${failures} flows failed; the comparison would be meaningless`);
        cpu.get(variant)?.push(serial.cpuMs / options.flows);
      }
    }
    const rows = (Object.keys(BODIES) as BodyName[]).map((body) => {
      const of = (client: string) => cpu.get(variants.find((v) => v.body === body && v.client === client) as (typeof variants)[number]) ?? [];
      const raw = of('raw');
      const stepwatch = of('stepwatch');
      // The ratio of each round's pair, then the median: both halves of a pair saw the same minute of the machine.
      const ratios = raw.map((r, i) => (stepwatch[i] ?? NaN) / r);
      return { answer: body, 'raw CPU ms/flow': median(raw), 'runner CPU ms/flow': median(stepwatch), 'ratio (median of rounds)': median(ratios), 'ratio min–max': `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}` };
    });
    printTable(`Per-flow CPU, runner in library mode vs raw client (${options.rounds} rounds × ${options.flows} flows each, interleaved; target ≤ 1.15×) on ${machine()}`, rows);
    writeResult('per-flow', { flows: options.flows, rounds: options.rounds, machine: machine(), rows, samples: variants.map((v) => ({ body: v.body, client: v.client, cpuMsPerFlow: cpu.get(v) })) });
  } finally {
    await target.stop();
  }
}
