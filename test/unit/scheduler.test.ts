// The scheduler's bookkeeping with runs the test holds and finishes itself: what a reload, a
// trigger and a stop do to runs in flight, to the next due time and to the ticks. The ticks of
// real schedules, with real runs against a server, are in test/integration/scheduler.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Monitor } from '../../src/core/monitor.js';
import type { RunResult } from '../../src/core/results.js';
import { RunLimiter } from '../../src/schedule/run-limiter.js';
import { Scheduler } from '../../src/schedule/scheduler.js';
import { ALONE } from '../../src/schedule/tick-gate.js';
import type { SchedulerDeps } from '../../src/schedule/scheduler.js';
import { signal, within } from '../support/wait.js';
import { startOffsetMs } from '../../src/schedule/start-offset.js';
import type { StartRun, TickGate } from '../../src/schedule/tick-gate.js';

const monitor = (name: string, schedule = '0 0 1 1 *', extra: Partial<Monitor> = {}) => ({ name, enabled: true, schedule, timezone: 'UTC', steps: [], ...extra }) as unknown as Monitor;
const result = (name: string): RunResult => ({ monitor: name, passed: true, startedAt: 0, durationMs: 0, attempts: 1, steps: [] });

/** A scheduler whose runs wait until the test finishes them; `started` lists the runs begun, in order. */
function holding(deps: Partial<SchedulerDeps> = {}) {
  const started: string[] = [];
  const pending = new Map<string, () => void>();
  const waiting = new Map<string, () => void>();
  const scheduler = new Scheduler({
    run: (m) =>
      new Promise<RunResult>((resolve) => {
        started.push(m.name);
        pending.set(m.name, () => resolve(result(m.name)));
        waiting.get(m.name)?.();
        waiting.delete(m.name);
      }),
    onInternalError: (_m, error) => assert.fail(String(error)),
    ...deps,
  });
  /** Resolves once a run of `name` has started and not been finished yet. */
  const runStarts = (name: string) => within(new Promise<void>((resolve) => (pending.has(name) ? resolve() : waiting.set(name, resolve))), `a run of ${name} starts`, 10_000);
  /** Waits for the run of `name` to start, then lets it end. */
  const finish = async (name: string) => {
    await runStarts(name);
    const end = pending.get(name);
    pending.delete(name);
    end?.();
  };
  return { scheduler, started, finish };
}

describe('the scheduler, run by run', () => {
  it('takes a new run of a monitor once its previous run ended', async () => {
    const { scheduler, finish } = holding();
    scheduler.sync([monitor('a')]);
    const first = scheduler.trigger('a');
    assert.equal(scheduler.trigger('a'), undefined);
    await finish('a');
    await first;
    assert.equal(scheduler.isRunning('a'), false);
    const second = scheduler.trigger('a');
    assert.ok(second, 'a run after the previous one ended starts');
    await finish('a');
    await second;
    await scheduler.stop(0);
  });

  it('reports a run that throws as an internal error, and frees the monitor for the next run', async () => {
    const errors: unknown[] = [];
    const scheduler = new Scheduler({ run: () => Promise.reject(new Error('bug in a step')), onInternalError: (_m, error) => errors.push(error) });
    scheduler.sync([monitor('a')]);
    assert.equal(await scheduler.trigger('a'), undefined);
    assert.deepEqual(errors.map((error) => (error as Error).message), ['bug in a step']);
    assert.equal(scheduler.isRunning('a'), false);
    await scheduler.stop(0);
  });

  it('forgets a monitor removed by a reload: it cannot be run any more', async () => {
    const { scheduler } = holding();
    scheduler.sync([monitor('kept'), monitor('gone')]);
    scheduler.sync([monitor('kept')]);
    assert.equal(scheduler.trigger('gone'), undefined);
    assert.equal(scheduler.nextRun('gone'), undefined);
    assert.ok(scheduler.nextRun('kept'));
    await scheduler.stop(0);
  });

  it('takes a disabled monitor through any number of reloads, never due', async () => {
    const { scheduler } = holding();
    const off = monitor('off', '0 0 1 1 *', { enabled: false });
    scheduler.sync([off]);
    scheduler.sync([off]);
    assert.equal(scheduler.nextRun('off'), undefined);
    await scheduler.stop(0);
  });

  it("computes due times in the monitor's time zone", async () => {
    const { scheduler } = holding();
    scheduler.sync([monitor('tokyo', '0 9 * * *', { timezone: 'Asia/Tokyo' })]);
    const due = scheduler.nextRun('tokyo');
    assert.equal(due?.getUTCHours(), 0, '09:00 in Tokyo is midnight UTC');
    assert.equal(due?.getUTCMinutes(), 0);
    await scheduler.stop(0);
  });
});

describe('a run asked for by hand (the API)', () => {
  it('is started and its result comes, or is refused with the reason', async () => {
    const { scheduler, finish } = holding();
    scheduler.sync([monitor('a')]);
    assert.deepEqual(await scheduler.requestRun('elsewhere'), { refused: 'not_in_location' });
    const asked = await scheduler.requestRun('a');
    assert.ok('run' in asked, 'started');
    assert.deepEqual(await scheduler.requestRun('a'), { refused: 'in_progress' });
    await finish('a');
    assert.equal((await asked.run)?.monitor, 'a');
    await scheduler.stop(0);
    assert.deepEqual(await scheduler.requestRun('a'), { refused: 'shutting_down' });
  });

  it('alone, is refused as in progress when the start did not start it', async () => {
    assert.deepEqual(await ALONE.manual(monitor('a'), () => undefined), { refused: 'in_progress' });
  });
});

describe('the scheduler stopping', () => {
  it('answers at once that nothing was left running when nothing was', async () => {
    const { scheduler } = holding();
    scheduler.sync([monitor('a')]);
    assert.equal(await scheduler.stop(60_000), true);
  });

  it('waits for runs in flight no longer than the grace, and says they did not finish', async () => {
    const { scheduler, finish } = holding();
    scheduler.sync([monitor('a')]);
    const run = scheduler.trigger('a');
    assert.equal(await within(scheduler.stop(1), 'stop returns after its grace though the run goes on', 10_000), false);
    await finish('a');
    await run;
  });

  it('starts no run after it, and tells no next run', async () => {
    const { scheduler } = holding();
    scheduler.sync([monitor('a')]);
    assert.ok(scheduler.nextRun('a'));
    assert.equal(scheduler.isStopped(), false);
    await scheduler.stop(0);
    assert.equal(scheduler.isStopped(), true);
    assert.equal(scheduler.trigger('a'), undefined);
    assert.equal(scheduler.nextRun('a'), undefined, 'no next run is announced for a stepwatch that is shutting down');
  });

  it('drops a scheduled run that was waiting for a slot, while a run asked for by hand still goes', async () => {
    const ticked = signal();
    const { scheduler, started, finish } = holding({ limiter: new RunLimiter(1), onTick: (m) => m.name === 'ticker' && ticked.resolve() });
    scheduler.sync([monitor('holder'), monitor('ticker', '* * * * * *'), monitor('manual')]);
    const holder = scheduler.trigger('holder');
    const manual = scheduler.trigger('manual');
    await within(ticked.promise, 'the every-second monitor ticks', 10_000);
    assert.ok(scheduler.isRunning('ticker'), 'its run waits for the slot');
    const stopped = scheduler.stop(10_000);
    await finish('holder');
    await holder;
    await finish('manual');
    await manual;
    assert.equal(await stopped, true);
    assert.deepEqual(started, ['holder', 'manual'], 'the scheduled run never started');
  });
});

describe('the scheduler over reloads', () => {
  it('keeps an overdue run due in the past across a reload of the same monitors', async () => {
    const ticks: number[] = [];
    const secondTick = signal();
    const { scheduler, finish } = holding({ onTick: () => ticks.push(1) === 2 && secondTick.resolve() });
    const stuck = monitor('stuck', '* * * * * *');
    scheduler.sync([stuck, monitor('other')]);
    await within(secondTick.promise, 'two ticks', 10_000);
    // The first tick's run is still going: the second was skipped, its run is overdue.
    const overdue = scheduler.nextRun('stuck')?.getTime() ?? Infinity;
    assert.ok(overdue <= Date.now(), 'due in the past');
    scheduler.sync([stuck, monitor('other', '0 0 1 1 *', { description: 'edited' })]);
    assert.equal(scheduler.nextRun('stuck')?.getTime(), overdue, 'a reload does not make an overdue monitor look on time');
    const stopping = scheduler.stop(10_000);
    await finish('stuck');
    assert.equal(await stopping, true);
  });

  for (const [observer, what] of [[undefined, 'no run observer'], [{}, 'an observer without runSkipped']] as const) {
    it(`skips the tick of a monitor still running with ${what}, and still runs the others of its schedule`, async () => {
      const secondRun = signal();
      let freeRuns = 0;
      const { scheduler, finish } = holding({ ...(observer ? { observer } : {}), onTick: (m) => m.name === 'free' && ++freeRuns === 2 && secondRun.resolve() });
      scheduler.sync([monitor('stuck', '* * * * * *'), monitor('free', '* * * * * *')]);
      await finish('free');
      await within(secondRun.promise, 'the second tick', 10_000);
      await finish('free');
      const stopping = scheduler.stop(10_000);
      await finish('stuck');
      assert.equal(await stopping, true);
    });
  }

  it('tells the scheduler observer how late each scheduled run starts, by the injected clock; a run by hand has no lateness', async () => {
    let offsetMs = 1_500;
    let scheduledAt = 0;
    const lags = new Map<string, Array<number | undefined>>();
    const second = signal();
    const { scheduler, finish } = holding({
      // Start offsets off: this is about the clock; lateness from the offset start is tested below.
      startSpreadMs: 0,
      onTick: (_m, at) => (scheduledAt = at.getTime()),
      now: () => scheduledAt + offsetMs,
      schedulerObserver: {
        runStarting: (m, lag) => {
          const seen = lags.get(m.name) ?? [];
          lags.set(m.name, [...seen, lag]);
          if (m.name === 'late' && seen.length === 1) second.resolve();
        },
        // From the second scheduled run on, the clock reads a second before the tick (it went back).
        runEnded: () => (offsetMs = -1_000),
      },
    });
    scheduler.sync([monitor('late', '* * * * * *'), monitor('manual')]);
    await finish('late');
    await within(second.promise, 'the next scheduled run starts', 10_000);
    await finish('late');
    const manual = scheduler.trigger('manual');
    await finish('manual');
    await manual;
    await scheduler.stop(10_000);
    assert.deepEqual(Object.fromEntries(lags), { late: [1.5, 0], manual: [undefined] }, 'a clock behind the schedule counts as on time');
  });
});

describe('the scheduler spreading starts over a window after the tick', () => {
  /** Names whose offsets in a 1 s window are all different from 0 (so a start at the tick would show). */
  const spread = ['checkout', 'payments-api', 'bench-0', 'bench-1'];

  it("says each monitor is next due at its tick plus its offset, and moves it to the next tick's plus the same offset once it ran", async () => {
    const { scheduler, finish } = holding();
    try {
      scheduler.sync(spread.map((name) => monitor(name, '* * * * * *')));
      // Offsets are below the 1 s window: the tick is the whole second.
      const tick = Math.floor((scheduler.nextRun('checkout')?.getTime() ?? 0) / 1000) * 1000;
      for (const name of spread) assert.equal(scheduler.nextRun(name)?.getTime(), tick + startOffsetMs(name, 1_000), name);
      for (const name of spread) await finish(name);
      for (const name of spread) assert.equal(scheduler.nextRun(name)?.getTime(), tick + 1_000 + startOffsetMs(name, 1_000), `${name} after its run`);
    } finally {
      // Stops the ticks also when an assertion failed, so the file ends.
      await scheduler.stop(0);
    }
  });

  it('measures how late a scheduled run starts from its tick plus its offset', async () => {
    let tickAt = 0;
    const lags: Array<number | undefined> = [];
    const started = signal();
    const { scheduler, finish } = holding({
      onTick: (_m, at) => (tickAt = at.getTime()),
      // The clock reads 250 ms after the intended start whenever the run starts.
      now: () => tickAt + startOffsetMs('checkout', 1_000) + 250,
      schedulerObserver: { runStarting: (_m, lag) => (lags.push(lag), started.resolve()), runEnded: () => {} },
    });
    try {
      scheduler.sync([monitor('checkout', '* * * * * *')]);
      await within(started.promise, 'the scheduled run starts', 10_000);
    } finally {
      const stopping = scheduler.stop(10_000);
      await finish('checkout');
      await stopping;
    }
    assert.deepEqual(lags, [0.25]);
  });

  it('asks the gate once per tick and bucket: monitors of any schedule whose ticks and offsets agree are admitted together, as of the cron time', async () => {
    const calls: Array<{ scheduledAt: number; names: string[] }> = [];
    const recording: TickGate = {
      admit(due, scheduledAt, start: StartRun) {
        calls.push({ scheduledAt: scheduledAt.getTime(), names: due.map((m) => m.name).sort() });
        for (const m of due) void start(m);
      },
      manual: (m, start) => ALONE.manual(m, start),
    };
    const { scheduler, finish } = holding({ gate: recording });
    // Two schedules that tick at the same instants: forty monitors, fewer buckets than that in use.
    const names = Array.from({ length: 40 }, (_, i) => `m${i}`);
    scheduler.sync(names.map((name, i) => monitor(name, i % 2 === 0 ? '* * * * * *' : '*/1 * * * * *')));
    const firstTick = Math.floor((scheduler.nextRun('m0')?.getTime() ?? 0) / 1000) * 1000;
    try {
      for (const name of names) await finish(name);
    } finally {
      await scheduler.stop(0);
    }
    const byOffset = new Map<number, string[]>();
    for (const name of names) byOffset.set(startOffsetMs(name, 1_000), [...(byOffset.get(startOffsetMs(name, 1_000)) ?? []), name]);
    const expected = [...byOffset.values()].map((group) => ({ scheduledAt: firstTick, names: group.sort() }));
    const sortCalls = (list: typeof calls) => [...list].sort((a, b) => (a.names[0] ?? '').localeCompare(b.names[0] ?? ''));
    assert.ok(byOffset.size < names.length, 'some monitors share a bucket');
    assert.deepEqual(sortCalls(calls.filter((call) => call.scheduledAt === firstTick)), sortCalls(expected));
  });
});
