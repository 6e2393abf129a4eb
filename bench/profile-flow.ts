// `npm run bench:profile [-- "20 KB"]`: scenario 1's stepwatch flow alone (the 2.4 KB answer
// unless named), for `node --cpu-prof`; then summarise the profile with bench/summarize-profile.ts.
import { Redactor } from '../src/redaction/redactor.js';
import { runMonitor } from '../src/run/run-monitor.js';
import { BENCH_ENV, BODIES, flowMonitor } from './flow-monitor.js';
import type { BodyName } from './flow-monitor.js';
import { startTarget } from './support.js';

const target = await startTarget();
const env = { TARGET: target.url, ...BENCH_ENV };
const monitor = flowMonitor(env, 'bench-profile', BODIES[(process.argv[2] ?? '2.4 KB') as BodyName]);
const redactor = new Redactor();
for (let i = 0; i < 3000; i++) await runMonitor(monitor, { env, redactor });
await target.stop();
