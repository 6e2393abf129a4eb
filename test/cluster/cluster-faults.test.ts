// Cluster mode end to end (the contract's "Cluster mode"; issue #14): real `stepwatch start`
// processes, three per cluster, sharing a fresh PostgreSQL database and a monitors folder, with
// monitors every second against a test API that records who ran which monitor when. Four
// clusters play their fault stories at the same time, each with its own database and API, so the
// file takes about as long as its longest story (about 80 s with start-up) instead of their sum:
//   kill       15 s steady, kill -9 of the busiest instance, 25 s later it starts again (joins)
//   pause      SIGSTOP of the busiest instance for 30 s, then SIGCONT
//   partition  the busiest instance's database connection cut for 25 s by a proxy, then restored
//   rolling    a rolling restart (SIGTERM, start again) of all three, with a refresh-token
//              monitor that rotates on every use running for a minute through the handovers
// Which tick a call belongs to is told from its arrival (support/tick-ledger.ts).
import { after, before, describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_LATENESS_MS, describeExtra, longestGap, lostTicks, matchTicks } from './support/tick-ledger.js';
import type { Call, TickReport } from './support/tick-ledger.js';
import { gauge, readiness, startTestCluster } from './support/test-cluster.js';
import type { Claim, TestCluster } from './support/test-cluster.js';

const s = 1000;
/** The contract: the others take over a dead instance's monitors within 20 seconds. */
const HANDOVER = 20 * s;
/** Calls for a tick may arrive this late, so a window is judged only up to this before its end. */
const LATE = DEFAULT_LATENESS_MS;

interface Window { from: number; to: number }
/** A story played: the calls the test API received, and for a failing assertion's message the claims and what each process printed. */
interface Story { cluster: TestCluster; startedAt: number; steady: Window; end: number; calls: Call[]; report: TickReport; claims: Claim[]; logs: string }

const sleepUntil = (at: number) => sleep(Math.max(0, at - Date.now()));

/** Polls until `check` holds; the time it first held, or undefined (the assertions say what failed). */
async function firstTime(check: () => Promise<boolean>, timeoutMs: number): Promise<number | undefined> {
  const giveUpAt = Date.now() + timeoutMs;
  while (Date.now() < giveUpAt) {
    if (await check()) return Date.now();
    await sleep(250);
  }
  return undefined;
}

const between = (calls: readonly Call[], { from, to }: Window) => calls.filter((call) => call.at >= from && call.at < to);

/** The instance that ran the most monitors in the window (so that its failure moves some). */
function busiest(cluster: TestCluster, window: Window): { victim: string; owned: string[] } {
  const recent = between(cluster.api.calls, window);
  const ran = (name: string) => [...new Set(recent.filter((call) => call.instance === name).map((call) => call.monitor))].sort();
  const victim = [...cluster.instances.keys()].sort((a, b) => ran(b).length - ran(a).length)[0]!;
  return { victim, owned: ran(victim) };
}

/** Steady from 2 s after all three are ready until `steadyFor` later. */
async function beginStory(clusterPromise: Promise<TestCluster>, startedAt: number, steadyFor: number) {
  const cluster = await clusterPromise;
  const t0 = Date.now();
  const steady = { from: t0 + 2 * s, to: t0 + 2 * s + steadyFor };
  await sleepUntil(steady.to);
  return { cluster, startedAt, t0, steady };
}

async function finish<T extends object>(base: { cluster: TestCluster; startedAt: number; steady: Window }, rest: T): Promise<Story & T> {
  const end = Date.now();
  const calls = base.cluster.api.calls.slice();
  return { ...base, ...rest, end, calls, report: matchTicks(calls), claims: await base.cluster.claims(), logs: base.cluster.logs() };
}

async function killStory(clusterPromise: Promise<TestCluster>, startedAt: number) {
  const base = await beginStory(clusterPromise, startedAt, 13 * s);
  const { victim, owned } = busiest(base.cluster, { from: base.steady.to - 5 * s, to: base.steady.to });
  const killedAt = Date.now();
  await base.cluster.stop(victim, 'SIGKILL');
  await sleepUntil(killedAt + 25 * s);
  const restartedAt = Date.now();
  await base.cluster.start(victim);
  const readyAt = Date.now();
  await sleepUntil(readyAt + 15 * s);
  return finish(base, { victim, owned, killedAt, restartedAt, readyAt });
}

async function pauseStory(clusterPromise: Promise<TestCluster>, startedAt: number) {
  const base = await beginStory(clusterPromise, startedAt, 6 * s);
  const { victim, owned } = busiest(base.cluster, { from: base.steady.to - 5 * s, to: base.steady.to });
  const child = base.cluster.instances.get(victim)!.cli.child;
  const pausedAt = Date.now();
  child.kill('SIGSTOP');
  await sleepUntil(pausedAt + 30 * s);
  child.kill('SIGCONT');
  const resumedAt = Date.now();
  await sleepUntil(resumedAt + 17 * s);
  return finish(base, { victim, owned, pausedAt, resumedAt });
}

async function partitionStory(clusterPromise: Promise<TestCluster>, startedAt: number) {
  const base = await beginStory(clusterPromise, startedAt, 6 * s);
  const { victim, owned } = busiest(base.cluster, { from: base.steady.to - 5 * s, to: base.steady.to });
  const instance = base.cluster.instances.get(victim)!;
  const cutAt = Date.now();
  instance.proxy!.cut();
  const [notReadyAt, databaseDownAt] = await Promise.all([
    firstTime(async () => (await readiness(instance)) === 503, 24 * s),
    firstTime(async () => (await gauge(instance, 'stepwatch_cluster_database_up')) === 0, 24 * s),
  ]);
  await sleepUntil(cutAt + 25 * s);
  instance.proxy!.restore();
  const restoredAt = Date.now();
  const rejoinedAt = await firstTime(async () => {
    const [status, members, databaseUp] = await Promise.all([readiness(instance), gauge(instance, 'stepwatch_cluster_members{location="default"}'), gauge(instance, 'stepwatch_cluster_database_up')]);
    return status === 200 && members === 3 && databaseUp === 1;
  }, 30 * s);
  await sleepUntil(Math.max(restoredAt + 17 * s, (rejoinedAt ?? 0) + 5 * s));
  return finish(base, { victim, owned, cutAt, notReadyAt, databaseDownAt, restoredAt, rejoinedAt });
}

async function rollingStory(clusterPromise: Promise<TestCluster>, startedAt: number) {
  const base = await beginStory(clusterPromise, startedAt, 4 * s);
  const { api, instances } = base.cluster;
  const rotated = () => api.exchanges.filter((exchange) => exchange.answer === 'rotated');
  // The token monitor's instance goes first and stays down until another has taken the monitor over.
  const first = rotated().at(-1)?.instance ?? [...instances.keys()][0]!;
  const order = [first, ...[...instances.keys()].filter((name) => name !== first).sort()];
  const exits: Array<{ name: string; code: number | null }> = [];
  let handedOverAt: number | undefined;
  const rollingFrom = Date.now();
  for (const name of order) {
    const stoppedAt = Date.now();
    exits.push({ name, code: await base.cluster.stop(name, 'SIGTERM') });
    if (name === first) handedOverAt = await firstTime(async () => rotated().some((exchange) => exchange.at > stoppedAt && exchange.instance !== first), HANDOVER + 5 * s);
    await base.cluster.start(name);
  }
  await sleepUntil(Math.max(base.t0 + 62 * s, Date.now() + 10 * s));
  return finish(base, { order, exits, rollingFrom, handedOverAt });
}

/** Asserts that no tick ran twice among the calls that arrived in the window. */
function assertNoExtraRuns(story: Story, window: Window, what: string) {
  const extra = between(story.report.extra, window);
  assert.equal(extra.length, 0, `${story.cluster.name}, ${what}: ${describeExtra(extra, story.calls)}`);
}

/** Asserts that every tick in the window ran, except those in `allowed` (a handover's window). */
function assertLostOnlyWithin(story: Story, window: Window, allowed: Window | undefined, what: string) {
  for (const monitor of story.cluster.monitors) {
    const lost = lostTicks(story.report, monitor, window.from, window.to).filter((tick) => !allowed || tick * s < allowed.from || tick * s >= allowed.to);
    const message = `${story.cluster.name}, ${what}: ticks of ${monitor} that never ran`;
    assert.deepEqual(lost.map(clock), [], lost.length === 0 ? message : `${message}${explainLost(story, monitor, lost)}`);
  }
}

const clock = (tick: number) => new Date(tick * s).toISOString().slice(11, 19);

/** Who claimed each lost tick, and what the instances logged from 5 s before the first to 10 s after the last. */
function explainLost(story: Story, monitor: string, lost: readonly number[]): string {
  const claims = lost.map((tick) => {
    const claim = story.claims.find((row) => row.monitor === monitor && Math.floor(row.at / s) === tick);
    return `${clock(tick)} claimed by ${claim?.instance ?? 'nobody'}`;
  });
  const from = lost[0]! * s - 5 * s;
  const to = lost.at(-1)! * s + 10 * s;
  const logged = story.logs.split('\n').filter((line) => {
    const time = /"time":"([^"]+)"/.exec(line)?.[1];
    return time === undefined ? line.startsWith('--- ') : Date.parse(time) >= from && Date.parse(time) < to;
  });
  return `\n  ${claims.join('\n  ')}\nwhat the instances logged around them:\n${logged.join('\n')}`;
}

/** Asserts that each monitor the victim ran ran on another instance within 20 s of the fault, and says how soon. */
function assertTakenOver(t: TestContext, story: Story, victim: string, owned: readonly string[], faultAt: number, fault: string) {
  const delays = owned.map((monitor) => ({ monitor, next: story.calls.find((call) => call.monitor === monitor && call.at > faultAt && call.instance !== victim) }));
  t.diagnostic(`${victim}'s monitors after ${fault}: ${delays.map(({ monitor, next }) => `${monitor} ran again after ${next ? next.at - faultAt : 'never'} ms`).join(', ')}`);
  for (const { monitor, next } of delays) assert.ok(next && next.at - faultAt <= HANDOVER, `${monitor} (run by ${victim}) ran elsewhere ${next ? `${next.at - faultAt} ms` : 'never'} after ${fault}`);
}

describe('cluster mode: three instances on one PostgreSQL, under faults', () => {
  let kill: Awaited<ReturnType<typeof killStory>>;
  let pause: Awaited<ReturnType<typeof pauseStory>>;
  let partition: Awaited<ReturnType<typeof partitionStory>>;
  let rolling: Awaited<ReturnType<typeof rollingStory>>;
  const clusters: Array<Promise<TestCluster>> = [];

  before(async () => {
    const startedAt = Date.now();
    const begin = (options: Parameters<typeof startTestCluster>[0]) => {
      const cluster = startTestCluster(options);
      clusters.push(cluster);
      return cluster;
    };
    [kill, pause, partition, rolling] = await Promise.all([
      killStory(begin({ name: 'kill', countingMonitors: 8 }), startedAt),
      pauseStory(begin({ name: 'pause', countingMonitors: 8 }), startedAt),
      partitionStory(begin({ name: 'partition', countingMonitors: 8, proxied: true }), startedAt),
      rollingStory(begin({ name: 'rolling', countingMonitors: 6, withTokenMonitor: true }), startedAt),
    ]);
  }, { timeout: 240_000 });

  after(async () => {
    for (const cluster of await Promise.allSettled(clusters)) if (cluster.status === 'fulfilled') await cluster.value.close();
  });

  it('every tick of every monitor runs exactly once while three instances start and share one database', () => {
    for (const story of [kill, pause, partition, rolling]) {
      assertNoExtraRuns(story, { from: story.startedAt, to: story.steady.to }, 'from the start to the end of the steady window');
      assertLostOnlyWithin(story, story.steady, undefined, 'steady window');
    }
  });

  it('kill -9 of an instance: the others run its monitors again within 20 s, and no tick runs twice', (t) => {
    const { killedAt, restartedAt, victim, owned } = kill;
    assertNoExtraRuns(kill, { from: kill.steady.to, to: restartedAt }, `after kill -9 of ${victim}`);
    assert.ok(owned.length > 0, `${victim} ran monitors before it was killed`);
    assertTakenOver(t, kill, victim, owned, killedAt, 'kill -9');
    assertLostOnlyWithin(kill, { from: kill.steady.to, to: restartedAt }, { from: killedAt - s, to: killedAt + HANDOVER }, `after kill -9 of ${victim}`);
  });

  it('an instance that joins (the killed one, started again): monitors move to it without a tick lost or run twice', () => {
    const { restartedAt, readyAt, victim, calls, end } = kill;
    assertNoExtraRuns(kill, { from: restartedAt, to: end }, `while ${victim} joins`);
    assertLostOnlyWithin(kill, { from: restartedAt, to: end - LATE }, undefined, `while ${victim} joins`);
    assert.ok(between(calls, { from: readyAt, to: end }).some((call) => call.instance === victim), `${victim} runs monitors again after it joined`);
  });

  it('SIGSTOP of an instance for 30 s, then SIGCONT: its monitors run elsewhere within 20 s, and no tick runs twice, before or after it wakes', (t) => {
    const { pausedAt, resumedAt, victim, owned, end } = pause;
    assertNoExtraRuns(pause, { from: pause.steady.to, to: resumedAt }, `while ${victim} is stopped`);
    assertNoExtraRuns(pause, { from: resumedAt, to: end }, `after ${victim} woke up`);
    assertTakenOver(t, pause, victim, owned, pausedAt, 'SIGSTOP');
    assertLostOnlyWithin(pause, { from: pause.steady.to, to: end - LATE }, { from: pausedAt - s, to: pausedAt + HANDOVER }, `around the pause of ${victim}`);
  });

  it('an instance cut off from the database: no tick runs twice, it says it is not ready, and it rejoins when the network returns', (t) => {
    const { cutAt, restoredAt, notReadyAt, databaseDownAt, rejoinedAt, victim, owned, calls, end } = partition;
    assertNoExtraRuns(partition, { from: partition.steady.to, to: end }, `with ${victim} cut off from the database and after`);
    assertTakenOver(t, partition, victim, owned, cutAt, 'the cut');
    assertLostOnlyWithin(partition, { from: partition.steady.to, to: end - LATE }, { from: cutAt - s, to: cutAt + HANDOVER }, `around the cut of ${victim}`);
    assert.ok(notReadyAt !== undefined && notReadyAt < restoredAt, `${victim}'s /readyz answered 503 while it could not reach the database`);
    assert.ok(databaseDownAt !== undefined && databaseDownAt < restoredAt, `${victim}'s stepwatch_cluster_database_up went to 0 while cut off`);
    assert.ok(rejoinedAt !== undefined, `${victim} is ready again, with stepwatch_cluster_database_up 1 and 3 members, within 30 s of the network's return`);
    t.diagnostic(`${victim}: /readyz 503 ${notReadyAt! - cutAt} ms after the cut, stepwatch_cluster_database_up 0 after ${databaseDownAt! - cutAt} ms; ready with 3 members ${rejoinedAt! - restoredAt} ms after the restore`);
    assert.ok(between(calls, { from: restoredAt, to: end }).some((call) => call.instance === victim), `${victim} runs monitors again after it rejoined`);
  });

  it('a rolling restart of all three (SIGTERM, start again): each exits 0, no tick runs twice, and no monitor loses more than the 20 s window', (t) => {
    const { exits, rollingFrom, end, order } = rolling;
    assert.deepEqual(exits, order.map((name) => ({ name, code: 0 })));
    assertNoExtraRuns(rolling, { from: rollingFrom, to: end }, 'during the rolling restart');
    const gaps = rolling.cluster.monitors.map((monitor) => ({ monitor, gap: longestGap(lostTicks(rolling.report, monitor, rollingFrom, end - LATE)) }));
    t.diagnostic(`longest stretch of lost ticks per monitor (s): ${gaps.map(({ monitor, gap }) => `${monitor} ${gap}`).join(', ')}`);
    for (const { monitor, gap } of gaps) assert.ok(gap * s <= HANDOVER, `${monitor} lost ${gap} ticks in a row during the rolling restart`);
  });

  it('a refresh token rotated on every use, run by three instances for a minute and through a handover: never invalid_grant, one token in force', () => {
    const { cluster, handedOverAt, order } = rolling;
    const exchanges = cluster.api.exchanges.filter((exchange) => exchange.at < rolling.end);
    // The endpoint accepts only the token it issued last: no refusal means every use presented the
    // token the previous use was given, one chain that never forked, so one token was ever in force.
    const refused = exchanges.filter((exchange) => exchange.answer === 'invalid_grant');
    assert.deepEqual(refused.slice(0, 5).map(({ instance, at }) => ({ instance, at: new Date(at).toISOString().slice(11, 23), answer: 'invalid_grant' })), [], `${refused.length} exchange(s) presented a spent refresh token`);
    assert.ok(exchanges.length > 0 && exchanges.at(-1)!.at - exchanges[0]!.at >= 60 * s, 'the token monitor ran for a minute');
    assert.ok(handedOverAt !== undefined, `another instance took the token monitor over from ${order[0]} within 25 s`);
    assert.ok(new Set(exchanges.map((exchange) => exchange.instance)).size >= 2, 'the token was used by more than one instance');
  });
});
