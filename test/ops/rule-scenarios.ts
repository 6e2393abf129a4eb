// The situations the alert rules must get right, each with exactly the alerts that fire when.
// test/ops/rule-tests.test.ts turns them into prometheus/tests/*.test.yml (promtool test rules) and
// runs promtool on them. Times are seconds from the start of a story.
import type { InstanceStory, Outcome } from './support/engine-series.js';

export interface ExpectedAlert {
  labels: Record<string, string>;
  summary: string;
}

export interface Check {
  at: number;
  alert: string;
  fire: ExpectedAlert[];
}

export interface Scenario {
  name: string;
  interval: number;
  end: number;
  instances: InstanceStory[];
  checks: Check[];
}

const m = 60;
const h = 3600;
const d = 86400;
const RELEASES = 'demo-new-releases';
const PROFILE = 'demo-my-profile';
const PLAYLISTS = 'demo-featured-playlists';
const AUTH = 'Authenticate with the demo API';
const GET_RELEASES = 'Get new releases';
const REFRESH = 'Refresh the user token';

const P: Outcome = 'pass';
const fail = (step: string, reason: Extract<Outcome, object>['reason']): Outcome => ({ step, reason });

const A = 'sw-a:9464';
const B = 'sw-b:9464';
const C = 'sw-c:9464';
const EU = 'eu-west';

/** The summaries, as the rules word them. */
const failing = (monitor: string, step: string, reason: string, location?: string) => `Monitor ${monitor}${location ? ` in ${location}` : ''} is failing at step '${step}' (reason: ${reason})`;
const downRatio = (monitor: string, share: string, step: string, reason: string, location?: string) => `Monitor ${monitor}${location ? ` in ${location}` : ''} is down: ${share} of its runs failed in the last 15 minutes, at step '${step}' (reason: ${reason})`;
const down = (monitor: string, inARow: number, step: string, reason: string, location?: string) => `Monitor ${monitor}${location ? ` in ${location}` : ''} is down: ${inARow} failed runs in a row, at step '${step}' (reason: ${reason})`;

/** Schedules that fit a 15-second scrape. */
export const FAST: Scenario[] = [
  {
    name: 'a 10-second schedule: a step failing 1 run in 5 never fires; an outage warns after about a minute and pages after 2',
    interval: 15,
    end: 15 * m,
    instances: [{ instance: A, monitors: [{ name: RELEASES, every: 10, runs: 'FPPPP'.repeat(12) + 'O', outcomes: { P, F: fail(GET_RELEASES, 'assertion'), O: fail(GET_RELEASES, 'status') } }] }],
    checks: [
      { at: 9 * m, alert: 'StepwatchStepFailing', fire: [] },
      { at: 9 * m, alert: 'StepwatchMonitorDown', fire: [] },
      { at: 11 * m, alert: 'StepwatchStepFailing', fire: [] },
      { at: 12 * m, alert: 'StepwatchStepFailing', fire: [{ labels: { instance: A, monitor: RELEASES, step: GET_RELEASES }, summary: failing(RELEASES, GET_RELEASES, 'status') }] },
      { at: 12 * m, alert: 'StepwatchMonitorDown', fire: [] },
      { at: 13 * m, alert: 'StepwatchMonitorDown', fire: [{ labels: { instance: A, monitor: RELEASES }, summary: down(RELEASES, 17, GET_RELEASES, 'status') }] },
      { at: 13 * m, alert: 'StepwatchMonitorOverdue', fire: [] },
      { at: 13 * m, alert: 'StepwatchCertificateExpiringSoon', fire: [] },
    ],
  },
  {
    name: 'a 5-minute schedule: one failed run fires nothing; 2 in a row warn, 3 page; a pass ends both 5 minutes later',
    interval: 15,
    end: 60 * m,
    instances: [{ instance: A, monitors: [{ name: PROFILE, every: 5 * m, runs: 'PPFPPFFFFP', outcomes: { P, F: fail(REFRESH, 'status') } }] }],
    checks: [
      { at: 17 * m, alert: 'StepwatchStepFailing', fire: [] },
      { at: 17 * m, alert: 'StepwatchMonitorDown', fire: [] },
      { at: 36 * m, alert: 'StepwatchStepFailing', fire: [] },
      { at: 37 * m, alert: 'StepwatchStepFailing', fire: [{ labels: { instance: A, monitor: PROFILE, step: REFRESH }, summary: failing(PROFILE, REFRESH, 'status') }] },
      { at: 41 * m, alert: 'StepwatchMonitorDown', fire: [] },
      { at: 43 * m, alert: 'StepwatchMonitorDown', fire: [{ labels: { instance: A, monitor: PROFILE }, summary: down(PROFILE, 3, REFRESH, 'status') }] },
      { at: 57 * m, alert: 'StepwatchMonitorDown', fire: [] },
      { at: 57 * m, alert: 'StepwatchStepFailing', fire: [] },
      { at: 57 * m, alert: 'StepwatchMonitorOverdue', fire: [] },
      { at: 57 * m, alert: 'StepwatchRunStuck', fire: [] },
    ],
  },
  {
    name: 'a monitor just added fires nothing before or after its first run; a run not started 3 minutes after it was due is overdue',
    interval: 15,
    end: 45 * m,
    instances: [{ instance: A, monitors: [
      { name: RELEASES, every: 5 * m, runs: 'P', outcomes: { P } },
      { name: PLAYLISTS, every: 5 * m, runs: 'P', outcomes: { P }, from: 1000, stallAt: 2000 },
    ] }],
    checks: [
      { at: 18 * m, alert: 'StepwatchMonitorOverdue', fire: [] },
      { at: 18 * m, alert: 'StepwatchStepFailing', fire: [] },
      { at: 25 * m, alert: 'StepwatchMonitorOverdue', fire: [] },
      { at: 38 * m, alert: 'StepwatchMonitorOverdue', fire: [] },
      { at: 40 * m, alert: 'StepwatchMonitorOverdue', fire: [{ labels: { instance: A, monitor: PLAYLISTS }, summary: `The run of ${PLAYLISTS} due 5m 0s ago has not started` }] },
      { at: 40 * m, alert: 'StepwatchMonitorDown', fire: [] },
    ],
  },
  {
    name: 'a failing monitor that is disabled or deleted: its alerts end, and nothing else fires about it',
    interval: 15,
    end: 30 * m,
    instances: [{ instance: A, monitors: [
      { name: RELEASES, every: m, runs: 'F', outcomes: { F: fail(AUTH, 'timeout') }, until: 20 * m },
      { name: PROFILE, every: m, runs: 'F', outcomes: { F: fail(REFRESH, 'status') }, until: 20 * m },
    ] }],
    checks: [
      { at: 10 * m, alert: 'StepwatchMonitorDown', fire: [
        { labels: { instance: A, monitor: RELEASES }, summary: down(RELEASES, 9, AUTH, 'timeout') },
        { labels: { instance: A, monitor: PROFILE }, summary: down(PROFILE, 9, REFRESH, 'status') },
      ] },
      { at: 26 * m, alert: 'StepwatchMonitorDown', fire: [] },
      { at: 26 * m, alert: 'StepwatchStepFailing', fire: [] },
      { at: 26 * m, alert: 'StepwatchMonitorOverdue', fire: [] },
      { at: 26 * m, alert: 'StepwatchDown', fire: [] },
    ],
  },
  {
    name: "a dead target under job 'synthetics': StepwatchDown after a minute; its monitor alerts keep firing, with their reason, until it answers and the monitor passes",
    interval: 15,
    end: 55 * m,
    instances: [{ job: 'synthetics', instance: A, down: [[15 * m, 45 * m]], monitors: [{ name: RELEASES, every: m, runs: 'F'.repeat(14) + 'P', outcomes: { P, F: fail(GET_RELEASES, 'status') } }] }],
    checks: [
      { at: 14 * m, alert: 'StepwatchMonitorDown', fire: [{ labels: { job: 'synthetics', instance: A, monitor: RELEASES }, summary: down(RELEASES, 13, GET_RELEASES, 'status') }] },
      { at: 14 * m, alert: 'StepwatchDown', fire: [] },
      { at: 17 * m, alert: 'StepwatchDown', fire: [{ labels: { job: 'synthetics', instance: A }, summary: `stepwatch at ${A} (job synthetics) cannot be scraped; its monitors are not being checked` }] },
      { at: 40 * m, alert: 'StepwatchMonitorDown', fire: [{ labels: { job: 'synthetics', instance: A, monitor: RELEASES }, summary: down(RELEASES, 14, GET_RELEASES, 'status') }] },
      { at: 40 * m, alert: 'StepwatchStepFailing', fire: [{ labels: { job: 'synthetics', instance: A, monitor: RELEASES, step: GET_RELEASES }, summary: failing(RELEASES, GET_RELEASES, 'status') }] },
      { at: 40 * m, alert: 'StepwatchAbsent', fire: [] },
      { at: 46 * m, alert: 'StepwatchDown', fire: [] },
      { at: 52 * m, alert: 'StepwatchMonitorDown', fire: [] },
    ],
  },
  {
    name: 'two instances running the same monitor with different outcomes: an alert each, with its own step and reason; a passing third fires nothing',
    interval: 15,
    end: 12 * m,
    instances: [
      { instance: A, monitors: [{ name: RELEASES, every: m, runs: 'F', outcomes: { F: fail(GET_RELEASES, 'status') } }] },
      { instance: B, monitors: [{ name: RELEASES, every: m, runs: 'F', outcomes: { F: fail(AUTH, 'timeout') } }] },
      { instance: 'sw-c:9464', monitors: [{ name: RELEASES, every: m, runs: 'P', outcomes: { P } }] },
    ],
    checks: [
      { at: 10 * m, alert: 'StepwatchMonitorDown', fire: [
        { labels: { instance: A, monitor: RELEASES }, summary: down(RELEASES, 9, GET_RELEASES, 'status') },
        { labels: { instance: B, monitor: RELEASES }, summary: down(RELEASES, 9, AUTH, 'timeout') },
      ] },
      { at: 10 * m, alert: 'StepwatchStepFailing', fire: [
        { labels: { instance: A, monitor: RELEASES, step: GET_RELEASES }, summary: failing(RELEASES, GET_RELEASES, 'status') },
        { labels: { instance: B, monitor: RELEASES, step: AUTH }, summary: failing(RELEASES, AUTH, 'timeout') },
      ] },
    ],
  },
  {
    name: 'cluster mode: a monitor handed over from one instance to another of its location keeps one alert, without instance, that neither doubles nor ends',
    interval: 15,
    end: 25 * m,
    instances: [
      { instance: A, location: 'eu-west', monitors: [{ name: RELEASES, every: m, runs: 'F', outcomes: { F: fail(GET_RELEASES, 'status') }, until: 15 * m }] },
      { instance: B, location: 'eu-west', monitors: [{ name: RELEASES, every: m, runs: 'F', outcomes: { F: fail(GET_RELEASES, 'status') }, from: 15 * m }] },
      { instance: 'sw-c:9464', location: 'us-east', monitors: [{ name: RELEASES, every: m, runs: 'P', outcomes: { P } }] },
    ],
    checks: [
      { at: 14 * m, alert: 'StepwatchMonitorDown', fire: [{ labels: { location: 'eu-west', monitor: RELEASES }, summary: down(RELEASES, 13, GET_RELEASES, 'status', 'eu-west') }] },
      // Between the handover and the third failed run on the new instance, the failure ratio of the location holds it.
      { at: 17 * m, alert: 'StepwatchMonitorDown', fire: [{ labels: { location: 'eu-west', monitor: RELEASES }, summary: downRatio(RELEASES, '100%', GET_RELEASES, 'status', 'eu-west') }] },
      { at: 20 * m, alert: 'StepwatchMonitorDown', fire: [{ labels: { location: 'eu-west', monitor: RELEASES }, summary: down(RELEASES, 4, GET_RELEASES, 'status', 'eu-west') }] },
      { at: 20 * m, alert: 'StepwatchStepFailing', fire: [{ labels: { location: 'eu-west', monitor: RELEASES, step: GET_RELEASES }, summary: failing(RELEASES, GET_RELEASES, 'status', 'eu-west') }] },
    ],
  },
  {
    name: 'cluster mode: the instance running a monitor dies; the held failure stands until another instance of the location runs it, and its result wins',
    interval: 15,
    end: 30 * m,
    instances: [
      { instance: A, location: 'eu-west', down: [[10 * m, 30 * m]], monitors: [{ name: RELEASES, every: m, runs: 'F', outcomes: { F: fail(GET_RELEASES, 'status') } }] },
      { instance: B, location: 'eu-west', monitors: [{ name: RELEASES, every: m, runs: 'P', outcomes: { P }, from: 12 * m }] },
    ],
    checks: [
      { at: 9 * m, alert: 'StepwatchMonitorDown', fire: [{ labels: { location: 'eu-west', monitor: RELEASES }, summary: down(RELEASES, 8, GET_RELEASES, 'status', 'eu-west') }] },
      { at: 12 * m, alert: 'StepwatchMonitorDown', fire: [{ labels: { location: 'eu-west', monitor: RELEASES }, summary: down(RELEASES, 9, GET_RELEASES, 'status', 'eu-west') }] },
      { at: 12 * m, alert: 'StepwatchDown', fire: [{ labels: { instance: A }, summary: `stepwatch at ${A} (job stepwatch) cannot be scraped; its monitors are not being checked` }] },
      { at: 20 * m, alert: 'StepwatchMonitorDown', fire: [] },
    ],
  },
  {
    name: 'cluster mode: an instance loses the database and its monitor moves to another: one alert that neither doubles nor ends while the frozen series stay, and that ends once the new instance sees it pass',
    interval: 15,
    end: 34 * m,
    instances: [
      { instance: A, location: EU, cluster: { loaded: 3, members: [[0, 3]], owned: [[0, 1]], databaseDown: [[10 * m, 34 * m]] }, monitors: [
        // It stops running at once, and its series stay as they were.
        { name: RELEASES, every: m, runs: 'F', outcomes: { F: fail(GET_RELEASES, 'status') }, stallAt: 10 * m },
      ] },
      { instance: B, location: EU, cluster: { loaded: 3, members: [[0, 3], [10 * m + 30, 2]], owned: [[0, 1], [10 * m + 30, 2]] }, monitors: [
        { name: PROFILE, every: m, runs: 'P', outcomes: { P } },
        { name: RELEASES, every: m, runs: 'FFFFFP', outcomes: { P, F: fail(GET_RELEASES, 'status') }, from: 10 * m + 30 },
      ] },
      { instance: C, location: EU, cluster: { loaded: 3, members: [[0, 3], [10 * m + 30, 2]], owned: [[0, 1]] }, monitors: [{ name: PLAYLISTS, every: m, runs: 'P', outcomes: { P } }] },
    ],
    checks: [
      { at: 9 * m, alert: 'StepwatchMonitorDown', fire: [{ labels: { location: EU, monitor: RELEASES }, summary: down(RELEASES, 8, GET_RELEASES, 'status', EU) }] },
      { at: 10 * m + 45, alert: 'StepwatchClusterDatabaseUnreachable', fire: [] },
      { at: 12 * m, alert: 'StepwatchClusterDatabaseUnreachable', fire: [{ labels: {}, summary: '1 of 3 stepwatch instances (job stepwatch) cannot reach the cluster database' }] },
      { at: 12 * m, alert: 'StepwatchClusterDatabaseDown', fire: [] },
      { at: 12 * m, alert: 'StepwatchClusterMonitorsUnowned', fire: [] },
      { at: 12 * m, alert: 'StepwatchMonitorOverdue', fire: [] },
      // The new instance has failed once: the failure ratio of the location holds the alert.
      { at: 12 * m, alert: 'StepwatchMonitorDown', fire: [{ labels: { location: EU, monitor: RELEASES }, summary: downRatio(RELEASES, '100%', GET_RELEASES, 'status', EU) }] },
      { at: 15 * m, alert: 'StepwatchMonitorDown', fire: [{ labels: { location: EU, monitor: RELEASES }, summary: down(RELEASES, 4, GET_RELEASES, 'status', EU) }] },
      { at: 15 * m, alert: 'StepwatchClusterMembersMissing', fire: [] },
      { at: 16 * m, alert: 'StepwatchClusterMembersMissing', fire: [{ labels: { location: EU }, summary: `The stepwatch cluster in ${EU} has 2 of the 3 instances expected` }] },
      // The cut-off instance still says 8 failures in a row; the new instance's pass wins.
      { at: 33 * m, alert: 'StepwatchMonitorDown', fire: [] },
      { at: 33 * m, alert: 'StepwatchStepFailing', fire: [] },
    ],
  },
  {
    name: 'cluster mode: a monitor that no instance runs fires after 2 minutes (its series are gone, so nothing else can); then no instance reaches the database',
    interval: 15,
    end: 20 * m,
    instances: [
      // A loses the database first; nobody takes its monitor over, and its frozen gauge still says it owns it.
      { instance: A, location: EU, cluster: { loaded: 3, members: [[0, 3]], owned: [[0, 1]], databaseDown: [[9 * m, 20 * m]] }, monitors: [{ name: RELEASES, every: m, runs: 'P', outcomes: { P }, stallAt: 9 * m }] },
      { instance: B, location: EU, cluster: { loaded: 3, members: [[0, 3]], owned: [[0, 1]], databaseDown: [[14 * m, 20 * m]] }, monitors: [{ name: PROFILE, every: m, runs: 'P', outcomes: { P }, stallAt: 14 * m }] },
      { instance: C, location: EU, cluster: { loaded: 3, members: [[0, 3]], owned: [[0, 1], [4 * m, 0]], databaseDown: [[14 * m, 20 * m]] }, monitors: [{ name: PLAYLISTS, every: m, runs: 'P', outcomes: { P }, until: 4 * m }] },
    ],
    checks: [
      { at: 5 * m, alert: 'StepwatchClusterMonitorsUnowned', fire: [] },
      { at: 7 * m, alert: 'StepwatchClusterMonitorsUnowned', fire: [{ labels: {}, summary: '1 monitor(s) (job stepwatch) are run by no stepwatch instance' }] },
      { at: 7 * m, alert: 'StepwatchMonitorOverdue', fire: [] },
      { at: 7 * m, alert: 'StepwatchClusterMembersMissing', fire: [] },
      { at: 13 * m, alert: 'StepwatchClusterMonitorsUnowned', fire: [{ labels: {}, summary: '2 monitor(s) (job stepwatch) are run by no stepwatch instance' }] },
      { at: 13 * m, alert: 'StepwatchClusterDatabaseUnreachable', fire: [{ labels: {}, summary: '1 of 3 stepwatch instances (job stepwatch) cannot reach the cluster database' }] },
      { at: 14 * m + 45, alert: 'StepwatchClusterDatabaseDown', fire: [] },
      { at: 16 * m, alert: 'StepwatchClusterDatabaseDown', fire: [{ labels: {}, summary: 'No stepwatch instance (job stepwatch) can reach the cluster database; no monitor is being checked' }] },
      { at: 16 * m, alert: 'StepwatchClusterDatabaseUnreachable', fire: [{ labels: {}, summary: '3 of 3 stepwatch instances (job stepwatch) cannot reach the cluster database' }] },
      { at: 16 * m, alert: 'StepwatchClusterMonitorsUnowned', fire: [] },
      { at: 16 * m, alert: 'StepwatchClusterMembersMissing', fire: [] },
      // What Alertmanager inhibits while StepwatchClusterDatabaseDown fires.
      { at: 19 * m, alert: 'StepwatchMonitorOverdue', fire: [
        { labels: { location: EU, monitor: RELEASES }, summary: `The run of ${RELEASES} in ${EU} due 10m 0s ago has not started` },
        { labels: { location: EU, monitor: PROFILE }, summary: `The run of ${PROFILE} in ${EU} due 5m 0s ago has not started` },
      ] },
    ],
  },
  {
    name: 'a run that never ends (the first one here): its ticks are skipped, StepwatchRunStuck fires, and the next run is overdue',
    interval: 15,
    end: 10 * m,
    instances: [{ instance: A, monitors: [{ name: PROFILE, every: m, runs: 'P', outcomes: { P }, stuckFrom: 0 }] }],
    checks: [
      { at: 5 * m, alert: 'StepwatchRunStuck', fire: [{ labels: { instance: A, monitor: PROFILE }, summary: `A run of ${PROFILE} on ${A} does not end: its ticks are skipped and no run finished in the last 15 minutes` }] },
      { at: 5 * m, alert: 'StepwatchMonitorOverdue', fire: [] },
      { at: 6 * m, alert: 'StepwatchMonitorOverdue', fire: [{ labels: { instance: A, monitor: PROFILE }, summary: `The run of ${PROFILE} due 4m 0s ago has not started` }] },
    ],
  },
  {
    name: 'no stepwatch in discovery pages after 5 minutes; one that joins ends it, one that leaves brings it back; a broken monitor file warns',
    interval: 15,
    end: 35 * m,
    instances: [{ instance: A, joins: 10 * m, gone: 25 * m, invalidFrom: 15 * m, monitors: [{ name: RELEASES, every: m, runs: 'P', outcomes: { P } }] }],
    checks: [
      { at: 4 * m, alert: 'StepwatchAbsent', fire: [] },
      { at: 6 * m, alert: 'StepwatchAbsent', fire: [{ labels: {}, summary: 'No stepwatch is being scraped; no monitor is being checked' }] },
      { at: 12 * m, alert: 'StepwatchAbsent', fire: [] },
      { at: 15 * m, alert: 'StepwatchConfigReloadFailed', fire: [] },
      { at: 17 * m, alert: 'StepwatchConfigReloadFailed', fire: [{ labels: { instance: A }, summary: `A monitor file of stepwatch at ${A} is invalid` }] },
      { at: 28 * m, alert: 'StepwatchAbsent', fire: [] },
      { at: 28 * m, alert: 'StepwatchDown', fire: [] },
      { at: 31 * m, alert: 'StepwatchAbsent', fire: [{ labels: {}, summary: 'No stepwatch is being scraped; no monitor is being checked' }] },
    ],
  },
  {
    name: 'a certificate expiring within 14 days warns; one expiring in 100 days does not',
    interval: 15,
    end: 12 * m,
    instances: [{ instance: A, monitors: [
      { name: RELEASES, every: m, runs: 'P', outcomes: { P }, certExpiry: 10 * d },
      { name: PROFILE, every: m, runs: 'P', outcomes: { P }, certExpiry: 100 * d },
    ] }],
    checks: [
      { at: 10 * m, alert: 'StepwatchCertificateExpiringSoon', fire: [
        { labels: { instance: A, monitor: RELEASES, step: AUTH }, summary: `The certificate seen by ${RELEASES} / ${AUTH} expires in 9d 23h 50m 0s` },
        { labels: { instance: A, monitor: RELEASES, step: GET_RELEASES }, summary: `The certificate seen by ${RELEASES} / ${GET_RELEASES} expires in 9d 23h 50m 0s` },
      ] },
    ],
  },
  {
    name: 'runs that start late for 10 minutes: StepwatchSaturated, with the runs in flight',
    interval: 15,
    end: 15 * m,
    instances: [{
      instance: A,
      monitors: [{ name: RELEASES, every: m, runs: 'P', outcomes: { P } }],
      // Every start 5 to 10 s late: the 95th percentile interpolates to 9.75 s.
      extra: [
        ...['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5'].map((le) => ({ series: `stepwatch_scheduler_lag_seconds_bucket{job="stepwatch",instance="${A}",le="${le}"}`, values: '0x60' })),
        ...['10', '30', '60', '+Inf'].map((le) => ({ series: `stepwatch_scheduler_lag_seconds_bucket{job="stepwatch",instance="${A}",le="${le}"}`, values: '0+10x60' })),
        { series: `stepwatch_runs_in_flight{job="stepwatch",instance="${A}"}`, values: '8x60' },
      ],
    }],
    checks: [
      { at: 10 * m, alert: 'StepwatchSaturated', fire: [] },
      { at: 12 * m, alert: 'StepwatchSaturated', fire: [{ labels: { instance: A }, summary: `Runs on stepwatch at ${A} start 9.75s late (95th percentile) with 8 runs in flight` }] },
    ],
  },
];

/** Slow schedules, evaluated every 5 minutes (so that a week of them stays quick to test). */
export const SLOW: Scenario[] = [
  {
    name: 'cluster mode: an hourly monitor that fails moves between two live instances: its one alert holds until the new instance runs it, which carries the failures in a row on',
    interval: m,
    end: 4 * h + 20 * m,
    instances: [
      { instance: A, location: EU, monitors: [{ name: RELEASES, every: h, runs: 'F', outcomes: { F: fail(GET_RELEASES, 'status') }, until: 3 * h + 10 * m }] },
      { instance: B, location: EU, monitors: [{ name: RELEASES, every: h, runs: 'F', outcomes: { F: fail(GET_RELEASES, 'status') }, from: 3 * h + 10 * m, carried: 3 }] },
    ],
    checks: [
      { at: 3 * h + 15 * m, alert: 'StepwatchMonitorDown', fire: [{ labels: { location: EU, monitor: RELEASES }, summary: down(RELEASES, 3, GET_RELEASES, 'status', EU) }] },
      // 40 minutes without a series from either instance: keep_firing_for alone would have ended it.
      { at: 3 * h + 50 * m, alert: 'StepwatchMonitorDown', fire: [{ labels: { location: EU, monitor: RELEASES }, summary: down(RELEASES, 3, GET_RELEASES, 'status', EU) }] },
      { at: 3 * h + 50 * m, alert: 'StepwatchStepFailing', fire: [{ labels: { location: EU, monitor: RELEASES, step: GET_RELEASES }, summary: failing(RELEASES, GET_RELEASES, 'status', EU) }] },
      { at: 3 * h + 50 * m, alert: 'StepwatchMonitorOverdue', fire: [] },
      { at: 4 * h + 10 * m, alert: 'StepwatchMonitorDown', fire: [{ labels: { location: EU, monitor: RELEASES }, summary: down(RELEASES, 4, GET_RELEASES, 'status', EU) }] },
    ],
  },
  {
    name: 'an hourly schedule: never overdue between runs; one failure fires nothing, 2 in a row warn, 3 page; a pass ends it',
    interval: m,
    end: 6 * h,
    instances: [{ instance: A, monitors: [{ name: RELEASES, every: h, runs: 'PFFFP', outcomes: { P, F: fail(GET_RELEASES, 'status') } }] }],
    checks: [
      { at: 2.5 * h, alert: 'StepwatchStepFailing', fire: [] },
      { at: 2.5 * h, alert: 'StepwatchMonitorDown', fire: [] },
      { at: 3 * h + 15 * m, alert: 'StepwatchStepFailing', fire: [{ labels: { instance: A, monitor: RELEASES, step: GET_RELEASES }, summary: failing(RELEASES, GET_RELEASES, 'status') }] },
      { at: 4 * h, alert: 'StepwatchMonitorDown', fire: [] },
      { at: 4 * h + 15 * m, alert: 'StepwatchMonitorDown', fire: [{ labels: { instance: A, monitor: RELEASES }, summary: down(RELEASES, 3, GET_RELEASES, 'status') }] },
      { at: 4 * h + 50 * m, alert: 'StepwatchMonitorOverdue', fire: [] },
      { at: 5 * h + 15 * m, alert: 'StepwatchMonitorDown', fire: [] },
      { at: 5 * h + 55 * m, alert: 'StepwatchMonitorOverdue', fire: [] },
    ],
  },
  {
    name: 'an hourly monitor still failing across a restart: MonitorDown keeps firing from the restored outcome',
    interval: m,
    end: 5 * h,
    instances: [{ instance: A, down: [[4 * h + 10 * m, 4 * h + 11 * m]], monitors: [{ name: RELEASES, every: h, runs: 'PF', outcomes: { P, F: fail(GET_RELEASES, 'status') } }] }],
    checks: [
      { at: 4 * h + 5 * m, alert: 'StepwatchMonitorDown', fire: [] },
      { at: 4 * h + 10 * m, alert: 'StepwatchMonitorDown', fire: [{ labels: { instance: A, monitor: RELEASES }, summary: down(RELEASES, 3, GET_RELEASES, 'status') }] },
      { at: 4 * h + 20 * m, alert: 'StepwatchMonitorDown', fire: [{ labels: { instance: A, monitor: RELEASES }, summary: down(RELEASES, 3, GET_RELEASES, 'status') }] },
      { at: 4 * h + 20 * m, alert: 'StepwatchDown', fire: [] },
      { at: 4 * h + 55 * m, alert: 'StepwatchMonitorDown', fire: [{ labels: { instance: A, monitor: RELEASES }, summary: down(RELEASES, 3, GET_RELEASES, 'status') }] },
    ],
  },
  {
    name: 'a daily schedule: never overdue between runs; one failed run fires nothing; the second in a row warns',
    interval: 5 * m,
    end: 3 * d + 20 * m,
    instances: [{ instance: A, monitors: [{ name: PROFILE, every: d, runs: 'PFF', outcomes: { P, F: fail('Get my profile', 'assertion') } }] }],
    checks: [
      { at: d + 23 * h, alert: 'StepwatchMonitorOverdue', fire: [] },
      { at: 2 * d + 12 * h, alert: 'StepwatchStepFailing', fire: [] },
      { at: 2 * d + 23 * h + 55 * m, alert: 'StepwatchMonitorOverdue', fire: [] },
      { at: 3 * d + 5 * m, alert: 'StepwatchStepFailing', fire: [] },
      { at: 3 * d + 15 * m, alert: 'StepwatchStepFailing', fire: [{ labels: { instance: A, monitor: PROFILE, step: 'Get my profile' }, summary: failing(PROFILE, 'Get my profile', 'assertion') }] },
      { at: 3 * d + 15 * m, alert: 'StepwatchMonitorDown', fire: [] },
    ],
  },
  {
    name: 'a weekly schedule: never overdue in the week between runs, and nothing fires',
    interval: 5 * m,
    end: 8 * d,
    instances: [{ instance: A, monitors: [{ name: PLAYLISTS, every: 7 * d, runs: 'P', outcomes: { P } }] }],
    checks: [
      { at: 6 * d + 23 * h, alert: 'StepwatchMonitorOverdue', fire: [] },
      { at: 7 * d + 10 * m, alert: 'StepwatchMonitorOverdue', fire: [] },
      { at: 7 * d + 10 * m, alert: 'StepwatchStepFailing', fire: [] },
      { at: 7 * d + 10 * m, alert: 'StepwatchAbsent', fire: [] },
    ],
  },
];
