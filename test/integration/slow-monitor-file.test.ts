import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startDaemon } from '../../src/daemon/start-daemon.js';
import { createLogger } from '../../src/logging/logger.js';
import { Redactor } from '../../src/redaction/redactor.js';
import { json, startHttpServer } from '../support/servers.js';

/** Takes minutes to compile on one thread (a quadratic check); see test/fixtures/crashers. */
const SLOW_FILE = fileURLToPath(new URL('../fixtures/crashers/labels-30000-invalid-names.yaml', import.meta.url));
const TIMED_OUT = /loading took longer than 2 s, so stepwatch stopped reading this file/;

const monitor = (name: string, schedule: string, url: string) => `name: ${name}\nschedule: "${schedule}"\nsteps:\n  - name: Ping\n    request: { url: "${url}" }\n`;

describe('the daemon given a monitor file that takes long to load', () => {
  it('keeps answering /healthz and running the other monitors while the file loads, then reports it as timed out and keeps its last good version', async () => {
    let ticks = 0;
    const api = await startHttpServer((_req, res) => {
      ticks++;
      json(res, 200, { ok: true });
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-slow-'));
    const other = path.join(dir, 'other.yaml');
    writeFileSync(path.join(dir, 'ticker.yaml'), monitor('ticker', '* * * * * *', `${api.url}/tick`));
    writeFileSync(other, monitor('other', '0 0 1 1 *', `${api.url}/other`));
    const logs: string[] = [];
    const destination = new Writable({ write: (chunk: Buffer, _e, done) => (logs.push(chunk.toString()), done()) });
    const redactor = new Redactor();
    const logger = createLogger({ redactor, destination });
    const daemon = await startDaemon({ monitorPaths: [dir], host: '127.0.0.1', port: 0, env: {}, dataDir: path.join(dir, 'data'), logger, redactor, watchIntervalMs: 100, loadTimeoutMs: 2_000 });
    const metrics = async () => (await fetch(`${daemon.url}/metrics`)).text();
    const reported = () => logs.filter((line) => line.includes('monitor file is invalid') && line.includes('other.yaml'));
    const timedOut = () => reported().filter((line) => TIMED_OUT.test(line));
    try {
      while (ticks === 0) await sleep(50);

      // Swapped in whole (copy, then rename), as editors and ConfigMaps do: a poll that read a
      // half-copied file would report a broken file at once instead of the slow one (seen once in CI).
      copyFileSync(SLOW_FILE, `${other}.part`);
      renameSync(`${other}.part`, other);
      const ticksBefore = ticks;
      let healthzAnswers = 0;
      // While the loader thread is busy with the file (at least its 2 s budget), the event loop stays free.
      while (reported().length === 0) {
        const response = await fetch(`${daemon.url}/healthz`);
        assert.equal(response.status, 200);
        healthzAnswers++;
        await sleep(50);
      }
      assert.ok(healthzAnswers > 1, `/healthz answered ${healthzAnswers} times while the file loaded`);
      assert.ok(ticks > ticksBefore, 'the other monitor kept running its ticks while the file loaded');

      assert.equal(timedOut().length, 1, `reported as timed out: ${reported()[0]?.slice(0, 300)}`);
      const [line] = timedOut();
      const logged = JSON.parse(line ?? '{}') as { file?: string; keptLastGood?: boolean; diagnostics?: string[] };
      assert.equal(logged.file, path.relative(process.cwd(), other).startsWith('..') ? other : path.relative(process.cwd(), other));
      assert.equal(logged.keptLastGood, true);
      assert.equal(logged.diagnostics?.length, 1);
      assert.match(logged.diagnostics?.[0] ?? '', /other\.yaml:1:1: loading took longer than 2 s/);
      const text = await metrics();
      assert.match(text, /^stepwatch_config_last_reload_successful 0$/m);
      assert.match(text, /^stepwatch_config_monitors\{state="invalid"\} 1$/m);
      assert.match(text, /stepwatch_monitor_info\{monitor="other"\} 1/, 'the last good version of the file keeps running');

      // The file has not changed since: later polls do not load it again.
      const ticksAfter = ticks;
      while (ticks < ticksAfter + 2) await sleep(50);
      assert.equal(timedOut().length, 1);

      writeFileSync(other, monitor('other', '0 0 1 1 *', `${api.url}/other`));
      while (!/^stepwatch_config_last_reload_successful 1$/m.test(await metrics())) await sleep(50);
    } finally {
      await daemon.stop(1_000);
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
