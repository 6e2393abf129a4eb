/**
 * `<< ns.name >>` templates: parsed once at load time, rendered per run. A rendered value is
 * inserted as-is and never scanned again, so a value that itself contains `<<...>>` stays literal.
 */
export const NAMESPACES = ['env', 'custom', 'file'] as const;
export type Namespace = (typeof NAMESPACES)[number];

export interface Reference {
  namespace: Namespace;
  name: string;
  /** The template's text as written, e.g. `<< custom.token >>`, to locate it in the source. */
  raw: string;
}

export type TemplatePart = string | Reference;

/** A string with its references split out; a plain string is one literal part. */
export interface Template {
  parts: TemplatePart[];
}

/** A JSON value whose strings are templates (request `json` bodies, expected values). */
export type JsonTemplate =
  | Template
  | number
  | boolean
  | null
  | JsonTemplate[]
  | { [key: string]: JsonTemplate };

export interface TemplateProblem {
  raw: string;
  message: string;
}

const TEMPLATE_RE = /<<([^<>]*)>>/g;
const INNER_RE = /^\s*([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_.-]*)\s*$/;
/** A `file.` name is a path: relative (to the monitor file) or absolute, without spaces. */
const FILE_RE = /^\s*file\.([^\s<>]+)\s*$/;

export function parseTemplate(text: string): { template: Template; problems: TemplateProblem[] } {
  const parts: TemplatePart[] = [];
  const problems: TemplateProblem[] = [];
  let last = 0;
  for (const match of text.matchAll(TEMPLATE_RE)) {
    const raw = match[0];
    const file = FILE_RE.exec(match[1] ?? '');
    const inner = file ? [file[0], 'file', file[1]] : INNER_RE.exec(match[1] ?? '');
    const start = match.index ?? 0;
    if (start > last) parts.push(text.slice(last, start));
    last = start + raw.length;
    if (!inner) {
      problems.push({ raw, message: `template ${raw} is not of the form << env.NAME >>, << custom.name >> or << file.path >>` });
      parts.push(raw);
      continue;
    }
    const [, namespace = '', name = ''] = inner;
    if (!isNamespace(namespace)) {
      problems.push({
        raw,
        message: `unknown template namespace '${namespace}' in ${raw}; use env.NAME, custom.name or file.path`,
      });
      parts.push(raw);
      continue;
    }
    parts.push({ namespace, name, raw });
  }
  if (last < text.length) parts.push(text.slice(last));
  return { template: { parts }, problems };
}

function isNamespace(value: string): value is Namespace {
  return (NAMESPACES as readonly string[]).includes(value);
}

export function isTemplate(value: unknown): value is Template {
  return typeof value === 'object' && value !== null && 'parts' in value && Array.isArray((value as Template).parts);
}

export function references(template: Template): Reference[] {
  return template.parts.filter((part): part is Reference => typeof part !== 'string');
}

/**
 * A variable of the environment, looked up as an own property only: `<<env.toString>>` or
 * `<<env.__proto__>>` must be "not set", not a function from Object.prototype (issue 12).
 */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  if (!Object.hasOwn(env, name)) return undefined;
  const value = env[name];
  return typeof value === 'string' ? value : undefined;
}

/** Looks up one reference; `undefined` means the value is missing at run time. */
export type Resolve = (ref: Reference) => string | undefined;

export class MissingValueError extends Error {
  constructor(readonly ref: Reference) {
    super(`${ref.namespace}.${ref.name} has no value`);
  }
}

/** Renders a template; every inserted value is reported to `onValue` (to feed the secret set). */
export function render(template: Template, resolve: Resolve, onValue?: (ref: Reference, value: string) => void): string {
  let out = '';
  for (const part of template.parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const value = resolve(part);
    if (value === undefined) throw new MissingValueError(part);
    onValue?.(part, value);
    out += value;
  }
  return out;
}

export function renderJson(value: JsonTemplate, resolve: Resolve, onValue?: (ref: Reference, value: string) => void): unknown {
  if (isTemplate(value)) return render(value, resolve, onValue);
  if (Array.isArray(value)) return value.map((item) => renderJson(item, resolve, onValue));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderJson(item, resolve, onValue)]));
  }
  return value;
}

export function jsonReferences(value: JsonTemplate): Reference[] {
  if (isTemplate(value)) return references(value);
  if (Array.isArray(value)) return value.flatMap(jsonReferences);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(jsonReferences);
  return [];
}
