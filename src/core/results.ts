import type { FailureReason } from './failure.js';

export const PHASES = ['dns', 'connect', 'tls', 'ttfb', 'transfer'] as const;
export type Phase = (typeof PHASES)[number];
export type PhaseTimings = Record<Phase, number>;

export type StepStatus = 'passed' | 'failed' | 'skipped';

/** A short, redacted copy of what the API answered, kept for failed steps. */
export interface ResponseExcerpt {
  status: number;
  headers: Record<string, string>;
  body: string;
  truncated: boolean;
}

/** What one step did in one run. */
export interface StepResult {
  name: string;
  status: StepStatus;
  durationMs: number;
  httpStatus?: number;
  reason?: FailureReason;
  message?: string;
  phases?: PhaseTimings;
  /** Unix seconds at which the peer certificate expires, for https. */
  tlsCertExpiresAt?: number;
  response?: ResponseExcerpt;
}

/** What one run of a monitor did: the last attempt when retries were needed. */
export interface RunResult {
  monitor: string;
  passed: boolean;
  startedAt: number;
  durationMs: number;
  attempts: number;
  steps: StepResult[];
  /**
   * Set when stepwatch's own event loop was late by more than the threshold while the run went
   * (run/loop-delay.ts): its timings, and a latency failure, may be stepwatch's and not the API's.
   */
  timingDistorted?: true;
  /** How late the loop was at worst during the run, in ms; only with timingDistorted. */
  eventLoopDelayMs?: number;
}
