import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { MetricsSource } from '../metrics/metrics-observer.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';

export interface AppDeps {
  metrics: MetricsSource;
  isReady: () => boolean;
}

/** Builds the HTTP app from its dependencies; listening is the caller's business. */
export function buildApp(deps: AppDeps): FastifyInstance {
  // Requests are not logged: scrapes every few seconds would drown the run logs.
  const app = Fastify({ logger: false });
  healthRoutes(app, deps.isReady);
  metricsRoutes(app, deps.metrics);
  return app;
}
