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
import { startOffsetMs } from '../../src/schedule/start-offset.js';

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

describe('the scheduler on a reload', () => {
  let api: TestServer;
  const held: Array<() => void> = [];
  let holding = true;
  before(async () => {
    // Holds every answer until the test releases it: no run ends by the clock.
    api = await startHttpServer((_req, res) => (holding ? held.push(() => json(res, 200, {})) : json(res, 200, {})));
  });
  after(async () => {
    for (const release of held.splice(0)) release();
    await api.close();
  });

  /** Stops the scheduler, releasing held answers until its runs have drained (also when an assertion failed, so the file never hangs). */
  async function stopReleasing(scheduler: Scheduler): Promise<void> {
    const stopping = scheduler.stop(5_000);
    holding = false;
    for (const release of held.splice(0)) release();
    assert.equal(await stopping, true, 'runs in flight finished once released');
  }

  const everySecond = (name: string, extra = '') => monitorFromYaml(`name: ${name}\nschedule: "* * * * * *"\n${extra}steps: [{ name: Ping, request: { url: "<<env.API>>/" } }]\n`, { API: api.url });

  /** A scheduler whose ticks are recorded per monitor; `ticked(name, n)` resolves at the n-th tick of that monitor. */
  function recording() {
    holding = true;
    const ticks = new Map<string, number>();
    const waiters: Array<{ name: string; count: number; resolve: () => void }> = [];
    const skipped: string[] = [];
    const scheduler = new Scheduler({
      run: (monitor) => runMonitor(monitor, { env: { API: api.url } }),
      observer: { runSkipped: (monitor) => skipped.push(monitor.name) },
      onInternalError: (_m, error) => assert.fail(String(error)),
      onTick: (monitor) => {
        const count = (ticks.get(monitor.name) ?? 0) + 1;
        ticks.set(monitor.name, count);
        for (const waiter of waiters.filter((w) => w.name === monitor.name && w.count <= count)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      },
    });
    const ticked = (name: string, count: number) => new Promise<void>((resolve) => ((ticks.get(name) ?? 0) >= count ? resolve() : waiters.push({ name, count, resolve })));
    return { scheduler, ticks, ticked, skipped };
  }

  it('stops ticking a monitor that was disabled or moved to another schedule, while its old schedule keeps ticking for the others', async () => {
    const { scheduler, ticks, ticked } = recording();
    try {
      scheduler.sync([everySecond('witness', 'enabled: false\n'), everySecond('disabled'), everySecond('moved')]);
      await ticked('disabled', 1);
      const before = { disabled: ticks.get('disabled'), moved: ticks.get('moved') };
      scheduler.sync([everySecond('witness'), everySecond('disabled', 'enabled: false\n'), monitorFromYaml(`name: moved\nschedule: "0 0 1 1 *"\nsteps: [{ name: Ping, request: { url: "<<env.API>>/" } }]\n`, { API: api.url })]);
      // Two ticks of the old schedule after the reload: any monitor still in its group would have ticked too.
      await ticked('witness', 2);
      assert.deepEqual({ disabled: ticks.get('disabled'), moved: ticks.get('moved') }, before);
    } finally {
      await stopReleasing(scheduler);
    }
  });

  it('says when the next run is due, and leaves it in the past while the due run cannot start', async () => {
    const { scheduler, ticked, skipped } = recording();
    try {
      const stuck = everySecond('stuck');
      scheduler.sync([stuck]);
      const first = scheduler.nextRun('stuck');
      assert.ok(first && first.getTime() > Date.now() - 1_000, 'due at the next second');
      await ticked('stuck', 1);
      const due = scheduler.nextRun('stuck');
      assert.ok(due && first && due.getTime() > first.getTime(), 'a run started: the next one is due a second later');
      await ticked('stuck', 2);
      assert.deepEqual(skipped, ['stuck'], 'the run is held, so the second tick was skipped');
      assert.equal(scheduler.nextRun('stuck')?.getTime(), due?.getTime(), 'the skipped run stays due, now in the past');
      assert.ok((scheduler.nextRun('stuck')?.getTime() ?? Infinity) <= Date.now());
      scheduler.sync([everySecond('stuck', 'enabled: false\n')]);
      assert.equal(scheduler.nextRun('stuck'), undefined, 'a disabled monitor is not due');
    } finally {
      await stopReleasing(scheduler);
    }
    assert.equal(scheduler.nextRun('stuck'), undefined);
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

describe('the scheduler spreading starts after the tick', () => {
  let api: TestServer;
  /** When each monitor's request reached the API (the monitor's name is the path). */
  const arrivals = new Map<string, number>();
  before(async () => {
    api = await startHttpServer((req, res) => {
      arrivals.set((req.url ?? '/').slice(1), Date.now());
      json(res, 200, {});
    });
  });
  after(() => api.close());

  const everyTwoSeconds = (name: string) => monitorFromYaml(`name: ${name}\nschedule: "*/2 * * * * *"\nsteps: [{ name: Ping, request: { url: "<<env.API>>/${name}" } }]\n`, { API: api.url });

  it('starts each monitor at its tick plus its offset, the window capped by the schedule: never before, and the next run says when', async () => {
    // 'early' and 'c' sit 0.4 s and 1.88 s into a 2 s window; 60 s asked, the schedule's 2 s interval caps it.
    const offsets = { early: startOffsetMs('early', 2_000), c: startOffsetMs('c', 2_000) };
    assert.deepEqual(offsets, { early: 400, c: 1_880 });
    const ticks = new Map<string, number>();
    const nextRuns = new Map<string, number | undefined>();
    const scheduler = new Scheduler({
      run: (monitor) => runMonitor(monitor, { env: { API: api.url } }),
      onInternalError: (_m, error) => assert.fail(String(error)),
      onTick: (monitor, scheduledAt) => ticks.has(monitor.name) || ticks.set(monitor.name, scheduledAt.getTime()),
      startSpreadMs: 60_000,
    });
    arrivals.clear();
    try {
      scheduler.sync([everyTwoSeconds('early'), everyTwoSeconds('c')]);
      for (const name of ['early', 'c']) nextRuns.set(name, scheduler.nextRun(name)?.getTime());
      await until(() => arrivals.has('early') && arrivals.has('c'), 'both monitors ran', 15_000);
    } finally {
      await scheduler.stop(5_000);
    }
    for (const [name, offset] of Object.entries(offsets)) {
      const tick = ticks.get(name) ?? NaN;
      assert.equal(tick % 2_000, 0, `${name}: the tick is the cron time`);
      assert.equal(nextRuns.get(name), tick + offset, `${name}: announced at its tick plus its offset`);
      assert.ok((arrivals.get(name) ?? 0) >= tick + offset, `${name}: reached the API ${(arrivals.get(name) ?? 0) - tick} ms after its tick, not before its offset of ${offset} ms`);
    }
  });
});
