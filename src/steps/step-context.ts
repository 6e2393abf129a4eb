import type { Redactor } from '../redaction/redactor.js';
import type { Reference } from '../templating/template.js';
import type { OAuth2Services } from '../oauth2/oauth2-services.js';

export type { OAuth2Services };

/** What a step may read and write during one run. */
export interface StepContext {
  /** `custom.*` values extracted by earlier steps of this run. */
  readonly custom: Map<string, string>;
  readonly env: NodeJS.ProcessEnv;
  /** The run's secret set: steps add what they learn is secret. */
  readonly redactor: Redactor;
  /** performance.now() value at which the run's budget runs out. */
  readonly deadline: number;
  readonly runTimeoutMs: number;
  readonly monitor: string;
  readonly oauth2?: OAuth2Services;
  /** Called when a step gets a 401: reused tokens of this run are dropped, so the next run fetches new ones. */
  readonly onUnauthorized: Array<() => void>;
}

export function resolverFor(context: StepContext): (ref: Reference) => string | undefined {
  return (ref) => (ref.namespace === 'env' ? context.env[ref.name] : context.custom.get(ref.name));
}
