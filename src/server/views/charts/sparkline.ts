import { html } from '../html.js';
import type { Html } from '../html.js';
import { ms } from '../html.js';
import { linearScale, px } from './scale.js';

/** One point of a sparkline: a run's total duration and whether it passed. */
export interface SparkPoint {
  durationMs: number;
  passed: boolean;
}

const WIDTH = 120;
const HEIGHT = 28;
const PAD = 3;

/**
 * Total run duration over recent runs (given oldest first) as a small inline SVG line, with
 * failed runs as dots. The label says in words what the line shows, for screen readers.
 */
export function sparkline(points: readonly SparkPoint[]): Html {
  if (points.length === 0) return html`<span class="muted">no runs yet</span>`;
  let min = Infinity;
  let max = 0;
  let failed = 0;
  for (const point of points) {
    min = Math.min(min, point.durationMs);
    max = Math.max(max, point.durationMs);
    if (!point.passed) failed++;
  }
  const x = linearScale([0, Math.max(1, points.length - 1)], [PAD, WIDTH - PAD]);
  const y = linearScale([0, max], [HEIGHT - PAD, PAD]);
  const coordinates = points.map((point, i) => `${px(x(i))},${px(y(point.durationMs))}`);
  const latest = points.at(-1) as SparkPoint;
  const label = `Run duration over the last ${points.length} runs: ${ms(min)} to ${ms(max)}, latest ${ms(latest.durationMs)}; ${failed} failed`;
  return html`<svg class="spark" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${label}"><title>${label}</title><polyline points="${coordinates.join(' ')}" /><g class="fail-dots">${points.map((point, i) => (point.passed ? '' : html`<circle cx="${px(x(i))}" cy="${px(y(point.durationMs))}" r="2.5" />`))}</g></svg>`;
}
