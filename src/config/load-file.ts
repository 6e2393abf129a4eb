import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import type { Monitor } from '../core/monitor.js';
import { compileMonitor } from './compile-monitor.js';
import type { Diagnostic } from './diagnostics.js';
import { parseFast } from './fast-yaml.js';
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

/**
 * Reads and compiles one monitor file; never throws for what is inside the file. It blocks its
 * thread: the daemon and the CLI call it in a loader thread (LoaderPool), tests call it directly.
 */
export async function loadFile(file: string, env: NodeJS.ProcessEnv): Promise<LoadedFile> {
  const read = readMonitorFile(file);
  return 'loaded' in read ? read.loaded : compileFile(file, read.text, env);
}

/**
 * A monitor file's text and a digest of its bytes, or the file reported as unusable (too big,
 * unreadable, not UTF-8). Synchronous: in a loader thread there is nothing else to do meanwhile,
 * and a blocking read costs a fraction of a promise round trip through the libuv pool.
 */
export function readMonitorFile(file: string): { text: string; digest: string } | { loaded: LoadedFile } {
  const shown = displayPath(file);
  let buffer: Buffer;
  try {
    buffer = readAtMost(file, MAX_FILE_BYTES + 1);
  } catch (error) {
    return { loaded: unreadable(file, shown, `cannot read file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`) };
  }
  if (buffer.length > MAX_FILE_BYTES) return { loaded: unreadable(file, shown, `file is over 1 MiB; monitor files are limited to 1 MiB`) };
  const text = buffer.toString('utf8');
  const notUtf8 = utf8Problem(buffer, text, shown);
  if (notUtf8) return { loaded: { file, documents: [{ diagnostics: [notUtf8] }] } };
  return { text, digest: createHash('sha256').update(buffer).digest('base64url') };
}

/** Compiles a file's text; a throw (a bug, or an input no check foresaw) reports this file, and the other files load. */
export function compileFile(file: string, text: string, env: NodeJS.ProcessEnv): LoadedFile {
  const shown = displayPath(file);
  try {
    return compileText(file, shown, text, env);
  } catch (error) {
    return unreadable(file, shown, `stepwatch could not read this file (${(error as Error).message}); please report it`);
  }
}

/** A file's documents, compiled from the fast path when it has no problem, else with positions for the diagnostics. */
export function compileText(file: string, shown: string, text: string, env: NodeJS.ProcessEnv): LoadedFile {
  const fast = parseFast(text);
  if (fast && fast.length > 0 && fast.every((doc) => doc.name)) {
    const documents = fast.map((doc) => compileMonitor({ file: shown, text, value: doc.value, ...(doc.name ? { namePosition: doc.name } : {}) }, env));
    if (documents.every((doc) => doc.diagnostics.length === 0)) return { file, documents };
  }
  const parsed = parseYamlFile(shown, text);
  const documents: LoadedDocument[] = parsed.documents.map((source) => compileMonitor(source, env));
  if (parsed.diagnostics.length > 0) documents.push({ diagnostics: parsed.diagnostics });
  if (documents.length === 0) {
    documents.push({ diagnostics: [{ file: shown, line: 1, col: 1, message: 'file holds no monitor; write at least name, schedule and steps' }] });
  }
  return { file, documents };
}

/**
 * The first `limit` bytes of a file: a huge file is not read whole to learn that it is too big.
 * The buffer starts at the size the file says (plus one byte, to see it grew) and doubles when
 * needed: allocating `limit` bytes for every 1 KB file was a tenth of loading 10k files.
 */
function readAtMost(file: string, limit: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    let buffer = Buffer.allocUnsafe(Math.min(limit, fstatSync(fd).size + 1));
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length >= limit) break;
        const bigger = Buffer.allocUnsafe(Math.min(limit, buffer.length * 2));
        buffer.copy(bigger, 0, 0, length);
        buffer = bigger;
      }
      const bytesRead = readSync(fd, buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
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

export function unreadable(file: string, shown: string, message: string): LoadedFile {
  return { file, documents: [{ diagnostics: [{ file: shown, line: 1, col: 1, message }] }] };
}
