import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Document, Node } from 'yaml';
import type { Diagnostic } from './diagnostics.js';

export type Path = ReadonlyArray<string | number>;

/** Aliases past this count are refused: a "billion laughs" file must not eat the daemon's memory. */
const MAX_ALIAS_COUNT = 100;
/** Nesting past this is refused: a monitor needs a dozen levels, and deeper ones overflow the stack in the parser or later. */
export const MAX_YAML_DEPTH = 100;
const TOO_DEEP = `YAML nests too deeply in the document starting here; stepwatch reads at most ${MAX_YAML_DEPTH} levels`;
/** Tags whose values are plain maps, lists and scalars; others (!!set, !!omap, !!binary...) would be silently dropped by the schema. */
const PLAIN_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((name) => `tag:yaml.org,2002:${name}`));

/**
 * One YAML document of a monitor file, with what is needed to point back into the text. A
 * document read by the fast path (fast-yaml.ts) has no node tree: only where its name starts.
 */
export interface SourceDocument {
  file: string;
  text: string;
  document?: Document;
  lineCounter?: LineCounter;
  /** Where the top-level `name` value starts, from the fast path. */
  namePosition?: { line: number; col: number };
  value: unknown;
}

export interface ParsedFile {
  documents: SourceDocument[];
  diagnostics: Diagnostic[];
}

export function parseYamlFile(file: string, source: string): ParsedFile {
  let text = source;
  const lineCounter = new LineCounter();
  const documents: SourceDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  const at = (offset: number) => ({ file, ...lineCounter.linePos(offset) });
  // A byte-order mark is invisible in editors; columns on line 1 count without it.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  for (const document of Array.isArray(parsed) ? parsed : []) {
    if (document.errors.length > 0) {
      for (const error of document.errors) {
        // The parser ran out of stack: where it did depends on the stack, so the document's start is named.
        if (/Maximum call stack size exceeded/.test(error.message)) {
          diagnostics.push({ ...at(document.range[0]), message: TOO_DEEP });
          break;
        }
        diagnostics.push({ ...at(error.pos[0]), message: `YAML syntax: ${firstLine(error.message)}` });
      }
      continue;
    }
    if (document.contents === null) continue; // an empty document, e.g. after a trailing ---
    const shape = shapeProblem(document.contents as Node);
    if (shape) {
      diagnostics.push({ ...at(shape.offset ?? document.range[0]), message: shape.message });
      continue;
    }
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      diagnostics.push({
        ...at(document.contents.range?.[0] ?? 0),
        message: `YAML refused: ${firstLine((error as Error).message)} (at most ${MAX_ALIAS_COUNT} alias expansions)`,
      });
      continue;
    }
    if (value === null || value === undefined) continue; // an empty document, e.g. after a trailing ---
    documents.push({ file, text, document, lineCounter, value });
  }
  return { documents, diagnostics };
}

/**
 * The first node nested deeper than MAX_YAML_DEPTH, or with a tag the loader cannot honour.
 * Walked without recursion, so the walk itself cannot overflow.
 */
function shapeProblem(root: Node): { offset?: number; message: string } | undefined {
  const stack: Array<[Node, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [Node, number];
    const offset = node.range?.[0] ?? 0;
    // Said at the document's start, as when the parser itself runs out of stack (which happens
    // at a depth that depends on the stack), so the same file always gets the same message.
    if (depth > MAX_YAML_DEPTH) return { message: TOO_DEEP };
    if (node.tag && !PLAIN_TAGS.has(node.tag) && !isAlias(node)) {
      const shown = node.tag.replace('tag:yaml.org,2002:', '!!');
      return { offset, message: `YAML tag ${shown} is not supported; write a plain map, list or value (without the tag)` };
    }
    if (isMap(node) || isSeq(node)) {
      for (const item of node.items) {
        if (isPair(item)) {
          if (item.key && typeof item.key === 'object') stack.push([item.key as Node, depth + 1]);
          if (item.value && typeof item.value === 'object') stack.push([item.value as Node, depth + 1]);
        } else if (item && typeof item === 'object') stack.push([item as Node, depth + 1]);
      }
    }
  }
  return undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** The YAML node at `path`, or the deepest one that exists on the way (so a missing key points at its parent). */
export function nodeAt(source: SourceDocument, path: Path, wantKey = false): Node | undefined {
  let node = (source.document?.contents ?? null) as Node | null;
  for (let i = 0; i < path.length && node; i++) {
    const segment = path[i];
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) return node;
      const last = i === path.length - 1;
      node = (last && wantKey ? pair.key : pair.value) as Node | null;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)];
      if (!item) return node;
      node = item as Node;
    } else {
      return node;
    }
  }
  return node ?? undefined;
}

/** Where a diagnostic points: a key instead of its value; `needle` narrows it to where that text stands inside the node, `within` further into the needle. */
export interface Placement {
  key?: boolean;
  needle?: string;
  within?: number;
}

/**
 * A diagnostic at `path`, placed as `options` say. Without a node tree (the fast path) it has no
 * place (line 0): a document with a problem is read again with positions before anyone sees it.
 */
export function diagnosticAt(source: SourceDocument, path: Path, message: string, options: Placement = {}): Diagnostic {
  if (!source.document || !source.lineCounter) return { file: source.file, line: 0, col: 0, message };
  const node = nodeAt(source, path, options.key);
  let offset = node?.range?.[0] ?? source.document.contents?.range?.[0] ?? 0;
  if (options.needle && node?.range) {
    const found = source.text.indexOf(options.needle, node.range[0]);
    if (found >= 0 && found < node.range[1]) offset = found + Math.min(options.within ?? 0, options.needle.length);
  }
  return { file: source.file, ...source.lineCounter.linePos(offset), message };
}
