import type { RunResult, ResponseExcerpt } from '../core/results.js';

/** The share of passed runs over a window, and how many runs it rests on. */
export interface Availability {
  /** 0..1; null when the window holds no run. */
  ratio: number | null;
  runs: number;
  passed: number;
}

/** Availability over all kept runs, and over 24 h and 7 d when the kept history reaches that far back. */
export interface AvailabilityFigures {
  history: Availability;
  '24h': Availability | null;
  '7d': Availability | null;
}

/** A stretch of failed runs: from the first failed run to the next pass (or still going). */
export interface Incident {
  startedAt: string;
  /** When the first passing run after it started; null while the incident goes on. */
  resolvedAt: string | null;
  durationMs: number;
  failedRuns: number;
  /** The first failed run's failing step, reason and message: what broke first. */
  step: string | null;
  reason: string | null;
  message: string | null;
  /** The latest kept answer to a failing step of this incident, when one is kept. */
  excerpt: ResponseExcerpt | null;
}

const DAY_MS = 86_400_000;
export const AVAILABILITY_WINDOWS = { '24h': DAY_MS, '7d': 7 * DAY_MS } as const;

function availabilityOf(runs: readonly RunResult[]): Availability {
  let passed = 0;
  for (const run of runs) if (run.passed) passed++;
  return { ratio: runs.length === 0 ? null : passed / runs.length, runs: runs.length, passed };
}

/**
 * Availability figures from runs kept newest first. A window is reported only when the oldest
 * kept run is older than the window's start: a 24 h figure computed from the last ten minutes
 * would claim more than the history knows.
 */
export function availability(runs: readonly RunResult[], now: number): AvailabilityFigures {
  const oldest = runs.at(-1)?.startedAt;
  const windowed = (span: number): Availability | null => {
    if (oldest === undefined || oldest > now - span) return null;
    return availabilityOf(runs.filter((run) => run.startedAt >= now - span));
  };
  return { history: availabilityOf(runs), '24h': windowed(AVAILABILITY_WINDOWS['24h']), '7d': windowed(AVAILABILITY_WINDOWS['7d']) };
}

function failedStep(run: RunResult) {
  return run.steps.find((step) => step.status === 'failed');
}

/** Incidents in the kept runs (given newest first), newest first. */
export function incidents(runs: readonly RunResult[], now: number): Incident[] {
  const found: Incident[] = [];
  let open: { first: RunResult; failed: RunResult[] } | undefined;
  const close = (resolvedAt: number | null) => {
    if (!open) return;
    const step = failedStep(open.first);
    const withExcerpt = [...open.failed].reverse().flatMap((run) => run.steps).find((s) => s.response);
    found.push({
      startedAt: new Date(open.first.startedAt).toISOString(),
      resolvedAt: resolvedAt === null ? null : new Date(resolvedAt).toISOString(),
      durationMs: (resolvedAt ?? now) - open.first.startedAt,
      failedRuns: open.failed.length,
      step: step?.name ?? null,
      reason: step?.reason ?? null,
      message: step?.message ?? null,
      excerpt: withExcerpt?.response ?? null,
    });
    open = undefined;
  };
  for (let i = runs.length - 1; i >= 0; i--) {
    const run = runs[i] as RunResult;
    if (run.passed) close(run.startedAt);
    else if (open) open.failed.push(run);
    else open = { first: run, failed: [run] };
  }
  close(null);
  return found.reverse();
}
