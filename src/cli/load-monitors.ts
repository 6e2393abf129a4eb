import { Catalog } from '../config/catalog.js';
import { UsageError } from './cli-error.js';

/** Loads monitors from the given paths for a one-shot command; a path that does not exist is a usage error. */
export async function loadForCommand(paths: string[], env: NodeJS.ProcessEnv): Promise<Catalog> {
  const catalog = new Catalog(paths, env);
  try {
    await catalog.refresh();
  } catch (error) {
    const err = error as NodeJS.ErrnoException & { path?: string };
    if (err.code === 'ENOENT') throw new UsageError(`no such file or folder: ${err.path ?? paths.join(', ')}`);
    if (err.code === 'EACCES') throw new UsageError(`permission denied: ${err.path ?? paths.join(', ')}`);
    throw error;
  }
  return catalog;
}
