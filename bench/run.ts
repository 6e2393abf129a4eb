// npm run bench [-- --quick] [-- --only per-flow,scrape,...] [-- --monitors N (daemon scenario, default 500; scheduler-scale: that one size)]: every scenario prints a table and
// writes bench/results/<scenario>.json. Not part of npm test; no timed assertions anywhere.
import { parseArgs } from 'node:util';
import { perFlow } from './scenarios/per-flow.js';
import { daemon } from './scenarios/daemon.js';
import { history } from './scenarios/history.js';
import { schedulerScale } from './scenarios/scheduler-scale.js';
import { scrape } from './scenarios/scrape.js';
import { loadTime } from './scenarios/load-time.js';
import { latencyFidelity } from './scenarios/latency-fidelity.js';
import { statusPage } from './scenarios/status-page.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, monitors: { type: 'string' } } });
const quick = values.quick ?? false;

const scenarios: Record<string, () => Promise<void>> = {
  'per-flow': () => perFlow({ flows: quick ? 100 : 400, rounds: quick ? 2 : 5 }),
  daemon: () => daemon({ monitors: Number(values.monitors ?? 500), seconds: quick ? 8 : 20, rounds: quick ? 1 : 3, warmupSeconds: quick ? 3 : 5 }),
  history: () => history({ monitors: quick ? 1_000 : 5_000, history: 100 }),
  'scheduler-scale': () => schedulerScale({ sizes: values.monitors ? [Number(values.monitors)] : [1_000, 10_000, 50_000], seconds: quick ? 20 : 120 }),
  scrape: () => scrape({ sizes: [1_000, 10_000], scrapes: quick ? 3 : 10 }),
  'load-time': () => loadTime({ files: 10_000, rounds: quick ? 1 : 3 }),
  'latency-fidelity': () => latencyFidelity({ flows: quick ? 100 : 500 }),
  'status-page': () => statusPage({ sizes: [1_000, 10_000], renders: quick ? 3 : 10 }),
};

const selected = values.only ? values.only.split(',') : Object.keys(scenarios);
for (const name of selected) {
  const scenario = scenarios[name];
  if (!scenario) throw new Error(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(', ')}`);
  await scenario();
}
