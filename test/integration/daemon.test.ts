import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDaemon } from '../../src/daemon/start-daemon.js';
import { createLogger } from '../../src/logging/logger.js';
import { Redactor } from '../../src/redaction/redactor.js';

async function until(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

describe('the daemon reloading a monitors folder', () => {
  it('reports a file that became invalid in logs and metrics, keeps its last good version, and recovers', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-daemon-'));
    const file = path.join(dir, 'm.yaml');
    const good = 'name: watched\nschedule: "0 0 1 1 *"\nsteps:\n  - name: Ping\n    request: { url: "http://127.0.0.1:1/" }\n';
    writeFileSync(file, good);
    const logs: string[] = [];
    const destination = new Writable({ write: (chunk: Buffer, _e, done) => (logs.push(chunk.toString()), done()) });
    const redactor = new Redactor();
    const daemon = await startDaemon({ monitorPaths: [dir], host: '127.0.0.1', port: 0, env: {}, dataDir: path.join(dir, 'data'), logger: createLogger({ redactor, destination }), redactor, watchIntervalMs: 50 });
    const metrics = async () => (await fetch(`${daemon.url}/metrics`)).text();
    try {
      assert.equal((await fetch(`${daemon.url}/readyz`)).status, 200);
      assert.match(await metrics(), /^stepwatch_config_last_reload_successful 1$/m);

      writeFileSync(file, `${good}timeout: soon\n`);
      await until(async () => /^stepwatch_config_last_reload_successful 0$/m.test(await metrics()));
      const text = await metrics();
      assert.match(text, /stepwatch_config_monitors\{state="active"\} 1/);
      assert.match(text, /stepwatch_config_monitors\{state="invalid"\} 1/);
      assert.match(text, /stepwatch_monitor_info\{monitor="watched"\} 1/, 'the last good version is still in force');
      const error = logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.level === 'error');
      assert.equal(error?.msg, 'monitor file is invalid; its last good version keeps running');
      assert.deepEqual(error?.diagnostics, [`${file}:6:10: timeout must be a duration such as 250ms, 1.5s, 2m, 1h, or a number of milliseconds, got string "soon"`]);

      // Another file changes: the still-invalid one is not reported again.
      writeFileSync(path.join(dir, 'other.yaml'), good.replace('watched', 'other'));
      await until(async () => /stepwatch_monitor_info\{monitor="other"\} 1/.test(await metrics()));
      assert.equal(logs.filter((line) => line.includes('"level":"error"')).length, 1, 'an unchanged invalid file is reported once');

      writeFileSync(file, good.replace('watched', 'renamed'));
      await until(async () => /^stepwatch_config_last_reload_successful 1$/m.test(await metrics()));
      assert.match(await metrics(), /stepwatch_monitor_info\{monitor="renamed"\} 1/);
      assert.doesNotMatch(await metrics(), /monitor="watched"/);
    } finally {
      await daemon.stop(1_000);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
