import type { RunView, MonitorSummary } from '../monitor-views.js';
import type { Incident } from '../../status/history-insights.js';
import type { ResponseExcerpt } from '../../core/results.js';
import { ago, html, ms } from './html.js';
import type { Html } from './html.js';
import { layout } from './layout.js';
import { availabilityLine, badge, strip } from './overview-page.js';
import { latencyChart } from './charts/latency-chart.js';
import type { LatencyPoint } from './charts/latency-chart.js';

/** How many of the kept runs the page lists step by step (the charts show them all). */
const RUNS_LISTED = 20;

/**
 * One monitor: its state and availability, a latency chart per step, its incidents, then the
 * latest runs step by step with what the API answered to a failed step.
 */
export function monitorPage(monitor: MonitorSummary, steps: readonly string[], history: RunView[], incidents: Incident[], now: number): Html {
  const body = html`<h2>${monitor.name} ${badge(monitor.state)}</h2>
${monitor.description ? html`<p>${monitor.description}</p>` : ''}
<p>${availabilityLine(monitor)}</p>
<p class="muted">Schedule <code>${monitor.schedule}</code> (${monitor.timezone})${nextRun(monitor, now)}${monitor.skippedRuns > 0 ? html`, ${monitor.skippedRuns} ticks skipped while a run was still going` : ''}.</p>
${strip(monitor.recent)}
<h3 id="latency">Latency by step</h3>
${history.length === 0 ? html`<p>No run yet.</p>` : steps.map((step) => html`<h4>${step}</h4>${latencyChart(step, latencyPoints(step, history))}`)}
<h3 id="incidents">Incidents</h3>
${incidentList(incidents, now)}
<h3 id="runs">Latest runs</h3>
${history.length === 0 ? html`<p>No run yet.</p>` : history.slice(0, RUNS_LISTED).map((run) => runSection(run, now))}`;
  return layout(monitor.name, body);
}

function nextRun(monitor: MonitorSummary, now: number): Html | string {
  if (!monitor.nextRun) return monitor.enabled ? '' : ', disabled: no run scheduled';
  const seconds = Math.max(0, Math.round((Date.parse(monitor.nextRun) - now) / 1000));
  return html`, next run <time datetime="${monitor.nextRun}">${monitor.nextRun}</time> (in ${seconds} s)`;
}

/** The step's points, oldest first; each failed run is marked with the step and reason that broke it. */
function latencyPoints(step: string, history: readonly RunView[]): LatencyPoint[] {
  const points: LatencyPoint[] = [];
  for (let i = history.length - 1; i >= 0; i--) {
    const run = history[i] as RunView;
    const result = run.steps.find((s) => s.name === step);
    points.push({
      startedAt: Date.parse(run.startedAt),
      durationMs: result?.durationMs ?? 0,
      phases: result?.phases,
      failure: run.passed ? undefined : { step: run.failedStep ?? 'unknown step', reason: run.reason ?? 'unknown' },
      skipped: !result || result.status === 'skipped',
    });
  }
  return points;
}

function incidentList(incidents: Incident[], now: number): Html {
  if (incidents.length === 0) return html`<p>No incident in the kept history.</p>`;
  return html`<ol class="incidents">${incidents.map(
    (incident) => html`<li class="incident">
<p><strong>${incident.resolvedAt ? 'Resolved' : 'Ongoing'}</strong>: from <time datetime="${incident.startedAt}">${incident.startedAt}</time> (${ago(incident.startedAt, now)}), ${incident.resolvedAt ? html`to <time datetime="${incident.resolvedAt}">${incident.resolvedAt}</time>, ` : ''}${duration(incident.durationMs)}, ${incident.failedRuns} failed ${incident.failedRuns === 1 ? 'run' : 'runs'}.</p>
<p>Step <strong>${incident.step ?? 'unknown'}</strong> failed with <strong>${incident.reason ?? 'unknown'}</strong>${incident.message ? html`: ${incident.message}` : ''}</p>
${incident.excerpt ? html`<details><summary>What the API answered</summary>${excerptBlock(incident.excerpt)}</details>` : ''}
</li>`,
  )}</ol>`;
}

function excerptBlock(response: ResponseExcerpt): Html {
  return html`<pre>HTTP ${response.status}
${Object.entries(response.headers).map(([name, value]) => `${name}: ${value}\n`)}
${response.body}${response.truncated ? '\n… (first 4 KiB)' : ''}</pre>`;
}

function duration(valueMs: number): string {
  const seconds = Math.round(valueMs / 1000);
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function runSection(run: RunView, now: number): Html {
  return html`<section class="run" aria-label="${`run at ${run.startedAt}`}">
<h4>${badge(run.passed ? 'passed' : 'failed')} ${run.startedAt} <span class="muted">(${ago(run.startedAt, now)}, ${ms(run.durationMs)}${run.attempts > 1 ? `, ${run.attempts} attempts` : ''}${run.instance !== undefined ? `, on ${run.instance} in ${run.location ?? ''}` : ''})</span></h4>
<div class="table-wrap"><table>
<thead><tr><th scope="col">Step</th><th scope="col">Result</th><th scope="col">HTTP</th><th scope="col">Latency</th><th scope="col" class="optional">Phases (dns / connect / tls / ttfb / transfer)</th></tr></thead>
<tbody>${run.steps.map(
    (step) => html`<tr>
<td>${step.name}</td>
<td>${badge(step.status)}${step.reason ? html` <strong>${step.reason}</strong>: ${step.message}` : ''}</td>
<td>${step.httpStatus ?? ''}</td>
<td>${step.status === 'skipped' ? '' : ms(step.durationMs)}</td>
<td class="optional">${step.phases ? [step.phases.dns, step.phases.connect, step.phases.tls, step.phases.ttfb, step.phases.transfer].map((p) => p.toFixed(1)).join(' / ') : ''}</td>
</tr>`,
  )}</tbody>
</table></div>
${run.steps.map((step) => (step.response ? html`<details open><summary>What the API answered to <strong>${step.name}</strong></summary>${excerptBlock(step.response)}</details>` : ''))}
</section>`;
}
