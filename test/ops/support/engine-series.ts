// Turns a story (runs of monitors on stepwatch instances, restarts, dead targets) into promtool
// input series, shaped by a real scrape of `stepwatch demo`: the monitor and step names, the metric
// names and labels come from test/ops/fixtures/demo-scrape.prom; the values follow the engine's
// semantics (docs/metrics.md). Series the scrape does not have yet must be among those the BRIEF of
// the metrics work defines, so a renamed metric fails here instead of silently never matching.
import { readFileSync } from 'node:fs';
import { FAILURE_REASONS } from '../../../src/core/failure.js';

/** Monitors and their steps as a real `/metrics` shows them. */
export interface ScrapeCast {
  metrics: Set<string>;
  monitors: Map<string, string[]>;
}

export function readScrape(file: string): ScrapeCast {
  const metrics = new Set<string>();
  const monitors = new Map<string, string[]>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const type = /^# TYPE (\S+) (\w+)/.exec(line);
    if (type) metrics.add(type[1]!);
    const step = /^stepwatch_step_up\{monitor="([^"]+)",step="([^"]+)"\}/.exec(line);
    if (step) monitors.set(step[1]!, [...(monitors.get(step[1]!) ?? []), step[2]!]);
  }
  return { metrics, monitors };
}

/** Series the engine adds on top of today's scrape (shared decisions of the BRIEF). */
const ANNOUNCED = new Set([
  'stepwatch_monitor_next_run_timestamp_seconds', 'stepwatch_step_last_failure_reason', 'stepwatch_scheduler_lag_seconds', 'stepwatch_runs_in_flight',
  // Cluster mode (issue #14's shared decisions).
  'stepwatch_cluster_members', 'stepwatch_cluster_owned_monitors', 'stepwatch_cluster_database_up',
]);

export type Outcome = 'pass' | { step: string; reason: (typeof FAILURE_REASONS)[number] };

export interface MonitorStory {
  /** A monitor of the scrape. */
  name: string;
  /** Seconds between ticks; ticks fall on multiples of it, as cron's do. */
  every: number;
  /** One letter per tick (the last one repeats), looked up in `outcomes`. */
  runs: string;
  outcomes: Record<string, Outcome>;
  /** Loaded from (seconds; default 0) until (disabled or deleted). */
  from?: number;
  until?: number;
  /** The scheduler stops ticking from this second: no run starts, the next run stays due. */
  stallAt?: number;
  certExpiry?: number;
  /** The run that starts at the first tick from this second never ends: later ticks are skipped. */
  stuckFrom?: number;
  /** Cluster mode: failed runs in a row of the instance that ran it before (the cluster's run history), carried on. */
  carried?: number;
}

/** Cluster mode: what an instance says about its cluster, as [from second, value] steps. */
export interface ClusterStory {
  /** Monitors the instance has loaded (stepwatch_config_monitors{state="active"}). */
  loaded: number;
  members: Array<[number, number]>;
  owned: Array<[number, number]>;
  /** Periods ([from, to)) when it cannot reach the database. */
  databaseDown?: Array<[number, number]>;
}

export interface InstanceStory {
  job?: string;
  instance: string;
  location?: string;
  monitors: MonitorStory[];
  /** Periods (seconds, [from, to)) when the target does not answer. */
  down?: Array<[number, number]>;
  /** The process restarts at these seconds (counters reset; the last outcome is restored). */
  restarts?: number[];
  /** Enters service discovery at this second, and leaves it at `gone`. */
  joins?: number;
  gone?: number;
  /** A monitor file is invalid from this second. */
  invalidFrom?: number;
  extra?: Array<{ series: string; values: string }>;
  cluster?: ClusterStory;
}

type Sample = number | 'stale' | undefined;

/** promtool's expanding notation: `axn` is n+1 values, `_xn` is n blanks. */
export function compress(samples: Sample[]): string {
  const parts: string[] = [];
  for (let i = 0; i < samples.length; ) {
    let j = i;
    while (j + 1 < samples.length && samples[j + 1] === samples[i]) j++;
    const count = j - i + 1;
    const value = samples[i];
    if (value === undefined) parts.push(count === 1 ? '_' : `_x${count}`);
    else if (value === 'stale') parts.push(...Array<string>(count).fill('stale'));
    else parts.push(count === 1 ? String(value) : `${value}x${count - 1}`);
    i = j + 1;
  }
  return parts.join(' ');
}

const RUN_SECONDS = 1;

export function inputSeries(cast: ScrapeCast, instances: InstanceStory[], interval: number, end: number): Array<{ series: string; values: string }> {
  const out = new Map<string, Sample[]>();
  const times = Array.from({ length: Math.floor(end / interval) + 1 }, (_, i) => i * interval);
  const put = (name: string, labels: Record<string, string>, index: number, value: Sample) => {
    if (!cast.metrics.has(name.replace(/_bucket$|_count$|_sum$/, '')) && !ANNOUNCED.has(name) && name !== 'up') throw new Error(`${name} is neither in the real scrape nor announced`);
    const key = `${name}{${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
    const samples = out.get(key) ?? out.set(key, Array<Sample>(times.length).fill(undefined)).get(key)!;
    samples[index] = value;
  };

  for (const story of instances) {
    const target = { job: story.job ?? 'stepwatch', instance: story.instance };
    const own = story.location === undefined ? target : { ...target, location: story.location };
    const isDown = (t: number) => (story.down ?? []).some(([from, to]) => t >= from && t < to);
    // A dead process restarts when its target answers again: counters start from 0, the last outcome is restored.
    const startOf = (t: number) => Math.max(0, ...(story.restarts ?? []).filter((r) => r <= t), ...(story.down ?? []).map(([, to]) => to).filter((to) => to <= t));
    times.forEach((t, index) => {
      if ((story.gone !== undefined && t >= story.gone) || t < (story.joins ?? 0)) return;
      put('up', target, index, isDown(t) ? 0 : 1);
      if (isDown(t)) return;
      put('stepwatch_config_last_reload_successful', own, index, story.invalidFrom !== undefined && t >= story.invalidFrom ? 0 : 1);
      if (story.cluster) emitCluster(story.cluster, t, index);
      for (const monitor of story.monitors) emitMonitor(monitor, t, index, startOf(t));
    });

    // As the engine exports them: only stepwatch_cluster_members has a location (one series per
    // location the instance sees; here only its own).
    function emitCluster(cluster: ClusterStory, t: number, index: number) {
      const at = (steps: Array<[number, number]>) => steps.filter(([from]) => from <= t).at(-1)?.[1];
      put('stepwatch_config_monitors', { ...target, state: 'active' }, index, cluster.loaded);
      put('stepwatch_cluster_members', own, index, at(cluster.members));
      put('stepwatch_cluster_owned_monitors', target, index, at(cluster.owned));
      put('stepwatch_cluster_database_up', target, index, (cluster.databaseDown ?? []).some(([from, to]) => t >= from && t < to) ? 0 : 1);
    }

    function emitMonitor(monitor: MonitorStory, t: number, index: number, processStart: number) {
      const steps = cast.monitors.get(monitor.name);
      if (!steps) throw new Error(`${monitor.name} is not in the scrape`);
      const from = monitor.from ?? 0;
      if (t < from || (monitor.until !== undefined && t >= monitor.until)) return;
      const labels = { ...own, monitor: monitor.name };
      // Ticks after the monitor was loaded whose run has finished by t; none while the process is dead.
      const firstTick = (Math.floor(from / monitor.every) + 1) * monitor.every;
      const stallTick = monitor.stallAt === undefined ? Infinity : Math.ceil(monitor.stallAt / monitor.every) * monitor.every;
      const ticks: number[] = [];
      const stuckTick = monitor.stuckFrom === undefined ? Infinity : Math.max(firstTick, Math.ceil(monitor.stuckFrom / monitor.every) * monitor.every);
      let skipped = 0;
      for (let tick = firstTick; tick <= t && tick < stallTick; tick += monitor.every) {
        if (isDown(tick)) continue;
        if (tick > stuckTick) skipped++;
        else if (tick < stuckTick && tick + RUN_SECONDS <= t) ticks.push(tick);
      }
      const outcomeAt = (n: number) => {
        const letter = monitor.runs[Math.min(n, monitor.runs.length - 1)]!;
        const outcome = monitor.outcomes[letter];
        if (!outcome) throw new Error(`no outcome '${letter}' for ${monitor.name}`);
        return outcome;
      };
      // The next run moves on only when a run starts: a stalled scheduler, or a tick skipped behind a
      // run that does not end, leaves it in the past.
      put('stepwatch_monitor_next_run_timestamp_seconds', labels, index, Math.min(Math.max((Math.floor(t / monitor.every) + 1) * monitor.every, firstTick), stallTick, stuckTick + monitor.every));
      put('stepwatch_monitor_skipped_runs_total', labels, index, skipped);
      const sinceStart = ticks.filter((tick) => tick + RUN_SECONDS > processStart);
      const failed = sinceStart.filter((_, n) => outcomeAt(ticks.length - sinceStart.length + n) !== 'pass').length;
      put('stepwatch_monitor_runs_total', { ...labels, result: 'success' }, index, sinceStart.length - failed);
      put('stepwatch_monitor_runs_total', { ...labels, result: 'failure' }, index, failed);
      for (const step of steps) {
        for (const reason of FAILURE_REASONS) {
          const count = sinceStart.filter((_, n) => {
            const outcome = outcomeAt(ticks.length - sinceStart.length + n);
            return outcome !== 'pass' && outcome.step === step && outcome.reason === reason;
          }).length;
          put('stepwatch_step_failures_total', { ...labels, step, reason }, index, count);
        }
        if (monitor.certExpiry !== undefined && ticks.length > 0) put('stepwatch_step_tls_cert_expiry_timestamp_seconds', { ...labels, step }, index, monitor.certExpiry);
      }
      if (ticks.length === 0) return;
      // The last outcome, restored after a restart.
      const last = outcomeAt(ticks.length - 1);
      let inARow = 0;
      while (inARow < ticks.length && outcomeAt(ticks.length - 1 - inARow) !== 'pass') inARow++;
      if (inARow === ticks.length) inARow += monitor.carried ?? 0;
      put('stepwatch_monitor_up', labels, index, last === 'pass' ? 1 : 0);
      put('stepwatch_monitor_consecutive_failures', labels, index, inARow);
      put('stepwatch_monitor_last_run_timestamp_seconds', labels, index, ticks.at(-1)! + RUN_SECONDS);
      const failingAt = last === 'pass' ? steps.length : steps.indexOf(last.step);
      if (failingAt < 0) throw new Error(`${monitor.name} has no step '${(last as { step: string }).step}'`);
      steps.forEach((step, n) => {
        if (n < failingAt) put('stepwatch_step_up', { ...labels, step }, index, 1);
        if (n === failingAt && last !== 'pass') {
          put('stepwatch_step_up', { ...labels, step }, index, 0);
          put('stepwatch_step_last_failure_reason', { ...labels, step, reason: last.reason }, index, 1);
        }
      });
    }
  }

  // A series that was there and is not any more is marked stale once, as Prometheus does.
  const series = [...out.entries()].map(([key, samples]) => {
    const marked = samples.map((value, i) => (value === undefined && i > 0 && typeof samples[i - 1] === 'number' ? 'stale' : value));
    return { series: key, values: compress(marked) };
  });
  for (const story of instances) series.push(...(story.extra ?? []));
  return series;
}
