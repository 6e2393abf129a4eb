import zlib from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import type { MetricsSource } from '../../metrics/metrics-observer.js';

/**
 * The exposition is kept compressed, so a scraper that asks for gzip (Prometheus does) gets the
 * bytes as they are; any other gets them inflated as they are sent.
 */
export function metricsRoutes(app: FastifyInstance, metrics: MetricsSource): void {
  app.get('/metrics', async (request, reply) => {
    const body = await metrics.scrape();
    reply.type(metrics.contentType).header('vary', 'accept-encoding');
    if (acceptsGzip(request.headers['accept-encoding'])) return reply.header('content-encoding', 'gzip').send(body);
    return reply.send(zlib.createGunzip({ chunkSize: 256 * 1024 }).end(body));
  });
}

/** Whether an Accept-Encoding header allows gzip (RFC 9110 §12.5.3): named, or `*`, with a weight above 0. */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let gzip: number | undefined;
  let any: number | undefined;
  for (const part of header.split(',')) {
    const [coding = '', ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const q = params.find((param) => param.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (coding === 'gzip' || coding === 'x-gzip') gzip = weight;
    else if (coding === '*') any = weight;
  }
  const weight = gzip ?? any ?? 0;
  return weight > 0;
}
