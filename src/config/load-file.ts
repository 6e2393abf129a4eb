import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Monitor } from '../core/monitor.js';
import { compileMonitor } from './compile-monitor.js';
import type { Diagnostic } from './diagnostics.js';
import { parseYamlFile } from './yaml-source.js';

/** A document of a file as loaded: a monitor, or the reasons it is not one. */
export interface LoadedDocument {
  name?: string;
  monitor?: Monitor;
  /** Files its templates read; see CompiledDocument. */
  dependencies?: readonly string[];
  diagnostics: Diagnostic[];
}

export interface LoadedFile {
  file: string;
  documents: LoadedDocument[];
}

/** Files bigger than this are refused before parsing: a monitor file is a few kilobytes. */
const MAX_FILE_BYTES = 1024 * 1024;

export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

/** Reads and compiles one monitor file; never throws for what is inside the file. */
export async function loadFile(file: string, env: NodeJS.ProcessEnv): Promise<LoadedFile> {
  const shown = displayPath(file);
  let text: string;
  try {
    const buffer = await readFile(file);
    if (buffer.length > MAX_FILE_BYTES) return unreadable(file, shown, `file is ${buffer.length} bytes; monitor files are limited to 1 MiB`);
    text = buffer.toString('utf8');
  } catch (error) {
    return unreadable(file, shown, `cannot read file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return compileText(file, shown, text, env);
}

export function compileText(file: string, shown: string, text: string, env: NodeJS.ProcessEnv): LoadedFile {
  const parsed = parseYamlFile(shown, text);
  const documents: LoadedDocument[] = parsed.documents.map((source) => compileMonitor(source, env));
  if (parsed.diagnostics.length > 0) documents.push({ diagnostics: parsed.diagnostics });
  if (documents.length === 0) {
    documents.push({ diagnostics: [{ file: shown, line: 1, col: 1, message: 'file holds no monitor; write at least name, schedule and steps' }] });
  }
  return { file, documents };
}

function unreadable(file: string, shown: string, message: string): LoadedFile {
  return { file, documents: [{ diagnostics: [{ file: shown, line: 1, col: 1, message }] }] };
}
