import type { FileValues } from '../core/monitor.js';
import { envValue } from './template.js';
import type { Reference } from './template.js';

/**
 * The value of an `env.` or `file.` reference as the monitor was loaded: the environment first,
 * then the file `NAME_FILE` named; a `file.` path's content. `custom.` values only exist in a run.
 */
export function loadedValue(ref: Reference, env: NodeJS.ProcessEnv, files: FileValues | undefined): string | undefined {
  if (ref.namespace === 'env') return envValue(env, ref.name) ?? files?.envFile(ref.name);
  if (ref.namespace === 'file') return files?.file(ref.name);
  return undefined;
}

/** Whether a reference's value came from a file: `file.` always, `env.` when only NAME_FILE gave it. Such values are secrets. */
export function comesFromFile(ref: Reference, env: NodeJS.ProcessEnv): boolean {
  return ref.namespace === 'file' || (ref.namespace === 'env' && envValue(env, ref.name) === undefined);
}
