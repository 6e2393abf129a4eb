import type { PhaseTimings } from '../core/results.js';

type Mark = 'lookup' | 'connect' | 'secure' | 'firstByte' | 'end';

export function emptyPhases(): PhaseTimings {
  return { dns: 0, connect: 0, tls: 0, ttfb: 0, transfer: 0 };
}

/**
 * Records socket milestones of one request and turns them into the contract's phases. A phase
 * that did not happen (no DNS for an IP literal, no TLS for http) counts as 0; each phase starts
 * where the previous milestone that did happen ended.
 */
export function startPhaseClock() {
  const start = performance.now();
  const marks: Partial<Record<Mark, number>> = {};
  return {
    mark(name: Mark) {
      marks[name] ??= performance.now();
    },
    addTo(phases: PhaseTimings) {
      let previous = start;
      const span = (mark: Mark): number => {
        const at = marks[mark];
        if (at === undefined) return 0;
        const length = at - previous;
        previous = at;
        return length;
      };
      phases.dns += span('lookup');
      phases.connect += span('connect');
      phases.tls += span('secure');
      phases.ttfb += span('firstByte');
      phases.transfer += span('end');
    },
  };
}
