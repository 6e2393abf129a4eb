// A child process of the daemon scenario: N flows started at every second boundary, as N
// monitors each on `* * * * * *` would be, by the raw client or by stepwatch's runner in
// library mode (no scheduler, metrics, status store or logs). A flow still going when its
// next second comes is skipped, as the scheduler does. Prints cumulative counts once a second.
import { parseArgs } from 'node:util';
import { Redactor } from '../src/redaction/redactor.js';
import { runMonitor } from '../src/run/run-monitor.js';
import { BENCH_ENV, BODIES, flowMonitor } from './flow-monitor.js';
import type { BodyName } from './flow-monitor.js';
import { rawFlow } from './raw-flow.js';

const { values } = parseArgs({ options: { mode: { type: 'string' }, monitors: { type: 'string' }, body: { type: 'string' }, target: { type: 'string' } } });
const target = String(values.target);
const body = BODIES[(values.body ?? '2.4 KB') as BodyName];
const env = { TARGET: target, ...BENCH_ENV };
const redactor = new Redactor();
const monitors = Array.from({ length: Number(values.monitors) }, (_, i) => flowMonitor(env, `bench-${i}`, body));
const flow = values.mode === 'raw'
  ? async () => (await rawFlow(target, env.CLIENT_ID, env.CLIENT_SECRET, body)).passed
  : async (i: number) => (await runMonitor(monitors[i] ?? monitors[0]!, { env, redactor })).passed;
const inFlight = new Uint8Array(monitors.length);
const counts = { passed: 0, failed: 0, skipped: 0 };

function tick(): void {
  setTimeout(tick, 1000 - (Date.now() % 1000));
  for (let i = 0; i < monitors.length; i++) {
    if (inFlight[i]) {
      counts.skipped++;
      continue;
    }
    inFlight[i] = 1;
    flow(i).then(
      (passed) => void (passed ? counts.passed++ : counts.failed++),
      () => void counts.failed++,
    ).finally(() => (inFlight[i] = 0));
  }
  process.stdout.write(`${JSON.stringify(counts)}\n`);
}
setTimeout(tick, 1000 - (Date.now() % 1000));
process.on('SIGTERM', () => process.exit(0));
