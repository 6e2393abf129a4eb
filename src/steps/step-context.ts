import type { FileValues } from '../core/monitor.js';
import type { Redactor } from '../redaction/redactor.js';
import { comesFromFile, loadedValue } from '../templating/loaded-values.js';
import type { Resolve } from '../templating/template.js';
import { isSecretReference } from '../templating/secret-references.js';
import type { OAuth2Services } from '../oauth2/oauth2-services.js';

export type { OAuth2Services };

/** What a step may read and write during one run. */
export interface StepContext {
  /** `custom.*` values extracted by earlier steps of this run. */
  readonly custom: Map<string, string>;
  readonly env: NodeJS.ProcessEnv;
  /** What the monitor's templates read from files when it was loaded. */
  readonly fileValues?: FileValues;
  /** The run's secret set: a secret is registered here the moment it is created or inserted. */
  readonly redactor: Redactor;
  /** performance.now() value at which the run's budget runs out. */
  readonly deadline: number;
  readonly runTimeoutMs: number;
  readonly monitor: string;
  readonly oauth2?: OAuth2Services;
  /** Called when a step gets a 401: reused tokens of this run are dropped, so the next run fetches new ones. */
  readonly onUnauthorized: Array<() => void>;
}

/**
 * Looks up template values for this run. This is the one place where an inserted value becomes
 * a secret by where it comes from (a secret env name, a `file.` value, or an env value read from NAME_FILE): registered as it is inserted, so
 * only what a monitor actually uses is ever redacted.
 */
export function resolverFor(context: StepContext): Resolve {
  return (ref) => {
    const value = ref.namespace === 'custom' ? context.custom.get(ref.name) : loadedValue(ref, context.env, context.fileValues);
    if (value !== undefined && (isSecretReference(ref) || comesFromFile(ref, context.env))) context.redactor.add(value);
    return value;
  };
}
