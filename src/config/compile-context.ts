import type { Diagnostic } from './diagnostics.js';
import { diagnosticAt } from './yaml-source.js';
import { MAX_RUN_TIMEOUT_MS } from './durations.js';
import type { Path, Placement, SourceDocument } from './yaml-source.js';
import { parseTemplate } from '../templating/template.js';
import type { JsonTemplate, Reference, Template } from '../templating/template.js';

/** A template and where it was written, so a bad reference can be pointed at later. */
export interface PlacedReference {
  ref: Reference;
  path: Path;
}

/** Collects diagnostics and template references while one document is compiled. */
export class CompileContext {
  readonly diagnostics: Diagnostic[] = [];
  readonly references: PlacedReference[] = [];
  /** The monitor's run timeout: no step may wait longer than its run. */
  runTimeoutMs = MAX_RUN_TIMEOUT_MS;

  constructor(readonly source: SourceDocument) {}

  error(path: Path, message: string, options?: Placement): void {
    this.diagnostics.push(diagnosticAt(this.source, path, message, options));
  }

  template(text: string, path: Path): Template {
    const { template, problems } = parseTemplate(text);
    for (const problem of problems) this.error(path, problem.message, { needle: problem.raw });
    for (const part of template.parts) if (typeof part !== 'string') this.references.push({ ref: part, path });
    return template;
  }

  /** Strings anywhere inside become templates; other JSON values stay as they are. */
  jsonTemplate(value: unknown, path: Path): JsonTemplate {
    if (typeof value === 'string') return this.template(value, path);
    if (Array.isArray(value)) return value.map((item, i) => this.jsonTemplate(item, [...path, i]));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.jsonTemplate(item, [...path, key])]));
    }
    return value as JsonTemplate;
  }

  /** Names stay as written: a template in a name is refused (it would be sent unrendered). */
  scalarEntries(map: Record<string, string | number | boolean> | undefined, path: Path): Array<[string, Template]> {
    return Object.entries(map ?? {}).map(([name, value]) => {
      if (name.includes('<<')) this.error([...path, name], `'${name}' is a name with a template; templates work in values only, so write the name as it is sent`, { key: true });
      return [name, this.template(String(value), [...path, name])];
    });
  }
}
