import type { FastifyInstance } from 'fastify';

/**
 * Liveness is the process answering; readiness is the monitors having been loaded once and, in
 * cluster mode, the database answering (`notReady` gives the reason while it does not).
 */
export function healthRoutes(app: FastifyInstance, isReady: () => boolean, notReady: () => string | undefined = () => undefined): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (!isReady()) return reply.code(503).send({ status: 'loading' });
    const reason = notReady();
    if (reason !== undefined) return reply.code(503).send({ status: 'database_unavailable', reason });
    return { status: 'ready' };
  });
}
