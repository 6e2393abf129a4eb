import type { Monitor } from '../core/monitor.js';
import type { RunResult } from '../core/results.js';

/** Listens to runs. Metrics, logs, the status store and reporters are observers; the runner knows none of them. */
export interface RunObserver {
  runStarted?(monitor: Monitor): void;
  /** One attempt ended; with retries a run has several, and only the last one counts. */
  attemptFinished?(monitor: Monitor, result: RunResult): void;
  runFinished?(monitor: Monitor, result: RunResult): void;
  /** A tick came while the previous run was still going. */
  runSkipped?(monitor: Monitor): void;
}

/** Fans events out to several observers; one observer that throws does not starve the others. */
export function combineObservers(observers: RunObserver[], onError: (error: unknown) => void = () => {}): Required<RunObserver> {
  const call = <K extends keyof RunObserver>(key: K, ...args: Parameters<Required<RunObserver>[K]>) => {
    for (const observer of observers) {
      try {
        (observer[key] as ((...a: unknown[]) => void) | undefined)?.(...args);
      } catch (error) {
        onError(error);
      }
    }
  };
  return {
    runStarted: (monitor) => call('runStarted', monitor),
    attemptFinished: (monitor, result) => call('attemptFinished', monitor, result),
    runFinished: (monitor, result) => call('runFinished', monitor, result),
    runSkipped: (monitor) => call('runSkipped', monitor),
  };
}
