import { createHash, timingSafeEqual } from 'node:crypto';
import type { RunResult } from '../../core/results.js';
import type { FastifyInstance } from 'fastify';
import type { RunHistory } from '../../status/run-history.js';
import type { ManualRefusal } from '../../schedule/tick-gate.js';
import type { ApiErrorCode } from '../errors.js';
import { renderJson } from '../../report/json-report.js';
import { sendError } from '../errors.js';
import { incidents } from '../../status/history-insights.js';
import { runView, summarize } from '../monitor-views.js';
import type { MonitorDirectory, RunControl } from '../monitor-views.js';

export interface ApiDeps {
  monitors: MonitorDirectory;
  status: RunHistory;
  control: RunControl;
  /** The bearer token that guards POST .../run; the endpoint is off while it is unset. */
  apiToken?: string;
}

const REFUSALS: Record<ManualRefusal, ApiErrorCode> = {
  in_progress: 'RUN_IN_PROGRESS',
  shutting_down: 'SHUTTING_DOWN',
  database_unavailable: 'DATABASE_UNAVAILABLE',
  not_in_location: 'NOT_IN_LOCATION',
};

/** Compares in constant time; hashing first makes the lengths equal, so length leaks nothing either. */
function tokenMatches(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The JSON API: read-only, except the guarded run endpoint. */
export function apiRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/api/monitors', async () => ({
    monitors: deps.monitors.monitors().map((monitor) => summarize(monitor, deps.status, deps.control)),
    invalid: deps.monitors.invalid(),
  }));

  app.get<{ Params: { name: string } }>('/api/monitors/:name', async (request, reply) => {
    const monitor = deps.monitors.get(request.params.name);
    if (!monitor) return sendError(reply, 'MONITOR_NOT_FOUND', request.params.name);
    return { ...summarize(monitor, deps.status, deps.control), history: deps.status.recent(monitor.name).map(runView) };
  });

  app.get<{ Params: { name: string } }>('/api/monitors/:name/incidents', async (request, reply) => {
    const monitor = deps.monitors.get(request.params.name);
    if (!monitor) return sendError(reply, 'MONITOR_NOT_FOUND', request.params.name);
    return { monitor: monitor.name, incidents: incidents(deps.status.recent(monitor.name), Date.now()) };
  });

  app.post<{ Params: { name: string } }>('/api/monitors/:name/run', async (request, reply) => {
    if (!deps.apiToken) return sendError(reply, 'RUN_DISABLED');
    const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (given === undefined || !tokenMatches(given, deps.apiToken)) return sendError(reply, 'UNAUTHORIZED');
    const monitor = deps.monitors.get(request.params.name);
    if (!monitor) return sendError(reply, 'MONITOR_NOT_FOUND', request.params.name);
    if (!monitor.enabled) return sendError(reply, 'MONITOR_DISABLED', monitor.name);
    let run: Promise<RunResult | undefined> | undefined;
    if (deps.control.requestRun) {
      const outcome = await deps.control.requestRun(monitor.name);
      if ('refused' in outcome) return sendError(reply, REFUSALS[outcome.refused], monitor.name);
      run = outcome.run;
    } else {
      run = deps.control.trigger(monitor.name);
      if (!run) return sendError(reply, deps.control.isStopped() ? 'SHUTTING_DOWN' : 'RUN_IN_PROGRESS', monitor.name);
    }
    const result = await run;
    if (!result) throw new Error(`the run of ${monitor.name} failed inside stepwatch; see the logs`);
    return reply.type('application/json; charset=utf-8').send(renderJson([result]));
  });
}
