import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { watchMonitors } from '../../src/schedule/watch-monitors.js';
import { signal, until, within } from '../support/wait.js';

describe('polling the monitors folder', () => {
  it('never starts a refresh while the previous one is still going, and stops when told', async () => {
    let calls = 0;
    let release = signal();
    const stop = watchMonitors(() => {
      calls++;
      return release.promise;
    }, 5);
    try {
      await until(() => calls === 1, 'the first refresh starts', 5_000);
      // Many intervals pass while the refresh is held: none may start another (a slow folder
      // read must not pile up reads). Waiting longer can only make a broken guard show.
      await sleep(100);
      assert.equal(calls, 1, 'no second refresh while the first is going');
      const held = release;
      release = signal();
      held.resolve();
      await until(() => calls === 2, 'polling goes on once the refresh ended', 5_000);
    } finally {
      stop();
      release.resolve();
    }
    const stoppedAt = calls;
    await sleep(100);
    assert.equal(calls, stoppedAt, 'no refresh after stop');
  });

  it('never keeps the process alive on its own', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', "import { watchMonitors } from './src/schedule/watch-monitors.ts'; watchMonitors(async () => {}, 10);"], { stdio: 'ignore' });
    const [code] = (await within(once(child, 'exit'), 'the process ends with only the poller left', 20_000).catch((error: unknown) => {
      child.kill();
      throw error;
    })) as [number | null];
    assert.equal(code, 0);
  });
});
