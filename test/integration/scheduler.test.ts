import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Scheduler } from '../../src/schedule/scheduler.js';
import { Catalog } from '../../src/config/catalog.js';
import { runMonitor } from '../../src/run/run-monitor.js';
import type { RunObserver } from '../../src/run/observer.js';
import { json, startHttpServer } from '../support/servers.js';
import type { TestServer } from '../support/servers.js';
import { monitorFromYaml, requestOf } from '../support/monitors.js';
import { until } from '../support/wait.js';

describe('the scheduler', () => {
  let api: TestServer;
  /** Answers of /held requests, sent when the test releases them. */
  const held: Array<() => void> = [];
  before(async () => {
    api = await startHttpServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/held') return void held.push(() => json(res, 200, {}));
      const delay = Number(url.searchParams.get('delay') ?? 0);
      setTimeout(() => json(res, 200, {}), delay);
    });
  });
  after(() => api.close());

  function counting() {
    const counts = { started: 0, finished: 0, skipped: 0 };
    const observer: RunObserver = {
      runStarted: () => counts.started++,
      runFinished: () => counts.finished++,
      runSkipped: () => counts.skipped++,
    };
    const scheduler = new Scheduler({ run: (m) => runMonitor(m, { observer, env: { API: api.url } }), observer, onInternalError: (_m, error) => assert.fail(String(error)) });
    return { counts, scheduler };
  }

  it('skips and counts a tick that comes while the previous run of the monitor is still going', async () => {
    const { counts, scheduler } = counting();
    scheduler.sync([monitorFromYaml(`
name: slow
schedule: "* * * * * *"
steps: [{ name: Slow, request: { url: "<<env.API>>/held", timeout: 30s } }]
`, { API: api.url })]);
    // The run is held at the API until released: every tick meanwhile must be skipped.
    await until(() => held.length === 1, 'the first run reaches the API', 15_000);
    await until(() => counts.skipped >= 2, 'two ticks are skipped while the run is going', 15_000);
    assert.equal(counts.started, 1, 'runs never overlap');
    assert.equal(held.length, 1);
    const stopped = scheduler.stop(30_000);
    held.splice(0).forEach((answer) => answer());
    assert.equal(await stopped, true, 'the run in flight finished before stop returned');
    assert.equal(counts.finished, 1);
  });

  it('never runs a disabled monitor', async () => {
    const { counts, scheduler } = counting();
    scheduler.sync([monitorFromYaml(`
name: off
schedule: "* * * * * *"
enabled: false
steps: [{ name: Ping, request: { url: "<<env.API>>/" } }]
`, { API: api.url })]);
    await sleep(1_300);
    await scheduler.stop(1_000);
    assert.equal(counts.started, 0);
  });

  it('runs a monitor on demand unless a run is already in progress', async () => {
    const { scheduler } = counting();
    scheduler.sync([monitorFromYaml(`
name: manual
schedule: "0 0 1 1 *"
steps: [{ name: Slow, request: { url: "<<env.API>>/?delay=200" } }]
`, { API: api.url })]);
    const first = scheduler.trigger('manual');
    assert.ok(first);
    assert.equal(scheduler.trigger('manual'), undefined, 'a second run while the first is going is refused');
    assert.equal((await first)?.passed, true);
    await scheduler.stop(1_000);
  });
});

describe('reloading monitor files', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'stepwatch-reload-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const monitorYaml = (url: string) => `name: reloaded\nschedule: "* * * * *"\nsteps:\n  - name: Ping\n    request: { url: "${url}" }\n`;

  it('keeps the last good version of a file that became invalid, and takes the fixed one', async () => {
    const file = path.join(dir, 'm.yaml');
    writeFileSync(file, monitorYaml('http://127.0.0.1:1/v1'));
    const catalog = new Catalog([dir], {});
    assert.equal(await catalog.refresh(), true);
    assert.equal(catalog.lastReloadSuccessful, true);

    writeFileSync(file, `${monitorYaml('http://127.0.0.1:1/v2')}bogus: 1\n`);
    assert.equal(await catalog.refresh(), true);
    assert.equal(catalog.lastReloadSuccessful, false);
    assert.equal(requestOf(catalog.monitors()[0]?.steps[0])?.url.parts[0], 'http://127.0.0.1:1/v1', 'the last good version keeps running');
    assert.equal(catalog.invalid()[0]?.keptLastGood, true);
    assert.deepEqual(catalog.counts(), { active: 1, disabled: 0, invalid: 1 });

    writeFileSync(file, monitorYaml('http://127.0.0.1:1/v3') + '# fixed\n');
    await catalog.refresh();
    assert.equal(catalog.lastReloadSuccessful, true);
    assert.equal(requestOf(catalog.monitors()[0]?.steps[0])?.url.parts[0], 'http://127.0.0.1:1/v3');

    assert.equal(await catalog.refresh(), false, 'nothing changed, nothing re-read');
    unlinkSync(file);
    assert.equal(await catalog.refresh(), true);
    assert.deepEqual(catalog.monitors(), []);
  });

  it('an invalid file never stops the others', async () => {
    writeFileSync(path.join(dir, 'good.yaml'), monitorYaml('http://127.0.0.1:1/'));
    writeFileSync(path.join(dir, 'bad.yaml'), 'name: [unclosed\n');
    const catalog = new Catalog([dir], {});
    await catalog.refresh();
    assert.deepEqual(catalog.monitors().map((m) => m.name), ['reloaded']);
    assert.deepEqual(catalog.counts(), { active: 1, disabled: 0, invalid: 1 });
  });
});
