import { EVENT_ID, SCALAR_STYLE, getScalarValue, parseEvents } from 'js-yaml';
import type { Event, ScalarEvent } from 'js-yaml';
import { Schema, isScalar } from 'yaml';
import type { ScalarTag } from 'yaml';
import { MAX_YAML_DEPTH } from './yaml-source.js';

/** A document read by the fast path: its value, and where its top-level `name` value starts. */
export interface FastDocument {
  value: unknown;
  name?: { line: number; col: number };
}

/**
 * The fast path of loading (issue 13): js-yaml's event parser reads a file about three times
 * faster than `yaml`, which builds a node tree with positions for every value. Positions are
 * only needed when a file has a problem, so a file is read here first and compiled; only a file
 * with a problem (or anything this reader does not take) is read again by yaml-source.ts.
 *
 * Only plain YAML is taken: documents that are maps, with string keys, lists and scalars. Anchors, aliases, tags,
 * directives, merge keys, keys that are not strings, duplicate keys, a byte-order mark, tabs,
 * nesting past the limit, or anything js-yaml refuses: undefined, and `yaml` decides. Plain scalars are
 * resolved by `yaml`'s own core-schema tags, so both paths give the same values.
 */
export function parseFast(text: string): FastDocument[] | undefined {
  // yaml refuses tabs as indentation where js-yaml takes them; a monitor file rarely has a tab at all.
  if (/\uFEFF|\r(?!\n)|\t/.test(text)) return undefined;
  // An indented `---` or `...` is a document marker to js-yaml and text to yaml (which then refuses
  // `  ---\nname: x` as a key over two lines): never in a monitor, so yaml decides.
  if (/^ +(?:---|\.\.\.)(?:\s|$)/m.test(text)) return undefined;
  // A block scalar with an explicit indentation indicator (`|1`, `>-2`) or that keeps its trailing
  // lines (`|+`): js-yaml and yaml disagree on whitespace-only lines there (found by the property
  // test); rare in a monitor, so yaml decides.
  if (/[|>](?:[+-]?[1-9]|[1-9]?\+)/.test(text)) return undefined;
  let events: Event[];
  try {
    events = parseEvents(text, { maxDepth: MAX_YAML_DEPTH });
  } catch {
    return undefined;
  }
  const documents: FastDocument[] = [];
  const stack: Frame[] = [];
  for (const event of events) {
    if (event.type === EVENT_ID.POP) {
      const frame = stack.pop();
      if (frame?.kind !== 'document' || frame.value === null || frame.value === undefined) continue;
      // A monitor is a map; a document that is anything else has a problem, and yaml says which.
      if (typeof frame.value !== 'object' || Array.isArray(frame.value)) return undefined;
      documents.push({ value: frame.value, ...(frame.name ? { name: frame.name } : {}) });
      continue;
    }
    if (event.type === EVENT_ID.DOCUMENT) {
      if (event.directives.length > 0) return undefined;
      stack.push({ kind: 'document', value: undefined });
      continue;
    }
    if (event.type === EVENT_ID.ALIAS || event.anchorStart !== -1 || event.tagStart !== -1) return undefined;
    // Depth as yaml-source.ts counts it: the root is 1, and a scalar is a level too.
    if (stack.length > MAX_YAML_DEPTH) return undefined;
    if (event.type === EVENT_ID.SCALAR) {
      const value = scalarValue(text, event);
      if (!place(stack, value, text, event)) return undefined;
      continue;
    }
    const frame: Frame = event.type === EVENT_ID.MAPPING ? { kind: 'map', value: {} } : { kind: 'seq', value: [] };
    if (!place(stack, frame.value, text, undefined)) return undefined;
    stack.push(frame);
  }
  return documents.length > 0 ? documents : undefined;
}

type Frame =
  | { kind: 'document'; value: unknown; name?: { line: number; col: number } }
  | { kind: 'seq'; value: unknown[] }
  /** `key` is set between a key and its value; `nameNext` when that key is the document's top-level `name`. */
  | { kind: 'map'; value: Record<string, unknown>; key?: string; nameNext?: boolean };

/** Adds a value to the collection being read; false when the file needs the full parser. */
function place(stack: Frame[], value: unknown, text: string, scalar: ScalarEvent | undefined): boolean {
  const parent = stack[stack.length - 1];
  if (!parent) return false;
  if (parent.kind === 'document') {
    parent.value = value;
    return true;
  }
  if (parent.kind === 'seq') {
    parent.value.push(value);
    return true;
  }
  if (parent.key === undefined) {
    if (typeof value !== 'string' || value === '<<' || Object.hasOwn(parent.value, value)) return false;
    parent.key = value;
    parent.nameNext = value === 'name' && stack.length === 2;
    return true;
  }
  // Only a name that can be valid needs its position: any other document has a problem, and is read again by yaml.
  if (parent.nameNext && typeof value === 'string' && value !== '') {
    const document = stack[0] as Extract<Frame, { kind: 'document' }>;
    const position = scalar && scalarStart(text, scalar);
    if (position === undefined) return false;
    document.name = lineAndColumn(text, position);
  }
  // As yaml's toJS sets a key: a name the object already has (`__proto__`, `toString`) becomes an own property.
  if (parent.key in parent.value) Object.defineProperty(parent.value, parent.key, { value, writable: true, enumerable: true, configurable: true });
  else parent.value[parent.key] = value;
  parent.key = undefined;
  parent.nameNext = false;
  return true;
}

const CORE_TAGS = new Schema({ schema: 'core' }).tags.filter((tag): tag is ScalarTag => 'test' in tag && tag.test instanceof RegExp && tag.default === true);
const RESOLVE_OPTIONS = { intAsBigInt: false } as Parameters<NonNullable<ScalarTag['resolve']>>[2];

/** A scalar as `yaml` reads it: quoted and block scalars are strings, a plain one is resolved by the core schema's tags. */
function scalarValue(text: string, event: ScalarEvent): unknown {
  const source = getScalarValue(text, event);
  if (event.style !== SCALAR_STYLE.PLAIN) return source;
  const tag = CORE_TAGS.find((candidate) => candidate.test?.test(source));
  if (!tag) return source;
  const resolved = tag.resolve(source, () => undefined, RESOLVE_OPTIONS);
  return isScalar(resolved) ? resolved.value : resolved;
}

/** Where `yaml` says a scalar starts: at its opening quote when it has one. Block scalars are left to `yaml`. */
function scalarStart(text: string, event: ScalarEvent): number | undefined {
  if (event.style === SCALAR_STYLE.PLAIN) return event.valueStart;
  const quote = event.style === SCALAR_STYLE.DOUBLE_QUOTED ? '"' : event.style === SCALAR_STYLE.SINGLE_QUOTED ? "'" : undefined;
  return quote !== undefined && text[event.valueStart - 1] === quote ? event.valueStart - 1 : undefined;
}

/** 1-based line and column of an offset, as yaml's LineCounter gives them (lines end at '\n'). */
function lineAndColumn(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) {
    line++;
    lineStart = at + 1;
  }
  return { line, col: offset - lineStart + 1 };
}
