// Scenario 2: many monitors on one machine: do ticks start on time, and what does it cost?
// Each size runs in a fresh process (scheduler-scale-size.ts), so its RSS and heap are its own;
// each size is measured with the default start spread (1 s) and without (0: every monitor due
// in a second starts at its tick, as before the spread), side by side, alternating.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { printTable, writeResult } from '../support.js';

const SIZE_SCRIPT = fileURLToPath(new URL('./scheduler-scale-size.ts', import.meta.url));

export async function schedulerScale(options: { sizes: number[]; seconds: number; spreads?: number[] }): Promise<void> {
  const rows: Array<Record<string, string | number>> = [];
  for (const size of options.sizes) {
    for (const spreadMs of options.spreads ?? [1_000, 0]) {
      const load = loadavg()[0] ?? 0;
      rows.push({ ...(await measureInChild(size, options.seconds, spreadMs)), 'load avg': load });
    }
  }
  printTable(`Scheduler scale (${options.seconds} s per size, a fresh process each; targets at 50k: p99 lag < 50 ms, RSS < 400 MB)`, rows);
  writeResult('scheduler-scale', { seconds: options.seconds, rows });
}

function measureInChild(size: number, seconds: number, spreadMs: number): Promise<Record<string, string | number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', SIZE_SCRIPT, String(size), String(seconds), String(spreadMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = output.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`scheduler-scale at ${size} monitors exited ${code}: ${output}`));
      else resolve(JSON.parse(line) as Record<string, string | number>);
    });
  });
}
