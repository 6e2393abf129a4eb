import { readdir, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';

const MONITOR_FILE = /\.ya?ml$/i;

/**
 * Monitor files under each path (a file is taken as given, a folder searched recursively),
 * sorted. Symbolic links to files and folders are followed, as mounted config usually is one
 * (a Kubernetes ConfigMap is links into a `..data` folder). A folder is read once however many
 * links lead to it, which also ends link loops; a file reached by several paths is listed once,
 * by its shortest path, so it does not clash with itself as a duplicate monitor.
 */
export async function findMonitorFiles(paths: string[]): Promise<string[]> {
  const byTarget = new Map<string, string>();
  const add = (file: string, target: string) => {
    const known = byTarget.get(target);
    if (known === undefined || shorter(file, known)) byTarget.set(target, file);
  };
  const visited = new Set<string>();
  for (const target of paths) {
    const info = await stat(target);
    if (info.isFile()) add(target, await realpath(target));
    else await walk(target, visited, add);
  }
  return [...byTarget.values()].sort();
}

async function walk(dir: string, visited: Set<string>, add: (file: string, target: string) => void): Promise<void> {
  const real = await realpath(dir);
  if (visited.has(real)) return;
  visited.add(real);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) {
      // A dangling link leads nowhere: nothing to read there.
      const kind: Stats | undefined = await stat(full).catch(() => undefined);
      if (kind?.isDirectory()) await walk(full, visited, add);
      else if (kind?.isFile() && MONITOR_FILE.test(entry.name)) add(full, await realpath(full).catch(() => full));
    } else if (entry.isDirectory()) {
      await walk(full, visited, add);
    } else if (entry.isFile() && MONITOR_FILE.test(entry.name)) {
      // No syscall per plain file: its real path is its real folder's plus its name.
      add(full, path.join(real, entry.name));
    }
  }
}

function shorter(a: string, b: string): boolean {
  const depth = (file: string) => file.split(path.sep).length;
  return depth(a) < depth(b) || (depth(a) === depth(b) && a < b);
}
