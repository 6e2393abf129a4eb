import type { FastifyInstance } from 'fastify';
import type { MetricsSource } from '../../metrics/metrics-observer.js';

export function metricsRoutes(app: FastifyInstance, metrics: MetricsSource): void {
  app.get('/metrics', async (_request, reply) => {
    const body = await metrics.render();
    return reply.type(metrics.contentType).send(body);
  });
}
