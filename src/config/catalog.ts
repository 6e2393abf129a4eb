import { statSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Monitor } from '../core/monitor.js';
import type { Diagnostic } from './diagnostics.js';
import { findMonitorFiles } from './find-files.js';
import { displayPath } from './load-file.js';
import type { LoadedFile } from './load-file.js';
import { DEFAULT_LOAD_TIMEOUT_MS, sharedLoaderPool } from './loader-pool.js';
import type { LoaderPool } from './loader-pool.js';

interface FileState {
  /** The file's own signature (size, time, inode), and those of the files its templates read. */
  ownSignature: string;
  dependencySignature: string;
  /** When the own signature was taken: a file modified within RACY_MS before that may have changed unseen since. */
  signedAt: number;
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
    const verdicts = await this.check(found);
    const states = verdicts.map((verdict): FileRead | undefined => (verdict.kind === 'same' ? { previous: verdict.previous, state: verdict.previous } : undefined));
    // The others load in the loader's threads, several at once; results are used in path order.
    const pending = verdicts.flatMap((verdict, index) => (verdict.kind === 'same' ? [] : [{ index, verdict }]));
    await mapConcurrently(pending, READ_CONCURRENCY, async ({ index, verdict }) => {
      states[index] = await this.read(found[index] as string, verdict);
    });
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
   * Each file's verdict from its stat and those of the files its templates read, taken before it
   * is read, so a write during the read is seen at the next refresh. Synchronous stats (a poll
   * that finds nothing changed costs a few microseconds a file, no promise or thread hop each),
   * in slices so ten thousand files do not hold up the runs' event loop.
   */
  private async check(files: string[]): Promise<Verdict[]> {
    const verdicts: Verdict[] = [];
    for (let start = 0; start < files.length; start += CHECK_SLICE) {
      if (start > 0) await nextTurn();
      for (const file of files.slice(start, start + CHECK_SLICE)) verdicts.push(verdictOf(file, this.files.get(file)));
    }
    return verdicts;
  }

  /** One file that may have changed: read and compiled anew, unless its bytes are those last compiled. */
  private async read(file: string, verdict: Exclude<Verdict, { kind: 'same' }>): Promise<FileRead> {
    const { previous, own, signedAt } = verdict;
    const knownDigest = verdict.kind === 'digest' ? verdict.previous.digest : undefined;
    const outcome = await this.loader.load({ file, env: this.env, timeoutMs: this.loadTimeoutMs, ...(knownDigest !== undefined ? { knownDigest } : {}) });
    if (outcome.kind === 'unchanged' && previous) return { previous, state: { ...previous, ownSignature: own, signedAt } };
    if (outcome.kind === 'unchanged') throw new Error(`the loader said ${file} is unchanged, but no digest was known`);
    return this.loaded(own, signedAt, outcome.loaded, outcome.digest, previous);
  }

  private loaded(ownSignature: string, signedAt: number, loaded: LoadedFile, digest: string | undefined, previous: FileState | undefined): FileRead {
    const dependencies = [...new Set(loaded.documents.flatMap((doc) => doc.dependencies ?? []))];
    const state: FileState = {
      ownSignature,
      dependencySignature: signaturesOf(dependencies),
      signedAt,
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
/** Files stat'ed in one turn of the event loop. */
const CHECK_SLICE = 500;
/**
 * A file whose modification time is this close to the moment its signature was taken may be
 * written again within the file system's time granularity (1 s on some, 2 s on FAT) with the same
 * size and inode: its bytes are digested at each poll until it is older than that.
 */
const RACY_MS = 2_000;

/**
 * What a poll does with one file: nothing (`same`), digest its bytes and compile them only if
 * they differ from those last compiled (`digest`: its own signature changed, or it was modified
 * too recently to trust it, while the files its templates read did not change), or read and
 * compile it (`load`: new, or a file its templates read changed).
 */
type Verdict =
  | { kind: 'same'; previous: FileState }
  | { kind: 'digest'; previous: FileState; own: string; signedAt: number }
  | { kind: 'load'; previous: FileState | undefined; own: string; signedAt: number };

function verdictOf(file: string, previous: FileState | undefined): Verdict {
  const signedAt = Date.now();
  const own = signatureOf(file);
  if (!previous) return { kind: 'load', previous, own: own.text, signedAt };
  if (signaturesOf(previous.dependencies) !== previous.dependencySignature) return { kind: 'load', previous, own: own.text, signedAt };
  const racy = own.mtimeMs >= previous.signedAt - RACY_MS;
  if (own.text === previous.ownSignature && !racy) return { kind: 'same', previous };
  // Same dependencies: the earlier compilation stands if the bytes are the same (and its monitors are not rescheduled).
  return previous.digest !== undefined ? { kind: 'digest', previous, own: own.text, signedAt } : { kind: 'load', previous, own: own.text, signedAt };
}

/** A file as one refresh found it: `loaded` only when it was read and compiled anew. */
interface FileRead {
  previous: FileState | undefined;
  state: FileState;
  loaded?: LoadedFile;
}

async function mapConcurrently<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

interface Signature {
  /** Size, modification time and inode: what changes when a file is written, replaced or swapped by a ConfigMap. */
  text: string;
  mtimeMs: number;
}

/** The signatures of the files a monitor file's templates read: a secret file rotated in place reloads the monitor that reads it. */
function signaturesOf(files: readonly string[]): string {
  return files.map((file) => signatureOf(file).text).join('|');
}

function signatureOf(file: string): Signature {
  try {
    const info = statSync(file, { throwIfNoEntry: false });
    return info ? { text: `${info.mtimeMs}:${info.size}:${info.ino}`, mtimeMs: info.mtimeMs } : MISSING;
  } catch {
    return MISSING;
  }
}

const MISSING: Signature = { text: 'missing', mtimeMs: 0 };
