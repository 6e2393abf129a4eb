import { Catalog } from '../config/catalog.js';
import { UsageError } from './cli-error.js';
import { describePathError, monitorPathProblem } from './path-problems.js';
import { loadTimeoutOption } from './options.js';

/** Loads monitors from the given paths for a one-shot command; a path that is not a file or a folder is a usage error. */
export async function loadForCommand(paths: string[], env: NodeJS.ProcessEnv): Promise<Catalog> {
  for (const target of paths) {
    const problem = await monitorPathProblem(target);
    if (problem) throw new UsageError(problem);
  }
  const loadTimeoutMs = loadTimeoutOption(env.STEPWATCH_LOAD_TIMEOUT_SECONDS);
  const catalog = new Catalog(paths, env, loadTimeoutMs ? { loadTimeoutMs } : {});
  try {
    await catalog.refresh();
  } catch (error) {
    // A folder can change between the check and the read.
    const problem = describePathError(error, paths.join(', '));
    if (problem) throw new UsageError(problem);
    throw error;
  }
  return catalog;
}
