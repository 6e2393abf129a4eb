import { parse } from 'node-cron';

/**
 * Each monitor starts at its cron tick plus a stable offset, so that monitors due at the same
 * instant start spread over a window instead of all at once (a burst that saturates the event
 * loop and turns stepwatch's own load into latencies blamed on the API). Prometheus spreads its
 * scrapes the same way: the offset is a hash of the target, so it is the same on every restart
 * and on every instance of a cluster.
 */

/** The default spread window: a run never leaves the second its cron names. */
export const DEFAULT_START_SPREAD_MS = 1_000;
/**
 * Offsets are whole multiples of this: monitors due at the same instant are admitted together
 * (in cluster mode, one claim statement per bucket), 50 buckets a second at most.
 */
export const START_BUCKET_MS = 20;
/** STEPWATCH_START_SPREAD_SECONDS at most: a wider window is never what a schedule wants. */
export const MAX_START_SPREAD_MS = 3_600_000;

/** 32-bit FNV-1a over the name's UTF-16 code units: fast, stable across processes and versions. */
export function nameHash(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // FNV's low bits mix poorly on short, similar names (`bench-1`, `bench-2`): one xorshift-multiply round evens them.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x45d9f3b);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** The monitor's offset after its tick, in ms: a multiple of START_BUCKET_MS below `windowMs` (0 when the window is narrower than a bucket). */
export function startOffsetMs(name: string, windowMs: number): number {
  const buckets = Math.floor(windowMs / START_BUCKET_MS);
  if (buckets <= 1) return 0;
  return Math.floor((nameHash(name) / 2 ** 32) * buckets) * START_BUCKET_MS;
}

/**
 * A lower bound of the time between two ticks of `schedule`, in ms, so that tick + offset stays
 * before the next tick. Read from the seconds, then minutes, then hours the cron lists (the gap
 * across a wrap counts as the shortest it could be); a schedule with one time of day counts as a
 * day, which the window's own limit (an hour) is below anyway.
 */
export function shortestIntervalMs(schedule: string): number {
  const fields = parse(schedule);
  const levels: Array<[number[], number, number]> = [
    [fields.second, 60, 1_000],
    [fields.minute, 60, 60_000],
    [fields.hour, 24, 3_600_000],
  ];
  for (const [values, span, unitMs] of levels) {
    if (values.length > 1) return shortestCyclicGap(values, span) * unitMs;
  }
  return 86_400_000;
}

/** The smallest difference between neighbours of `values` on a circle of `span` (the wrap included). */
function shortestCyclicGap(values: readonly number[], span: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  let shortest = span - (sorted[sorted.length - 1] as number) + (sorted[0] as number);
  for (let i = 1; i < sorted.length; i++) shortest = Math.min(shortest, (sorted[i] as number) - (sorted[i - 1] as number));
  return shortest;
}

/** The window a schedule's monitors spread over: the operator's, capped by the schedule's shortest interval. */
export function spreadWindowMs(schedule: string, spreadMs: number): number {
  if (spreadMs <= 0) return 0;
  // Most schedules tick at most once a second: no need to parse them for the default window.
  if (spreadMs <= 1_000) return spreadMs;
  return Math.min(spreadMs, shortestIntervalMs(schedule));
}
