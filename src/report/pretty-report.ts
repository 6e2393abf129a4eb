import type { RunResult, StepStatus } from '../core/results.js';
import { formatDuration } from '../core/duration.js';
import { redactRun } from '../redaction/redact-run.js';

const MARKS: Record<StepStatus, string> = { passed: '✔', failed: '✘', skipped: '-' };

/** Human-readable per-step results, for a terminal; built from redacted runs. */
export function renderPretty(runs: RunResult[]): string {
  const results = runs.map(redactRun);
  const lines: string[] = [];
  for (const result of results) {
    const attempts = result.attempts > 1 ? `, ${result.attempts} attempts` : '';
    lines.push(`${result.passed ? 'PASS' : 'FAIL'} ${result.monitor} (${formatDuration(result.durationMs)}${attempts})`);
    for (const step of result.steps) {
      const status = step.httpStatus !== undefined ? ` ${step.httpStatus}` : '';
      const time = step.status === 'skipped' ? ' skipped' : ` ${formatDuration(step.durationMs)}`;
      lines.push(`  ${MARKS[step.status]} ${step.name}${status}${time}`);
      if (step.status === 'failed') lines.push(`      ${step.reason}: ${step.message ?? ''}`);
    }
  }
  const failed = results.filter((result) => !result.passed).length;
  lines.push('', `${results.length - failed} passed, ${failed} failed`);
  return `${lines.join('\n')}\n`;
}
