import { open } from 'node:fs/promises';
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
    const buffer = await readAtMost(file, MAX_FILE_BYTES + 1);
    if (buffer.length > MAX_FILE_BYTES) return unreadable(file, shown, `file is over 1 MiB; monitor files are limited to 1 MiB`);
    text = buffer.toString('utf8');
    const notUtf8 = utf8Problem(buffer, text, shown);
    if (notUtf8) return { file, documents: [{ diagnostics: [notUtf8] }] };
  } catch (error) {
    return unreadable(file, shown, `cannot read file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return compileText(file, shown, text, env);
  } catch (error) {
    // A bug, or an input no check foresaw: this file is reported, the other files load.
    return unreadable(file, shown, `stepwatch could not read this file (${(error as Error).message}); please report it`);
  }
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

/** The first `limit` bytes of a file: a huge file is not read whole to learn that it is too big. */
async function readAtMost(file: string, limit: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(limit);
    let length = 0;
    while (length < limit) {
      const { bytesRead } = await handle.read(buffer, length, limit - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes that are not UTF-8 would silently become U+FFFD (and then a URL or a header that is not
 * what the file says): refused, pointing at the first one (the first U+FFFD the lenient decoding made).
 */
function utf8Problem(buffer: Buffer, lenient: string, shown: string): Diagnostic | undefined {
  try {
    strictUtf8.decode(buffer);
    return undefined;
  } catch {
    const offset = Math.max(0, lenient.indexOf('\uFFFD'));
    const before = lenient.slice(0, offset);
    const line = before.split('\n').length;
    const col = offset - before.lastIndexOf('\n');
    return { file: shown, line, col, message: 'the file is not UTF-8 here; save it as UTF-8 (monitor files are read as UTF-8 only)' };
  }
}

function unreadable(file: string, shown: string, message: string): LoadedFile {
  return { file, documents: [{ diagnostics: [{ file: shown, line: 1, col: 1, message }] }] };
}
