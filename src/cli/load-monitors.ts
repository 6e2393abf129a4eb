import { Catalog } from '../config/catalog.js';
import { UsageError } from './cli-error.js';
import { describePathError, monitorPathProblem } from './path-problems.js';

/** Loads monitors from the given paths for a one-shot command; a path that is not a file or a folder is a usage error. */
export async function loadForCommand(paths: string[], env: NodeJS.ProcessEnv): Promise<Catalog> {
  for (const target of paths) {
    const problem = await monitorPathProblem(target);
    if (problem) throw new UsageError(problem);
  }
  const catalog = new Catalog(paths, env);
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
