import type { Logger } from 'pino';
import { describe } from './database.js';

/**
 * Whether this instance can prove it holds its claims: the database answered its last heartbeat
 * and claims. While it cannot, the instance claims nothing and runs no tick (it could not know
 * that another instance did not claim it), says so once in the log, in /readyz and in
 * stepwatch_cluster_database_up, and resumes when a heartbeat gets through.
 */
export class DatabaseHealth {
  private problem: string | undefined;

  constructor(private readonly logger: Logger) {}

  get up(): boolean {
    return this.problem === undefined;
  }

  /** Why the instance is not claiming; undefined while the database answers. */
  get reason(): string | undefined {
    return this.problem;
  }

  failed(error: unknown): void {
    const wasUp = this.up;
    this.problem = `cluster database unreachable: ${describe(error)}`;
    if (wasUp) this.logger.error({ reason: this.problem }, 'lost the cluster database; this instance claims and runs no ticks until it is back');
  }

  answered(): void {
    if (this.up) return;
    this.problem = undefined;
    this.logger.info('cluster database reachable again; claiming ticks resumes');
  }
}
