/**
 * At most `max` runs in flight across all monitors; the rest wait in order of arrival. A burst
 * of due runs (every `* * * * *` monitor fires at second 0) then starts as fast as slots free
 * up instead of all at once, so stepwatch's own saturation does not turn into latencies it
 * blames on the API. The wait shows in stepwatch_scheduler_lag_seconds.
 */
export class RunLimiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly max: number) {
    if (!(max >= 1)) throw new Error(`the limit on runs in flight must be at least 1, got ${max}`);
  }

  get inFlight(): number {
    return this.running;
  }

  /** Resolves when a slot is free; call the returned function once the run ended. */
  async acquire(): Promise<() => void> {
    if (this.running >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `running` never dips below the demand.
      if (next) next();
      else this.running--;
    };
  }
}
