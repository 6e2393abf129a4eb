import type { Reference } from './template.js';

/** The contract's secret env names: SECRET, TOKEN, PASSWORD, PASSWD or KEY, in any case. */
const SECRET_ENV_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|KEY/i;

export function isSecretEnvName(name: string): boolean {
  return SECRET_ENV_NAME.test(name);
}

/**
 * Whether the value a reference inserts is a secret by its name alone: an `env.` name that
 * matches the pattern, or any `file.` path (file contents are always secret). Values of
 * `custom.` names are secret when their extraction says so; the extraction registers them itself.
 */
export function isSecretReference(ref: Reference): boolean {
  return ref.namespace === 'file' || (ref.namespace === 'env' && isSecretEnvName(ref.name));
}
