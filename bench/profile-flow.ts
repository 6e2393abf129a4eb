// `npm run bench:profile [-- "20 KB"]`: scenario 1's stepwatch flow alone (the 2.4 KB answer
// unless named) from dist/ as it ships, for `node --cpu-prof`; then summarise the profile with bench/summarize-profile.ts.
// BENCH_CLIENT=raw profiles the raw client (bench/raw-flow.ts) on the same flow instead, so the
// two profiles can be compared function by function.
import { builtRunner } from './built-runner.js';
import { rawFlow } from './raw-flow.js';
import { BENCH_ENV, BODIES, flowMonitor } from './flow-monitor.js';
import type { BodyName } from './flow-monitor.js';
import { startTarget } from './support.js';

const { runMonitor, Redactor } = await builtRunner();
const target = await startTarget();
const env = { TARGET: target.url, ...BENCH_ENV };
const body = BODIES[(process.argv[2] ?? '2.4 KB') as BodyName];
const monitor = flowMonitor(env, 'bench-profile', body);
const redactor = new Redactor();
const flows = Number(process.env.BENCH_FLOWS ?? 3000);
if (process.env.BENCH_CLIENT === 'raw') for (let i = 0; i < flows; i++) await rawFlow(target.url, env.CLIENT_ID, env.CLIENT_SECRET, body);
else for (let i = 0; i < flows; i++) await runMonitor(monitor, { env, redactor });
await target.stop();
