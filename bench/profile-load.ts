// Profiles loading N monitor files (default 10k) as the load-time scenario writes them:
// node --cpu-prof --import tsx bench/profile-load.ts [N]; then tsx bench/summarize-profile.ts <file>.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Catalog } from '../src/config/catalog.js';
import { flowYaml } from './flow-monitor.js';

const files = Number(process.argv[2] ?? 10_000);
const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-profile-load-'));
try {
  for (let i = 0; i < files; i++) {
    const folder = path.join(dir, `team-${i % 50}`);
    if (i < 50) mkdirSync(folder);
    writeFileSync(path.join(folder, `monitor-${i}.yaml`), flowYaml(`bench-${i}`, `${i % 60} */${1 + (i % 5)} * * * *`));
  }
  const started = performance.now();
  const cpu = process.cpuUsage();
  const catalog = new Catalog([dir], { TARGET: 'http://127.0.0.1:1', CLIENT_ID: 'bench', CLIENT_SECRET: 'bench-secret' });
  await catalog.refresh();
  const used = process.cpuUsage(cpu);
  // CPU time of the whole process (every thread): on a shared machine it says more than the wall time.
  console.log(`${catalog.monitors().length} monitors loaded in ${Math.round(performance.now() - started)} ms, CPU ${Math.round((used.user + used.system) / 1000)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
