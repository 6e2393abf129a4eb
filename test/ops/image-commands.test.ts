// What the image's two commands do, run as the image runs them: the environment the Dockerfile sets
// (STEPWATCH_DATA_DIR, STEPWATCH_MONITORS), no flags.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startCli } from '../support/cli.js';
import { closedPort } from '../support/servers.js';

describe('the commands the image runs', () => {
  it('demo keeps its refresh tokens in STEPWATCH_DATA_DIR (the compose volume), and leaves them there when it stops', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'stepwatch-demo-volume-'));
    const demo = startCli(['demo'], { env: { STEPWATCH_DATA_DIR: dataDir, STEPWATCH_PORT: String(await closedPort()) } });
    try {
      await demo.waitFor(/"msg":"stepwatch started"/);
      const store = path.join(dataDir, 'refresh-tokens.json');
      assert.ok(existsSync(store), 'the refresh-token store is in the data folder');
      assert.equal(statSync(store).mode & 0o777, 0o600);
      assert.ok(Object.keys(JSON.parse(readFileSync(store, 'utf8')) as object).length > 0);
      demo.child.kill('SIGTERM');
      assert.equal(await demo.exited, 0);
      assert.ok(existsSync(store), 'a data folder that was given is not removed on exit');
    } finally {
      demo.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('start on the empty monitors folder of the production image is ready, with a successful load and no monitor', async () => {
    const monitors = mkdtempSync(path.join(tmpdir(), 'stepwatch-empty-monitors-'));
    const dataDir = mkdtempSync(path.join(tmpdir(), 'stepwatch-empty-data-'));
    const start = startCli(['start'], { env: { STEPWATCH_MONITORS: monitors, STEPWATCH_DATA_DIR: dataDir, STEPWATCH_PORT: '0' } });
    try {
      const [, url = ''] = await start.waitFor(/"url":"(http:\/\/127\.0\.0\.1:\d+)"/);
      assert.equal((await fetch(`${url}/readyz`)).status, 200);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      assert.match(metrics, /^stepwatch_config_last_reload_successful 1$/m);
      assert.match(metrics, /^stepwatch_config_monitors\{state="invalid"\} 0$/m);
      start.child.kill('SIGTERM');
      assert.equal(await start.exited, 0);
    } finally {
      start.child.kill('SIGKILL');
      rmSync(monitors, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
