// The runner as it ships: built with tsc into dist/ and imported from there. Run from src/ under
// tsx, every named closure pays for esbuild's keepNames (a defineProperty of its name each time
// it is created), ~5% of the runner's CPU per flow that no user pays (docs/performance.md).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type * as RunnerModule from '../src/run/run-monitor.js';
import type * as RedactorModule from '../src/redaction/redactor.js';

const root = fileURLToPath(new URL('../', import.meta.url));

/** Builds dist/ (the bench always measures the current source) and loads runMonitor and Redactor from it. */
export async function builtRunner(): Promise<{ runMonitor: typeof RunnerModule.runMonitor; Redactor: typeof RedactorModule.Redactor }> {
  if (spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' }).status !== 0) throw new Error('npm run build failed; the runner rows run dist/');
  // Paths held in variables, so TypeScript types these from src/ instead of resolving dist/.
  const runner = new URL('../dist/run/run-monitor.js', import.meta.url).href;
  const redactor = new URL('../dist/redaction/redactor.js', import.meta.url).href;
  const [{ runMonitor }, { Redactor }] = await Promise.all([import(runner) as Promise<typeof RunnerModule>, import(redactor) as Promise<typeof RedactorModule>]);
  return { runMonitor, Redactor };
}
