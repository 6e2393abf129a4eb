import type { InvalidDocument } from '../../config/catalog.js';
import { MONITORS_PER_PAGE } from '../monitor-views.js';
import type { MonitorSummary, OverviewPage } from '../monitor-views.js';
import { ago, html, ms } from './html.js';
import type { Html } from './html.js';
import { layout } from './layout.js';
import { sparkline } from './charts/sparkline.js';
import type { Availability } from '../../status/history-insights.js';

export function strip(recent: boolean[]): Html {
  const runs = [...recent].reverse();
  const passed = recent.filter(Boolean).length;
  return html`<div class="strip" role="img" aria-label="${`${passed} of the last ${recent.length} runs passed`}">${runs.map((ok) => html`<span class="${ok ? 'ok' : 'ko'}"></span>`)}</div>`;
}

export function badge(state: string): Html {
  return html`<span class="badge ${state}">${state}</span>`;
}

function percent(figure: Availability): string {
  return figure.ratio === null ? 'no runs' : `${(Math.floor(figure.ratio * 1000) / 10).toFixed(1)}%`;
}

/** Availability over the kept runs, then over 24 h and 7 d where the kept history reaches that far. */
export function availabilityLine(monitor: MonitorSummary): Html {
  const { history } = monitor.availability;
  if (history.runs === 0) return html`<span class="muted">No run yet.</span>`;
  const windows = (['24h', '7d'] as const).flatMap((window) => {
    const figure = monitor.availability[window];
    return figure ? [html` · ${window}: <strong>${percent(figure)}</strong> <span class="muted">(${figure.runs} runs)</span>`] : [];
  });
  return html`<span class="availability">Availability <strong>${percent(history)}</strong> <span class="muted">of the last ${history.runs} runs</span>${windows}</span>`;
}

/**
 * Every monitor at a glance: state, availability, recent runs and their duration, the failing
 * step; failing monitors first, so the page answers "what is broken" without scrolling.
 */
export function overviewPage(overview: OverviewPage, invalid: InvalidDocument[], now: number): Html {
  const { rows: monitors, total, failing, page, pages } = overview;
  const rows = monitors.map(
    (m) => html`<tr>
<td>${badge(m.state)}</td>
<td><a href="/monitors/${encodeURIComponent(m.name)}">${m.name}</a>${m.description ? html`<div class="muted description">${m.description}</div>` : ''}</td>
<td class="optional">${m.lastRun ? ago(m.lastRun.startedAt, now) : 'not run yet'}${m.lastRun?.instance !== undefined ? html`<div class="muted">${m.lastRun.instance} (${m.lastRun.location ?? ''})</div>` : ''}</td>
<td>${m.availability.history.runs > 0 ? percent(m.availability.history) : ''}</td>
<td class="optional">${strip(m.recent)}${sparkline(m.recentDurationsMs.map((durationMs, i) => ({ durationMs, passed: m.recent[i] ?? true })).reverse())}</td>
<td>${m.lastRun?.failedStep ? html`<strong>${m.lastRun.failedStep}</strong> <span class="muted">(${m.lastRun.reason})</span>` : ''}</td>
<td class="optional">${m.lastRun ? m.lastRun.steps.filter((s) => s.status !== 'skipped').map((s) => html`<div>${s.name}: ${ms(s.durationMs)}</div>`) : ''}</td>
</tr>`,
  );
  const body = html`<p>${total} monitors, <strong>${failing} failing</strong>${invalid.length > 0 ? html`, <strong>${invalid.length} invalid</strong>` : ''}.</p>
${pages > 1 ? pager(page, pages, total) : ''}
<div class="table-wrap"><table>
<caption class="muted">Monitors and their latest run</caption>
<thead><tr><th scope="col">State</th><th scope="col">Monitor</th><th scope="col" class="optional">Last run</th><th scope="col">Availability</th><th scope="col" class="optional">Recent runs and their duration (oldest to newest)</th><th scope="col">Failing step</th><th scope="col" class="optional">Step latency</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>
${pages > 1 ? pager(page, pages, total) : ''}
${invalid.length > 0 ? invalidSection(invalid) : ''}`;
  return layout(failing > 0 ? `${failing} failing` : 'all passing', body);
}

function pager(current: number, pages: number, total: number): Html {
  const first = (current - 1) * MONITORS_PER_PAGE + 1;
  const last = Math.min(total, current * MONITORS_PER_PAGE);
  return html`<nav class="pager" aria-label="pages of monitors"><span>Monitors ${first}–${last} of ${total}, failing first; page ${current} of ${pages}.</span>${current > 1 ? html` <a href="/?page=${current - 1}" rel="prev">Previous page</a>` : ''}${current < pages ? html` <a href="/?page=${current + 1}" rel="next">Next page</a>` : ''}</nav>`;
}

function invalidSection(invalid: InvalidDocument[]): Html {
  return html`<h2>Invalid monitor files</h2>
${invalid.map((doc) => html`<div class="problem"><strong>${doc.name ?? doc.file}</strong>${doc.keptLastGood ? html` <span class="muted">(its last good version keeps running)</span>` : ''}
<ul>${doc.diagnostics.map((d) => html`<li><code>${d.file}:${d.line}:${d.col}</code> ${d.message}</li>`)}</ul></div>`)}`;
}
