import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { MetricsSource } from '../metrics/metrics-observer.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { apiRoutes } from './routes/api.js';
import type { ApiDeps } from './routes/api.js';
import { pageRoutes } from './routes/pages.js';
import { sendError } from './errors.js';

export interface AppDeps {
  metrics: MetricsSource;
  isReady: () => boolean;
  /** Cluster mode: why the instance is not ready although loaded (the database is away). */
  notReady?: () => string | undefined;
  /** The monitors, their recent runs and the run control, for the JSON API and the status page. */
  views?: ApiDeps;
}

/** Builds the HTTP app from its dependencies; listening is the caller's business. */
export function buildApp(deps: AppDeps): FastifyInstance {
  // Requests are not logged: scrapes every few seconds would drown the run logs.
  const app = Fastify({ logger: false });
  healthRoutes(app, deps.isReady, deps.notReady);
  metricsRoutes(app, deps.metrics);
  if (deps.views) {
    apiRoutes(app, deps.views);
    pageRoutes(app, deps.views);
  }
  app.setNotFoundHandler((request, reply) => sendError(reply, 'NOT_FOUND', request.url.split('?')[0]));
  return app;
}
