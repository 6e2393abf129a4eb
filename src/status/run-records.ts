import { FAILURE_REASONS } from '../core/failure.js';
import { PHASES } from '../core/results.js';
import type { ResponseExcerpt, RunResult, StepResult, StepStatus } from '../core/results.js';

const STATUSES: readonly StepStatus[] = ['passed', 'failed', 'skipped'];
/** Numbers kept per run, then per step: the columns of one record. */
const RUN_FIELDS = 4; // startedAt, durationMs, attempts (negative when the run failed), event-loop delay when the timing was distorted
const STEP_FIELDS = 5 + PHASES.length; // status, durationMs, httpStatus, reason, cert expiry, phases
const ABSENT = NaN;
/** Slots of a new monitor's ring; it doubles up to the capacity as runs come. */
const FIRST_SLOTS = 4;

/** What a failed step keeps beyond numbers: its message, and for the latest failures its answer. */
interface FailureText {
  message?: string;
  response?: ResponseExcerpt;
}

/**
 * One monitor's recent runs as numbers in one Float64Array ring (~100 bytes per run of a
 * two-step monitor instead of ~450 as objects), plus the step names (shared while the monitor
 * does not change) and the text of failed steps. A result is rebuilt as an object only when
 * the API or the page reads it; the runner's own objects die young, which keeps them out of
 * the old generation (docs/performance.md). The ring grows with the runs it holds: allocated at
 * full capacity up front, 50k monitors that had run once held ~1 GB of empty slots.
 */
export class RunRecords {
  private values: Float64Array;
  private stepNames: Array<readonly string[] | undefined>;
  private readonly failures = new Map<number, FailureText[]>();
  private width = 0;
  /** Runs the ring has room for now: grows to `capacity`, and wraps only there. */
  private slots = 0;
  private next = 0;
  private size = 0;

  constructor(private readonly capacity: number) {
    this.stepNames = [];
    this.values = new Float64Array(0);
  }

  get length(): number {
    return this.size;
  }

  /** Adds a run, forgetting the oldest beyond capacity; keeps answers for the latest `excerptsKept` failed runs only. */
  add(result: RunResult, excerptsKept: number): void {
    if (this.size === this.slots && this.slots < this.capacity) this.resize(Math.min(this.capacity, Math.max(FIRST_SLOTS, this.slots * 2)), this.width);
    this.fit(result.steps.length);
    const slot = this.next;
    const base = slot * this.width;
    const values = this.values;
    values[base] = result.startedAt;
    values[base + 1] = result.durationMs;
    values[base + 2] = result.passed ? result.attempts : -result.attempts;
    values[base + 3] = result.timingDistorted ? (result.eventLoopDelayMs ?? 0) : ABSENT;
    const names = this.size > 0 ? this.stepNames[(slot + this.slots - 1) % this.slots] : undefined;
    this.stepNames[slot] = names && sameNames(names, result.steps) ? names : result.steps.map((step) => step.name);
    let texts: FailureText[] | undefined;
    result.steps.forEach((step, i) => {
      const at = base + RUN_FIELDS + i * STEP_FIELDS;
      values[at] = STATUSES.indexOf(step.status);
      values[at + 1] = step.durationMs;
      values[at + 2] = step.httpStatus ?? ABSENT;
      values[at + 3] = step.reason ? FAILURE_REASONS.indexOf(step.reason) : ABSENT;
      values[at + 4] = step.tlsCertExpiresAt ?? ABSENT;
      PHASES.forEach((phase, p) => (values[at + 5 + p] = step.phases ? step.phases[phase] : ABSENT));
      if (step.message !== undefined || step.response) {
        texts ??= [];
        texts[i] = { ...(step.message !== undefined ? { message: step.message } : {}), ...(step.response ? { response: step.response } : {}) };
      }
    });
    this.failures.delete(slot);
    if (texts) this.failures.set(slot, texts);
    this.next = (slot + 1) % this.slots;
    this.size = Math.min(this.size + 1, this.capacity);
    this.dropOldExcerpts(excerptsKept);
  }

  /** The `index`-th newest run (0 = latest), rebuilt as a result. */
  at(index: number, monitor: string): RunResult | undefined {
    if (index < 0 || index >= this.size) return undefined;
    const slot = (this.next - 1 - index + 2 * this.slots) % this.slots;
    const base = slot * this.width;
    const values = this.values;
    const attempts = values[base + 2] ?? 0;
    const texts = this.failures.get(slot);
    const steps = (this.stepNames[slot] ?? []).map((name, i): StepResult => {
      const at = base + RUN_FIELDS + i * STEP_FIELDS;
      const step: StepResult = { name, status: STATUSES[values[at] ?? 0] ?? 'skipped', durationMs: values[at + 1] ?? 0 };
      const httpStatus = values[at + 2] ?? ABSENT;
      const reason = values[at + 3] ?? ABSENT;
      const certExpiry = values[at + 4] ?? ABSENT;
      if (!Number.isNaN(httpStatus)) step.httpStatus = httpStatus;
      if (!Number.isNaN(reason)) step.reason = FAILURE_REASONS[reason];
      const text = texts?.[i];
      if (text?.message !== undefined) step.message = text.message;
      if (!Number.isNaN(values[at + 5] ?? ABSENT)) step.phases = Object.fromEntries(PHASES.map((phase, p) => [phase, values[at + 5 + p] ?? 0])) as StepResult['phases'];
      if (!Number.isNaN(certExpiry)) step.tlsCertExpiresAt = certExpiry;
      if (text?.response) step.response = text.response;
      return step;
    });
    const loopDelay = values[base + 3] ?? ABSENT;
    const distorted = Number.isNaN(loopDelay) ? {} : { timingDistorted: true as const, eventLoopDelayMs: loopDelay };
    return { monitor, passed: attempts > 0, startedAt: values[base] ?? 0, durationMs: values[base + 1] ?? 0, attempts: Math.abs(attempts), ...distorted, steps };
  }

  /** Whether the `index`-th newest run passed, without rebuilding it. */
  passedAt(index: number): boolean | undefined {
    if (index < 0 || index >= this.size) return undefined;
    const slot = (this.next - 1 - index + 2 * this.slots) % this.slots;
    return (this.values[slot * this.width + 2] ?? 0) > 0;
  }

  /** Grows the record width when a run has more steps than any before (the monitor changed). */
  private fit(steps: number): void {
    const width = RUN_FIELDS + Math.max(1, steps) * STEP_FIELDS;
    if (width > this.width) this.resize(this.slots, width);
  }

  /** Slots keep their index, so the failure texts keyed by slot stay right; the ring has not wrapped while it grows. */
  private resize(slots: number, width: number): void {
    const grown = new Float64Array(slots * width).fill(ABSENT);
    const kept = Math.min(slots, this.slots);
    for (let slot = 0; slot < kept; slot++) grown.set(this.values.subarray(slot * this.width, (slot + 1) * this.width), slot * width);
    this.values = grown;
    this.width = width;
    if (slots > this.slots) this.next = this.size;
    this.slots = slots;
  }

  private dropOldExcerpts(kept: number): void {
    let failedRuns = 0;
    for (let index = 0; index < this.size; index++) {
      if (this.passedAt(index)) continue;
      failedRuns++;
      if (failedRuns <= kept) continue;
      const slot = (this.next - 1 - index + 2 * this.slots) % this.slots;
      const texts = this.failures.get(slot);
      if (!texts) continue;
      for (const text of texts) if (text) delete text.response;
    }
  }
}

function sameNames(names: readonly string[], steps: StepResult[]): boolean {
  return names.length === steps.length && steps.every((step, i) => step.name === names[i]);
}
