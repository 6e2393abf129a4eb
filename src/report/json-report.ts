import type { RunResult } from '../core/results.js';
import { redactRun } from '../redaction/redact-run.js';

/** The contract's report shape, shared by the json reporter and the run endpoint. */
export interface MonitorReport {
  name: string;
  passed: boolean;
  durationMs: number;
  /** Present when stepwatch's own event loop was late during the run (its timings may be stepwatch's, not the API's). */
  timingDistorted?: true;
  eventLoopDelayMs?: number;
  steps: Array<{ name: string; status: string; durationMs: number; httpStatus: number | null; reason: string | null; message: string | null }>;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** A run as the report shows it: its redacted view, so the document is built from redacted values. */
export function monitorReport(run: RunResult): MonitorReport {
  const result = redactRun(run);
  return {
    name: result.monitor,
    passed: result.passed,
    durationMs: round(result.durationMs),
    ...(result.timingDistorted ? { timingDistorted: true as const, eventLoopDelayMs: result.eventLoopDelayMs ?? 0 } : {}),
    steps: result.steps.map((step) => ({
      name: step.name,
      status: step.status,
      durationMs: round(step.durationMs),
      httpStatus: step.httpStatus ?? null,
      reason: step.reason ?? null,
      message: step.message ?? null,
    })),
  };
}

export function renderJson(results: RunResult[]): string {
  return `${JSON.stringify({ monitors: results.map(monitorReport) }, null, 2)}\n`;
}
