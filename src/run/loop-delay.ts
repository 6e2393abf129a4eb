/**
 * How late stepwatch's own event loop ran, so a run can tell whether its timings are true.
 *
 * A step's latency is measured from before the request to the end of the answer on this event
 * loop: when the loop is busy (a burst of due runs, a long garbage collection), an answer that
 * arrived waits, and the wait counts as the API's latency. One timer for the whole process ticks
 * every `intervalMs` and records how late each tick fired; a run asks for the worst delay while
 * it ran. (`perf_hooks.monitorEventLoopDelay` cannot be read per time window without one timer
 * per run in flight.)
 */

/**
 * Above this, a run's timings are marked as distorted: a 20 ms wait is 20–65% of a typical
 * 30–100 ms API answer and moves it across a latency bucket, while an idle loop stays within
 * ~2 ms of the timer (docs/performance.md).
 */
export const DISTORTION_THRESHOLD_MS = 20;

export interface LoopDelayOptions {
  /** How often the loop is sampled (default 10 ms: ~100 wake-ups a second, ~0.05% of a core). */
  intervalMs?: number;
  /** Delay above which a run's timing is distorted (default DISTORTION_THRESHOLD_MS). */
  thresholdMs?: number;
}

// 8192 samples of 10 ms cover 80 s: longer than the default 60 s run timeout.
const CAPACITY = 8192;

export class LoopDelayMeter {
  readonly thresholdMs: number;
  private readonly intervalMs: number;
  /** When each sample was taken (performance.now()) and how late its tick fired, in a ring. */
  private readonly at = new Float64Array(CAPACITY);
  private readonly delay = new Float64Array(CAPACITY);
  private next = 0;
  private count = 0;
  private timer: NodeJS.Timeout | undefined;
  private expected = 0;

  constructor(options: LoopDelayOptions = {}) {
    this.intervalMs = options.intervalMs ?? 10;
    this.thresholdMs = options.thresholdMs ?? DISTORTION_THRESHOLD_MS;
  }

  start(): this {
    if (this.timer) return this;
    this.expected = performance.now() + this.intervalMs;
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    // Sampling never keeps the process alive on its own.
    this.timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * The worst delay of the loop from `since` (a performance.now() time) until now, in ms,
   * including the tick that is overdue now; 0 when the meter is not running.
   */
  worstSince(since: number): number {
    if (!this.timer) return 0;
    const now = performance.now();
    // A tick held up right now has not fired yet: its lateness so far counts too.
    let worst = Math.max(0, now - Math.max(this.expected, since));
    for (let i = 1; i <= this.count; i++) {
      const slot = (this.next - i + CAPACITY) % CAPACITY;
      const at = this.at[slot] ?? 0;
      if (at < since) break;
      // Only the part of a delay that fell after `since` held this run up.
      worst = Math.max(worst, Math.min(this.delay[slot] ?? 0, at - since));
    }
    return worst;
  }

  private sample(): void {
    const now = performance.now();
    this.at[this.next] = now;
    this.delay[this.next] = Math.max(0, now - this.expected);
    this.next = (this.next + 1) % CAPACITY;
    this.count = Math.min(this.count + 1, CAPACITY);
    this.expected = now + this.intervalMs;
  }
}

/** How late the loop was at worst while the run went, when that passed the threshold (the result then says its timing is distorted). */
export function distortion(meter: LoopDelayMeter | undefined, since: number): { eventLoopDelayMs: number } | undefined {
  if (!meter) return undefined;
  const worst = meter.worstSince(since);
  return worst > meter.thresholdMs ? { eventLoopDelayMs: Math.round(worst * 10) / 10 } : undefined;
}
