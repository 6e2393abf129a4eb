import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { LoadedFileValues } from './file-values.js';
import { displayPath, unreadable } from './load-file.js';
import type { LoadedFile } from './load-file.js';

/**
 * One file to load, with the environment its templates are checked against (sent to a thread
 * once, then named by `envId`); `knownDigest` is the digest of its last compiled bytes, to skip
 * compiling them again.
 */
export interface LoadRequest {
  id: number;
  file: string;
  envId: number;
  env?: Record<string, string | undefined>;
  knownDigest?: string;
}

/** A file compiled (or reported, with no digest when it was not compiled), or its bytes unchanged since `knownDigest`. */
export type LoadOutcome = { kind: 'loaded'; loaded: LoadedFile; digest?: string } | { kind: 'unchanged'; digest: string };
export type LoadAnswer = LoadOutcome & { id: number };

/** What a loader thread is given when it starts: where it says which file it is working on. */
export interface LoaderWorkerData {
  /** One Int32: the id of the file the thread is reading or compiling. */
  progress: SharedArrayBuffer;
}

/** A file for LoaderPool.load. */
export interface LoadJob {
  file: string;
  env: NodeJS.ProcessEnv;
  /** How long the file may take to read and compile before its loader thread is stopped. */
  timeoutMs: number;
  knownDigest?: string;
}

/** A file takes long when it is huge or pathological; these defaults bound it, and are said in its diagnostic. */
export const DEFAULT_LOAD_TIMEOUT_MS = 10_000;
const MEMORY_LIMIT_MB = 512;
/**
 * Files per message. A message per file woke the other thread 20k times for 10k files, and on a
 * busy 2-core machine each wake-up cost a context switch: batches cut loading time by a third.
 */
const MAX_BATCH = 32;
/** Batches sent ahead to a thread, so it starts the next one as soon as it answers. */
const BATCHES_IN_FLIGHT = 2;
/** A backlog this long per thread is worth starting one more. */
const FILES_PER_EXTRA_WORKER = 16;
/**
 * An idle loader thread is kept this long for the next reload, then stopped: past one poll
 * interval (2 s), so a change spread over two polls reuses it, but no longer, since each thread
 * is a V8 isolate of its own (~25 MB of resident memory at 500 monitors, measured).
 */
const IDLE_MS = 3_000;
/** How often the time budgets are checked; a file is stopped at most this late. */
const MAX_WATCH_INTERVAL_MS = 250;

interface Job extends LoadJob {
  resolve(outcome: LoadOutcome): void;
  reject(error: Error): void;
}

interface Loader {
  worker: Worker;
  ready: boolean;
  /** The environments this thread was sent. */
  envs: Set<number>;
  /** Sent and not yet answered, in the order the thread works on them. */
  jobs: Array<Job & { id: number }>;
  progress: Int32Array;
  /** The file the thread was last seen working on, and since when. */
  current: { id: number; since: number };
  idle?: NodeJS.Timeout;
}

/**
 * Reads and compiles monitor files in worker threads (issue 12): a file that takes long to load
 * never blocks the scheduler or the HTTP server, and after its time budget its thread is stopped
 * and the file reported as invalid, so a reload always ends. Files load in parallel (issue 13).
 * Threads start on demand (a thread's start costs about what importing the loader costs) and do
 * not keep the process alive once idle; one pool serves the whole process (`sharedLoaderPool`).
 */
export class LoaderPool {
  private readonly queue: Job[] = [];
  private readonly loaders = new Set<Loader>();
  private readonly envIds = new WeakMap<NodeJS.ProcessEnv, number>();
  private nextId = 0;
  private watch?: NodeJS.Timeout;

  /** `maxWorkers`: loader threads at most; default: the machine's cores, up to 4. */
  constructor(private readonly maxWorkers = Math.max(1, Math.min(4, availableParallelism()))) {}

  load(job: LoadJob): Promise<LoadOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...job, resolve, reject });
      this.pump();
    });
  }

  /** Stops every loader thread; files still waiting are refused. */
  async close(): Promise<void> {
    const closed = new Error('the monitor loader was closed');
    for (const job of this.queue.splice(0)) job.reject(closed);
    for (const loader of this.loaders) for (const job of loader.jobs.splice(0)) job.reject(closed);
    await Promise.all([...this.loaders].map((loader) => this.retire(loader)));
  }

  private pump(): void {
    // Batches small enough that every thread gets a share of a short backlog.
    const batch = Math.max(1, Math.min(MAX_BATCH, Math.ceil(this.queue.length / (BATCHES_IN_FLIGHT * Math.max(1, this.loaders.size)))));
    for (const loader of this.loaders) {
      while (loader.ready && loader.jobs.length < BATCHES_IN_FLIGHT * batch && this.queue.length > 0) this.dispatch(loader, this.queue.splice(0, batch));
    }
    const wanted = this.queue.length === 0 ? 0 : Math.min(this.maxWorkers, 1 + Math.floor(this.queue.length / FILES_PER_EXTRA_WORKER));
    while (this.loaders.size < wanted) this.spawn();
  }

  private spawn(): void {
    const progress = new SharedArrayBuffer(4);
    const loader: Loader = { worker: startWorker({ progress }), ready: false, envs: new Set(), jobs: [], progress: new Int32Array(progress), current: { id: 0, since: 0 } };
    this.loaders.add(loader);
    loader.worker.on('message', (message: { answers: LoadAnswer[] } | { ready: true }) => this.answered(loader, message));
    loader.worker.on('error', (error) => this.failed(loader, error));
    loader.worker.on('exit', (code) => this.failed(loader, new Error(`the loader thread exited with code ${code}`)));
  }

  private dispatch(loader: Loader, jobs: Job[]): void {
    const requests = jobs.map((job) => {
      const id = ++this.nextId;
      loader.jobs.push({ ...job, id });
      let envId = this.envIds.get(job.env);
      if (envId === undefined) this.envIds.set(job.env, (envId = ++this.nextId));
      const request: LoadRequest = { id, file: job.file, envId, ...(job.knownDigest !== undefined ? { knownDigest: job.knownDigest } : {}) };
      if (!loader.envs.has(envId)) request.env = { ...job.env };
      loader.envs.add(envId);
      return request;
    });
    clearTimeout(loader.idle);
    loader.worker.ref();
    loader.worker.postMessage(requests);
    this.watchBudgets();
  }

  private answered(loader: Loader, message: { answers: LoadAnswer[] } | { ready: true }): void {
    // A thread being stopped may still answer: its files were already reported or sent elsewhere.
    if (!this.loaders.has(loader)) return;
    if ('ready' in message) {
      loader.ready = true;
      this.pump();
      return;
    }
    for (const answer of message.answers) {
      const job = loader.jobs.shift();
      if (job?.id !== answer.id) throw new Error(`loader answered file ${answer.id}, expected ${job?.id}`);
      job.resolve(revive(answer));
    }
    this.pump();
    if (loader.jobs.length === 0) {
      loader.worker.unref();
      loader.idle = setTimeout(() => void this.retire(loader), IDLE_MS).unref();
    }
  }

  /**
   * Checks, while any file is in progress, how long each thread has been on its current file
   * (read from shared memory: no message, so even a thread stuck in a loop is seen).
   */
  private watchBudgets(): void {
    if (this.watch) return;
    const interval = Math.min(MAX_WATCH_INTERVAL_MS, ...[...this.loaders].flatMap((loader) => loader.jobs.map((job) => job.timeoutMs / 4)));
    this.watch = setInterval(() => {
      const now = performance.now();
      for (const loader of this.loaders) {
        const id = Atomics.load(loader.progress, 0);
        if (id !== loader.current.id) loader.current = { id, since: now };
        const index = loader.jobs.findIndex((job) => job.id === id);
        const job = loader.jobs[index];
        if (job && now - loader.current.since > job.timeoutMs) {
          this.abandon(loader, index, `loading took longer than ${job.timeoutMs / 1000} s, so stepwatch stopped reading this file; split or simplify it (STEPWATCH_LOAD_TIMEOUT_SECONDS sets the limit)`);
        }
      }
      if ([...this.loaders].every((loader) => loader.jobs.length === 0)) {
        clearInterval(this.watch);
        this.watch = undefined;
      }
    }, interval).unref();
  }

  private failed(loader: Loader, error: Error & { code?: string }): void {
    if (!this.loaders.has(loader)) return;
    if (!loader.ready) {
      // The thread could not even start: a broken install, not a file's fault; every waiting file fails with it.
      void this.retire(loader);
      for (const job of this.queue.splice(0)) job.reject(error);
      return;
    }
    const message =
      error.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? `loading needed more than ${MEMORY_LIMIT_MB} MB of memory, so stepwatch stopped reading this file; split or simplify it`
        : `stepwatch could not read this file (${error.message}); please report it`;
    const index = loader.jobs.findIndex((job) => job.id === Atomics.load(loader.progress, 0));
    this.abandon(loader, Math.max(0, index), message);
  }

  /**
   * Stops a thread that is stuck on (or was killed by) the file at `index` of its batch: that
   * file is reported; the others (done but not yet answered, or not started) go to another thread.
   */
  private abandon(loader: Loader, index: number, message: string): void {
    const jobs = loader.jobs.splice(0);
    const [current] = jobs.splice(index, 1);
    void this.retire(loader);
    this.queue.unshift(...jobs);
    if (current) current.resolve({ kind: 'loaded', loaded: unreadable(current.file, displayPath(current.file), message) });
    this.pump();
  }

  private async retire(loader: Loader): Promise<void> {
    this.loaders.delete(loader);
    clearTimeout(loader.idle);
    await loader.worker.terminate();
  }
}

/** File values cross the thread boundary as plain copies; the monitors get the class back. */
function revive({ id: _id, ...outcome }: LoadAnswer): LoadOutcome {
  if (outcome.kind === 'loaded') {
    for (const document of outcome.loaded.documents) {
      if (document.monitor?.fileValues) document.monitor.fileValues = LoadedFileValues.fromClone(document.monitor.fileValues as LoadedFileValues);
    }
  }
  return outcome;
}

let shared: LoaderPool | undefined;

/** The process's loader threads, shared by every catalog as the libuv pool is by every file read. */
export function sharedLoaderPool(): LoaderPool {
  shared ??= new LoaderPool();
  return shared;
}

function startWorker(workerData: LoaderWorkerData): Worker {
  const options = { workerData, resourceLimits: { maxOldGenerationSizeMb: MEMORY_LIMIT_MB } };
  if (import.meta.url.endsWith('.ts')) {
    // Run from the TypeScript sources (tests, benchmarks): tsx's hooks do not reach worker threads
    // on Node 20, so the thread registers them before importing its entry.
    const entry = JSON.stringify(new URL('./load-worker.ts', import.meta.url).href);
    const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
    return new Worker(`import(${tsx}).then(({ register }) => { register(); return import(${entry}); })`, { ...options, eval: true });
  }
  return new Worker(new URL('./load-worker.js', import.meta.url), options);
}
