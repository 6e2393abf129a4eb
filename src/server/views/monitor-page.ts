import type { RunView, MonitorSummary } from '../monitor-views.js';
import { ago, html, ms } from './html.js';
import type { Html } from './html.js';
import { layout } from './layout.js';
import { badge, strip } from './overview-page.js';

/** One monitor: its definition, then each recent run step by step, with the failing answer. */
export function monitorPage(monitor: MonitorSummary, history: RunView[], now: number): Html {
  const body = html`<h2>${monitor.name} ${badge(monitor.state)}</h2>
${monitor.description ? html`<p>${monitor.description}</p>` : ''}
<p class="muted">Schedule <code>${monitor.schedule}</code> (${monitor.timezone})${monitor.nextRun ? html`, next run ${monitor.nextRun}` : ''}${monitor.skippedRuns > 0 ? html`, ${monitor.skippedRuns} ticks skipped while a run was still going` : ''}.</p>
${strip(monitor.recent)}
${history.length === 0 ? html`<p>No run yet.</p>` : history.map((run) => runSection(run, now))}`;
  return layout(monitor.name, body);
}

function runSection(run: RunView, now: number): Html {
  return html`<section aria-label="${`run at ${run.startedAt}`}">
<h3>${badge(run.passed ? 'passed' : 'failed')} ${run.startedAt} <span class="muted">(${ago(run.startedAt, now)}, ${ms(run.durationMs)}${run.attempts > 1 ? `, ${run.attempts} attempts` : ''})</span></h3>
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
${run.steps.filter((step) => step.response).map((step) => html`<details open><summary>What the API answered to <strong>${step.name}</strong></summary>
<pre>HTTP ${step.response?.status}
${Object.entries(step.response?.headers ?? {}).map(([name, value]) => `${name}: ${value}\n`)}
${step.response?.body}${step.response?.truncated ? '\n… (first 4 KiB)' : ''}</pre></details>`)}
</section>`;
}
