import { LineCounter, isMap, isPair, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Document, Node } from 'yaml';
import type { Diagnostic } from './diagnostics.js';

export type Path = ReadonlyArray<string | number>;

/** Aliases past this count are refused: a "billion laughs" file must not eat the daemon's memory. */
const MAX_ALIAS_COUNT = 100;

/** One YAML document of a monitor file, with what is needed to point back into the text. */
export interface SourceDocument {
  file: string;
  text: string;
  document: Document;
  lineCounter: LineCounter;
  value: unknown;
}

export interface ParsedFile {
  documents: SourceDocument[];
  diagnostics: Diagnostic[];
}

export function parseYamlFile(file: string, text: string): ParsedFile {
  const lineCounter = new LineCounter();
  const documents: SourceDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  const at = (offset: number) => ({ file, ...lineCounter.linePos(offset) });
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  for (const document of Array.isArray(parsed) ? parsed : []) {
    if (document.errors.length > 0) {
      for (const error of document.errors) {
        diagnostics.push({ ...at(error.pos[0]), message: `YAML syntax: ${firstLine(error.message)}` });
      }
      continue;
    }
    if (document.contents === null) continue; // an empty document, e.g. after a trailing ---
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

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** The YAML node at `path`, or the deepest one that exists on the way (so a missing key points at its parent). */
export function nodeAt(source: SourceDocument, path: Path, wantKey = false): Node | undefined {
  let node = source.document.contents as Node | null;
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

/** A diagnostic at `path`, placed as `options` say. */
export function diagnosticAt(source: SourceDocument, path: Path, message: string, options: Placement = {}): Diagnostic {
  const node = nodeAt(source, path, options.key);
  let offset = node?.range?.[0] ?? source.document.contents?.range?.[0] ?? 0;
  if (options.needle && node?.range) {
    const found = source.text.indexOf(options.needle, node.range[0]);
    if (found >= 0 && found < node.range[1]) offset = found + Math.min(options.within ?? 0, options.needle.length);
  }
  return { file: source.file, ...source.lineCounter.linePos(offset), message };
}
