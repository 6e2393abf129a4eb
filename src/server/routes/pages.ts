import type { FastifyInstance } from 'fastify';
import { sendError } from '../errors.js';
import { overviewOf, runView, summarize } from '../monitor-views.js';
import type { ApiDeps } from './api.js';
import { monitorPage } from '../views/monitor-page.js';
import { overviewPage } from '../views/overview-page.js';
import { incidents } from '../../status/history-insights.js';

/** The status page: server-rendered HTML, no scripts, refreshing itself. */
export function pageRoutes(app: FastifyInstance, deps: Omit<ApiDeps, 'apiToken'>): void {
  app.get<{ Querystring: { page?: string } }>('/', async (request, reply) => {
    const now = Date.now();
    const page = Number.parseInt(request.query.page ?? '1', 10);
    const overview = overviewOf(deps.monitors.monitors(), deps, Number.isSafeInteger(page) ? page : 1, now);
    return reply.type('text/html; charset=utf-8').send(overviewPage(overview, deps.monitors.invalid(), now).text);
  });
  app.get<{ Params: { name: string } }>('/monitors/:name', async (request, reply) => {
    const monitor = deps.monitors.get(request.params.name);
    if (!monitor) return sendError(reply, 'MONITOR_NOT_FOUND', request.params.name);
    const now = Date.now();
    const kept = deps.status.recent(monitor.name);
    const steps = monitor.steps.map((step) => step.name);
    const page = monitorPage(summarize(monitor, deps, now), steps, kept.map(runView), incidents(kept, now), now);
    return reply.type('text/html; charset=utf-8').send(page.text);
  });
}
