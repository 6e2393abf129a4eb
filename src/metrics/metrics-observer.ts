import zlib from 'node:zlib';
import { collectDefaultMetrics } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Monitor } from '../core/monitor.js';
import type { RunResult } from '../core/results.js';
import type { MonitorCounts } from '../config/catalog.js';
import type { MonitorOutcome } from '../outcomes/outcome.js';
import type { RunObserver } from '../run/observer.js';
import { LABEL_NAME, header, sample } from './exposition.js';
import { GzipWriter, compressSegment } from './gzip-segments.js';
import { MonitorBlock } from './monitor-block.js';
import { RebuildQueue } from './rebuild-queue.js';
import { ALL_FAMILIES, FAILED_RUN_FAMILIES, MONITOR_FAMILIES, NEXT_RUN_FAMILY, RUN_FAMILIES, SKIP_FAMILIES } from './monitor-families.js';
import type { FamilyMask } from './monitor-families.js';
import { applyDefinition, applyRun, newMonitorSeries, outcomeOf, restoreOutcome } from './monitor-series.js';
import type { ConstantLabels, MonitorSeries } from './monitor-series.js';

export { LATENCY_BUCKETS } from './monitor-series.js';

/** What /metrics serves: the exposition, gzip-compressed, and its content type. */
export interface MetricsSource {
  contentType: string;
  /** The whole exposition as one gzip member. */
  scrape(): Promise<Buffer>;
}

export interface MetricsOptions {
  /** Whether prom-client's process metrics are collected on the registry (default true). */
  processMetrics?: boolean;
  /** When a monitor's next scheduled run is due; none while it is not scheduled. */
  nextRun?: (monitor: string) => Date | undefined;
  /** Told each outcome that sets a monitor's state, so it can outlive a restart. */
  onOutcome?: (outcome: MonitorOutcome) => void;
  /** Labels added to every monitor and step series, e.g. `{ location: 'eu' }` in cluster mode. */
  constantLabels?: ConstantLabels;
}

/** Labels stepwatch itself sets on monitor series, which a constant label may not take. */
const OWN_LABELS = new Set(['monitor', 'step', 'reason', 'result', 'phase', 'le', 'quantile']);

const HEADERS = MONITOR_FAMILIES.map((family) => compressSegment(family.header));
const NEXT_RUN_INDEX = MONITOR_FAMILIES.findIndex((family) => family.name === NEXT_RUN_FAMILY);
/** Monitors whose lines are rebuilt per turn of the event loop (~2 ms of work), so a load of 10k monitors does not stall runs in flight. */
const BLOCKS_PER_TURN = 20;
/**
 * A monitor's lines are rebuilt at most this often (a scrape rebuilds what changed before it in
 * any case): a monitor that runs every second costs one rebuild per 5 s instead of five, and a
 * scrape has at most 5 s of such changes to rebuild first. One that runs less often than this is
 * rebuilt right after each run, as before.
 */
const REBUILD_INTERVAL_MS = 5_000;

interface MonitorEntry {
  series: MonitorSeries;
  block: MonitorBlock;
  /** The definition the series were last bound to. */
  definition: Monitor;
  /** Families whose lines may have changed since the block was last updated. */
  stale: FamilyMask;
  /** When the block was last updated (RebuildQueue). */
  rebuiltAt: number;
}

/**
 * The contract's metrics, fed by run events and kept in plain per-monitor records. Series exist
 * for the monitors in force only (created when loaded, bound to that definition); label values
 * come only from monitor and step names, the reason list, the phase list and the constant labels.
 * Each monitor's lines are compressed after its series change (a run, a skip, a new definition;
 * at most every few seconds, and always before a scrape), so that a scrape copies bytes instead
 * of writing ~12 KB of text per monitor (docs/performance.md). Process metrics come from prom-client on the injected registry.
 */
export class MetricsObserver implements RunObserver, MetricsSource {
  private readonly monitors = new Map<string, MonitorEntry>();
  /** Monitors whose series changed since their lines were last compressed. */
  private readonly rebuilds = new RebuildQueue<MonitorEntry>(
    (entry) => {
      entry.block.update(entry.series, entry.stale);
      entry.stale = 0;
    },
    { intervalMs: REBUILD_INTERVAL_MS, perTurn: BLOCKS_PER_TURN },
  );
  private reloadSuccessful = 1;
  private counts: MonitorCounts = { active: 0, invalid: 0, disabled: 0 };
  private lastSize = 64 * 1024;
  private readonly constantLabels: ConstantLabels;
  readonly contentType: string;

  constructor(
    private readonly registry: Registry,
    private readonly options: MetricsOptions = {},
  ) {
    this.contentType = registry.contentType;
    this.constantLabels = checkConstantLabels(options.constantLabels ?? {});
    if (options.processMetrics ?? true) {
      collectDefaultMetrics({ register: registry });
      // Gauges named like counters, which `promtool check metrics` rejects; the same counts stay
      // available per type in nodejs_active_handles, _requests and _resources.
      for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);
    }
  }

  runSkipped(monitor: Monitor): void {
    const entry = this.monitors.get(monitor.name);
    if (!entry) return;
    entry.series.skipped++;
    this.changed(entry, SKIP_FAMILIES);
  }

  runFinished(monitor: Monitor, result: RunResult): void {
    // A monitor that is no longer loaded (deleted, renamed) gets no series back from a late run.
    const entry = this.monitors.get(monitor.name);
    if (!entry) return;
    if (applyRun(entry.series, monitor, result)) this.options.onOutcome?.(outcomeOf(monitor.name, entry.series, result));
    this.changed(entry, result.steps.some((step) => step.status === 'failed') ? FAILED_RUN_FAMILIES : RUN_FAMILIES);
  }

  /** Brings the series in line with the monitors in force: new ones start at 0, gone ones and their steps go, changed ones follow their definition. */
  configLoaded(monitors: Monitor[], counts: MonitorCounts, reloadSuccessful: boolean): void {
    this.reloadSuccessful = reloadSuccessful ? 1 : 0;
    this.counts = counts;
    const names = new Set(monitors.map((monitor) => monitor.name));
    for (const [name, entry] of this.monitors) {
      if (names.has(name)) continue;
      this.monitors.delete(name);
      this.rebuilds.delete(entry);
    }
    for (const monitor of monitors) {
      let entry = this.monitors.get(monitor.name);
      if (entry?.definition === monitor) continue;
      if (!entry) {
        entry = { series: newMonitorSeries(monitor, this.constantLabels), block: new MonitorBlock(), definition: monitor, stale: 0, rebuiltAt: -Infinity };
        this.monitors.set(monitor.name, entry);
      }
      entry.definition = monitor;
      applyDefinition(entry.series, monitor, this.constantLabels);
      this.changed(entry, ALL_FAMILIES);
    }
  }

  /** A reload that could not read the monitors (the folder is gone, a read threw): the last good ones stay in force. */
  reloadFailed(): void {
    this.reloadSuccessful = 0;
  }

  /** Takes back what the last runs before a restart left (up, failures in a row, the failing step), for the definitions still in force. */
  restore(outcomes: MonitorOutcome[]): number {
    let restored = 0;
    for (const outcome of outcomes) {
      const entry = this.monitors.get(outcome.monitor);
      if (entry && restoreOutcome(entry.series, outcome)) {
        restored++;
        this.changed(entry, ALL_FAMILIES);
      }
    }
    return restored;
  }

  async scrape(): Promise<Buffer> {
    const processMetrics = await this.registry.metrics();
    this.rebuilds.flush();
    const out = new GzipWriter(this.lastSize + (this.lastSize >> 3));
    for (let f = 0; f < MONITOR_FAMILIES.length; f++) {
      const segment = HEADERS[f];
      if (segment) out.add(segment);
      if (f === NEXT_RUN_INDEX) out.add(compressSegment(this.nextRunLines()));
      else for (const entry of this.monitors.values()) entry.block.writeFamily(f, out);
    }
    out.add(compressSegment(this.configLines() + processMetrics));
    const body = out.finish();
    this.lastSize = body.length;
    return body;
  }

  /** The exposition as text (what a scraper that does not ask for gzip gets). */
  async render(): Promise<string> {
    return zlib.gunzipSync(await this.scrape()).toString();
  }

  /** Compressed bytes held for the monitors' lines, for the benchmarks. */
  blockBytes(): number {
    let total = 0;
    for (const entry of this.monitors.values()) total += entry.block.size;
    return total;
  }

  private changed(entry: MonitorEntry, families: FamilyMask): void {
    entry.stale |= families;
    this.rebuilds.add(entry);
  }

  private nextRunLines(): string {
    const nextRun = this.options.nextRun;
    if (!nextRun) return '';
    let text = '';
    for (const [name, entry] of this.monitors) if (entry.series.enabled) text += sample(NEXT_RUN_FAMILY, entry.series.labels, seconds(nextRun(name)));
    return text;
  }

  private configLines(): string {
    return (
      header('stepwatch_config_last_reload_successful', 'gauge', '1 if the last load of the monitor files succeeded and found no invalid file.') +
      sample('stepwatch_config_last_reload_successful', '', this.reloadSuccessful) +
      header('stepwatch_config_monitors', 'gauge', 'Monitor documents by state.') +
      (['active', 'invalid', 'disabled'] as const).map((state) => sample('stepwatch_config_monitors', `state="${state}"`, this.counts[state])).join('')
    );
  }
}

function checkConstantLabels(labels: ConstantLabels): ConstantLabels {
  for (const name of Object.keys(labels)) {
    if (!LABEL_NAME.test(name) || name.startsWith('__') || OWN_LABELS.has(name)) {
      throw new Error(`'${name}' cannot be a constant label of the monitor series: use letters, digits and '_', not starting with '__' and not one of ${[...OWN_LABELS].join(', ')}`);
    }
  }
  return { ...labels };
}

function seconds(date: Date | undefined): number | undefined {
  return date === undefined ? undefined : date.getTime() / 1000;
}
