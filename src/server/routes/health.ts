import type { FastifyInstance } from 'fastify';

/** Liveness is the process answering; readiness is the monitors having been loaded once. */
export function healthRoutes(app: FastifyInstance, isReady: () => boolean): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (isReady()) return { status: 'ready' };
    return reply.code(503).send({ status: 'loading' });
  });
}
