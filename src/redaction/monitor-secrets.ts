import type { Monitor } from '../core/monitor.js';
import { isTemplate } from '../templating/template.js';
import type { Reference } from '../templating/template.js';
import { isSecretReference } from '../templating/secret-references.js';
import { MIN_SEARCHED_LENGTH } from './redactor.js';

/** The secret env values the loaded monitors use, and the names whose values are too short to search for. */
export interface UsedSecrets {
  values: string[];
  /** Names of secret env variables used with a value shorter than 8 characters (warned about once at load). */
  short: string[];
}

/**
 * The process's secret set comes from here: only variables that some monitor inserts, never
 * every secret-looking variable of the environment (CI runners and pods are full of `*_KEY=1`).
 */
export function usedEnvSecrets(monitors: readonly Monitor[], env: NodeJS.ProcessEnv): UsedSecrets {
  const names = new Set<string>();
  for (const monitor of monitors) {
    for (const step of monitor.steps) collectSecretNames([step.action, step.assertions], names);
  }
  const values: string[] = [];
  const short: string[] = [];
  for (const name of [...names].sort()) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    values.push(value);
    if (value.length < MIN_SEARCHED_LENGTH) short.push(name);
  }
  return { values, short };
}

/** Walks a compiled step's data for templates, so a field added later is covered without a list here. */
function collectSecretNames(value: unknown, names: Set<string>): void {
  if (value === null || typeof value !== 'object') return;
  if (isTemplate(value)) {
    for (const part of value.parts) if (typeof part !== 'string' && isSecretReference(part as Reference)) names.add(part.name);
    return;
  }
  for (const item of Array.isArray(value) ? value : Object.values(value)) collectSecretNames(item, names);
}

/** The message that names a variable too short to be searched for; logged once per name. */
export const SHORT_SECRET_WARNING =
  'a secret environment variable a monitor uses has a value shorter than 8 characters: it is hidden where it is inserted (a header, a query value, a form field) but not searched for in answers and messages; use a longer value';
