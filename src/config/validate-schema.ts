import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import type { Diagnostic } from './diagnostics.js';
import { didYouMean } from './diagnostics.js';
import { MONITOR_NAME_PATTERN, monitorJsonSchema } from './schema.js';
import type { RawMonitor } from './schema.js';
import { diagnosticAt } from './yaml-source.js';
import type { Path, SourceDocument } from './yaml-source.js';

interface SchemaNode {
  type?: string;
  properties?: Record<string, unknown>;
  anyOf?: SchemaNode[];
  'x-expected'?: string;
  pattern?: string;
}

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const validate = ajv.compile<RawMonitor>(monitorJsonSchema());

/** Checks a document against the monitor schema; every problem becomes a positioned, readable diagnostic. */
export function validateSchema(source: SourceDocument): { monitor?: RawMonitor; diagnostics: Diagnostic[] } {
  if (validate(source.value)) return { monitor: source.value, diagnostics: [] };
  const errors = relevantErrors(validate.errors ?? [], source.value);
  const diagnostics = errors.map((error) => toDiagnostic(error, source));
  // A value such as .nan breaks several rules at once; it is said once.
  const said = new Set<string>();
  return { diagnostics: diagnostics.filter((d) => !said.has(`${d.line}:${d.col}:${d.message}`) && said.add(`${d.line}:${d.col}:${d.message}`)) };
}

function pathOf(pointer: string): Path {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function valueAt(root: unknown, path: Path): unknown {
  let value = root;
  for (const segment of path) value = (value as Record<string | number, unknown> | undefined)?.[segment];
  return value;
}

function matchesType(schema: SchemaNode, value: unknown): boolean {
  switch (schema.type) {
    case undefined:
      return true;
    case 'integer':
      return Number.isInteger(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    default:
      return typeof value === schema.type;
  }
}

const STRUCTURAL = new Set(['additionalProperties', 'required', 'minProperties', 'maxProperties']);

/**
 * A union (anyOf) fails with an error per branch. Only the branch whose type fits the value says
 * something useful; when it says nothing deeper, the union's own `x-expected` sentence is shown.
 */
function relevantErrors(errors: ErrorObject[], root: unknown): ErrorObject[] {
  const dropped = new Set<ErrorObject>();
  const unions = errors.filter((e) => e.keyword === 'anyOf').sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const union of unions) {
    if (dropped.has(union)) continue;
    const prefix = `${union.schemaPath}/`;
    const value = valueAt(root, pathOf(union.instancePath));
    const branches = (union.parentSchema as SchemaNode).anyOf ?? [];
    const chosen = branches.findIndex((branch) => matchesType(branch, value));
    // Errors of the same schema at another place (the same field in another step) are not this union's.
    const within = (e: ErrorObject) => e.instancePath === union.instancePath || e.instancePath.startsWith(`${union.instancePath}/`);
    const branchErrors = errors.filter((e) => e.schemaPath.startsWith(prefix) && within(e));
    const useful = branchErrors.filter(
      (e) =>
        chosen >= 0 &&
        e.schemaPath.startsWith(`${prefix}${chosen}/`) &&
        (e.instancePath !== union.instancePath || STRUCTURAL.has(e.keyword)),
    );
    for (const e of branchErrors) if (!useful.includes(e)) dropped.add(e);
    if (useful.length > 0) dropped.add(union);
  }
  const kept = errors.filter((e) => !dropped.has(e));
  // One message per place and kind is enough.
  const seen = new Set<string>();
  return kept.filter((e) => {
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function where(path: Path): string {
  if (path.length === 0) return 'the monitor';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? '.nan' : value > 0 ? '.inf' : '-.inf';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function toDiagnostic(error: ErrorObject, source: SourceDocument): Diagnostic {
  const path = pathOf(error.instancePath);
  const schema = error.parentSchema as SchemaNode;
  const value = valueAt(source.value, path);
  const at = where(path);
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return diagnosticAt(source, path, `${at} must be a finite number, got ${typeName(value)}`);
  }
  switch (error.keyword) {
    case 'additionalProperties': {
      const field = String(error.params.additionalProperty);
      const allowed = Object.keys(schema.properties ?? {});
      return diagnosticAt(
        source,
        [...path, field],
        `unknown field '${field}' in ${at}${didYouMean(field, allowed)} (allowed: ${allowed.join(', ')})`,
        { key: true },
      );
    }
    case 'required':
      return diagnosticAt(source, path, `${at} is missing the required field '${String(error.params.missingProperty)}'`);
    case 'minProperties':
      return diagnosticAt(source, path, `${at} is empty; give it one of: ${Object.keys(schema.properties ?? {}).join(', ')}`);
    case 'maxProperties':
      return diagnosticAt(source, path, `${at} takes only one of: ${Object.keys(schema.properties ?? {}).join(', ')}`);
    case 'anyOf':
      return diagnosticAt(source, path, `${at} must be ${schema['x-expected'] ?? 'of another type'}, got ${typeName(value)}`);
    case 'pattern':
      if (schema.pattern === MONITOR_NAME_PATTERN) {
        return diagnosticAt(
          source,
          path,
          `monitor name ${JSON.stringify(value)} must be lowercase letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. ${suggestName(String(value))})`,
        );
      }
      return diagnosticAt(source, path, `${at} must match ${schema.pattern ?? String(error.params.pattern)}, got ${typeName(value)}`);
    case 'enum':
    case 'const':
      return diagnosticAt(source, path, `${at} must be one of ${JSON.stringify(error.params.allowedValues ?? error.params.allowedValue)}, got ${typeName(value)}`);
    case 'type':
      return diagnosticAt(source, path, `${at} must be ${article(String(error.params.type))}, got ${typeName(value)}`);
    default:
      return diagnosticAt(source, path, `${at} ${error.message ?? 'is not valid'}`);
  }
}

function article(type: string): string {
  const words: Record<string, string> = { object: 'a map', array: 'a list', integer: 'a whole number', number: 'a number', string: 'a string', boolean: 'true or false' };
  return words[type] ?? type;
}

function suggestName(name: string): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^[^a-z0-9]+/, '');
  return cleaned || 'my-monitor';
}
