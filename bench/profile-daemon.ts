// `npm run bench:profile-daemon`: `stepwatch start` with 500 monitors each every second (the
// daemon scenario's load) under `node --cpu-prof` for 30 s, then its profile summarised.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_ENV, BODIES, flowYaml } from './flow-monitor.js';
import { freePort, sleep, startTarget, stopChild, waitFor } from './support.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const results = path.join(root, 'bench/results');
const monitors = Number(process.argv[2] ?? 500);
const seconds = Number(process.argv[3] ?? 30);
if (spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' }).status !== 0) throw new Error('build failed');
const target = await startTarget();
const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-profile-'));
try {
  mkdirSync(path.join(dir, 'monitors'));
  for (let i = 0; i < monitors; i++) writeFileSync(path.join(dir, 'monitors', `bench-${i}.yaml`), flowYaml(`bench-${i}`, '* * * * * *', BODIES['2.4 KB']));
  const port = await freePort();
  mkdirSync(results, { recursive: true });
  const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${results}`, path.join(root, 'dist/cli/bin.js'), 'start', '--monitors', path.join(dir, 'monitors'), '--port', String(port), '--data-dir', path.join(dir, 'data')], {
    env: { ...process.env, ...BENCH_ENV, TARGET: target.url, STEPWATCH_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok);
  await sleep(seconds * 1000);
  await stopChild(child);
} finally {
  await target.stop();
  rmSync(dir, { recursive: true, force: true });
}
const newest = readdirSync(results).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(results, f)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
console.log(`profile: ${newest}`);
spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bench/summarize-profile.ts'), newest ?? ''], { stdio: 'inherit' });
