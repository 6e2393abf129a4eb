// `npm run bench:profile`: scenario 1's stepwatch flow alone, for `node --cpu-prof`; then
// summarise the profile with bench/summarize-profile.ts.
import { Redactor } from '../src/redaction/redactor.js';
import { runMonitor } from '../src/run/run-monitor.js';
import { flowMonitor } from './flow-monitor.js';
import { startTarget } from './support.js';

const target = await startTarget();
const env = { TARGET: target.url, CLIENT_ID: 'bench', CLIENT_SECRET: 'bench-secret' };
const monitor = flowMonitor(env);
const redactor = new Redactor();
for (let i = 0; i < 3000; i++) await runMonitor(monitor, { env, redactor });
await target.stop();
