import { PHASES } from '../../../core/results.js';
import type { Phase, PhaseTimings } from '../../../core/results.js';
import { html, ms } from '../html.js';
import type { Html } from '../html.js';
import { linearScale, niceCeiling, px } from './scale.js';

/** One run of one step, as the latency chart draws it. */
export interface LatencyPoint {
  startedAt: number;
  durationMs: number;
  phases?: PhaseTimings;
  /** Set when the run failed: which step broke it and why (not necessarily this step). */
  failure?: { step: string; reason: string };
  skipped: boolean;
}

const WIDTH = 640;
const HEIGHT = 180;
const LEFT = 48;
const RIGHT = 8;
const TOP = 8;
const BOTTOM = 34;
const MARK_Y = HEIGHT - BOTTOM + 10;

/**
 * A step's latency over the kept runs (oldest first), one bar per run stacked by phase, on a time
 * axis, with failed runs marked under the axis. Runs without phases (a reused token, a failure
 * before any answer) are drawn as one grey bar of their total duration.
 */
export function latencyChart(step: string, points: readonly LatencyPoint[]): Html {
  const drawn = points.filter((point) => !point.skipped);
  const first = points[0]?.startedAt ?? 0;
  const last = points.at(-1)?.startedAt ?? first;
  const top = niceCeiling(Math.max(0, ...drawn.map((point) => point.durationMs)));
  const x = linearScale([first, last], [LEFT + 4, WIDTH - RIGHT - 4]);
  const y = linearScale([0, top], [HEIGHT - BOTTOM, TOP]);
  const barWidth = Math.max(1.5, Math.min(10, (WIDTH - LEFT - RIGHT) / Math.max(1, points.length) - 1));
  const failures = points.filter((point) => point.failure);
  const summary = describe(step, drawn, failures.length);
  return html`<figure class="chart">
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${summary}" preserveAspectRatio="xMidYMid meet">
<title>${summary}</title>
${axis(top, y)}
${drawn.map((point) => bar(point, x(point.startedAt) - barWidth / 2, barWidth, y))}
<g class="fail-marks">${failures.map((point) => html`<path d="M${px(x(point.startedAt))} ${MARK_Y - 6} l4 8 h-8 z"><title>${`failed at ${new Date(point.startedAt).toISOString()}: ${point.failure?.step} (${point.failure?.reason})`}</title></path>`)}</g>
<text x="${LEFT}" y="${HEIGHT - 4}" class="axis-label">${new Date(first).toISOString().slice(0, 19).replace('T', ' ')}</text>
<text x="${WIDTH - RIGHT}" y="${HEIGHT - 4}" class="axis-label" text-anchor="end">${new Date(last).toISOString().slice(0, 19).replace('T', ' ')} UTC</text>
</svg>
<figcaption>${legend()}</figcaption>
</figure>`;
}

function axis(top: number, y: (value: number) => number): Html {
  const ticks = [0, top / 2, top];
  return html`<g class="axis">${ticks.map((tick) => html`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${px(y(tick))}" y2="${px(y(tick))}" /><text x="${LEFT - 4}" y="${px(y(tick) + 4)}" text-anchor="end" class="axis-label">${ms(tick)}</text>`)}</g>`;
}

function bar(point: LatencyPoint, left: number, width: number, y: (value: number) => number): Html {
  const title = html`<title>${`${new Date(point.startedAt).toISOString()}: ${ms(point.durationMs)}${point.phases ? ` (${PHASES.map((phase) => `${phase} ${ms(point.phases?.[phase] ?? 0)}`).join(', ')})` : ''}`}</title>`;
  if (!point.phases) return html`<rect class="phase-none" x="${px(left)}" width="${px(width)}" y="${px(y(point.durationMs))}" height="${px(y(0) - y(point.durationMs))}">${title}</rect>`;
  let base = 0;
  const segments: Html[] = [];
  for (const phase of PHASES) {
    const value = point.phases[phase];
    if (value <= 0) continue;
    segments.push(html`<rect class="phase-${phase}" x="${px(left)}" width="${px(width)}" y="${px(y(base + value))}" height="${px(y(base) - y(base + value))}" />`);
    base += value;
  }
  return html`<g>${title}${segments}</g>`;
}

function legend(): Html {
  return html`<span class="legend">${PHASES.map((phase: Phase) => html`<span><i class="swatch phase-${phase}"></i>${phase}</span>`)}<span><i class="swatch phase-none"></i>no phases</span><span><i class="swatch fail-mark"></i>failed run</span></span>`;
}

function describe(step: string, drawn: readonly LatencyPoint[], failed: number): string {
  if (drawn.length === 0) return `${step}: no measured run in the kept history`;
  const sorted = drawn.map((point) => point.durationMs).sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)] as number;
  const max = sorted.at(-1) as number;
  return `Latency of step ${step} over ${drawn.length} runs: median ${ms(median)}, slowest ${ms(max)}, latest ${ms(drawn.at(-1)?.durationMs ?? 0)}; ${failed} failed runs marked`;
}
