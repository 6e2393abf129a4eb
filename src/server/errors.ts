import type { FastifyReply } from 'fastify';

/** Every error the HTTP API answers, with its stable code and status, in one place. */
export const API_ERRORS = {
  MONITOR_NOT_FOUND: { status: 404, message: (name: string) => `no monitor named '${name}'` },
  RUN_DISABLED: { status: 403, message: () => 'running monitors over the API is disabled: set STEPWATCH_API_TOKEN to enable it' },
  UNAUTHORIZED: { status: 401, message: () => 'missing or wrong bearer token' },
  RUN_IN_PROGRESS: { status: 409, message: (name: string) => `a run of '${name}' is already in progress` },
  MONITOR_DISABLED: { status: 409, message: (name: string) => `monitor '${name}' is disabled` },
  // 503, not 409: nothing is wrong with the request or the monitor; another instance (or this one after its restart) can run it.
  SHUTTING_DOWN: { status: 503, message: () => 'stepwatch is shutting down and starts no new runs; retry once it is back' },
  // Cluster mode: the instance cannot claim the run in the database; another instance may.
  DATABASE_UNAVAILABLE: { status: 503, message: () => 'the cluster database cannot be reached from this instance; retry, or ask another instance' },
  NOT_IN_LOCATION: { status: 409, message: (name: string) => `monitor '${name}' does not run in this instance's location (its locations field)` },
  NOT_FOUND: { status: 404, message: (path: string) => `nothing at ${path}` },
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export function sendError(reply: FastifyReply, code: ApiErrorCode, detail = ''): FastifyReply {
  const error = API_ERRORS[code];
  return reply.code(error.status).type('application/json; charset=utf-8').send({ error: { code, message: error.message(detail) } });
}
