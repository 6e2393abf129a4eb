import { formatDuration, parseDuration } from '../core/duration.js';
import type { CompileContext } from './compile-context.js';
import type { Path } from './yaml-source.js';

/**
 * The bounds of durations. Node's timers overflow past 2^31-1 ms (24.8 days) and fire at once,
 * so `timeout: 600h` made every step fail after 1 ms (issue 12); a run of a synthetic monitor
 * longer than an hour is a mistake.
 */
export const MAX_RUN_TIMEOUT_MS = 3_600_000;
export const MIN_TIMEOUT_MS = 1;

/**
 * A timeout in milliseconds, `fallback` when not written. Out of 1 ms..`max` (or not a finite
 * number) is a diagnostic naming the bounds; the fallback stands in so compilation goes on.
 */
export function compileTimeout(value: unknown, path: Path, ctx: CompileContext, fallback: number, max: number, bound: string): number {
  if (value === undefined) return fallback;
  const ms = parseDuration(value);
  const bounds = `from ${show(MIN_TIMEOUT_MS)} to ${show(max)} (${bound})`;
  if (ms === undefined) {
    // The schema already said what a duration looks like; only numbers it let through are left here.
    if (typeof value === 'number') ctx.error(path, `timeout must be a duration ${bounds}, got ${showNumber(value)}`);
    return fallback;
  }
  if (ms < MIN_TIMEOUT_MS || ms > max) {
    ctx.error(path, `timeout ${typeof value === 'number' ? showNumber(value) : String(value)} is out of bounds: write a duration ${bounds}`);
    return fallback;
  }
  return ms;
}

function show(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : formatDuration(ms);
}

function showNumber(value: number): string {
  if (Number.isNaN(value)) return '.nan';
  if (!Number.isFinite(value)) return value > 0 ? '.inf' : '-.inf';
  return String(value);
}
