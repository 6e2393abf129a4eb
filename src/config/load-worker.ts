import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { compileFile, readMonitorFile } from './load-file.js';
import type { LoadAnswer, LoadRequest, LoaderWorkerData } from './loader-pool.js';

/**
 * A loader thread (started by LoaderPool): reads and compiles the monitor files it is sent, one
 * at a time and in order, so the pool knows which file is taking long when the time budget runs
 * out. A file whose bytes did not change since the digest the pool sent is not compiled again.
 */
const port = parentPort as MessagePort;
/** Which file this thread is on, for the pool's time budget: written before each file, read by the main thread. */
const progress = new Int32Array((workerData as LoaderWorkerData).progress);
/** The environments of the catalogs this thread serves (a daemon has one), by the id the pool gave each. */
const envs = new Map<number, NodeJS.ProcessEnv>();
// A batch of files, read and compiled one after the other; answered together, in order.
port.on('message', (requests: LoadRequest[]) => {
  const answers = requests.map((request) => {
    Atomics.store(progress, 0, request.id);
    return answer(request);
  });
  port.postMessage({ answers });
});
// Said once the modules are loaded, so their loading does not count against the first file's budget.
port.postMessage({ ready: true });

function answer({ id, file, envId, env, knownDigest }: LoadRequest): LoadAnswer {
  if (env) envs.set(envId, env);
  const read = readMonitorFile(file);
  if ('loaded' in read) return { id, kind: 'loaded', loaded: read.loaded };
  if (read.digest === knownDigest) return { id, kind: 'unchanged', digest: read.digest };
  return { id, kind: 'loaded', loaded: compileFile(file, read.text, envs.get(envId) ?? {}), digest: read.digest };
}
