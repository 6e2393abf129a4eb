// A stop signal is honoured from the moment `start` begins, not only once it is up: a SIGTERM that
// lands while the monitors are still loading (a deploy that is rolled back at once, an orchestrator
// that stops a pod still starting) drains and exits 0 instead of being killed by the signal.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCli } from '../support/cli.js';

/** Takes minutes to compile; the load budget below cuts it at 2 s, so start-up surely lasts that long. */
const SLOW_FILE = fileURLToPath(new URL('../fixtures/crashers/labels-30000-invalid-names.yaml', import.meta.url));

describe('stepwatch start and a stop signal', () => {
  it('a SIGTERM during start-up (monitors still loading) ends with exit 0 once started, not with death by the signal', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-stop-early-'));
    copyFileSync(SLOW_FILE, path.join(dir, 'slow.yaml'));
    const start = startCli(['start', '--monitors', dir, '--port', '0', '--data-dir', path.join(dir, 'data')], {
      env: { STEPWATCH_LOG_LEVEL: 'debug', STEPWATCH_LOAD_TIMEOUT_SECONDS: '2' },
    });
    try {
      await start.waitFor(/"msg":"starting"/);
      start.child.kill('SIGTERM');
      assert.equal(await start.exited, 0, start.output());
      assert.match(start.output(), /"signal":"SIGTERM".*"msg":"stopping/);
      assert.doesNotMatch(start.output(), /"msg":"monitors loaded"[\s\S]*"level":"fatal"/);
    } finally {
      start.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
