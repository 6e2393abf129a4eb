import type pg from 'pg';
import type { Monitor } from '../core/monitor.js';
import type { ResponseExcerpt, RunResult, StepResult } from '../core/results.js';
import type { RunObserver } from '../run/observer.js';
import { redactRun } from '../redaction/redact-run.js';
import type { RecordedRun, RunHistory } from '../status/run-history.js';
import { EXCERPTS_KEPT } from '../status/status-store.js';
import { RunRecords } from '../status/run-records.js';

const FLUSH_EVERY_MS = 250;
const FLUSH_AT_ROWS = 500;
/** Rows waiting while the database is away; beyond this the oldest are dropped (and counted in the log). */
const MAX_PENDING = 20_000;
const POLL_EVERY_MS = 2_000;
/** Rows may commit out of id order across instances: each poll looks this far back, and skips rows it has. */
const POLL_OVERLAP_MS = 5_000;

interface RunRow {
  id: string;
  monitor: string;
  location: string;
  instance: string;
  started_at: Date;
  duration_ms: number;
  passed: boolean;
  attempts: number;
  steps: StepResult[];
  excerpts: Array<ResponseExcerpt | null> | null;
  recorded_at: Date;
  event_loop_delay_ms: number | null;
}

const COLUMNS = 'id, monitor, location, instance, started_at, duration_ms, passed, attempts, steps, excerpts, recorded_at, event_loop_delay_ms';

/** One monitor's runs as read from the database: the compact records, with who ran each. */
class ClusterRecords {
  readonly records: RunRecords;
  private readonly origins: Array<[string, string]>;
  private next = 0;

  constructor(private readonly capacity: number) {
    this.records = new RunRecords(capacity);
    this.origins = new Array<[string, string]>(capacity);
  }

  add(result: RunResult, instance: string, location: string): void {
    this.records.add(result, EXCERPTS_KEPT);
    this.origins[this.next] = [instance, location];
    this.next = (this.next + 1) % this.capacity;
  }

  at(index: number, monitor: string): RecordedRun | undefined {
    const run = this.records.at(index, monitor);
    const origin = this.origins[(this.next - 1 - index + 2 * this.capacity) % this.capacity];
    return run && origin ? { ...run, instance: origin[0], location: origin[1] } : run;
  }
}

/**
 * Run history in PostgreSQL. As an observer it writes each finished run (redacted, compact:
 * step status, duration, HTTP status, reason, message; response excerpts for failures) with the
 * instance and location, in batches. As the RunHistory of the API and page it serves every
 * instance's runs from memory, refreshed by polling new rows every 2 s, so a page costs no query.
 */
export class PgRunHistory implements RunObserver, RunHistory {
  private pending: object[] = [];
  private dropped = 0;
  private readonly runs = new Map<string, ClusterRecords>();
  private readonly skipped = new Map<string, number>();
  private readonly loaded = new Set<string>();
  /** Ids read in the last overlap window, and the newest recorded_at read. */
  private seen = new Map<string, number>();
  private newest = 0;
  private flushing: Promise<void> = Promise.resolve();
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly pool: pg.Pool,
    private readonly origin: { instance: string; location: string },
    private readonly capacity: number,
    private readonly onError: (error: unknown, what: string) => void,
  ) {}

  /** Starts the batched writes and the polling. */
  start(): void {
    this.timers.push(setInterval(() => void this.flush(), FLUSH_EVERY_MS), setInterval(() => void this.poll().catch((error: unknown) => this.onError(error, 'reading run history')), POLL_EVERY_MS));
    for (const timer of this.timers) timer.unref();
  }

  runFinished(monitor: Monitor, result: RunResult): void {
    const run = redactRun(result);
    const excerpts = run.passed ? null : run.steps.map((step) => step.response ?? null);
    this.pending.push({
      monitor: run.monitor,
      location: this.origin.location,
      instance: this.origin.instance,
      // Which definition ran: a new owner carries the monitor's state over only from runs of the definition in force.
      revision: monitor.revision,
      started_at: new Date(run.startedAt).toISOString(),
      duration_ms: run.durationMs,
      passed: run.passed,
      attempts: run.attempts,
      steps: run.steps.map(({ response: _response, ...step }) => step),
      excerpts: excerpts?.some(Boolean) ? excerpts : null,
      event_loop_delay_ms: run.timingDistorted ? (run.eventLoopDelayMs ?? 0) : null,
    });
    if (this.pending.length > MAX_PENDING) {
      this.dropped += this.pending.length - MAX_PENDING;
      this.pending.splice(0, this.pending.length - MAX_PENDING);
    }
    if (this.pending.length >= FLUSH_AT_ROWS) void this.flush();
  }

  runSkipped(monitor: Monitor): void {
    this.skipped.set(monitor.name, (this.skipped.get(monitor.name) ?? 0) + 1);
  }

  /** Writes the runs waiting, in one statement; on failure they wait for the next try. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.length === 0) return;
      const batch = this.pending;
      this.pending = [];
      try {
        await this.pool.query(
          `INSERT INTO stepwatch_runs (monitor, location, instance, revision, started_at, duration_ms, passed, attempts, steps, excerpts, event_loop_delay_ms)
           SELECT monitor, location, instance, revision, started_at, duration_ms, passed, attempts, steps, excerpts, event_loop_delay_ms
           FROM jsonb_to_recordset($1::jsonb) AS r(monitor text, location text, instance text, revision text, started_at timestamptz, duration_ms double precision, passed boolean, attempts integer, steps jsonb, excerpts jsonb, event_loop_delay_ms double precision)`,
          [JSON.stringify(batch)],
        );
      } catch (error) {
        this.pending = [...batch, ...this.pending].slice(-MAX_PENDING);
        this.onError(error, `writing ${batch.length} runs to the history (kept to retry)`);
      }
      if (this.dropped > 0) {
        this.onError(new Error(`${this.dropped} runs were dropped while the database was away`), 'writing run history');
        this.dropped = 0;
      }
    });
    return this.flushing;
  }

  /** Loads the latest runs of monitors not read yet (at start, and for monitors added later). */
  async track(names: readonly string[]): Promise<void> {
    const fresh = names.filter((name) => !this.loaded.has(name));
    if (fresh.length === 0) return;
    const { rows } = await this.pool.query<RunRow>(
      `SELECT r.* FROM unnest($1::text[]) AS m(name)
       CROSS JOIN LATERAL (SELECT ${COLUMNS} FROM stepwatch_runs WHERE monitor = m.name ORDER BY id DESC LIMIT $2) r
       ORDER BY r.id`,
      [fresh, this.capacity],
    );
    for (const name of fresh) this.loaded.add(name);
    for (const row of rows) this.take(row);
  }

  /** Reads the runs recorded since the last poll, by every instance. */
  async poll(): Promise<void> {
    const since = this.newest === 0 ? null : new Date(this.newest - POLL_OVERLAP_MS);
    const { rows } = await this.pool.query<RunRow>(`SELECT ${COLUMNS} FROM stepwatch_runs WHERE recorded_at > COALESCE($1::timestamptz, now() - interval '5 seconds') ORDER BY recorded_at, id`, [since]);
    for (const row of rows) if (this.loaded.has(row.monitor)) this.take(row);
    const horizon = this.newest - POLL_OVERLAP_MS;
    for (const [id, at] of this.seen) if (at < horizon) this.seen.delete(id);
  }

  recent(name: string, limit = Infinity): readonly RecordedRun[] {
    const records = this.runs.get(name);
    if (!records) return [];
    const runs: RecordedRun[] = [];
    for (let i = 0; i < Math.min(limit, records.records.length); i++) runs.push(records.at(i, name) as RecordedRun);
    return runs;
  }

  last(name: string): RecordedRun | undefined {
    return this.runs.get(name)?.at(0, name);
  }

  skippedRuns(name: string): number {
    return this.skipped.get(name) ?? 0;
  }

  /** Forgets monitors that are no longer loaded (their rows stay until pruned). */
  retain(names: ReadonlySet<string>): void {
    for (const name of this.runs.keys()) if (!names.has(name)) this.runs.delete(name);
    for (const name of this.loaded) if (!names.has(name)) this.loaded.delete(name);
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.flush();
  }

  private take(row: RunRow): void {
    if (this.seen.has(row.id)) return;
    const recordedAt = row.recorded_at.getTime();
    this.seen.set(row.id, recordedAt);
    this.newest = Math.max(this.newest, recordedAt);
    let records = this.runs.get(row.monitor);
    if (!records) this.runs.set(row.monitor, (records = new ClusterRecords(this.capacity)));
    const steps = row.excerpts ? row.steps.map((step, i) => (row.excerpts?.[i] ? { ...step, response: row.excerpts[i] } : step)) : row.steps;
    const distorted = row.event_loop_delay_ms === null ? {} : { timingDistorted: true as const, eventLoopDelayMs: row.event_loop_delay_ms };
    records.add({ monitor: row.monitor, passed: row.passed, startedAt: row.started_at.getTime(), durationMs: row.duration_ms, attempts: row.attempts, steps, ...distorted }, row.instance, row.location);
  }
}

/** Deletes runs older than the history window, and response excerpts beyond the latest few failures of each monitor. */
export async function pruneRunHistory(client: pg.ClientBase, historyDays: number): Promise<number> {
  const runs = await client.query(`DELETE FROM stepwatch_runs WHERE started_at < now() - make_interval(days => $1)`, [historyDays]);
  await client.query(
    `UPDATE stepwatch_runs SET excerpts = NULL WHERE id IN (
       SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY monitor ORDER BY id DESC) AS rank FROM stepwatch_runs WHERE excerpts IS NOT NULL) ranked
       WHERE rank > $1)`,
    [EXCERPTS_KEPT],
  );
  return runs.rowCount ?? 0;
}
