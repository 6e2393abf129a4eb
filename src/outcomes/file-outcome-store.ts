import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FAILURE_REASONS } from '../core/failure.js';
import { writeFileAtomic } from '../storage/write-file-atomic.js';
import type { MonitorOutcome, OutcomeStore } from './outcome.js';

export const OUTCOMES_FILE = 'monitor-outcomes.json';

interface OutcomesFile {
  version: 1;
  outcomes: MonitorOutcome[];
}

export interface FileOutcomeStoreOptions {
  /** How long records gather before one write: many monitors finishing each second cost one fsync, not one each. */
  flushDelayMs?: number;
  /** A write or read that failed; the store keeps going (outcomes are a convenience, runs are not stopped for them). */
  onError?: (error: unknown, message: string) => void;
  /** How the file is replaced; writeFileAtomic unless a test counts the writes. */
  write?: (file: string, text: string) => Promise<void>;
}

/**
 * Each monitor's last outcome in `<data dir>/monitor-outcomes.json` (atomic writes, mode 0600).
 * Records are coalesced: at most one write per `flushDelayMs`, and one more on close.
 */
export class FileOutcomeStore implements OutcomeStore {
  readonly file: string;
  private readonly outcomes = new Map<string, MonitorOutcome>();
  private readonly flushDelayMs: number;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(dataDir: string, private readonly options: FileOutcomeStoreOptions = {}) {
    this.file = path.join(dataDir, OUTCOMES_FILE);
    this.flushDelayMs = options.flushDelayMs ?? 1_000;
  }

  async load(): Promise<MonitorOutcome[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.options.onError?.(error, `cannot read ${this.file}; starting without last outcomes`);
      return [];
    }
    let parsed: Partial<OutcomesFile>;
    try {
      parsed = JSON.parse(text) as Partial<OutcomesFile>;
    } catch (error) {
      this.options.onError?.(error, `${this.file} is not JSON; starting without last outcomes (it is replaced after the next run)`);
      return [];
    }
    const outcomes = parsed?.version === 1 && Array.isArray(parsed.outcomes) ? parsed.outcomes.filter(isOutcome) : [];
    for (const outcome of outcomes) if (!this.outcomes.has(outcome.monitor)) this.outcomes.set(outcome.monitor, outcome);
    return outcomes;
  }

  record(outcome: MonitorOutcome): void {
    this.outcomes.set(outcome.monitor, outcome);
    this.schedule();
  }

  retain(names: ReadonlySet<string>): void {
    for (const name of this.outcomes.keys()) {
      if (names.has(name)) continue;
      this.outcomes.delete(name);
      this.schedule();
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
    if (this.dirty) await this.flush();
  }

  private schedule(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.flushDelayMs);
    // Pending outcomes never keep the process alive; close() writes them on a clean stop.
    this.timer.unref();
  }

  private flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      const content: OutcomesFile = { version: 1, outcomes: [...this.outcomes.values()] };
      try {
        await (this.options.write ?? writeFileAtomic)(this.file, `${JSON.stringify(content)}\n`);
      } catch (error) {
        this.dirty = true;
        this.options.onError?.(error, `cannot write ${this.file}; last outcomes will be retried after the next run`);
      }
    });
    return this.writing;
  }
}

const REASONS = new Set<string>(FAILURE_REASONS);

/** An entry from disk is trusted only in its exact shape: a hand-edited file cannot inject labels. */
function isOutcome(value: unknown): value is MonitorOutcome {
  const o = value as Partial<MonitorOutcome> | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.monitor === 'string' &&
    typeof o.revision === 'string' &&
    typeof o.up === 'boolean' &&
    Number.isSafeInteger(o.consecutiveFailures) &&
    (o.consecutiveFailures ?? -1) >= 0 &&
    Number.isFinite(o.finishedAt) &&
    (o.failedStep === undefined || typeof o.failedStep === 'string') &&
    (o.reason === undefined || REASONS.has(o.reason))
  );
}
