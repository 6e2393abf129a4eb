import { stat } from 'node:fs/promises';
import type { Monitor } from '../core/monitor.js';
import type { Diagnostic } from './diagnostics.js';
import { findMonitorFiles } from './find-files.js';
import { displayPath } from './load-file.js';
import type { LoadedFile } from './load-file.js';
import { DEFAULT_LOAD_TIMEOUT_MS, sharedLoaderPool } from './loader-pool.js';
import type { LoaderPool } from './loader-pool.js';

interface FileState {
  /** The file's own signature (size, time, inode), and those of the files its templates read. */
  signature: string;
  dependencySignature: string;
  dependencies: string[];
  /** A digest of the bytes last compiled: a file touched or replaced by an identical copy is not compiled again. */
  digest?: string;
  loaded: LoadedFile;
  /** What would run from this file: its last good version when the current one has problems. */
  candidates: Monitor[];
  keptLastGood: boolean;
  /** Candidates whose names an earlier file already uses; recomputed on every change. */
  duplicates: Map<Monitor, Diagnostic>;
}

export interface CatalogOptions {
  /** How long one file may take to read and compile before it is reported as invalid (default 10 s). */
  loadTimeoutMs?: number;
  /** Where files are compiled; default: the process's shared loader threads. */
  loader?: LoaderPool;
}

/** An invalid document as the operator should see it: the file, and why it is not running. */
export interface InvalidDocument {
  file: string;
  name?: string;
  diagnostics: Diagnostic[];
  /** True when an earlier good version of this file is still running. */
  keptLastGood: boolean;
}

export interface MonitorCounts {
  active: number;
  invalid: number;
  disabled: number;
}

/**
 * The monitors in force, file by file. A reload re-reads only files that changed; a file that
 * became invalid keeps its last good version running, and says so.
 */
export class Catalog {
  private files = new Map<string, FileState>();
  /** Whether every file read by the last load was valid. */
  lastReloadSuccessful = true;
  /** Files (as displayed) read anew by the last refresh, so a caller reports only what changed. */
  lastReadFiles = new Set<string>();

  private readonly loader: LoaderPool;
  private readonly loadTimeoutMs: number;

  constructor(
    private readonly paths: string[],
    private readonly env: NodeJS.ProcessEnv = process.env,
    options: CatalogOptions = {},
  ) {
    this.loader = options.loader ?? sharedLoaderPool();
    this.loadTimeoutMs = options.loadTimeoutMs ?? DEFAULT_LOAD_TIMEOUT_MS;
  }

  /** Reads what changed since the last call; returns whether anything did. */
  async refresh(): Promise<boolean> {
    const found = await findMonitorFiles(this.paths);
    const next = new Map<string, FileState>();
    this.lastReadFiles = new Set();
    let changed = false;
    let clean = true;
    // Files load in the loader's threads, several at once; results are used in path order.
    const states = await mapConcurrently(found, READ_CONCURRENCY, (file) => this.read(file, this.files.get(file)));
    found.forEach((file, index) => {
      const { previous, state, loaded } = states[index] as FileRead;
      if (!loaded) {
        next.set(file, state);
        return;
      }
      changed = true;
      this.lastReadFiles.add(displayPath(file));
      const valid = loaded.documents.every((doc) => doc.diagnostics.length === 0);
      if (!valid) clean = false;
      const keep = !valid && previous !== undefined && previous.candidates.length > 0;
      const candidates = keep ? previous.candidates : loaded.documents.flatMap((doc) => (doc.monitor ? [doc.monitor] : []));
      next.set(file, { ...state, loaded, candidates, keptLastGood: keep, duplicates: new Map() });
    });
    if (found.length !== this.files.size || [...this.files.keys()].some((file) => !next.has(file))) changed = true;
    this.files = next;
    if (changed) {
      this.resolveDuplicateNames();
      this.lastReloadSuccessful = clean && this.invalid().length === 0;
    }
    return changed;
  }

  /**
   * One file: the state it had when nothing it depends on changed, or it loaded anew. Its own
   * signature is taken before it is read, so a write during the read is seen at the next refresh.
   */
  private async read(file: string, previous: FileState | undefined): Promise<FileRead> {
    const ownSignature = await fileSignature(file);
    let knownDigest: string | undefined;
    if (previous) {
      const dependencySignature = await signaturesOf(previous.dependencies);
      if (`${ownSignature}|${dependencySignature}` === previous.signature) return { previous, state: previous };
      // Same bytes and same dependencies: the earlier compilation stands (and its monitors are not rescheduled).
      if (dependencySignature === previous.dependencySignature) knownDigest = previous.digest;
    }
    const outcome = await this.loader.load({ file, env: this.env, timeoutMs: this.loadTimeoutMs, ...(knownDigest !== undefined ? { knownDigest } : {}) });
    if (outcome.kind === 'unchanged' && previous) return { previous, state: { ...previous, signature: `${ownSignature}|${previous.dependencySignature}` } };
    if (outcome.kind === 'unchanged') throw new Error(`the loader said ${file} is unchanged, but no digest was known`);
    return this.loaded(ownSignature, outcome.loaded, outcome.digest, previous);
  }

  private async loaded(ownSignature: string, loaded: LoadedFile, digest: string | undefined, previous: FileState | undefined): Promise<FileRead> {
    const dependencies = [...new Set(loaded.documents.flatMap((doc) => doc.dependencies ?? []))];
    const dependencySignature = await signaturesOf(dependencies);
    const state: FileState = {
      signature: `${ownSignature}|${dependencySignature}`,
      dependencySignature,
      dependencies,
      ...(digest !== undefined ? { digest } : {}),
      loaded,
      candidates: [],
      keptLastGood: false,
      duplicates: new Map(),
    };
    return { previous, state, loaded };
  }

  /** Monitors to schedule or run, enabled or not, in file order. */
  monitors(): Monitor[] {
    return [...this.files.values()].flatMap((state) => state.candidates.filter((monitor) => !state.duplicates.has(monitor)));
  }

  get(name: string): Monitor | undefined {
    return this.monitors().find((monitor) => monitor.name === name);
  }

  invalid(): InvalidDocument[] {
    return [...this.files.entries()].flatMap(([file, state]) => {
      const problems = state.loaded.documents
        .filter((doc) => doc.diagnostics.length > 0)
        .map((doc) => ({ file: displayPath(file), ...(doc.name ? { name: doc.name } : {}), diagnostics: doc.diagnostics, keptLastGood: state.keptLastGood }));
      const duplicates = [...state.duplicates].map(([monitor, diagnostic]) => ({ file: displayPath(file), name: monitor.name, diagnostics: [diagnostic], keptLastGood: false }));
      return [...problems, ...duplicates];
    });
  }

  counts(): MonitorCounts {
    const monitors = this.monitors();
    const disabled = monitors.filter((monitor) => !monitor.enabled).length;
    return { active: monitors.length - disabled, disabled, invalid: this.invalid().length };
  }

  /** Names are unique across files: the first file (in path order) keeps the name, later ones are invalid. */
  private resolveDuplicateNames(): void {
    const owner = new Map<string, Monitor>();
    for (const state of this.files.values()) {
      state.duplicates = new Map();
      for (const monitor of state.candidates) {
        const first = owner.get(monitor.name);
        if (!first) {
          owner.set(monitor.name, monitor);
          continue;
        }
        const where = `${first.source.file}:${first.source.line}:${first.source.col}`;
        state.duplicates.set(monitor, { ...monitor.source, message: `monitor name '${monitor.name}' is already used at ${where}; names must be unique across all files` });
      }
    }
  }
}

/** Files in progress at once: enough to keep every loader thread busy while the next ones are stat'ed. */
const READ_CONCURRENCY = 512;

/** A file as one refresh found it: `loaded` only when it was read and compiled anew. */
interface FileRead {
  previous: FileState | undefined;
  state: FileState;
  loaded?: LoadedFile;
}


async function mapConcurrently<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The signatures of the files a monitor file's templates read: a secret file rotated in place reloads the monitor that reads it. */
async function signaturesOf(files: readonly string[]): Promise<string> {
  const signatures = await Promise.all(files.map(fileSignature));
  return signatures.join('|');
}

async function fileSignature(file: string): Promise<string> {
  try {
    const info = await stat(file);
    return `${info.mtimeMs}:${info.size}:${info.ino}`;
  } catch {
    return 'missing';
  }
}
