// Scenario 4: from 10k monitor files on disk to every monitor scheduled, as `stepwatch start` does it.
import { mkdtempSync, rmSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Catalog } from '../../src/config/catalog.js';
import { Scheduler } from '../../src/schedule/scheduler.js';
import { flowYaml } from '../flow-monitor.js';
import { median, printTable, writeResult } from '../support.js';

export async function loadTime(options: { files: number; rounds: number }): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-load-'));
  const env = { TARGET: 'http://127.0.0.1:1', CLIENT_ID: 'bench', CLIENT_SECRET: 'bench-secret' };
  const hourAgo = new Date(Date.now() - 3_600_000);
  try {
    for (let i = 0; i < options.files; i++) {
      const folder = path.join(dir, `team-${i % 50}`);
      if (i < 50) mkdirSync(folder);
      const file = path.join(folder, `monitor-${i}.yaml`);
      writeFileSync(file, flowYaml(`bench-${i}`, `${i % 60} */${1 + (i % 5)} * * * *`));
      // As a daemon's poll usually finds them: not written in the last seconds (those are digested again; catalog.ts).
      utimesSync(file, hourAgo, hourAgo);
    }
    const rows = [];
    for (let round = 0; round < options.rounds; round++) {
      const started = performance.now();
      const catalog = new Catalog([dir], env);
      await catalog.refresh();
      const loadedMs = performance.now() - started;
      const scheduler = new Scheduler({ run: () => Promise.reject(new Error('not in this benchmark')), onInternalError: () => {} });
      scheduler.sync(catalog.monitors());
      const totalMs = performance.now() - started;
      const rescan = performance.now();
      await catalog.refresh();
      const rescanMs = performance.now() - rescan;
      await scheduler.stop(0);
      if (catalog.monitors().length !== options.files) throw new Error(`loaded ${catalog.monitors().length} of ${options.files}`);
      rows.push({ loadedMs, totalMs, rescanMs });
    }
    const row = {
      files: options.files,
      'read + validate + compile ms': median(rows.map((r) => r.loadedMs)),
      'then scheduled, total ms': median(rows.map((r) => r.totalMs)),
      'reload poll, nothing changed ms': median(rows.map((r) => r.rescanMs)),
    };
    printTable(`Load time (median of ${options.rounds}; target < 3 s for 10k files)`, [row]);
    writeResult('load-time', { rows, summary: row });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
